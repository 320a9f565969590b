/**
 * The DaemonSet's RollingUpdate steps, as Kubernetes' daemon/update.go, as
 * pure functions of the DaemonSet, the nodes, the pods by node, the current
 * template hash and the time:
 *
 * - maxSurge 0 (`unavailableStep`): old pods to delete now, so that at most
 *   maxUnavailable (rounded up over desiredNumberScheduled; at least 1)
 *   nodes lack an available pod; unavailable old pods go at once;
 * - maxSurge > 0 (`surgeStep`): nodes where a new pod starts beside the
 *   old one, at most maxSurge at a time (at once where the old pod is
 *   unavailable), and old pods whose new pod is available;
 * - `extraPods`: of several running pods on one node, the ones to delete.
 */
import type { DaemonSet } from '../../lib/api/types/apps.js';
import type { Node } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { REVISION_HASH_LABEL, nodeShouldRunDaemonPod } from './daemonset-util.js';
import { scaledValue } from './deployment-util.js';
import { byCreation } from './objects.js';
import { isPodAvailable, isPodReady } from './pods.js';

export interface UpdateStep {
  /** Nodes to create a pod on. */
  readonly create: string[];
  readonly delete: Readonly<Pod>[];
}

export type PodsByNode = ReadonlyMap<string, readonly Readonly<Pod>[]>;

/** Running pods first, then oldest first (Kubernetes' podByCreationTimestampAndPhase). */
export function byPhaseThenAge(a: Readonly<Pod>, b: Readonly<Pod>): number {
  return Number(b.status?.phase === 'Running') - Number(a.status?.phase === 'Running') || byCreation(a, b);
}

const isRollingUpdate = (ds: Readonly<DaemonSet>): boolean => (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** Nodes that should run the pod. */
export function desiredCount(ds: Readonly<DaemonSet>, allNodes: readonly Readonly<Node>[]): number {
  return allNodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).length;
}

/** maxSurge over `desired` nodes (percentages round up); 0 unless RollingUpdate. */
export function maxSurgeOf(ds: Readonly<DaemonSet>, desired: number): number {
  if (!isRollingUpdate(ds)) return 0;
  const surge = ds.spec?.updateStrategy?.rollingUpdate?.maxSurge;
  if (surge === undefined || surge === null) return 0;
  return scaledValue(surge, desired, true);
}

/** Allows surge at all (any non-zero maxSurge), whatever the node count. */
export function allowsSurge(ds: Readonly<DaemonSet>): boolean {
  return maxSurgeOf(ds, 1) > 0;
}

function split(pods: readonly Readonly<Pod>[], hash: string): { fresh: Readonly<Pod>[]; old: Readonly<Pod>[] } {
  const live = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed');
  return {
    fresh: live.filter((p) => p.metadata.labels?.[REVISION_HASH_LABEL] === hash),
    old: live.filter((p) => p.metadata.labels?.[REVISION_HASH_LABEL] !== hash),
  };
}

/**
 * Of several running pods on one node, the ones to delete: all but the
 * oldest (maxSurge 0); with maxSurge, all but the oldest new and the oldest
 * old pod, and that old one too once the new one is available (or the old
 * one is not ready anyway).
 */
export function extraPods(ds: Readonly<DaemonSet>, running: readonly Readonly<Pod>[], hash: string, now: number): Readonly<Pod>[] {
  const sorted = [...running].sort(byPhaseThenAge);
  if (!allowsSurge(ds)) return sorted.slice(1);
  const out: Readonly<Pod>[] = [];
  let newest: Readonly<Pod> | undefined;
  let oldest: Readonly<Pod> | undefined;
  for (const p of sorted) {
    const fresh = p.metadata.labels?.[REVISION_HASH_LABEL] === hash;
    if (fresh && !newest) newest = p;
    else if (!fresh && !oldest) oldest = p;
    else out.push(p);
  }
  if (newest && oldest && (!isPodReady(oldest) || isPodAvailable(newest, ds.spec?.minReadySeconds ?? 0, now))) out.push(oldest);
  return out;
}

/** maxSurge > 0: start new pods beside old ones, delete old ones whose new pod is available. */
export function surgeStep(ds: Readonly<DaemonSet>, allNodes: readonly Readonly<Node>[], byNode: PodsByNode, hash: string, now: number): UpdateStep {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const maxSurge = maxSurgeOf(ds, desiredCount(ds, allNodes));
  let surging = 0;
  const urgent: string[] = [];
  const candidates: string[] = [];
  const del: Readonly<Pod>[] = [];
  for (const node of allNodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    const name = node.metadata.name!;
    const { fresh, old } = split(byNode.get(name) ?? [], hash);
    if (fresh.length > 1 || old.length !== 1) continue; // manage sorts these out
    if (fresh.length === 0) {
      if (!isPodAvailable(old[0]!, minReady, now)) urgent.push(name);
      else candidates.push(name);
    } else if (isPodAvailable(fresh[0]!, minReady, now)) del.push(old[0]!);
    else surging++;
  }
  return { create: [...urgent, ...candidates.slice(0, Math.max(0, maxSurge - surging))], delete: del };
}

/** maxSurge 0: old pods to delete now, within maxUnavailable. */
export function unavailableStep(ds: Readonly<DaemonSet>, allNodes: readonly Readonly<Node>[], byNode: PodsByNode, hash: string, now: number): UpdateStep {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const desired = desiredCount(ds, allNodes);
  let maxUnavailable = scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true);
  if (maxUnavailable === 0) maxUnavailable = 1;
  let unavailable = 0;
  const unavailableOld: Readonly<Pod>[] = [];
  const candidates: Readonly<Pod>[] = [];
  for (const node of allNodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    const { fresh, old } = split(byNode.get(node.metadata.name!) ?? [], hash);
    if (fresh.length > 1 || old.length > 1 || fresh.length === old.length) {
      unavailable++;
      continue;
    }
    if (fresh.length === 1) {
      if (!isPodAvailable(fresh[0]!, minReady, now)) unavailable++;
      continue;
    }
    const p = old[0]!;
    if (!isPodAvailable(p, minReady, now)) unavailableOld.push(p);
    else if (unavailable < maxUnavailable) candidates.push(p);
  }
  const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
  return { create: [], delete: [...unavailableOld, ...candidates.slice(0, room)] };
}
