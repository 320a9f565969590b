/**
 * The Deployment strategies and scaling, as Kubernetes' deployment
 * controller (rolling.go, recreate.go, sync.go): each step decides new
 * ReplicaSet sizes from spec.replicas, maxSurge, maxUnavailable and the
 * ReplicaSets' counts, and calls `scale`, which writes the ReplicaSet and
 * updates the in-memory copy so later steps of the same round see it.
 */
import type { Deployment, ReplicaSet } from '../../lib/api/types/apps.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { byCreation } from './objects.js';
import { active, availableReplicas, isRollingUpdate, maxSurge, maxUnavailable, MAX_REPLICAS, DESIRED_REPLICAS, replicasOf, specReplicas } from './deployment-util.js';

export type Scale = (rs: ReplicaSet, replicas: number) => Promise<boolean>;

/** NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newRSReplicas(d: Readonly<Deployment>, all: readonly Readonly<ReplicaSet>[], newRS: Readonly<ReplicaSet>): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = specReplicas(all);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  const up = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + up;
}

/** reconcileNewReplicaSet: scale the new ReplicaSet up within the surge (or down to spec.replicas). */
export async function reconcileNewRS(all: readonly ReplicaSet[], newRS: ReplicaSet, d: Readonly<Deployment>, scale: Scale): Promise<boolean> {
  const want = replicasOf(d);
  if (replicasOf(newRS) === want) return false;
  if (replicasOf(newRS) > want) return scale(newRS, want);
  return scale(newRS, newRSReplicas(d, all, newRS));
}

/** reconcileOldReplicaSets: scale old ReplicaSets down while keeping spec.replicas - maxUnavailable available. */
export async function reconcileOldRSs(all: readonly ReplicaSet[], old: ReplicaSet[], newRS: ReplicaSet, d: Readonly<Deployment>, scale: Scale): Promise<boolean> {
  if (specReplicas(old) === 0) return false;
  const allPods = specReplicas(all);
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthy(old, maxScaledDown, scale);
  const scaled = await scaleDownOldForRollingUpdate(all, old, d, scale);
  return cleaned + scaled > 0;
}

/** Scale down old ReplicaSets' unavailable pods first: they do not count toward availability. */
async function cleanupUnhealthy(old: ReplicaSet[], maxCleanup: number, scale: Scale): Promise<number> {
  let total = 0;
  for (const rs of [...old].sort(byCreation)) {
    if (total >= maxCleanup) break;
    const n = replicasOf(rs);
    const avail = rs.status?.availableReplicas ?? 0;
    if (n === 0 || n === avail) continue;
    const down = Math.min(maxCleanup - total, n - avail);
    await scale(rs, n - down);
    total += down;
  }
  return total;
}

async function scaleDownOldForRollingUpdate(all: readonly ReplicaSet[], old: ReplicaSet[], d: Readonly<Deployment>, scale: Scale): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const avail = availableReplicas(all);
  if (avail <= minAvailable) return 0;
  const target = avail - minAvailable;
  let total = 0;
  for (const rs of [...old].sort(byCreation)) {
    if (total >= target) break;
    const n = replicasOf(rs);
    if (n === 0) continue;
    const down = Math.min(n, target - total);
    await scale(rs, n - down);
    total += down;
  }
  return total;
}

/** Recreate: are pods of old ReplicaSets still around (anything not Succeeded or Failed)? */
export function oldPodsRunning(newRS: Readonly<ReplicaSet> | undefined, old: readonly Readonly<ReplicaSet>[], podsByOwner: ReadonlyMap<string, readonly Readonly<Pod>[]>): boolean {
  if (old.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0) > 0) return true;
  for (const [uid, ps] of podsByOwner) {
    if (newRS && uid === newRS.metadata.uid) continue;
    if (ps.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

/** The only active ReplicaSet, or the newest when none is active (FindActiveOrLatest). */
function activeOrLatest(newRS: Readonly<ReplicaSet> | undefined, old: readonly ReplicaSet[]): ReplicaSet | undefined {
  const all = [...old, ...(newRS ? [newRS as ReplicaSet] : [])];
  if (all.length === 0) return undefined;
  const act = active(all) as ReplicaSet[];
  if (act.length === 0) return newRS ? (newRS as ReplicaSet) : [...old].sort(byCreation).at(-1);
  return act.length === 1 ? act[0] : undefined;
}

/**
 * `scale` of sync.go: the Deployment's replicas changed. One active
 * ReplicaSet takes the new size; a saturated new one means old ones go to
 * zero; otherwise (a rolling update in flight) the difference is spread
 * over the active ReplicaSets in proportion to their size, the rounding
 * leftover going to the largest.
 */
export async function scaleDeployment(d: Readonly<Deployment>, newRS: ReplicaSet | undefined, old: ReplicaSet[], scale: Scale): Promise<void> {
  const single = activeOrLatest(newRS, old);
  if (single) {
    if (replicasOf(single) !== replicasOf(d)) await scale(single, replicasOf(d));
    return;
  }
  if (newRS && replicasOf(newRS) === replicasOf(d) && (newRS.status?.availableReplicas ?? 0) === replicasOf(d)) {
    for (const rs of active(old) as ReplicaSet[]) await scale(rs, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = active([...old, ...(newRS ? [newRS] : [])]) as ReplicaSet[];
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  if (toAdd > 0) all.sort((a, b) => replicasOf(b) - replicasOf(a) || -byCreation(a, b));
  else all.sort((a, b) => replicasOf(b) - replicasOf(a) || byCreation(a, b));
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of all) {
    let p = 0;
    if (toAdd !== 0 && replicasOf(rs) !== 0 && toAdd !== added) {
      const frac = fraction(rs, d);
      const allowedLeft = toAdd - added;
      p = toAdd > 0 ? Math.min(frac, allowedLeft) : Math.max(frac, allowedLeft);
    }
    sizes.set(rs, replicasOf(rs) + p);
    added += p;
  }
  if (toAdd !== 0 && all.length > 0) sizes.set(all[0]!, Math.max(0, sizes.get(all[0]!)! + toAdd - added));
  for (const rs of all) await scale(rs, sizes.get(rs)!);
}

/** getReplicaSetFraction: this ReplicaSet's share of the new size, from its max-replicas annotation. */
function fraction(rs: Readonly<ReplicaSet>, d: Readonly<Deployment>): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS]);
  const base = Number.isFinite(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0);
  if (base === 0) return 0;
  return Math.round((replicasOf(rs) * deploymentReplicas) / base) - replicasOf(rs);
}

/** isScalingEvent: an active ReplicaSet's desired-replicas annotation differs from spec.replicas. */
export function isScalingEvent(d: Readonly<Deployment>, all: readonly Readonly<ReplicaSet>[]): boolean {
  for (const rs of active(all)) {
    const v = rs.metadata.annotations?.[DESIRED_REPLICAS];
    if (v === undefined) continue;
    if (Number(v) !== replicasOf(d)) return true;
  }
  return false;
}
