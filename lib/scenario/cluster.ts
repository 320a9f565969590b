/**
 * `cluster`: node pools and control-plane options.
 *
 * Nodes are named `<pool>-<index>` (index from 0) and spread over the
 * pool's zones round-robin; see nodeNamesOf.
 */
import { REGISTRY } from '../../actors/scheduler/plugins/registry.js';
import { PROFILE_NAMES } from '../../actors/scheduler/runner.js';
import { isDNS1123Label, isLabelValue, isQualifiedName } from '../api/validation/names.js';
import { readFailures, readLatency, readNodeFailures } from './distributions.js';
import {
  childPath, fail, readEnum, reject, readMap, readNumber, readPositiveInt, readQuantity, readSeq, readString, readStringMap, scalarValue,
  type Cursor, type MapView,
} from './reader.js';
import type { Cluster, ControlPlane, NodePool, RuntimeKind, SchedulerOptions, Taint, TaintEffect } from './types.js';

const POOL_KEYS = ['name', 'count', 'capacity', 'labels', 'taints', 'zones', 'runtime', 'latency', 'failures', 'nodeFailures'] as const;
const CAPACITY_KEYS = ['cpu', 'memory', 'pods', 'ephemeral-storage', 'extended'] as const;
const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
/** Kubernetes' default max pods per node. */
export const DEFAULT_MAX_PODS = 110;
export const PLUGIN_NAMES: readonly string[] = [...REGISTRY.keys()];
export const SCHEDULER_PROFILES: readonly string[] = PROFILE_NAMES;

export function readCluster(c: Cursor): Cluster | undefined {
  const m = readMap(c, ['nodePools', 'controlPlane']);
  if (!m) return undefined;
  const poolsAt = m.require('nodePools', 'required: at least one node pool');
  const pools: NodePool[] = [];
  const seen = new Set<string>();
  for (const item of (poolsAt && readSeq(poolsAt)) ?? []) {
    const pool = readPool(item);
    if (!pool) continue;
    if (seen.has(pool.name)) fail(item, 'value', `duplicate node pool name ${pool.name}`);
    seen.add(pool.name);
    pools.push(pool);
  }
  if (poolsAt && pools.length === 0 && readSeqLength(poolsAt) === 0) fail(poolsAt, 'value', 'needs at least one node pool');
  const cpAt = m.get('controlPlane');
  const controlPlane = (cpAt && readControlPlane(cpAt)) ?? DEFAULT_CONTROL_PLANE;
  return { nodePools: pools, controlPlane };
}

function readSeqLength(c: Cursor): number {
  const v = c.node as { items?: unknown[] } | null;
  return Array.isArray(v?.items) ? v.items.length : -1;
}

function readPool(c: Cursor): NodePool | undefined {
  const m = readMap(c, POOL_KEYS);
  if (!m) return undefined;
  const nameAt = m.require('name');
  const name = nameAt && readName(nameAt);
  const countAt = m.require('count');
  const count = countAt && readPositiveInt(countAt);
  const capAt = m.require('capacity', 'required (at least cpu and memory)');
  const capacity = capAt && readCapacity(capAt);
  const labels = m.has('labels') ? readLabels(m.get('labels')!) : {};
  const taints = m.has('taints') ? readTaints(m.get('taints')!) : [];
  const zones = m.has('zones') ? readZones(m.get('zones')!) : [];
  const runtime: RuntimeKind | undefined = m.has('runtime') ? readEnum(m.get('runtime')!, ['simulated', 'process'] as const) : 'simulated';
  if (runtime === 'process') simulatedOnly(m);
  const latency = m.has('latency') ? readLatency(m.get('latency')!) : {};
  const failures = m.has('failures') ? readFailures(m.get('failures')!) : [];
  const nfAt = m.get('nodeFailures');
  const nodeFailures = nfAt && readNodeFailures(nfAt);
  if (name === undefined || count === undefined || !capacity || !labels || !taints || !zones || !runtime || !latency || (nfAt && !nodeFailures)) return undefined;
  return { name, count, capacity, labels, taints, zones, runtime, latency, failures, ...(nodeFailures ? { nodeFailures } : {}) };
}

function simulatedOnly(m: MapView): void {
  for (const k of ['latency', 'failures']) {
    const f = m.get(k);
    if (f) fail(f, 'value', `${k} applies to the simulated runtime only (this pool has runtime: process)`);
  }
}

/** A DNS-1123 label: pool names become node-name prefixes. */
function readName(c: Cursor): string | undefined {
  const s = readString(c, 'a name');
  if (s === undefined) return undefined;
  const errs = isDNS1123Label(s);
  return errs.length > 0 ? fail(c, 'value', errs.join('; ')) : s;
}

function readCapacity(c: Cursor): Record<string, string> | undefined {
  const m = readMap(c, CAPACITY_KEYS);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  let ok = true;
  for (const k of ['cpu', 'memory'] as const) {
    const at = m.require(k);
    const q = at && readQuantity(at);
    if (q === undefined) ok = false;
    else if (q === '0') ok = reject(at!, 'value', 'must be greater than 0');
    else out[k] = q;
  }
  const podsAt = m.get('pods');
  const pods = podsAt ? readPositiveInt(podsAt) : DEFAULT_MAX_PODS;
  if (pods === undefined) ok = false;
  else out.pods = String(pods);
  const esAt = m.get('ephemeral-storage');
  if (esAt) {
    const q = readQuantity(esAt);
    if (q === undefined) ok = false;
    else out['ephemeral-storage'] = q;
  }
  const extAt = m.get('extended');
  const ext = extAt && readMap(extAt, null, 'a mapping of extended resource names (like nvidia.com/gpu) to counts');
  for (const key of ext?.keys() ?? []) {
    const at = ext!.get(key)!;
    if (!key.includes('/') || isQualifiedName(key).length > 0) {
      ok = reject(at, 'value', 'extended resources are domain-qualified names like nvidia.com/gpu');
      continue;
    }
    const q = readQuantity(at);
    if (q === undefined) ok = false;
    else out[key] = q;
  }
  return ok ? out : undefined;
}

function readLabels(c: Cursor): Record<string, string> | undefined {
  const labels = readStringMap(c);
  if (!labels) return undefined;
  let ok = true;
  for (const [k, v] of Object.entries(labels)) {
    const errs = [...isQualifiedName(k).map((e) => `key: ${e}`), ...isLabelValue(v).map((e) => `value: ${e}`)];
    if (errs.length > 0) ok = reject({ ...c, path: childPath(c.path, k) }, 'value', errs.join('; '));
  }
  return ok ? labels : undefined;
}

function readTaints(c: Cursor): Taint[] | undefined {
  const out: Taint[] = [];
  let ok = true;
  for (const item of readSeq(c) ?? []) {
    const m = readMap(item, ['key', 'value', 'effect']);
    const keyAt = m?.require('key');
    const key = keyAt && readString(keyAt);
    if (key !== undefined && isQualifiedName(key).length > 0) ok = reject(keyAt!, 'value', isQualifiedName(key).join('; '));
    const valueAt = m?.get('value');
    const value = valueAt && readString(valueAt);
    const effectAt = m?.require('effect');
    const effect = effectAt && readEnum(effectAt, TAINT_EFFECTS);
    if (!m || key === undefined || effect === undefined || (valueAt && value === undefined)) {
      ok = false;
      continue;
    }
    out.push(value === undefined ? { key, effect } : { key, value, effect });
  }
  return ok ? out : undefined;
}

/** A list of zone names, or a count (zone-a, zone-b, ...). */
function readZones(c: Cursor): string[] | undefined {
  if (typeof scalarValue(c) === 'number') {
    const n = readNumber(c, { min: 1, max: 26, integer: true });
    return n === undefined ? undefined : Array.from({ length: n }, (_, i) => `zone-${String.fromCharCode(97 + i)}`);
  }
  const items = readSeq(c, 'a list of zone names or a count of zones');
  if (!items) return undefined;
  const zones: string[] = [];
  for (const item of items) {
    const z = readString(item, 'a zone name');
    if (z === undefined) continue;
    const errs = isLabelValue(z);
    if (errs.length > 0) fail(item, 'value', errs.join('; '));
    else if (zones.includes(z)) fail(item, 'value', `duplicate zone ${z}`);
    else zones.push(z);
  }
  if (zones.length === 0 && items.length === 0) return fail(c, 'value', 'needs at least one zone');
  return zones.length === items.length ? zones : undefined;
}

// ---- control plane ---------------------------------------------------------------

export const DEFAULT_CONTROL_PLANE: ControlPlane = {
  scheduler: { profile: 'default', weights: {}, replicas: 1 },
  controllerManager: { replicas: 1 },
};

function readControlPlane(c: Cursor): ControlPlane | undefined {
  const m = readMap(c, ['scheduler', 'controllerManager']);
  if (!m) return undefined;
  const schedAt = m.get('scheduler');
  const scheduler = schedAt ? readSchedulerOptions(schedAt, true) : DEFAULT_CONTROL_PLANE.scheduler;
  const cmAt = m.get('controllerManager');
  const cm = cmAt && readMap(cmAt, ['replicas']);
  const replicasAt = cm?.get('replicas');
  const replicas = replicasAt ? readReplicas(replicasAt) : 1;
  if (!scheduler || (cmAt && !cm) || replicas === undefined) return undefined;
  return { scheduler: scheduler as SchedulerOptions, controllerManager: { replicas } };
}

function readReplicas(c: Cursor): number | undefined {
  return readNumber(c, { min: 1, max: 5, integer: true });
}

/** The scheduler block (withReplicas) or a variant's scheduler override (profile and weights only). */
export function readSchedulerOptions(c: Cursor, withReplicas: boolean): Partial<SchedulerOptions> | undefined {
  const m = readMap(c, withReplicas ? ['profile', 'weights', 'replicas'] : ['profile', 'weights']);
  if (!m) return undefined;
  const profileAt = m.get('profile');
  const profile = profileAt ? readEnum(profileAt, SCHEDULER_PROFILES) : 'default';
  const weightsAt = m.get('weights');
  const weights = weightsAt ? readWeights(weightsAt) : {};
  const replicasAt = m.get('replicas');
  const replicas = replicasAt ? readReplicas(replicasAt) : 1;
  if (profile === undefined || !weights || replicas === undefined) return undefined;
  if (!withReplicas) return { ...(profileAt ? { profile } : {}), ...(weightsAt ? { weights } : {}) };
  return { profile, weights, replicas };
}

function readWeights(c: Cursor): Record<string, number> | undefined {
  const m = readMap(c, PLUGIN_NAMES, 'a mapping of scheduler plugin names to weights');
  if (!m) return undefined;
  const out: Record<string, number> = {};
  let ok = true;
  for (const k of m.keys()) {
    const w = readNumber(m.get(k)!, { min: 0, max: 100, integer: true });
    if (w === undefined) ok = false;
    else out[k] = w;
  }
  return ok ? out : undefined;
}

// ---- derived ---------------------------------------------------------------------

/** The name of node `index` of a pool. */
export function nodeName(pool: string, index: number): string {
  return `${pool}-${index}`;
}

/** The zone of node `index` of a pool (round-robin), or undefined when the pool has none. */
export function nodeZone(pool: NodePool, index: number): string | undefined {
  return pool.zones.length === 0 ? undefined : pool.zones[index % pool.zones.length];
}

/**
 * The addresses of a replicated control-plane actor: `scheduler`,
 * `scheduler-2`, ...; the first keeps the plain address, so `killActor:
 * scheduler` and the runner's questions reach a replica whatever their number.
 */
export function replicaAddresses(base: string, replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) => (i === 0 ? base : `${base}-${i + 1}`));
}

/** The replicas beyond the first, which killActor may name too. */
export function extraReplicaActors(cp: ControlPlane): string[] {
  return [...replicaAddresses('scheduler', cp.scheduler.replicas).slice(1), ...replicaAddresses('controller-manager', cp.controllerManager.replicas).slice(1)];
}

/** The pool a generated node name belongs to, or undefined. */
export function poolOfNode(pools: readonly NodePool[], name: string): NodePool | undefined {
  for (const p of pools) {
    if (!name.startsWith(`${p.name}-`)) continue;
    const rest = name.slice(p.name.length + 1);
    if (/^(0|[1-9][0-9]*)$/.test(rest) && Number(rest) < p.count) return p;
  }
  return undefined;
}
