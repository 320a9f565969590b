/**
 * The scheduler's I/O around the pure core (scheduler.ts): informers for
 * nodes, priority classes, PodDisruptionBudgets and pods feed the
 * Scheduler; a scheduling loop, woken through the clock (a timer message in
 * the actor, never a hot loop), takes a batch of decisions at a time and
 * hands them to the DecisionWriter (decision-writer.ts: bindings, failure
 * conditions, preemption victims, in batches through the api-server).
 * Pending pods reach the core with their status, so a restarted scheduler
 * takes the nominations back from status.nominatedNodeName and keeps the
 * room reserved.
 *
 * Level-triggered: on start everything is rebuilt from the api-server's
 * lists, and the first cycle waits until every informer synced, so pods
 * already bound count before anything new is placed. The api-server refuses
 * a second binding of a pod (409), so a restart never double-binds.
 */
import { nodes, pods, podDisruptionBudgets, priorityClasses } from '../../lib/api/resources/index.js';
import type { Node, PodDisruptionBudget, PriorityClass } from '../../lib/api/types/index.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { Clock, TimerHandle } from '../../lib/client/clock.js';
import type { ApiClient } from '../../lib/client/client.js';
import { Informer } from '../../lib/client/informer.js';
import { schedulerPodView } from './pod-view.js';
import { trimForCache } from '../../lib/client/trim.js';
import { EventRecorder } from '../controller-manager/events.js';
import { DEFAULT_PROFILE, type Profile } from './framework.js';
import type { ProfileName, SchedulerArgs, SchedulerExplanation, SchedulerStats } from './messages.js';
import { podKey } from './pod-info.js';
import { Scheduler } from './scheduler.js';
import { DecisionWriter } from './decision-writer.js';

export interface RunnerOptions {
  readonly api: ApiClient;
  readonly clock: Clock;
  readonly args?: SchedulerArgs;
  readonly host?: string;
  readonly track?: <T>(work: Promise<T>) => Promise<T>;
  readonly log?: (msg: string, fields: Record<string, unknown>) => void;
  /** Every failed api-server write (already handled), e.g. to notice the api-server went away. */
  readonly onError?: (err: unknown) => void;
}

/** The bin-packing profile: the default plugins with MostAllocated scoring. */
const BIN_PACKING: Profile = {
  ...DEFAULT_PROFILE,
  name: 'bin-packing',
  args: { NodeResourcesFit: { scoringStrategy: { type: 'MostAllocated' } } },
};

export function resolveProfile(args: SchedulerArgs = {}): Profile {
  const p = args.profile;
  let base: Profile;
  if (p === undefined || p === 'default') base = DEFAULT_PROFILE;
  else if (p === 'bin-packing') base = BIN_PACKING;
  else if (typeof p === 'string') throw new Error(`unknown scheduler profile ${String(p)} (known: ${PROFILE_NAMES.join(', ')})`);
  else base = p;
  const weights = args.weights;
  if (!weights) return base;
  for (const name of Object.keys(weights)) {
    if (!base.plugins.some((q) => q.name === name)) throw new Error(`weight for plugin ${name}, which profile ${base.name} does not enable`);
  }
  return { ...base, plugins: base.plugins.map((q) => (weights[q.name] !== undefined ? { ...q, weight: weights[q.name] } : q)) };
}

export const PROFILE_NAMES: readonly ProfileName[] = ['default', 'bin-packing'];

function isTerminal(p: Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' || !!p.metadata.deletionTimestamp;
}

/** What of a pending pod the scheduler reads besides its status (kube's isPodUpdated ignores status and bookkeeping). */
function schedulingChanged(a: Readonly<Pod>, b: Readonly<Pod>): boolean {
  if (a.metadata.uid !== b.metadata.uid) return true;
  return JSON.stringify([a.spec, a.metadata.labels, a.metadata.annotations]) !== JSON.stringify([b.spec, b.metadata.labels, b.metadata.annotations]);
}

export class SchedulerRunner {
  readonly scheduler: Scheduler;
  readonly recorder: EventRecorder;
  private readonly nodeInformer: Informer<Node>;
  private readonly podInformer: Informer<Pod>;
  private readonly pcInformer: Informer<PriorityClass>;
  private readonly pdbInformer: Informer<PodDisruptionBudget>;
  private readonly batchSize: number;
  private readonly maxInflight: number;
  private readonly log: (msg: string, fields: Record<string, unknown>) => void;
  private readonly track: <T>(work: Promise<T>) => Promise<T>;
  /** Bound pods whose node the cache does not know (yet): node name -> pod keys. */
  private readonly orphans = new Map<string, Set<string>>();
  private synced = false;
  private stopped = false;
  private cycleQueued = false;
  private wake: { handle: TimerHandle; at: number } | null = null;
  private inflight = 0;
  private readonly counts = { cycles: 0 };
  private readonly writer: DecisionWriter;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(private readonly opts: RunnerOptions) {
    const args = opts.args ?? {};
    this.batchSize = Math.max(1, args.batchSize ?? 500);
    this.maxInflight = Math.max(1, args.maxInflight ?? 4);
    this.log = opts.log ?? (() => undefined);
    this.track = opts.track ?? ((w) => w);
    const clock = opts.clock;
    this.scheduler = new Scheduler({
      profile: resolveProfile(args),
      seed: args.seed ?? 0,
      now: () => clock.now(),
      schedulerName: args.schedulerName ?? 'default-scheduler',
    });
    const onError = (err: unknown, during: string): void => this.log('informer', { during, error: String(err) });
    // Trimmed as kube-scheduler's: no plugin reads managedFields (trim.ts); of pods only what it reads (pod-view.ts).
    this.nodeInformer = new Informer<Node>(opts.api, nodes, { clock, onError, pageSize: 5000, transform: trimForCache });
    this.podInformer = new Informer<Pod>(opts.api, pods, { clock, onError, pageSize: 5000, transform: schedulerPodView });
    this.pcInformer = new Informer<PriorityClass>(opts.api, priorityClasses, { clock, onError });
    this.pdbInformer = new Informer<PodDisruptionBudget>(opts.api, podDisruptionBudgets, { clock, onError });
    this.recorder = new EventRecorder(opts.api, clock, {
      component: args.schedulerName ?? 'default-scheduler',
      host: opts.host,
      onError: (err) => this.log('event write failed', { error: String(err) }),
    });
    this.writer = new DecisionWriter({
      api: opts.api,
      clock,
      scheduler: this.scheduler,
      recorder: this.recorder,
      pods: this.podInformer.store,
      log: this.log,
      onError: opts.onError,
    });
    this.pcInformer.addHandlers({
      onAdd: (pc) => this.scheduler.addPriorityClass(pc),
      onUpdate: (_, pc) => this.scheduler.addPriorityClass(pc),
      onDelete: (pc) => this.scheduler.deletePriorityClass(pc.metadata.name ?? ''),
    });
    this.pdbInformer.addHandlers({
      onAdd: (b) => this.scheduler.budgets.set(b),
      onUpdate: (_, b) => this.scheduler.budgets.set(b),
      onDelete: (b) => this.scheduler.budgets.delete(b.metadata.namespace ?? 'default', b.metadata.name ?? ''),
    });
    this.nodeInformer.addHandlers({
      onAdd: (n) => this.onNode(n),
      onUpdate: (_, n) => this.onNode(n),
      onDelete: (n) => this.onNodeDeleted(n.metadata.name ?? ''),
    });
    this.podInformer.addHandlers({
      onAdd: (p) => this.onPod(p),
      onUpdate: (old, p) => {
        // Status-only changes of a pending pod (our own condition patch among them) cannot make it fit: kube-scheduler ignores them too.
        if (!p.spec?.nodeName && !isTerminal(p as Pod) && !schedulingChanged(old, p)) return;
        this.onPod(p);
      },
      onDelete: (p) => this.onPodDeleted(p),
    });
  }

  /** Nodes and priority classes first (pods bound to known nodes count at once), then pods; the loop starts once all synced. */
  async start(): Promise<void> {
    this.nodeInformer.start();
    this.pcInformer.start();
    this.pdbInformer.start();
    await Promise.all([this.nodeInformer.waitForSync(), this.pcInformer.waitForSync(), this.pdbInformer.waitForSync()]);
    if (this.stopped) return;
    this.podInformer.start();
    await this.podInformer.waitForSync();
    if (this.stopped) return;
    this.synced = true;
    for (const w of this.syncWaiters.splice(0)) w();
    this.kick();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    this.nodeInformer.stop();
    this.podInformer.stop();
    this.pcInformer.stop();
    this.pdbInformer.stop();
    if (this.wake) this.opts.clock.cancelTimer(this.wake.handle);
    this.wake = null;
  }

  stats(): SchedulerStats {
    const s = this.scheduler.stats;
    const q = this.scheduler.queue;
    return {
      synced: this.synced,
      nodes: this.scheduler.cache.liveCount,
      queue: { active: q.activeCount, backoff: q.backoffCount, parked: q.parkedCount },
      attempts: s.attempts,
      scheduled: s.scheduled,
      unschedulable: s.unschedulable,
      preemptions: s.preemptions,
      cycles: this.counts.cycles,
      bindings: { ok: this.writer.counts.bound, failed: this.writer.counts.bindFailed },
      conditionsWritten: this.writer.counts.conditions,
      victimsDeleted: this.writer.counts.victims,
      inflight: this.inflight,
    };
  }

  /** For the CLI: every plugin's verdict and score on every node for one pod (undefined when the informer has no such pod). */
  explain(namespace: string, name: string): SchedulerExplanation | undefined {
    const pod = this.podInformer.store.getByName(namespace, name);
    if (!pod) return undefined;
    return {
      pod: `${namespace}/${name}`,
      nodeName: pod.spec?.nodeName,
      unschedulableMessage: pod.spec?.nodeName ? undefined : this.scheduler.unschedulableMessage(pod as Pod),
      nodes: this.scheduler.explain(pod as Pod),
    };
  }

  // ---- events ------------------------------------------------------------------------

  private onNode(n: Readonly<Node>): void {
    const name = n.metadata.name ?? '';
    const known = this.scheduler.cache.index.has(name);
    this.scheduler.addNode(n as Node);
    if (!known) {
      // Pods bound to this node before we knew it count now.
      const keys = this.orphans.get(name);
      this.orphans.delete(name);
      for (const key of keys ?? []) {
        const p = this.podInformer.store.get(key);
        if (p && p.spec?.nodeName === name) this.scheduler.addPod(p as Pod);
      }
    }
    this.kickIfWork();
  }

  private onNodeDeleted(name: string): void {
    const n = this.scheduler.cache.index.get(name);
    if (n !== undefined) {
      // Its pods stop counting; should the node come back, they count again.
      const keys = new Set<string>();
      for (const p of this.scheduler.cache.podsOn[n] ?? []) keys.add(p.key);
      if (keys.size > 0) this.orphans.set(name, keys);
    }
    this.scheduler.deleteNode(name);
  }

  private onPod(p: Readonly<Pod>): void {
    const pod = p as Pod;
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (nodeName || isTerminal(pod)) this.writer.forget(key);
    this.unorphan(key);
    if (nodeName && !isTerminal(pod) && !this.scheduler.cache.index.has(nodeName)) {
      let set = this.orphans.get(nodeName);
      if (!set) this.orphans.set(nodeName, (set = new Set()));
      set.add(key);
    }
    this.scheduler.addPod(pod);
    this.kickIfWork();
  }

  private onPodDeleted(p: Readonly<Pod>): void {
    const key = podKey(p as Pod);
    this.writer.forget(key);
    this.unorphan(key);
    this.scheduler.deletePod(key);
    this.kickIfWork();
  }

  private unorphan(key: string): void {
    if (this.orphans.size === 0) return;
    for (const [node, set] of this.orphans) if (set.delete(key) && set.size === 0) this.orphans.delete(node);
  }

  // ---- the loop ----------------------------------------------------------------------

  /** Ask for a cycle soon (one pending at most): a zero-delay timer, so informer events interleave. */
  private kick(): void {
    if (!this.synced || this.stopped || this.cycleQueued) return;
    this.cycleQueued = true;
    this.opts.clock.setTimer(0, () => this.cycle());
  }

  /**
   * After a cluster event: a cycle only if a pod is waiting in the active
   * queue (the event may have moved parked ones there), else re-arm the
   * back-off wake. Most events (kubelets' status writes) change neither, and
   * a cycle costs a step of the virtual clock.
   */
  private kickIfWork(): void {
    if (this.scheduler.queue.activeCount > 0) this.kick();
    else if (this.synced && !this.stopped) this.armWake();
  }

  private cycle(): void {
    this.cycleQueued = false;
    if (this.stopped || this.inflight >= this.maxInflight) return; // a finishing write kicks again
    const d = this.scheduler.scheduleBatch(this.batchSize);
    this.counts.cycles++;
    if (d.bindings.length + d.failures.length + d.preemptions.length > 0) {
      this.inflight++;
      void this.track(this.writer.apply(d))
        .catch((err: unknown) => this.log('apply failed', { error: String(err) }))
        .finally(() => {
          this.inflight--;
          this.kick();
        });
    }
    if (this.scheduler.queue.activeCount > 0) this.kick();
    else this.armWake();
  }

  /** Wake for the next back-off expiry, or (with parked pods) for the queue's periodic sweep. */
  private armWake(): void {
    const q = this.scheduler.queue;
    const now = this.opts.clock.now();
    let at = q.nextBackoffAt() ?? Infinity;
    if (q.parkedCount > 0) at = Math.min(at, now + 30_000);
    if (at === Infinity) return;
    if (this.wake && this.wake.at <= at && this.wake.at >= now) return;
    if (this.wake) this.opts.clock.cancelTimer(this.wake.handle);
    const handle = this.opts.clock.setTimer(Math.max(0, at - now), () => {
      this.wake = null;
      this.kick();
    });
    this.wake = { handle, at };
  }
}
