/**
 * The disruption controller (Kubernetes' pkg/controller/disruption): keeps
 * each PodDisruptionBudget's status, which the eviction subresource spends.
 *
 * reconcile(namespace/name) of a budget:
 * - the pods it covers are those of its namespace its selector matches;
 * - expectedPods and desiredHealthy: with an integer minAvailable, the pods
 *   found and minAvailable; with a percentage minAvailable or any
 *   maxUnavailable, the sum of the scales of the pods' controllers
 *   (a ReplicaSet owned by a Deployment counts as the Deployment), the
 *   share rounded up. A covered pod without a controller is reported in a
 *   warning event; a controller without a scale (a Job, a DaemonSet) makes
 *   the sync fail;
 * - currentHealthy: covered pods that are Ready, not terminating, and not
 *   in disruptedPods (an eviction spent a disruption on them in the last two
 *   minutes and they are not deleted yet); entries older than that, or for
 *   pods gone or terminating, are dropped, and the budget is looked at
 *   again when the next entry expires;
 * - disruptionsAllowed = currentHealthy - desiredHealthy, never below 0, and
 *   0 while expectedPods is 0 (a budget that has just been created must not
 *   let the first pods go before it has seen them);
 * - the DisruptionAllowed condition follows; the status is written only
 *   when it changed. A sync that fails for any reason but a conflict writes
 *   the fail-safe status: no disruptions, DisruptionAllowed False/SyncFailed.
 */
import { budgetCovers, disruptionConditionUpToDate, setDisruptionAllowed } from '../../lib/api/disruption-budget.js';
import { deployments, pods, podDisruptionBudgets, replicaSets } from '../../lib/api/resources/index.js';
import type { Deployment, ReplicaSet } from '../../lib/api/types/apps.js';
import type { Time } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../lib/api/types/policy.js';
import { isConflict } from '../../lib/client/errors.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import { controllerOf, copy, semanticEqual, timestamp } from './objects.js';
import { isPodReady } from './pods.js';

/** Kubernetes' DeletionTimeout: how long an approved eviction keeps its pod out of the healthy count. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

const PDB_GVK = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' };

/** intstr.GetScaledValueFromIntOrPercent with rounding up. */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

export class DisruptionController extends Controller {
  readonly name = 'disruption';
  private readonly pdbInformer;
  private readonly podInformer;
  private readonly rsInformer;
  private readonly deployInformer;

  constructor(private readonly ctx: ControllerContext) {
    super(ctx);
    this.pdbInformer = ctx.informers.for(podDisruptionBudgets);
    this.podInformer = ctx.informers.for(pods);
    this.rsInformer = ctx.informers.for(replicaSets);
    this.deployInformer = ctx.informers.for(deployments);
    this.pdbInformer.addHandlers({
      onAdd: (b) => this.enqueue(b),
      onUpdate: (_o, b) => this.enqueue(b),
    });
    this.podInformer.addHandlers({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (o, p) => {
        if (o.metadata.resourceVersion === p.metadata.resourceVersion) return;
        this.podChanged(p);
        if (!semanticEqual(o.metadata.labels, p.metadata.labels)) this.podChanged(o); // a budget that covered it may have lost it
      },
      onDelete: (p) => this.podChanged(p),
    });
  }

  private podChanged(pod: Readonly<Pod>): void {
    for (const b of this.pdbInformer.store.listIn(pod.metadata.namespace ?? '')) if (budgetCovers(b, pod)) this.enqueue(b);
  }

  async reconcile(key: string): Promise<void> {
    const pdb = this.pdbInformer.store.get(key);
    if (!pdb) return;
    try {
      await this.sync(pdb);
    } catch (err) {
      if (isConflict(err)) throw err; // a newer budget is on its way: retried with it
      await this.failSafe(pdb, err);
      throw err;
    }
  }

  private async sync(pdb: Readonly<PodDisruptionBudget>): Promise<void> {
    const covered = this.podInformer.store.listIn(pdb.metadata.namespace ?? '').filter((p) => budgetCovers(pdb, p));
    if (covered.length === 0) this.ctx.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found', PDB_GVK);
    let counted: { expected: number; desired: number; unmanaged: string[] };
    try {
      counted = this.expectedCount(pdb, covered);
    } catch (err) {
      this.ctx.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${err instanceof Error ? err.message : String(err)}`, PDB_GVK);
      throw err;
    }
    const { expected, desired, unmanaged } = counted;
    if (unmanaged.length > 0) {
      this.ctx.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        'Pods selected by this PodDisruptionBudget were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
        PDB_GVK,
      );
    }
    const now = this.ctx.clock.now();
    const { disrupted, recheckAt } = this.stillDisrupted(pdb, covered, now);
    let healthy = 0;
    for (const p of covered) if (!p.metadata.deletionTimestamp && !(p.metadata.name! in disrupted) && isPodReady(p)) healthy++;
    const allowed = expected <= 0 ? 0 : Math.max(0, healthy - desired);
    const status: PodDisruptionBudgetStatus = {
      ...(pdb.status?.conditions ? { conditions: copy(pdb.status.conditions) } : {}),
      observedGeneration: pdb.metadata.generation ?? 0,
      ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
      disruptionsAllowed: allowed,
      currentHealthy: healthy,
      desiredHealthy: desired,
      expectedPods: expected,
    };
    const old = pdb.status;
    const same =
      old !== undefined &&
      old.currentHealthy === healthy &&
      old.desiredHealthy === desired &&
      old.expectedPods === expected &&
      old.disruptionsAllowed === allowed &&
      semanticEqual(old.disruptedPods ?? {}, disrupted) &&
      disruptionConditionUpToDate(pdb);
    if (!same) {
      setDisruptionAllowed(status, timestamp(now));
      await this.ctx.api.updateStatus(podDisruptionBudgets, { ...pdb, status } as PodDisruptionBudget, { namespace: pdb.metadata.namespace });
    }
    if (recheckAt !== undefined) this.enqueueAfter(pdb, Math.max(0, recheckAt - now));
  }

  /** getExpectedPodCount: how many pods the budget counts on, and how many must be healthy. */
  private expectedCount(pdb: Readonly<PodDisruptionBudget>, covered: readonly Readonly<Pod>[]): { expected: number; desired: number; unmanaged: string[] } {
    const { minAvailable, maxUnavailable } = pdb.spec ?? {};
    if (maxUnavailable !== undefined) {
      const { scale, unmanaged } = this.controllersScale(covered);
      return { expected: scale, desired: Math.max(0, scale - scaledValue(maxUnavailable, scale)), unmanaged };
    }
    if (typeof minAvailable === 'number') return { expected: covered.length, desired: minAvailable, unmanaged: [] };
    if (minAvailable !== undefined) {
      const { scale, unmanaged } = this.controllersScale(covered);
      return { expected: scale, desired: scaledValue(minAvailable, scale), unmanaged };
    }
    return { expected: 0, desired: 0, unmanaged: [] };
  }

  /** getExpectedScale: the sum of the scales of the covered pods' controllers, each counted once. */
  private controllersScale(covered: readonly Readonly<Pod>[]): { scale: number; unmanaged: string[] } {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const p of covered) {
      const ref = controllerOf(p);
      if (!ref) {
        unmanaged.push(p.metadata.name!);
        continue;
      }
      if (scales.has(ref.uid)) continue;
      const found = this.scaleOf(p.metadata.namespace!, ref.kind, ref.name, ref.uid);
      if (!found) throw new Error(`found no controllers for pod "${p.metadata.name}"`);
      scales.set(found.uid, found.replicas);
    }
    let scale = 0;
    for (const n of scales.values()) scale += n;
    return { scale, unmanaged };
  }

  /** The finders: a ReplicaSet (or the Deployment that owns it) with this uid, and its replicas. */
  private scaleOf(namespace: string, kind: string, name: string, uid: string): { uid: string; replicas: number } | undefined {
    if (kind === 'ReplicaSet') {
      const rs = this.rsInformer.store.get(`${namespace}/${name}`) as Readonly<ReplicaSet> | undefined;
      if (!rs || rs.metadata.uid !== uid) return undefined;
      const owner = controllerOf(rs);
      if (owner?.kind === 'Deployment') {
        const d = this.deployInformer.store.get(`${namespace}/${owner.name}`) as Readonly<Deployment> | undefined;
        if (d && d.metadata.uid === owner.uid) return { uid: owner.uid, replicas: d.spec?.replicas ?? 1 };
        return undefined;
      }
      return { uid, replicas: rs.spec?.replicas ?? 1 };
    }
    if (kind === 'Deployment') {
      const d = this.deployInformer.store.get(`${namespace}/${name}`) as Readonly<Deployment> | undefined;
      return d && d.metadata.uid === uid ? { uid, replicas: d.spec?.replicas ?? 1 } : undefined;
    }
    return undefined;
  }

  /** buildDisruptedPodMap: entries still waiting for their pod's deletion, and when the first of them expires. */
  private stillDisrupted(pdb: Readonly<PodDisruptionBudget>, covered: readonly Readonly<Pod>[], now: number): { disrupted: Record<string, Time>; recheckAt?: number } {
    const disrupted: Record<string, Time> = {};
    const old = pdb.status?.disruptedPods;
    if (!old) return { disrupted };
    let recheckAt: number | undefined;
    for (const p of covered) {
      const name = p.metadata.name!;
      if (p.metadata.deletionTimestamp || !Object.hasOwn(old, name)) continue;
      const expires = Date.parse(old[name]!) + DELETION_TIMEOUT_MS;
      // An entry that is no time (the api-server refuses those) counts as expired, not as forever.
      if (!(expires >= now)) {
        this.ctx.recorder.event(p, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`);
        continue;
      }
      disrupted[name] = old[name]!;
      if (recheckAt === undefined || expires < recheckAt) recheckAt = expires;
    }
    return { disrupted, recheckAt };
  }

  /** failSafe: no disruptions until a sync succeeds, so evictions stop rather than go unchecked. */
  private async failSafe(pdb: Readonly<PodDisruptionBudget>, err: unknown): Promise<void> {
    const status: PodDisruptionBudgetStatus = { ...(copy(pdb.status) ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }), disruptionsAllowed: 0 };
    setDisruptionAllowed(status, timestamp(this.ctx.clock.now()), err instanceof Error ? err.message : String(err));
    try {
      await this.ctx.api.updateStatus(podDisruptionBudgets, { ...pdb, status } as PodDisruptionBudget, { namespace: pdb.metadata.namespace });
    } catch {
      // The requeue with back-off tries again, fail-safe included.
    }
  }
}
