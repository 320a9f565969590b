/**
 * parseScenario: YAML text to a validated Scenario, or every error found,
 * each located (file:line:column) with the path of the bad field.
 */
import { isMap, LineCounter, parseDocument } from 'yaml';
import { extraReplicaActors, readCluster, readSchedulerOptions } from './cluster.js';
import { formatDuration } from './duration.js';
import { sortErrors, type ScenarioError } from './errors.js';
import { readExpectations } from './expect.js';
import { Known } from './known.js';
import { childPath, cursor, fail, indexPath, readDuration, readEnum, readMap, readNumber, readSeq, readString, scalarValue, Source, type Cursor } from './reader.js';
import { readTimeline } from './timeline.js';
import type { ClockOptions, Expectation, NodePool, Outputs, Scenario, TimelineStep, Variant } from './types.js';
import { readWorkloads, type ReadFile } from './workloads.js';

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioError[] };

export interface ParseOptions {
  /** Reads `file:` workloads, by path relative to the scenario's directory (loadScenario supplies one). */
  readonly readFile?: ReadFile;
}

export const TOP_LEVEL_KEYS = ['name', 'description', 'seed', 'clock', 'duration', 'cluster', 'workloads', 'timeline', 'expect', 'variants', 'outputs'] as const;
export const DEFAULT_SEED = 1;

export function parseScenario(text: string, fileName: string, options: ParseOptions = {}): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const errors: ScenarioError[] = [];
  const src = new Source(fileName, doc, lines, errors);
  for (const e of doc.errors) src.report('syntax', e.pos[0], '', e.message);
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors) };
  const root = cursor(src, doc.contents, '', 0);
  if (root.node === null || scalarValue(root) === null) {
    fail(root, 'required', 'the scenario is empty: it needs at least cluster.nodePools');
    return { ok: false, errors };
  }
  const scenario = readScenario(root, fileName, options);
  return errors.length === 0 && scenario ? { ok: true, scenario } : { ok: false, errors: sortErrors(errors) };
}

function readScenario(root: Cursor, fileName: string, options: ParseOptions): Scenario | undefined {
  const m = readMap(root, TOP_LEVEL_KEYS, 'a mapping (cluster, workloads, timeline, expect, ...)');
  if (!m) return undefined;
  const errors = root.src.errors;
  const nameAt = m.get('name');
  const name = nameAt ? readString(nameAt, 'a name') : defaultName(fileName);
  const descAt = m.get('description');
  const description = descAt && readString(descAt, 'a description');
  const seedAt = m.get('seed');
  const seed = seedAt ? readNumber(seedAt, { min: 0, max: 2 ** 32 - 1, integer: true }) : DEFAULT_SEED;
  const clock = m.has('clock') ? readClock(m.get('clock')!) : { mode: 'virtual' as const };
  const durAt = m.get('duration');
  const duration = durAt && readDuration(durAt);
  const outputs = m.has('outputs') ? readOutputs(m.get('outputs')!) : {};

  const clusterAt = m.require('cluster', 'required: the node pools to run on');
  const before = errors.length;
  const cluster = clusterAt && readCluster(clusterAt);
  const known = new Known(cluster?.nodePools ?? []);
  known.nodesComplete = cluster !== undefined && errors.length === before;
  if (cluster) known.extraActors = extraReplicaActors(cluster.controlPlane);

  const ctx = { fileName, ...(options.readFile ? { readFile: options.readFile } : {}) };
  const beforeWorkloads = errors.length;
  const workloads = m.has('workloads') ? readWorkloads(m.get('workloads')!, ctx, known) : [];
  known.objectsComplete = errors.length === beforeWorkloads;
  const timeline = m.has('timeline') ? readTimeline(m.get('timeline')!, ctx, known) : [];
  const expectations = m.has('expect') ? readExpectations(m.get('expect')!, known) : [];
  const variants = m.has('variants') ? readVariants(m.get('variants')!) : [];
  if (durAt && duration !== undefined) checkDuration(durAt, duration, timeline, expectations);
  if (cluster && clock) checkProcessClock(clusterAt!, m.get('clock'), cluster.nodePools, clock);

  if (!cluster || name === undefined || seed === undefined || !clock || !outputs || (durAt && duration === undefined)) return undefined;
  return {
    name,
    ...(description === undefined ? {} : { description }),
    seed,
    clock,
    ...(duration === undefined ? {} : { duration }),
    cluster,
    workloads,
    timeline,
    expect: expectations,
    variants,
    outputs,
  };
}

function defaultName(fileName: string): string {
  const base = fileName.replaceAll('\\', '/').split('/').pop() ?? fileName;
  return base.replace(/\.ya?ml$/, '') || 'scenario';
}

/** `virtual`, `real`, or `{ mode: real, speed: 10 }`. */
function readClock(c: Cursor): ClockOptions | undefined {
  if (scalarValue(c) !== undefined) {
    const mode = readEnum(c, ['virtual', 'real'] as const);
    return mode === undefined ? undefined : mode === 'real' ? { mode, speed: 1 } : { mode };
  }
  const m = readMap(c, ['mode', 'speed'], 'virtual, real, or { mode, speed }');
  const modeAt = m?.require('mode');
  const mode = modeAt && readEnum(modeAt, ['virtual', 'real'] as const);
  const speedAt = m?.get('speed');
  if (mode === 'virtual' && speedAt) return fail(speedAt, 'value', 'speed applies to the real clock only');
  const speed = speedAt ? readNumber(speedAt, { min: 0.001, max: 1000 }) : 1;
  if (mode === undefined || speed === undefined) return undefined;
  return mode === 'real' ? { mode, speed } : { mode };
}

function readOutputs(c: Cursor): Outputs | undefined {
  const m = readMap(c, ['json', 'html']);
  if (!m) return undefined;
  const out: { json?: string; html?: string } = {};
  let ok = true;
  for (const k of ['json', 'html'] as const) {
    const at = m.get(k);
    if (!at) continue;
    const p = readString(at, 'a file path');
    if (p === undefined) ok = false;
    else out[k] = p;
  }
  return ok ? out : undefined;
}

function readVariants(c: Cursor): Variant[] {
  const out: Variant[] = [];
  for (const item of readSeq(c) ?? []) {
    const m = readMap(item, ['name', 'scheduler']);
    const nameAt = m?.require('name');
    const name = nameAt && readString(nameAt, 'a variant name');
    const schedAt = m?.require('scheduler');
    const scheduler = schedAt && readSchedulerOptions(schedAt, false);
    if (name === undefined || !scheduler) continue;
    if (out.some((v) => v.name === name)) fail(nameAt!, 'value', `duplicate variant name ${name}`);
    else out.push({ name, scheduler });
  }
  return out;
}

/** Every `at` and `by` must fall within the run. */
function checkDuration(at: Cursor, duration: number, timeline: readonly TimelineStep[], expectations: readonly Expectation[]): void {
  if (duration <= 0) {
    fail(at, 'value', 'must be greater than 0');
    return;
  }
  const times = [
    ...timeline.flatMap((s) => (s.when.type === 'at' ? [s.when.at] : [])),
    ...expectations.flatMap((e) => ('by' in e && e.by !== undefined ? [e.by] : [])),
  ];
  const latest = Math.max(0, ...times);
  if (latest > duration) fail(at, 'value', `the run ends at ${formatDuration(duration)}, before a step or expectation at ${formatDuration(latest)}`);
}

/**
 * Real processes cannot follow virtual time (their own timers, sockets and
 * probes run on the wall clock), so a scenario with a process pool says
 * `clock: real`, at speed 1. Said, not implied: the reader of the file sees
 * that its times are wall time.
 */
function checkProcessClock(clusterAt: Cursor, clockAt: Cursor | undefined, pools: readonly NodePool[], clock: ClockOptions): void {
  const i = pools.findIndex((p) => p.runtime === 'process');
  if (i < 0) return;
  const pool = pools[i]!;
  if (clock.mode === 'real' && clock.speed === 1) return;
  if (clock.mode === 'real') {
    fail(clockAt!, 'value', `node pool ${pool.name} has runtime: process, whose processes run at the wall clock's pace: speed must be 1`);
    return;
  }
  const path = childPath(indexPath(childPath(clusterAt.path, 'nodePools'), i), 'runtime');
  const node = isMap(clusterAt.node) ? clusterAt.node.getIn(['nodePools', i, 'runtime'], true) : undefined;
  const at = clockAt ?? cursor(clusterAt.src, node, path, clusterAt.offset);
  fail(at, 'value', `node pool ${pool.name} has runtime: process: real processes need clock: real (the scenario's clock is virtual${clockAt ? '' : ' by default'})`);
}
