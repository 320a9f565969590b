/**
 * The ReplicaSet controller (Kubernetes' pkg/controller/replicaset).
 *
 * reconcile(namespace/name): read the ReplicaSet and the namespace's pods
 * from the caches; claim pods (adopt matching orphans, release owned pods
 * that no longer match); if the expectations from the last round are met
 * and the set is not being deleted, create or delete pods to reach
 * spec.replicas (creates in slow-start batches 1, 2, 4, ... capped at
 * `burstReplicas` per round; deletes in the ranked order of pods.ts); then
 * write status (replicas, fullyLabeledReplicas, readyReplicas,
 * availableReplicas, observedGeneration, and a ReplicaFailure condition
 * when creating or deleting failed). Events: SuccessfulCreate,
 * SuccessfulDelete, FailedCreate, FailedDelete.
 */
import { isNotFound } from '../../lib/client/errors.js';
import { keyOf } from '../../lib/client/object-cache.js';
import { pods, replicaSets } from '../../lib/api/resources/index.js';
import { selectorFromLabelSelector } from '../../lib/api/selectors/index.js';
import type { ReplicaSet, ReplicaSetStatus, WorkloadCondition } from '../../lib/api/types/apps.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { claim } from './claim.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import { deleteOwnedPods, recordCreates } from './owned-pods.js';
import { Expectations } from './expectations.js';
import { ReplicaSetPods, type TallyBasis } from './replicaset-pods.js';
import { controllerOf, errorMessage, newControllerRef, semanticEqual, timestamp } from './objects.js';
import { isPodActive, isPodAvailable, isPodReady, rankForDeletion } from './pods.js';
import { OwnerSlowStart } from './slow-start.js';

const RS_GVK = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };

/** What a ReplicaSet's status counts of its pods. */
interface OwnedCounts {
  replicas: number;
  fully: number;
  ready: number;
  available: number;
}
/** Kubernetes' BurstReplicas: at most this many creates or deletes per round. */
export const BURST_REPLICAS = 500;

export class ReplicaSetController extends Controller {
  readonly name = 'replicaset';
  readonly expectations: Expectations;
  private readonly rsInformer;
  private readonly podInformer;
  private readonly slowStart: OwnerSlowStart;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly burst = BURST_REPLICAS,
  ) {
    super(ctx);
    this.expectations = new Expectations(ctx.clock);
    this.slowStart = new OwnerSlowStart(burst);
    this.rsInformer = ctx.informers.for(replicaSets);
    this.podInformer = ctx.informers.for(pods);
    this.rsInformer.addHandlers({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (_o, rs) => this.enqueue(rs),
      onDelete: (rs) => {
        this.expectations.delete(keyOf(rs));
        this.slowStart.forget(keyOf(rs));
        this.enqueue(rs);
      },
    });
    this.podInformer.addHandlers({
      onAdd: (p) => {
        this.index.put(p);
        this.podAdded(p);
      },
      onUpdate: (o, p) => {
        this.index.move(o, p);
        this.podUpdated(o, p);
      },
      onDelete: (p) => {
        this.index.drop(p);
        this.podDeleted(p);
      },
    });
  }

  // Pods by their controller's uid, and orphans by namespace, with per-set tallies (replicaset-pods.ts):
  // a scale-up to 150,000 is 300 reconciles of 500 creates each, and every pod event re-queues its set.
  private readonly index = new ReplicaSetPods();

  /** The ReplicaSet that controls `pod`, if it is in the cache with the same uid. */
  private owner(pod: Readonly<Pod>): Readonly<ReplicaSet> | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInformer.store.getByName(pod.metadata.namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (for orphans). */
  private matching(pod: Readonly<Pod>): Readonly<ReplicaSet>[] {
    return this.rsInformer.store.listIn(pod.metadata.namespace ?? '').filter((rs) => {
      const sel = selectorFromLabelSelector(rs.spec?.selector);
      return sel.ok && !sel.selector.isEmpty() && sel.selector.matches(pod.metadata.labels ?? {});
    });
  }

  private podAdded(pod: Readonly<Pod>): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    const ref = controllerOf(pod);
    if (ref) {
      const rs = this.owner(pod);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.enqueue(rs);
      return;
    }
    for (const rs of this.matching(pod)) this.enqueue(rs);
  }

  private podUpdated(old: Readonly<Pod>, pod: Readonly<Pod>): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
      // Graceful deletion: the pod is as good as gone for this controller.
      const rs = this.owner(pod);
      if (rs) this.expectations.deletionObserved(keyOf(rs), keyOf(pod));
    }
    const oldRef = controllerOf(old);
    const ref = controllerOf(pod);
    if (oldRef && (!ref || oldRef.uid !== ref.uid)) {
      const prev = this.owner(old);
      if (prev) this.enqueue(prev);
    }
    const rs = this.owner(pod);
    if (ref) {
      if (!rs) return;
      this.enqueue(rs);
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.enqueueAfter(rs, minReady * 1000 + 1000);
      return;
    }
    for (const m of this.matching(pod)) this.enqueue(m);
  }

  private podDeleted(pod: Readonly<Pod>): void {
    const rs = this.owner(pod);
    if (!rs) return;
    this.expectations.deletionObserved(keyOf(rs), keyOf(pod));
    this.enqueue(rs);
  }

  async reconcile(key: string): Promise<void> {
    const rs = this.rsInformer.store.get(key);
    if (!rs) {
      this.expectations.delete(key);
      this.slowStart.forget(key);
      return;
    }
    const sel = selectorFromLabelSelector(rs.spec?.selector);
    if (!sel.ok) {
      // Expected: validation normally prevents it; nothing to retry.
      this.ctx.recorder.event(rs, 'Warning', 'InvalidSelector', `invalid selector: ${sel.error}`, RS_GVK);
      return;
    }
    const needsSync = this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const ns = rs.metadata.namespace ?? '';
    const uid = rs.metadata.uid ?? '';
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const templateLabels = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
    const basis: TallyBasis = { key: JSON.stringify([ns, rs.spec?.selector ?? null, templateLabels]), namespace: ns, selector: sel.selector, templateLabels };
    const tally = this.index.tally(uid, basis);
    let owned: readonly Readonly<Pod>[] | undefined;
    let counts: OwnedCounts;
    // Nothing to adopt or release: claim() would keep exactly the tally's matching pods and write nothing.
    // Availability after minReadySeconds depends on the time: those sets take the walk.
    if (tally.notMatching === 0 && minReady === 0 && !this.index.hasAdoptable(ns, sel.selector)) {
      counts = { replicas: tally.matching, fully: tally.fullyLabeled, ready: tally.ready, available: tally.ready };
    } else {
      owned = await claim(this.index.candidates(uid, ns).filter(isPodActive), {
        api: this.ctx.api,
        resource: pods,
        owner: rs,
        ownerApiVersion: RS_GVK.apiVersion,
        ownerKind: RS_GVK.kind,
        selector: sel.selector,
        recheck: () => this.recheck(rs),
      });
      counts = this.count(rs, owned);
    }
    let manageError: unknown;
    if (needsSync) {
      try {
        await this.manage(key, rs, counts.replicas, () => owned ?? this.index.matching(uid, ns, sel.selector));
      } catch (err) {
        manageError = err;
      }
    }
    const status = this.calculateStatus(rs, counts, manageError);
    const updated = await this.writeStatus(rs, status);
    if (manageError === undefined && minReady > 0 && updated.readyReplicas === (rs.spec?.replicas ?? 1) && updated.availableReplicas !== (rs.spec?.replicas ?? 1)) {
      this.enqueueAfter(key, minReady * 1000);
    }
    if (manageError !== undefined) throw manageError;
  }

  /** A live read: the ReplicaSet still exists, with the same uid, and is not being deleted. */
  private async recheck(rs: Readonly<ReplicaSet>): Promise<boolean> {
    try {
      const fresh = await this.ctx.api.get(replicaSets, rs.metadata.name!, { namespace: rs.metadata.namespace });
      return fresh.metadata.uid === rs.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async manage(key: string, rs: Readonly<ReplicaSet>, replicas: number, ownedPods: () => readonly Readonly<Pod>[]): Promise<void> {
    const want = rs.spec?.replicas ?? 1;
    const diff = replicas - want;
    if (diff < 0) {
      const n = Math.min(-diff, this.burst);
      this.expectations.expectCreations(key, n);
      const template = rs.spec?.template ?? {};
      const ref = newControllerRef(rs as ReplicaSet, RS_GVK.apiVersion, RS_GVK.kind);
      const podFor = (): Pod => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${rs.metadata.name}-`,
          namespace: rs.metadata.namespace,
          ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
          ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
          ...(template.metadata?.finalizers ? { finalizers: [...template.metadata.finalizers] } : {}),
          ownerReferences: [ref],
        },
        // Shared, not copied: the template is the informer's read-only object, and the
        // request is encoded before anything could change it (a structuredClone per pod
        // was a tenth of this thread's time creating 150,000).
        spec: template.spec ?? { containers: [] },
      });
      const { created, error } = await this.slowStart.run(key, n, async (batch) => {
        const out = await this.ctx.api.createManyBrief(pods, Array.from({ length: batch }, podFor), { namespace: rs.metadata.namespace });
        return recordCreates(this.ctx, this.expectations, key, rs, RS_GVK, out);
      });
      // Creates never attempted will never be observed.
      for (let i = created.attempted; i < n; i++) this.expectations.creationObserved(key);
      if (error) {
        this.ctx.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`, RS_GVK);
        throw error;
      }
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, this.burst);
      const owned = ownedPods();
      await deleteOwnedPods(this.ctx, this.expectations, key, rs, RS_GVK, rankForDeletion(owned, owned).slice(0, n));
    }
  }

  /** The status counts of `owned` (the walk, when the tally cannot answer). */
  private count(rs: Readonly<ReplicaSet>, owned: readonly Readonly<Pod>[]): OwnedCounts {
    const templateLabels = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
    const now = this.ctx.clock.now();
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const c: OwnedCounts = { replicas: owned.length, fully: 0, ready: 0, available: 0 };
    for (const p of owned) {
      const labels = p.metadata.labels ?? {};
      if (templateLabels.every(([k, v]) => labels[k] === v)) c.fully++;
      if (isPodReady(p)) {
        c.ready++;
        if (isPodAvailable(p, minReady, now)) c.available++;
      }
    }
    return c;
  }

  private calculateStatus(rs: Readonly<ReplicaSet>, counts: OwnedCounts, manageError: unknown): ReplicaSetStatus {
    const now = this.ctx.clock.now();
    const status: ReplicaSetStatus = {
      replicas: counts.replicas,
      fullyLabeledReplicas: counts.fully,
      readyReplicas: counts.ready,
      availableReplicas: counts.available,
      observedGeneration: rs.metadata.generation,
    };
    let conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
    const failure = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    if (manageError !== undefined) {
      const want = rs.spec?.replicas ?? 1;
      const reason = counts.replicas < want ? 'FailedCreate' : 'FailedDelete';
      const cond: WorkloadCondition = failure ?? { type: 'ReplicaFailure', status: 'True', lastTransitionTime: timestamp(now), reason, message: errorMessage(manageError) };
      conditions = [...conditions, cond];
    }
    if (conditions.length > 0) status.conditions = conditions;
    return status;
  }

  private async writeStatus(rs: Readonly<ReplicaSet>, status: ReplicaSetStatus): Promise<ReplicaSetStatus> {
    if (semanticEqual(rs.status ?? {}, status)) return status;
    const next = { ...rs, status } as ReplicaSet; // only sent: the cached object's parts are shared, not copied
    const out = await this.ctx.api.updateStatus(replicaSets, next, { namespace: rs.metadata.namespace });
    return out.status ?? status;
  }

  /** Keys of every cached ReplicaSet (a resync). */
  enqueueAll(): void {
    for (const k of this.rsInformer.store.keys()) this.enqueue(k);
  }
}
