/**
 * Latency distributions and failure behaviours of the simulated runtime.
 *
 *   pull: 2s                                   # fixed
 *   start: { uniform: { min: 100ms, max: 1s } }
 *   uptime: { exponential: { mean: 30m } }
 *   ready: { normal: { mean: 1s, stddev: 200ms } }
 *   pull: { lognormal: { median: 1.5s, sigma: 0.6 } }
 *
 *   failures:
 *     - { type: exitAfter, probability: 0.01, after: 45s, exitCode: 1 }
 *     - { type: crashLoop, probability: 0.005 }
 *     - { type: oomKill, probability: 0.002, after: { uniform: { min: 10s, max: 1m } } }
 */
import { parseSelector } from '../api/selectors/index.js';
import { childPath, exactlyOne, fail, readDuration, readEnum, readMap, readNumber, readSeq, readString, scalarValue, type Cursor } from './reader.js';
import type { Distribution, FailureBehaviour, Latency, NodeFailures } from './types.js';

const DISTRIBUTIONS = ['fixed', 'uniform', 'exponential', 'normal', 'lognormal'] as const;

/** A duration (fixed) or `{ <type>: params }`. */
export function readDistribution(c: Cursor): Distribution | undefined {
  const v = scalarValue(c);
  if (v !== undefined && v !== null) {
    const value = readDuration(c);
    return value === undefined ? undefined : { type: 'fixed', value };
  }
  const m = readMap(c, DISTRIBUTIONS, 'a duration or a distribution ({ fixed | uniform | exponential | normal | lognormal: ... })');
  if (!m) return undefined;
  const type = exactlyOne(m, DISTRIBUTIONS, 'a distribution');
  if (type === undefined) return undefined;
  const p = m.get(type)!;
  switch (type) {
    case 'fixed': {
      const value = readDuration(p);
      return value === undefined ? undefined : { type, value };
    }
    case 'uniform': {
      const q = readMap(p, ['min', 'max']);
      const min = q?.require('min');
      const max = q?.require('max');
      const lo = min && readDuration(min);
      const hi = max && readDuration(max);
      if (lo === undefined || hi === undefined) return undefined;
      if (hi < lo) return fail(max!, 'value', 'must not be less than min');
      return { type, min: lo, max: hi };
    }
    case 'exponential': {
      const q = readMap(p, ['mean']);
      const meanAt = q?.require('mean');
      const mean = meanAt && readDuration(meanAt);
      if (mean === undefined) return undefined;
      if (mean <= 0) return fail(meanAt!, 'value', 'must be greater than 0');
      return { type, mean };
    }
    case 'normal': {
      const q = readMap(p, ['mean', 'stddev']);
      const mean = q?.require('mean');
      const sd = q?.require('stddev');
      const mu = mean && readDuration(mean);
      const sigma = sd && readDuration(sd);
      return mu === undefined || sigma === undefined ? undefined : { type, mean: mu, stddev: sigma };
    }
    case 'lognormal': {
      const q = readMap(p, ['median', 'sigma']);
      const median = q?.require('median');
      const sg = q?.require('sigma', 'required (the standard deviation of the log, e.g. 0.5)');
      const med = median && readDuration(median);
      const sigma = sg && readNumber(sg, { min: 0 });
      if (med === undefined || sigma === undefined) return undefined;
      if (med <= 0) return fail(median!, 'value', 'must be greater than 0');
      return { type, median: med, sigma };
    }
  }
}

export function readLatency(c: Cursor): Latency | undefined {
  const m = readMap(c, ['pull', 'start', 'ready']);
  if (!m) return undefined;
  const out: { pull?: Distribution; start?: Distribution; ready?: Distribution } = {};
  for (const k of ['pull', 'start', 'ready'] as const) {
    const f = m.get(k);
    if (!f) continue;
    const d = readDistribution(f);
    if (d) out[k] = d;
  }
  return out;
}

const FAILURE_TYPES = ['exitAfter', 'crashLoop', 'oomKill'] as const;

export function readFailures(c: Cursor): FailureBehaviour[] {
  const items = readSeq(c) ?? [];
  const out: FailureBehaviour[] = [];
  for (const item of items) {
    const f = readFailure(item);
    if (f) out.push(f);
  }
  return out;
}

function readFailure(c: Cursor): FailureBehaviour | undefined {
  const m = readMap(c, ['type', 'probability', 'after', 'exitCode', 'selector']);
  if (!m) return undefined;
  const typeAt = m.require('type');
  const type = typeAt && readEnum(typeAt, FAILURE_TYPES);
  const probAt = m.require('probability');
  const probability = probAt && readNumber(probAt, { min: 0, max: 1 });
  const selAt = m.get('selector');
  let selector: string | undefined;
  if (selAt) {
    selector = readString(selAt, 'a label selector');
    const parsed = selector === undefined ? undefined : parseSelector(selector);
    if (parsed && !parsed.ok) fail(selAt, 'value', `bad label selector: ${parsed.error}`);
  }
  const codeAt = m.get('exitCode');
  const exitCode = codeAt ? readNumber(codeAt, { min: 0, max: 255, integer: true }) : 1;
  if (type === undefined || probability === undefined || exitCode === undefined) return undefined;
  const sel = selector === undefined ? {} : { selector };
  if (type === 'crashLoop') {
    if (m.has('after')) return fail(m.get('after')!, 'value', 'crashLoop exits right after each start; after does not apply');
    return { type, probability, exitCode, ...sel };
  }
  const afterAt = m.require('after', `required (when the container ${type === 'oomKill' ? 'is killed' : 'exits'}: a duration or a distribution)`);
  const after = afterAt && readDistribution(afterAt);
  if (after === undefined) return undefined;
  if (type === 'oomKill') {
    if (codeAt) return fail({ ...codeAt, path: childPath(m.at.path, 'exitCode') }, 'value', 'oomKill always exits with 137');
    return { type, probability, after, ...sel };
  }
  return { type, probability, after, exitCode, ...sel };
}

/** `nodeFailures: { uptime: <distribution>, downtime?: <distribution> }`. */
export function readNodeFailures(c: Cursor): NodeFailures | undefined {
  const m = readMap(c, ['uptime', 'downtime'], '{ uptime, downtime }');
  if (!m) return undefined;
  const upAt = m.require('uptime', 'required (how long a node runs before it fails: a duration or a distribution, e.g. { exponential: { mean: 30m } })');
  const uptime = upAt && readDistribution(upAt);
  const downAt = m.get('downtime');
  const downtime = downAt && readDistribution(downAt);
  if (uptime === undefined || (downAt && downtime === undefined)) return undefined;
  // A node failing again and again with no time in between would spin the runner at one instant.
  if (mayBeZero(uptime)) return fail(upAt!, 'value', 'must be able to last more than 0 (a node cannot fail the moment it starts, every time)');
  return downtime === undefined ? { uptime } : { uptime, downtime };
}

function mayBeZero(d: Distribution): boolean {
  switch (d.type) {
    case 'fixed':
      return d.value <= 0;
    case 'uniform':
      return d.max <= 0;
    case 'normal':
      return d.mean <= 0 && d.stddev <= 0;
    default:
      return false;
  }
}
