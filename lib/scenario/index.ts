// The scenario format: types, parser and validator, loader. The runner comes later.
export { parseScenario, TOP_LEVEL_KEYS, DEFAULT_SEED } from './parse.js';
export type { ParseResult, ParseOptions } from './parse.js';
export { loadScenario, fileReader } from './load.js';
export { formatError, formatErrors, sortErrors } from './errors.js';
export type { ScenarioError, ScenarioErrorCode } from './errors.js';
export { parseDuration, formatDuration } from './duration.js';
export { nodeName, nodeZone, poolOfNode, DEFAULT_MAX_PODS } from './cluster.js';
export type { ReadFile } from './workloads.js';
export type * from './types.js';
