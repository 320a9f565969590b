/**
 * The kubelet's eviction manager for simulated nodes: every monitoring
 * period (10 s) it observes memory.available and nodefs.available (capacity
 * minus what the pods use, eviction.ts), sets the MemoryPressure and
 * DiskPressure conditions (kept True for the pressure transition period,
 * 5 min, after the threshold is no longer met, so a node does not flap), and
 * while a hard threshold is met evicts one pod per period, the first in
 * Kubernetes' order, with a grace period of 1 s, as the kubelet does for hard
 * thresholds. The node lifecycle controller turns the conditions into the
 * node.kubernetes.io/memory-pressure and disk-pressure NoSchedule taints.
 */
import { toleratesTaint } from '../../lib/api/scheduling.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { SYSTEM_CRITICAL_PRIORITY, evictionMessage, podRequest, podUsage, rank, resolveThresholds, type Candidate, type Signal, type Starved, type Threshold } from './eviction.js';
import type { PodRec } from './pod-state.js';
import type { NodeSettings } from './settings.js';

const MEMORY_PRESSURE_TAINT = 'node.kubernetes.io/memory-pressure';

/** No container (init or regular) requests or limits cpu or memory. */
function isBestEffort(pod: Readonly<Pod>): boolean {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return all.every((c) => ['cpu', 'memory'].every((r) => c.resources?.requests?.[r] === undefined && c.resources?.limits?.[r] === undefined));
}

/** Resolved thresholds by capacity and settings: nodes of a pool share one array (5,000 nodes, a few pools). */
const thresholdsBySpec = new Map<string, Threshold[]>();

function sharedThresholds(s: NodeSettings): Threshold[] {
  const key = `${s.capacity.memory}|${s.capacity['ephemeral-storage']}|${s.evictionHard['memory.available'] ?? ''}|${s.evictionHard['nodefs.available'] ?? ''}`;
  let t = thresholdsBySpec.get(key);
  if (!t) thresholdsBySpec.set(key, (t = resolveThresholds(s.capacity, s.evictionHard)));
  return t;
}

/** Hard thresholds: the pod gets this long between SIGTERM and SIGKILL (the kubelet's immediateEvictionGracePeriodSeconds). */
export const HARD_EVICTION_GRACE_MS = 1_000;

/** A pressure condition's state: True since `since` (or False since). */
export interface PressureState {
  readonly pressure: boolean;
  readonly since: number;
}

export type NodePressure = Readonly<Record<Signal['condition'], PressureState>>;

export interface EvictionHost {
  now(): number;
  pods(): Iterable<PodRec>;
  podObject(key: string): Readonly<Pod> | undefined;
  /** Stop the pod's containers within graceMs and report it Failed, reason Evicted, with `message`. */
  evict(rec: PodRec, message: string, graceMs: number): void;
  /** A condition changed: write the node's conditions now, not at the next status heartbeat. */
  pressureChanged(): void;
}

export class EvictionManager {
  private readonly thresholds: Threshold[];
  /** When each signal last met its threshold; -Infinity for never. */
  private readonly lastMet: Record<Signal['condition'], number> = { MemoryPressure: -Infinity, DiskPressure: -Infinity };
  private state: Record<Signal['condition'], PressureState>;
  private evictions = 0;
  private readonly transitionMs: number;

  constructor(
    settings: NodeSettings,
    private readonly host: EvictionHost,
  ) {
    this.thresholds = sharedThresholds(settings);
    this.transitionMs = settings.evictionPressureTransitionMs;
    const now = host.now();
    this.state = { MemoryPressure: { pressure: false, since: now }, DiskPressure: { pressure: false, since: now } };
  }

  get pressure(): NodePressure {
    return this.state;
  }

  get evicted(): number {
    return this.evictions;
  }

  /**
   * The kubelet's admission under pressure: undefined to admit, else why
   * not. Under memory pressure alone only BestEffort pods that do not
   * tolerate the memory-pressure taint are turned away; under disk pressure
   * every pod; critical pods never.
   */
  rejects(pod: Readonly<Pod>): string | undefined {
    const memory = this.state.MemoryPressure.pressure;
    const disk = this.state.DiskPressure.pressure;
    if ((!memory && !disk) || (pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY) return undefined;
    const conditions = [...(memory ? ['MemoryPressure'] : []), ...(disk ? ['DiskPressure'] : [])];
    const message = `The node had condition: [${conditions.join(', ')}]. `;
    if (disk) return message;
    const tolerates = (pod.spec?.tolerations ?? []).some((t) => toleratesTaint(t, { key: MEMORY_PRESSURE_TAINT, effect: 'NoSchedule' }));
    return isBestEffort(pod) && !tolerates ? message : undefined;
  }

  /** One synchronize: observe, update the conditions, evict at most one pod. */
  synchronize(): void {
    const now = this.host.now();
    const used: Record<Starved, number> = { memory: 0, 'ephemeral-storage': 0 };
    let evicting = false;
    for (const r of this.host.pods()) {
      if (r.stopped) continue;
      used.memory += podUsage(r, 'memory');
      used['ephemeral-storage'] += podUsage(r, 'ephemeral-storage');
      if (r.evicted !== undefined) evicting = true;
    }
    let met: { t: Threshold; available: number } | undefined;
    let changed = false;
    for (const t of this.thresholds) {
      const available = t.capacity - used[t.resource];
      if (available < t.bytes) {
        met ??= { t, available };
        this.lastMet[t.condition] = now;
      }
      const pressure = now - this.lastMet[t.condition] < this.transitionMs || available < t.bytes;
      if (pressure !== this.state[t.condition].pressure) {
        this.state = { ...this.state, [t.condition]: { pressure, since: now } };
        changed = true;
      }
    }
    if (changed) this.host.pressureChanged();
    // A pod already being evicted frees its share when it stops: wait for it before the next.
    if (!met || evicting) return;
    const { t, available } = met;
    const candidates: Candidate[] = [];
    for (const rec of this.host.pods()) {
      if (rec.stopped || rec.deleting) continue;
      const pod = this.host.podObject(rec.key);
      candidates.push({ rec, pod, usage: podUsage(rec, t.resource), request: podRequest(pod, t.resource), priority: pod?.spec?.priority ?? 0 });
    }
    const victim = rank(candidates)[0];
    if (!victim) return;
    this.evictions++;
    this.host.evict(victim.rec, evictionMessage(t, available, victim.pod, victim.rec), HARD_EVICTION_GRACE_MS);
  }
}
