/**
 * Node-pressure eviction in the simulated runtime, as pure functions (the
 * kubelet's eviction manager, pkg/kubelet/eviction): what the pods use (the
 * sim config's `memory` and `ephemeralStorage` per running container), the
 * eviction signals memory.available and nodefs.available against their hard
 * thresholds (defaults memory.available<100Mi, nodefs.available<10%), the
 * order pods are evicted in, and the message an evicted pod carries.
 *
 * The order is Kubernetes' (rankMemoryPressure / rankDiskPressureFunc):
 * pods whose usage of the starved resource exceeds their request first
 * (so BestEffort pods, requesting nothing, come before pods within their
 * requests), then lower priority first, then the larger usage above the
 * request first. Critical pods (priority >= 2,000,000,000) are never evicted.
 */
import { newQuantity, parseQuantity, toNumber } from '../../lib/api/quantity.js';
import type { Pod, ResourceList } from '../../lib/api/types/pod.js';
import type { PodRec } from './pod-state.js';
import { containerBehaviour, type SimConfig } from './sim.js';

export type Starved = 'memory' | 'ephemeral-storage';

/** One eviction signal: what it measures and the node condition it sets. */
export interface Signal {
  readonly signal: 'memory.available' | 'nodefs.available';
  readonly resource: Starved;
  readonly condition: 'MemoryPressure' | 'DiskPressure';
}

export const SIGNALS: readonly Signal[] = [
  { signal: 'memory.available', resource: 'memory', condition: 'MemoryPressure' },
  { signal: 'nodefs.available', resource: 'ephemeral-storage', condition: 'DiskPressure' },
];

/** The kubelet's --eviction-hard defaults for the two signals simulated here. */
export const DEFAULT_EVICTION_HARD: Readonly<Record<Signal['signal'], string>> = { 'memory.available': '100Mi', 'nodefs.available': '10%' };

/** A hard threshold resolved against the node's capacity: met when available < bytes. */
export interface Threshold extends Signal {
  readonly bytes: number;
  /** As the eviction message prints it ("100Mi"; a percentage as the quantity it comes to). */
  readonly text: string;
  readonly capacity: number;
}

/** Pods at or above this priority are critical: the kubelet does not evict them. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

export const EVICTED_REASON = 'Evicted';

/** The thresholds for a node's capacity; an error names the bad one. */
export function resolveThresholds(capacity: ResourceList, hard: Readonly<Partial<Record<Signal['signal'], string>>> = {}): Threshold[] {
  const out: Threshold[] = [];
  for (const s of SIGNALS) {
    const cap = bytesOf(capacity[s.resource]);
    const spec = hard[s.signal] ?? DEFAULT_EVICTION_HARD[s.signal];
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(spec);
    let bytes: number;
    if (pct) bytes = Math.floor((cap * Number(pct[1])) / 100);
    else {
      const q = parseQuantity(spec);
      if (!q.ok) throw new TypeError(`evictionHard ${s.signal}<${spec}: ${q.error}`);
      bytes = toNumber(q.quantity);
    }
    out.push({ ...s, bytes, capacity: cap, text: pct ? bytesText(bytes) : spec });
  }
  return out;
}

export function bytesOf(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const r = parseQuantity(q);
  return r.ok ? toNumber(r.quantity) : 0;
}

/** Bytes as Kubernetes prints a BinarySI quantity ("512Mi", "90112Ki"). */
export function bytesText(bytes: number): string {
  return newQuantity(Math.max(0, Math.round(bytes)), 0, 'BinarySI').text;
}

/** Parsed sim usage per container, cached per sim config object (pods without an annotation share the node's). */
const usageCache = new WeakMap<SimConfig, Map<string, ContainerUsage>>();

export interface ContainerUsage {
  readonly memory: number;
  readonly storage: number;
}

export function containerUsage(sim: SimConfig, container: string): ContainerUsage {
  let byName = usageCache.get(sim);
  if (!byName) usageCache.set(sim, (byName = new Map()));
  let u = byName.get(container);
  if (!u) {
    const b = containerBehaviour(sim, container);
    u = { memory: bytesOf(b.memory), storage: bytesOf(b.ephemeralStorage) };
    byName.set(container, u);
  }
  return u;
}

/**
 * What a container uses now: memory while it runs (its working set),
 * ephemeral storage while its pod has not stopped (its writable layer and
 * logs stay until the pod goes). No allocation: every node runs this over
 * all its pods each period.
 */
export function containerUsageNow(rec: PodRec, c: PodRec['containers'][number], resource: Starved): number {
  const u = containerUsage(rec.sim, c.name);
  if (resource === 'memory') return c.stage === 'running' || c.stage === 'stopping' ? u.memory : 0;
  return rec.stopped || c.stage === 'pulling' ? 0 : u.storage;
}

/** A pod's usage of a resource now: the sum over its containers. */
export function podUsage(rec: PodRec, resource: Starved): number {
  let sum = 0;
  for (const c of rec.containers) sum += containerUsageNow(rec, c, resource);
  return sum;
}

/** A pod's requests of a resource: the sum over its regular containers. */
export function podRequest(pod: Readonly<Pod> | undefined, resource: Starved): number {
  let sum = 0;
  for (const c of pod?.spec?.containers ?? []) sum += bytesOf(c.resources?.requests?.[resource]);
  return sum;
}

export interface Candidate {
  readonly rec: PodRec;
  readonly pod: Readonly<Pod> | undefined;
  readonly usage: number;
  readonly request: number;
  readonly priority: number;
}

/** Candidates in eviction order (the first is evicted); critical pods left out. */
export function rank(candidates: readonly Candidate[]): Candidate[] {
  return candidates
    .filter((c) => c.priority < SYSTEM_CRITICAL_PRIORITY)
    .sort((a, b) => {
      const ea = a.usage > a.request ? 1 : 0;
      const eb = b.usage > b.request ? 1 : 0;
      if (ea !== eb) return eb - ea;
      if (a.priority !== b.priority) return a.priority - b.priority;
      return b.usage - b.request - (a.usage - a.request);
    });
}

/**
 * The message of the evicted pod's status (and its DisruptionTarget
 * condition), in the kubelet's words, with every container that used more
 * than it requested.
 */
export function evictionMessage(t: Threshold, available: number, pod: Readonly<Pod> | undefined, rec: PodRec): string {
  let msg = `The node was low on resource: ${t.resource}. Threshold quantity: ${t.text}, available: ${bytesText(available)}. `;
  for (const c of rec.containers) {
    const used = containerUsageNow(rec, c, t.resource);
    const requestText = pod?.spec?.containers.find((x) => x.name === c.name)?.resources?.requests?.[t.resource];
    if (used > bytesOf(requestText)) msg += `Container ${c.name} was using ${bytesText(used)}, request is ${requestText ?? '0'}, has larger consumption of ${t.resource}. `;
  }
  return msg;
}
