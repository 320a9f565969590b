/**
 * The Deployment controller (Kubernetes' pkg/controller/deployment).
 *
 * reconcile(namespace/name): read the Deployment, claim its ReplicaSets
 * (adopt matching orphans, release non-matching), then, as syncDeployment:
 * a deleting Deployment only gets status; pause and resume are recorded in
 * the Progressing condition; a paused Deployment or a change of
 * spec.replicas is a scaling round (proportional across active
 * ReplicaSets); otherwise one step of the Recreate or RollingUpdate
 * strategy (rollout.ts). The new ReplicaSet is the one whose template
 * equals the Deployment's ignoring pod-template-hash (so a rollback, which
 * is just the template changing back, reuses the old ReplicaSet and bumps
 * its revision); if none exists it is created as `<name>-<hash>`. Status
 * and the Progressing/Available conditions follow Kubernetes, so
 * `kubectl rollout status` reads them as it does there.
 *
 * One difference: Kubernetes writes the Deployment's revision annotation
 * through the status subresource; Berth's status strategy keeps metadata,
 * so here it is a main-resource update (which bumps generation, and the
 * status written after it observes the new generation).
 */
import { isAlreadyExists, isNotFound } from '../../lib/client/errors.js';
import { keyOf } from '../../lib/client/object-cache.js';
import { deployments, pods, replicaSets } from '../../lib/api/resources/index.js';
import { selectorFromLabelSelector, type Selector } from '../../lib/api/selectors/index.js';
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../lib/api/types/apps.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { claim } from './claim.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import * as u from './deployment-util.js';
import { byCreation, controllerOf, copy, errorMessage, newControllerRef, semanticEqual } from './objects.js';
import { isScalingEvent, oldPodsRunning, reconcileNewRS, reconcileOldRSs, scaleDeployment, newRSReplicas } from './rollout.js';

const D_GVK = { apiVersion: 'apps/v1', kind: 'Deployment' };

/** One reconcile's working state: the Deployment as last written, and the status as read. */
interface Round {
  d: Deployment;
  readonly cachedStatus: DeploymentStatus;
  readonly selector: Selector;
}

export class DeploymentController extends Controller {
  readonly name = 'deployment';
  private readonly dInf;
  private readonly rsInf;
  private readonly podInf;

  constructor(private readonly ctx: ControllerContext) {
    super(ctx);
    this.dInf = ctx.informers.for(deployments);
    this.rsInf = ctx.informers.for(replicaSets);
    this.podInf = ctx.informers.for(pods);
    this.dInf.addHandlers({ onAdd: (d) => this.enqueue(d), onUpdate: (_o, d) => this.enqueue(d), onDelete: (d) => this.enqueue(d) });
    this.rsInf.addHandlers({
      onAdd: (rs) => this.rsChanged(undefined, rs),
      onUpdate: (o, rs) => this.rsChanged(o, rs),
      onDelete: (rs) => {
        const d = this.owner(rs);
        if (d) this.enqueue(d);
      },
    });
    this.podInf.addHandlers({
      onDelete: (p) => {
        const rs = this.rsOwner(p);
        const d = rs && this.owner(rs);
        if (d && d.spec?.strategy?.type === 'Recreate') this.enqueue(d);
      },
    });
  }

  private owner(rs: Readonly<ReplicaSet>): Readonly<Deployment> | undefined {
    const ref = controllerOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.dInf.store.getByName(rs.metadata.namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private rsOwner(p: Readonly<Pod>): Readonly<ReplicaSet> | undefined {
    const ref = controllerOf(p);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInf.store.getByName(p.metadata.namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  private rsChanged(old: Readonly<ReplicaSet> | undefined, rs: Readonly<ReplicaSet>): void {
    if (old && old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    if (old && controllerOf(old)?.uid !== controllerOf(rs)?.uid) {
      const prev = this.owner(old);
      if (prev) this.enqueue(prev);
    }
    if (controllerOf(rs)) {
      const d = this.owner(rs);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.dInf.store.listIn(rs.metadata.namespace ?? '')) {
      const sel = selectorFromLabelSelector(d.spec?.selector);
      if (sel.ok && !sel.selector.isEmpty() && sel.selector.matches(rs.metadata.labels ?? {})) this.enqueue(d);
    }
  }

  async reconcile(key: string): Promise<void> {
    const cached = this.dInf.store.get(key);
    if (!cached) return;
    const sel = selectorFromLabelSelector(cached.spec?.selector);
    if (!sel.ok) {
      this.ctx.recorder.event(cached, 'Warning', 'InvalidSelector', `invalid label selector: ${sel.error}`, D_GVK);
      return;
    }
    const r: Round = { d: copy(cached) as Deployment, cachedStatus: cached.status ?? {}, selector: sel.selector };
    if (sel.selector.isEmpty()) {
      this.ctx.recorder.event(cached, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.', D_GVK);
      if ((cached.status?.observedGeneration ?? 0) < (cached.metadata.generation ?? 0)) {
        await this.writeStatus(r, { ...r.cachedStatus, observedGeneration: cached.metadata.generation });
      }
      return;
    }
    const rsList = (
      await claim(this.rsInf.store.listIn(cached.metadata.namespace!), {
        api: this.ctx.api,
        resource: replicaSets,
        owner: cached,
        ownerApiVersion: D_GVK.apiVersion,
        ownerKind: D_GVK.kind,
        selector: sel.selector,
        recheck: () => this.recheck(cached),
      })
    ).map((rs) => copy(rs) as ReplicaSet);

    if (r.d.metadata.deletionTimestamp) {
      const { newRS, old } = await this.getAll(r, rsList, false);
      return this.syncStatus(r, [...old, ...(newRS ? [newRS] : [])], newRS);
    }
    this.checkPaused(r);
    if (r.d.spec?.paused || isScalingEvent(r.d, rsList)) return this.sync(r, rsList);
    if (r.d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate(r, rsList);
    return this.rolloutRolling(r, rsList);
  }

  private async recheck(d: Readonly<Deployment>): Promise<boolean> {
    try {
      const fresh = await this.ctx.api.get(deployments, d.metadata.name!, { namespace: d.metadata.namespace });
      return fresh.metadata.uid === d.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** checkPausedConditions: record pause and resume in the Progressing condition (written with the status). */
  private checkPaused(r: Round): void {
    if (!u.hasProgressDeadline(r.d)) return;
    const status = (r.d.status ??= {});
    const cond = u.getCondition(status, 'Progressing');
    const pausedCond = cond?.reason === u.Reasons.Paused;
    const now = this.ctx.clock.now();
    if (r.d.spec?.paused && !pausedCond) u.setCondition(status, u.newCondition('Progressing', 'Unknown', u.Reasons.Paused, 'Deployment is paused', now));
    else if (!r.d.spec?.paused && pausedCond) u.setCondition(status, u.newCondition('Progressing', 'Unknown', u.Reasons.Resumed, 'Deployment is resumed', now));
  }

  /** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked) and the old ones. */
  private async getAll(r: Round, rsList: ReplicaSet[], create: boolean): Promise<{ newRS?: ReplicaSet; old: ReplicaSet[] }> {
    const sorted = [...rsList].sort(byCreation);
    const existing = sorted.find((rs) => u.equalIgnoreHash(rs.spec?.template, r.d.spec?.template));
    const old = rsList.filter((rs) => rs !== existing);
    const newRevision = u.maxRevision(old) + 1;
    const now = this.ctx.clock.now();
    const status = (r.d.status ??= {});
    if (existing) {
      const next = copy(existing);
      const annChanged = u.setNewReplicaSetAnnotations(r.d, next, newRevision, true);
      const minReadyChanged = (next.spec!.minReadySeconds ?? 0) !== (r.d.spec?.minReadySeconds ?? 0);
      if (annChanged || minReadyChanged) {
        next.spec!.minReadySeconds = r.d.spec?.minReadySeconds;
        Object.assign(existing, await this.ctx.api.update(replicaSets, next, { namespace: next.metadata.namespace }));
      }
      await this.syncRevision(r, existing.metadata.annotations?.[u.REVISION]);
      if (u.hasProgressDeadline(r.d) && !u.getCondition(status, 'Progressing')) {
        u.setCondition(status, u.newCondition('Progressing', 'True', u.Reasons.FoundNewRS, `Found new replica set "${existing.metadata.name}"`, now));
      }
      return { newRS: existing, old };
    }
    if (!create) return { old };
    const hash = u.computeHash(r.d.spec?.template, r.d.status?.collisionCount);
    const template = copy(r.d.spec!.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [u.HASH_LABEL]: hash } };
    const selector = copy(r.d.spec!.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [u.HASH_LABEL]: hash };
    const fresh: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${r.d.metadata.name}-${hash}`,
        namespace: r.d.metadata.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [newControllerRef(r.d, D_GVK.apiVersion, D_GVK.kind)],
      },
      spec: { replicas: 0, minReadySeconds: r.d.spec?.minReadySeconds ?? 0, selector, template },
    };
    fresh.spec!.replicas = newRSReplicas(r.d, [...old, fresh], fresh);
    u.setNewReplicaSetAnnotations(r.d, fresh, newRevision, false);
    let created: ReplicaSet;
    try {
      created = await this.ctx.api.create(replicaSets, fresh, { namespace: fresh.metadata.namespace });
    } catch (err) {
      if (isAlreadyExists(err)) {
        const there = await this.ctx.api.get(replicaSets, fresh.metadata.name!, { namespace: fresh.metadata.namespace });
        if (controllerOf(there)?.uid === r.d.metadata.uid && u.equalIgnoreHash(there.spec?.template, r.d.spec?.template)) {
          // Our own ReplicaSet, not yet in the cache: use it.
          return { newRS: there, old };
        }
        // A hash collision: a different count gives a different name next round.
        await this.writeStatus(r, { ...r.cachedStatus, collisionCount: (r.d.status?.collisionCount ?? 0) + 1 });
        throw err;
      }
      u.setCondition(status, u.newCondition('Progressing', 'False', u.Reasons.FailedRSCreate, `Failed to create new replica set "${fresh.metadata.name}": ${errorMessage(err)}`, now));
      await this.writeStatus(r, status);
      throw err;
    }
    if (u.replicasOf(created) > 0) {
      this.ctx.recorder.event(r.d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${u.replicasOf(created)}`, D_GVK);
    }
    await this.syncRevision(r, String(newRevision));
    if (u.hasProgressDeadline(r.d)) {
      u.setCondition(r.d.status ??= {}, u.newCondition('Progressing', 'True', u.Reasons.NewRSCreated, `Created new replica set "${created.metadata.name}"`, now));
    }
    return { newRS: created, old };
  }

  /** The Deployment's revision annotation follows its new ReplicaSet's. */
  private async syncRevision(r: Round, revision: string | undefined): Promise<void> {
    if (revision === undefined || r.d.metadata.annotations?.[u.REVISION] === revision) return;
    const next = copy(r.d);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [u.REVISION]: revision };
    const written = await this.ctx.api.update(deployments, next, { namespace: next.metadata.namespace });
    r.d = { ...written, status: r.d.status };
  }

  /** Write a ReplicaSet's size (and replica annotations); the copy in `rs` becomes the written object. */
  private scaler(r: Round): (rs: ReplicaSet, n: number) => Promise<boolean> {
    return async (rs, n) => {
      const desired = u.replicasOf(r.d);
      const max = desired + u.maxSurge(r.d);
      const sizeChange = u.replicasOf(rs) !== n;
      if (!sizeChange && !u.replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
      const from = u.replicasOf(rs);
      const next = copy(rs);
      next.spec = { ...next.spec!, replicas: n };
      u.setReplicasAnnotations(next, desired, max);
      const out = await this.ctx.api.update(replicaSets, next, { namespace: next.metadata.namespace });
      rs.metadata = out.metadata;
      rs.spec = out.spec;
      rs.status = out.status;
      if (sizeChange) this.ctx.recorder.event(r.d, 'Normal', 'ScalingReplicaSet', `Scaled ${from < n ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${n}`, D_GVK);
      return sizeChange;
    };
  }

  /** sync: a scaling round (paused, or spec.replicas changed). */
  private async sync(r: Round, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, old } = await this.getAll(r, rsList, false);
    await scaleDeployment(r.d, newRS, old, this.scaler(r));
    if (r.d.spec?.paused) await this.cleanup(r, old);
    await this.syncStatus(r, [...old, ...(newRS ? [newRS] : [])], newRS);
  }

  private async rolloutRolling(r: Round, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, old } = await this.getAll(r, rsList, true);
    const all = [...old, newRS!];
    const scale = this.scaler(r);
    if (await reconcileNewRS(all, newRS!, r.d, scale)) return this.syncRolloutStatus(r, all, newRS);
    if (await reconcileOldRSs(all, u.active(old) as ReplicaSet[], newRS!, r.d, scale)) return this.syncRolloutStatus(r, all, newRS);
    if (u.deploymentComplete(r.d, r.d.status ?? {})) await this.cleanup(r, old);
    return this.syncRolloutStatus(r, all, newRS);
  }

  private async rolloutRecreate(r: Round, rsList: ReplicaSet[]): Promise<void> {
    let { newRS, old } = await this.getAll(r, rsList, false);
    const scale = this.scaler(r);
    let scaledDown = false;
    for (const rs of u.active(old) as ReplicaSet[]) if (await scale(rs, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(r, [...old, ...(newRS ? [newRS] : [])], newRS);
    if (oldPodsRunning(newRS, old, this.podsByOwner(r, rsList))) return this.syncRolloutStatus(r, [...old, ...(newRS ? [newRS] : [])], newRS);
    if (!newRS) ({ newRS, old } = await this.getAll(r, rsList, true));
    await scale(newRS!, u.replicasOf(r.d));
    if (u.deploymentComplete(r.d, r.d.status ?? {})) await this.cleanup(r, old);
    return this.syncRolloutStatus(r, [...old, newRS!], newRS);
  }

  private podsByOwner(r: Round, rsList: readonly ReplicaSet[]): Map<string, Readonly<Pod>[]> {
    const uids = new Set(rsList.map((rs) => rs.metadata.uid));
    const out = new Map<string, Readonly<Pod>[]>();
    for (const p of this.podInf.store.listIn(r.d.metadata.namespace!)) {
      const ref = controllerOf(p);
      if (!ref || !uids.has(ref.uid) || !r.selector.matches(p.metadata.labels ?? {})) continue;
      out.set(ref.uid, [...(out.get(ref.uid) ?? []), p]);
    }
    return out;
  }

  /** cleanupDeployment: delete the oldest empty ReplicaSets beyond revisionHistoryLimit. */
  private async cleanup(r: Round, old: readonly ReplicaSet[]): Promise<void> {
    const limit = r.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const alive = old.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    const sorted = [...alive].sort((a, b) => u.revisionOf(a) - u.revisionOf(b) || byCreation(a, b));
    for (const rs of sorted.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || u.replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.ctx.api.delete(replicaSets, rs.metadata.name!, { namespace: rs.metadata.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async syncStatus(r: Round, all: readonly ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = u.calculateStatus(all, newRS, r.d, this.ctx.clock.now());
    if (!semanticEqual(r.cachedStatus, status)) await this.writeStatus(r, status);
  }

  /** syncRolloutStatus: counts, Available, and Progressing (progress, completion, deadline). */
  private async syncRolloutStatus(r: Round, all: readonly ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const d = r.d;
    const now = this.ctx.clock.now();
    const status = u.calculateStatus(all, newRS, d, now);
    if (!u.hasProgressDeadline(d)) u.removeCondition(status, 'Progressing');
    const cur = u.getCondition(d.status, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && cur?.reason === u.Reasons.NewRSAvailable;
    if (u.hasProgressDeadline(d) && !complete) {
      const rsName = newRS?.metadata.name;
      if (u.deploymentComplete(d, status)) {
        const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : 'Deployment has successfully progressed.';
        u.setCondition(status, u.newCondition('Progressing', 'True', u.Reasons.NewRSAvailable, msg, now));
      } else if (u.deploymentProgressing(d, status)) {
        const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : 'Deployment is progressing.';
        const c = u.newCondition('Progressing', 'True', u.Reasons.RSUpdated, msg, now);
        if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
        u.removeCondition(status, 'Progressing');
        u.setCondition(status, c);
      } else if (u.deploymentTimedOut(d, status, now)) {
        const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
        u.setCondition(status, u.newCondition('Progressing', 'False', u.Reasons.TimedOut, msg, now));
      }
    }
    const failure = [newRS, ...all].find((rs) => rs?.status?.conditions?.some((c) => c.type === 'ReplicaFailure' && c.status === 'True'));
    const fc = failure?.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    if (fc) u.setCondition(status, u.newCondition('ReplicaFailure', fc.status, fc.reason ?? '', fc.message ?? '', now));
    else u.removeCondition(status, 'ReplicaFailure');
    if (semanticEqual(r.cachedStatus, status)) return this.requeueStuck(d, status, now);
    await this.writeStatus(r, status);
  }

  /** A rollout that stopped moving is looked at again when its progress deadline passes. */
  private requeueStuck(d: Readonly<Deployment>, status: DeploymentStatus, now: number): void {
    const c = u.getCondition(status, 'Progressing');
    if (!u.hasProgressDeadline(d) || !c || u.deploymentComplete(d, status) || c.reason === u.Reasons.TimedOut) return;
    if (c.reason === u.Reasons.Paused || c.reason === u.Reasons.Resumed) return;
    const after = Date.parse(c.lastUpdateTime ?? '') + (d.spec!.progressDeadlineSeconds ?? 600) * 1000 - now;
    if (after < 1000) this.enqueueAfter(keyOf(d), 1000);
    else this.enqueueAfter(keyOf(d), after + 1000);
  }

  private async writeStatus(r: Round, status: DeploymentStatus): Promise<void> {
    const next = { ...r.d, status } as Deployment; // r.d is this round's copy already
    const out = await this.ctx.api.updateStatus(deployments, next, { namespace: next.metadata.namespace });
    r.d = out;
  }
}
