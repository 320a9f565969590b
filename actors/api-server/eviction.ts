/**
 * POST pods/<name>/eviction: a delete that respects PodDisruptionBudgets
 * (pkg/registry/core/pod/storage/eviction.go).
 *
 * - A pod that is Pending, finished or already terminating costs no
 *   budget: it is deleted (with the pod's resourceVersion as a precondition
 *   unless it is finished or terminating, so it cannot become Ready in between).
 * - Otherwise the budgets in the pod's namespace that cover it decide:
 *   none, the pod goes; more than one, 500 (Kubernetes does not support it);
 *   one, it must have a disruption to spend. Spending it is a
 *   compare-and-swap on the budget's status (disruptionsAllowed - 1, the pod
 *   in disruptedPods so the controller does not count it healthy), retried
 *   on conflict. No disruption left, or a status the controller has not
 *   computed for the current spec, is 429 TooManyRequests with a
 *   DisruptionBudget cause, which `kubectl drain` prints and retries.
 * - A Running pod that is not Ready spends nothing when the budget is met
 *   (IfHealthyBudget, the default) or always (AlwaysAllow); it is deleted
 *   only if still at the resourceVersion that was judged.
 */
import { budgetCovers, setDisruptionAllowed } from '../../lib/api/disruption-budget.js';
import { podDisruptionBudgets, type ResourceDef } from '../../lib/api/resources/index.js';
import { forbidden, notFound, successStatus, tooManyRequests } from '../../lib/api/status.js';
import type { KubeObject, Status } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { PodDisruptionBudget } from '../../lib/api/types/policy.js';
import type { ServerContext } from './context.js';
import { deleteObject, type DeleteRequest } from './delete.js';
import { bucketOfDef, failed, gr, keyOf, timestamp, type Outcome } from './objects.js';
import { guaranteedUpdate } from './write.js';

/** Kubernetes' MaxDisruptedPodSize: evictions approved but not yet seen by the controller. */
export const MAX_DISRUPTED_PODS = 2000;
/** How often a delete that lost a race with another writer is tried again (EvictionsRetry has 20 steps). */
const DELETE_ATTEMPTS = 20;

const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

function budgetTooManyRequests(retryAfterSeconds: number, cause: string): Status {
  const s = tooManyRequests(VIOLATION, retryAfterSeconds);
  const details = { ...s.details, causes: [{ reason: 'DisruptionBudget', message: cause }] };
  if (!retryAfterSeconds) delete details.retryAfterSeconds; // Go omits a zero
  return { ...s, details };
}

const stillProcessing = (pdb: string): Status => budgetTooManyRequests(10, `The disruption budget ${pdb} is still being processed by the server.`);

const isReady = (p: Readonly<Pod>): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const isFinished = (p: Readonly<Pod>): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** canIgnorePDB: the disruption already happened, or the pod never ran. */
function costsNoBudget(p: Readonly<Pod>): boolean {
  return isFinished(p) || p.status?.phase === 'Pending' || !!p.metadata.deletionTimestamp;
}

function withRevision(req: DeleteRequest, pod: Readonly<Pod>): DeleteRequest {
  return { ...req, preconditions: { ...(req.preconditions ?? {}), resourceVersion: pod.metadata.resourceVersion } };
}

const hasRevision = (req: DeleteRequest): boolean => !!req.preconditions?.resourceVersion;

function budgetsOf(ctx: ServerContext, pod: Readonly<Pod>): PodDisruptionBudget[] {
  const bucket = bucketOfDef(podDisruptionBudgets);
  const prefix = `${bucket}${pod.metadata.namespace}/`;
  return (ctx.cache.list(bucket, prefix) as PodDisruptionBudget[]).filter((b) => budgetCovers(b, pod));
}

export async function evictPod(ctx: ServerContext, def: ResourceDef, namespace: string | undefined, name: string, req: DeleteRequest): Promise<Outcome<Status>> {
  // A pod that costs no budget: deleted, retried while other writers move it (unless the caller pinned a version).
  let pod: Pod | undefined;
  for (let attempt = 0; ; attempt++) {
    pod = ctx.cache.get(keyOf(def, namespace, name)) as Pod | undefined;
    if (!pod) return notFound(gr(def), name);
    if (!costsNoBudget(pod)) break;
    const pinned = !isFinished(pod) && !pod.metadata.deletionTimestamp && !hasRevision(req);
    const r = await deleteObject(ctx, def, namespace, name, pinned ? withRevision(req, pod) : req);
    if (!failed(r)) return successStatus(201);
    if (r.reason !== 'Conflict' || hasRevision(req) || attempt + 1 >= DELETE_ATTEMPTS) return r;
  }

  const budgets = budgetsOf(ctx, pod);
  if (budgets.length > 1) {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' };
  }
  let pinToRevision = false;
  const budget = budgets[0];
  if (budget) {
    const s = budget.status;
    const alwaysAllow = budget.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow';
    if (!isReady(pod) && (alwaysAllow || (s !== undefined && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0))) {
      pinToRevision = true; // an unhealthy pod: no budget spent, but only while it stays unhealthy
    } else {
      const spent = await spendDisruption(ctx, budget, pod.metadata.name!, req.dryRun === true);
      if (spent) return spent;
    }
  }

  const r = await deleteObject(ctx, def, namespace, name, pinToRevision && !hasRevision(req) ? withRevision(req, pod) : req);
  if (failed(r)) {
    // The pod changed after it was judged unhealthy (it may be Ready now): the client should ask again.
    if (r.reason === 'Conflict' && pinToRevision && !hasRevision(req)) return stillProcessing(budget!.metadata.name!);
    return r;
  }
  return successStatus(201);
}

/** checkAndDecrement as a compare-and-swap on the budget's status; a Status when the eviction must not happen. */
async function spendDisruption(ctx: ServerContext, budget: PodDisruptionBudget, podName: string, dryRun: boolean): Promise<Status | undefined> {
  const pdbName = budget.metadata.name!;
  const now = timestamp(ctx.now());
  const r = await guaranteedUpdate(
    ctx,
    podDisruptionBudgets,
    budget.metadata.namespace,
    pdbName,
    (cur: KubeObject): Outcome<KubeObject> => {
      const pdb = cur as PodDisruptionBudget;
      const status = pdb.status;
      if (!status || (status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) return stillProcessing(pdbName);
      if (status.disruptionsAllowed < 0) return forbidden({ group: 'policy', resource: 'poddisruptionbudget' }, pdbName, 'pdb disruptions allowed is negative');
      if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
        return forbidden({ group: 'policy', resource: 'poddisruptionbudget' }, pdbName, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
      }
      if (status.disruptionsAllowed === 0) return budgetTooManyRequests(0, `The disruption budget ${pdbName} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`);
      const next = { ...status, disruptionsAllowed: status.disruptionsAllowed - 1, disruptedPods: { ...(status.disruptedPods ?? {}), [podName]: now } };
      if (next.disruptionsAllowed === 0) setDisruptionAllowed(next, now);
      return { ...pdb, status: next } as KubeObject;
    },
    // A dry run checks and computes, but writes nothing (guaranteedUpdate returns before the store).
    { subresource: 'status', dryRun },
  );
  return failed(r) ? r : undefined;
}
