/**
 * Pod predicates and the ReplicaSet's deletion order, as Kubernetes'
 * podutil and controller_utils: a pod is active until it is terminating or
 * finished; available once Ready for minReadySeconds; and pods to delete
 * are ranked unassigned < assigned, Pending < Unknown < Running, not ready
 * < ready, more pods of the same owner on its node first, ready more
 * recently first, more container restarts first, newer first.
 */
import type { Pod } from '../../lib/api/types/pod.js';
import { parseTime } from './objects.js';

export function isPodActive(p: Readonly<Pod>): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata.deletionTimestamp;
}

function readyCondition(p: Readonly<Pod>) {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(p: Readonly<Pod>): boolean {
  return readyCondition(p)?.status === 'True';
}

/** Ready for at least minReadySeconds at `now` (ms). */
export function isPodAvailable(p: Readonly<Pod>, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(p);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = parseTime(c.lastTransitionTime);
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(p: Readonly<Pod>): number {
  return (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

/**
 * Sorts `pods` so the ones to delete first come first. `related` are the
 * owner's active pods, used for the "doubled up on a node" rank.
 */
export function rankForDeletion(pods: readonly Readonly<Pod>[], related: readonly Readonly<Pod>[]): Readonly<Pod>[] {
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const rank = (p: Readonly<Pod>): number => onNode.get(p.spec?.nodeName ?? '') ?? 0;
  return [...pods].sort((a, b) => {
    const na = a.spec?.nodeName ?? '';
    const nb = b.spec?.nodeName ?? '';
    if (na !== nb && (!na || !nb)) return !na ? -1 : 1;
    const pa = PHASE_ORDER[a.status?.phase ?? ''] ?? 0;
    const pb = PHASE_ORDER[b.status?.phase ?? ''] ?? 0;
    if (pa !== pb) return pa - pb;
    const ra = isPodReady(a);
    const rb = isPodReady(b);
    if (ra !== rb) return ra ? 1 : -1;
    const ca = Number(a.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;
    const cb = Number(b.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;
    if (ca !== cb) return ca - cb;
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (ra && rb) {
      const ta = parseTime(readyCondition(a)?.lastTransitionTime) || 0;
      const tb = parseTime(readyCondition(b)?.lastTransitionTime) || 0;
      if (ta !== tb) return tb - ta;
    }
    if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
    const ka = parseTime(a.metadata.creationTimestamp) || 0;
    const kb = parseTime(b.metadata.creationTimestamp) || 0;
    if (ka !== kb) return kb - ka;
    return 0;
  });
}
