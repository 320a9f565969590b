// The scenario format (types, parser and validator, loader) and the runner that plays it.
export { parseScenario, TOP_LEVEL_KEYS, DEFAULT_SEED } from './parse.js';
export type { ParseResult, ParseOptions } from './parse.js';
export { loadScenario, fileReader } from './load.js';
export { formatError, formatErrors, sortErrors } from './errors.js';
export type { ScenarioError, ScenarioErrorCode } from './errors.js';
export { parseDuration, formatDuration } from './duration.js';
export { nodeName, nodeZone, poolOfNode, DEFAULT_MAX_PODS } from './cluster.js';
export type { ReadFile } from './workloads.js';
export type * from './types.js';
export { runScenario } from './run/run.js';
export type { RunOptions } from './run/run.js';
export { runOne } from './run/run-one.js';
export type { RunOneOptions, Progress } from './run/run-one.js';
export type { Report, RunReport, ExpectationReport, StepReport, Summary } from '../report/types.js';
export { terminalSummary } from '../report/terminal.js';
export { renderHtml } from '../report/html.js';
