/**
 * The scheduler, pure: fed node, pod and PriorityClass events (from
 * informers, in the actor), it returns decisions in batches: bindings,
 * unschedulable conditions, preemptions (victims to delete). No I/O, time
 * injected. The actor turns decisions into api-server calls and reports
 * bind failures back (`bindFailed` forgets the assumed pod and retries it).
 */
import { DisruptionBudgets } from './budgets.js';
import type { Node, PriorityClass } from '../../lib/api/types/index.js';
import type { Pod, PodCondition } from '../../lib/api/types/pod.js';
import { NodeCache } from './cache.js';
import { Engine } from './engine.js';
import { fitErrorMessage, explainPod, type NodeExplanation } from './explain.js';
import { DEFAULT_PROFILE, type ClusterEvent, type Profile } from './framework.js';
import { compilePod, podKey, type PodInfo } from './pod-info.js';
import { Nominator } from './nominator.js';
import { preempt } from './preemption.js';
import { SchedulingQueue, type QueueOptions, type QueuedPod } from './queue.js';

export interface SchedulerOptions {
  readonly profile?: Profile;
  /** Seed of the tie-break order between equally scored nodes. */
  readonly seed?: number;
  readonly now?: () => number;
  readonly queue?: QueueOptions;
  /** Pods naming another scheduler are ignored. Default "default-scheduler". */
  readonly schedulerName?: string;
}

export interface PodRef {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export interface Binding extends PodRef {
  readonly node: string;
}

export interface Failure extends PodRef {
  readonly condition: PodCondition & { type: 'PodScheduled'; status: 'False'; reason: 'Unschedulable'; message: string };
  readonly nominatedNodeName?: string;
  /** The pod's nomination was dropped (preemption found no node): clear status.nominatedNodeName. */
  readonly clearNomination?: boolean;
}

export interface Preemption extends PodRef {
  readonly node: string;
  readonly victims: readonly (PodRef & { readonly gracePeriodSeconds?: number })[];
}

export interface Decisions {
  readonly bindings: Binding[];
  readonly failures: Failure[];
  readonly preemptions: Preemption[];
}

function ref(p: PodInfo): PodRef {
  return { key: p.key, namespace: p.namespace, name: p.name, uid: p.uid };
}

function schedulingRelevant(n: Node): string {
  return JSON.stringify([n.metadata.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable ?? n.status?.capacity, n.status?.images]);
}

export class Scheduler {
  readonly cache: NodeCache;
  readonly engine: Engine;
  readonly queue: SchedulingQueue;
  /** Pods nominated to a node by preemption: lower- or equal-priority pods must leave them room. */
  readonly nominator = new Nominator();
  /** PodDisruptionBudgets, which preemption tries not to break. */
  readonly budgets = new DisruptionBudgets();
  /** Pod key -> status.nominatedNodeName last seen from the api-server (to tell "cleared" from "not written yet"). */
  private readonly statusNominated = new Map<string, string>();
  private readonly priorityClasses = new Map<string, PriorityClass>();
  private readonly nodeFingerprints = new Map<string, string>();
  private readonly pluginEvents: ReadonlyMap<string, readonly ClusterEvent[]>;
  private readonly schedulerName: string;
  private readonly now: () => number;
  private seq = 0;
  readonly stats = { attempts: 0, scheduled: 0, unschedulable: 0, preemptions: 0 };

  constructor(opts: SchedulerOptions = {}) {
    this.now = opts.now ?? (() => Date.now());
    this.cache = new NodeCache(opts.seed ?? 0);
    this.engine = new Engine(this.cache, opts.profile ?? DEFAULT_PROFILE);
    this.queue = new SchedulingQueue(this.now, opts.queue);
    this.pluginEvents = this.engine.pluginEvents();
    this.schedulerName = opts.schedulerName ?? 'default-scheduler';
  }

  // ---- events -------------------------------------------------------------------------

  addNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const fp = schedulingRelevant(node);
    const known = this.cache.index.has(name);
    if (known && this.nodeFingerprints.get(name) === fp) return;
    this.nodeFingerprints.set(name, fp);
    this.cache.upsertNode(node);
    this.queue.onEvent(known ? 'NodeUpdate' : 'NodeAdd', this.pluginEvents);
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  deleteNode(name: string): void {
    this.nodeFingerprints.delete(name);
    this.cache.deleteNode(name);
  }

  addPriorityClass(pc: PriorityClass): void {
    this.priorityClasses.set(pc.metadata.name ?? '', pc);
  }

  deletePriorityClass(name: string): void {
    this.priorityClasses.delete(name);
  }

  priorityOf = (pod: Pod): number => {
    if (pod.spec?.priority !== undefined) return pod.spec.priority;
    const name = pod.spec?.priorityClassName;
    if (name) return this.priorityClasses.get(name)?.value ?? 0;
    for (const pc of this.priorityClasses.values()) if (pc.globalDefault) return pc.value;
    return 0;
  };

  /** A pod was added or changed: bound pods count on their node, pending ones of ours are queued. */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp) {
      this.deletePod(key);
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      this.queue.delete(key);
      this.statusNominated.delete(key);
      const held = this.nominator.delete(key);
      if (held !== undefined && held !== nodeName) this.queue.onEvent('PodDelete', this.pluginEvents);
      const existing = this.cache.pods.get(key);
      const n = this.cache.index.get(nodeName);
      if (existing && existing.node === n) { this.cache.confirm(key); return; }
      if (n === undefined) { this.cache.removePod(key); return; }
      this.cache.addPod(compilePod(pod, this.priorityOf, this.seq++, key), n, false);
      this.queue.onEvent('PodAdd', this.pluginEvents);
      return;
    }
    if ((pod.spec?.schedulerName ?? 'default-scheduler') !== this.schedulerName) return;
    if ((pod.spec?.schedulingGates ?? []).length > 0) return;
    if (this.cache.pods.get(key)?.assumed) return; // ours, bind in flight
    const q = this.queue.get(key);
    const info = compilePod(pod, this.priorityOf, q ? q.info.seq : this.seq++, key);
    this.queue.add(info);
    this.noteNomination(key, info, pod.status?.nominatedNodeName ?? '');
  }

  /**
   * A pending pod's status.nominatedNodeName, as kube's nominator reads it:
   * a name (re)nominates; a name that was there and is gone clears; no name
   * before nor now keeps what preemption nominated in memory (its status
   * patch may not have come back yet). Also refreshes the nominee's
   * requests and priority.
   */
  private noteNomination(key: string, info: PodInfo, fromStatus: string): void {
    const before = this.statusNominated.get(key) ?? '';
    if (fromStatus) this.statusNominated.set(key, fromStatus); else this.statusNominated.delete(key);
    const node = fromStatus || (before ? undefined : this.nominator.nodeOf(key));
    if (node) this.nominator.set(info, node);
    else if (this.nominator.delete(key) !== undefined) this.queue.onEvent('PodDelete', this.pluginEvents);
  }

  /**
   * Nominates a pending pod to a node directly (what preemption and
   * status.nominatedNodeName do): until it binds, is deleted or the nomination
   * is cleared, pods of lower or equal priority are filtered as if it ran there.
   */
  nominate(pod: Pod, nodeName: string): void {
    this.nominator.set(compilePod(pod, this.priorityOf, this.seq++), nodeName);
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  deletePod(podOrKey: Pod | string): void {
    const key = typeof podOrKey === 'string' ? podOrKey : podKey(podOrKey);
    this.queue.delete(key);
    this.statusNominated.delete(key);
    const held = this.nominator.delete(key) !== undefined;
    if (this.cache.removePod(key) || held) this.queue.onEvent('PodDelete', this.pluginEvents);
  }

  /** The bind call for an assumed pod failed: forget the assumption and retry after back-off. */
  bindFailed(key: string): void {
    const b = this.cache.pods.get(key);
    if (!b || !b.assumed) return;
    this.cache.removePod(key);
    // After back-off, as kube-scheduler's failure handler does: put straight back, a pod whose
    // bind keeps failing (the informer not caught up yet) is retried in a hot loop that
    // holds the virtual clock still.
    this.queue.addAfterBackoff(b.info);
    this.queue.onEvent('PodDelete', this.pluginEvents);
  }

  bindSucceeded(key: string): void {
    this.cache.confirm(key);
  }

  // ---- scheduling ------------------------------------------------------------------------

  /** Schedule up to `max` pods from the active queue; decisions come back in one batch. */
  scheduleBatch(max = Infinity): Decisions {
    const out: Decisions = { bindings: [], failures: [], preemptions: [] };
    for (let i = 0; i < max; i++) {
      const q = this.queue.pop();
      if (!q) break;
      this.stats.attempts++;
      const reserved = this.nominator.reserve(this.cache, q.info);
      try {
        this.cycle(q, out);
      } finally {
        this.nominator.release(this.cache, reserved);
      }
    }
    return out;
  }

  /** One scheduling cycle for a popped pod (nominated pods it must respect are counted in the cache). */
  private cycle(q: QueuedPod, out: Decisions): void {
    const pod = q.info;
    const choice = this.engine.schedule(pod);
    if (choice.node >= 0) {
      this.cache.addPod(pod, choice.node, true);
      this.queue.done(q);
      this.stats.scheduled++;
      const node = this.cache.names[choice.node]!;
      // Bound: its nomination (wherever it was) is no longer needed, as kube drops it on assume.
      const held = this.nominator.delete(pod.key);
      if (held !== undefined && held !== node) this.queue.onEvent('PodDelete', this.pluginEvents);
      out.bindings.push({ key: pod.key, namespace: pod.namespace, name: pod.name, uid: pod.uid, node });
      return;
    }
    const scan = choice.scan!;
    const statuses = new Map(scan.statuses);
    const pre = preempt(this.engine, pod, statuses, this.cache.liveCount, this.budgets);
    const rejectedBy = new Set<string>();
    for (const st of statuses.values()) if (st.plugin) rejectedBy.add(st.plugin);
    const message = fitErrorMessage(this.cache.liveCount, statuses.values(), pre.message);
    if (pre.node !== undefined) {
      this.stats.preemptions++;
      const node = this.cache.names[pre.node]!;
      // Victims are deleted through the api-server; they stop counting now, so the preemptor fits next time.
      for (const v of pre.victims) this.cache.removePod(v.key);
      out.preemptions.push({
        ...ref(pod), node,
        victims: pre.victims.map((v) => ({ ...ref(v), gracePeriodSeconds: v.pod.spec?.terminationGracePeriodSeconds })),
      });
      out.failures.push({ ...ref(pod), condition: condition(message), nominatedNodeName: node });
      this.nominator.set(pod, node);
      this.queue.retry(q);
      return;
    }
    this.stats.unschedulable++;
    // Preemption ran and found no node: kube overrides the nomination with none (a pod
    // not eligible to preempt, preemptionPolicy Never, keeps whatever it had).
    const cleared = !pod.shape.preemptNever && this.nominator.delete(pod.key) !== undefined;
    out.failures.push(cleared ? { ...ref(pod), condition: condition(message), clearNomination: true } : { ...ref(pod), condition: condition(message) });
    this.queue.unschedulable(q, rejectedBy);
  }

  /** Runs `f` with the nominated pods `info` must respect counted in the cache. */
  private withNominated<T>(info: PodInfo, f: () => T): T {
    const reserved = this.nominator.reserve(this.cache, info);
    try {
      return f();
    } finally {
      this.nominator.release(this.cache, reserved);
    }
  }

  /** For one pod (queued or not): each plugin's verdict and score on each node. */
  explain(pod: Pod): NodeExplanation[] {
    const info = compilePod(pod, this.priorityOf, 0, podKey(pod));
    return this.withNominated(info, () => explainPod(this.engine, info));
  }

  /** The message the pod would get now if it cannot be scheduled (undefined when it fits). */
  unschedulableMessage(pod: Pod): string | undefined {
    const info = compilePod(pod, this.priorityOf, 0, podKey(pod));
    return this.withNominated(info, () => {
      const ctx = this.engine.context(info);
      const scan = this.engine.scan(ctx, this.engine.shapeState(ctx), true);
      return scan.count > 0 ? undefined : fitErrorMessage(this.cache.liveCount, scan.statuses.values());
    });
  }

  /** The names of the nodes where the pod would fit now (filters only). */
  feasibleNodes(pod: Pod): string[] {
    const info = compilePod(pod, this.priorityOf, 0, podKey(pod));
    return this.withNominated(info, () => {
      const ctx = this.engine.context(info);
      const scan = this.engine.scan(ctx, this.engine.shapeState(ctx), true);
      return Array.from(scan.feasible.subarray(0, scan.count), (n) => this.cache.names[n]!).sort();
    });
  }
}

function condition(message: string): Failure['condition'] {
  return { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message };
}
