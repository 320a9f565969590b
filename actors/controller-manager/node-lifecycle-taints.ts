/**
 * The taints the node lifecycle controller owns, and what a node's
 * conditions say they should be (Kubernetes' nodeConditionToTaintKeyStatusMap
 * and the NoExecute templates):
 *
 * - NoSchedule, added and removed at once (TaintNodesByCondition):
 *   not-ready (Ready=False), unreachable (Ready=Unknown; a node that never
 *   posted Ready gets it once the startup grace period made it Unknown),
 *   memory-, disk-, pid-pressure and network-unavailable (condition True),
 *   unschedulable (spec.unschedulable);
 * - NoExecute not-ready / unreachable, added through the zone's rate limit
 *   (node-lifecycle.ts) and removed at once when the node is Ready again.
 *
 * Taints keep the timeAdded they were added with.
 */
import { toleratesTaint } from '../../lib/api/scheduling.js';
import type { Node, NodeCondition, Taint } from '../../lib/api/types/core.js';
import type { Pod, Toleration } from '../../lib/api/types/pod.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from '../../lib/api/defaults/admission.js';
import { timestamp } from './objects.js';

export { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE };
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

const CONDITION_TAINTS: readonly { type: string; status: string; key: string }[] = [
  { type: 'Ready', status: 'False', key: TAINT_NODE_NOT_READY },
  { type: 'Ready', status: 'Unknown', key: TAINT_NODE_UNREACHABLE },
  { type: 'MemoryPressure', status: 'True', key: TAINT_MEMORY_PRESSURE },
  { type: 'DiskPressure', status: 'True', key: TAINT_DISK_PRESSURE },
  { type: 'PIDPressure', status: 'True', key: TAINT_PID_PRESSURE },
  { type: 'NetworkUnavailable', status: 'True', key: TAINT_NETWORK_UNAVAILABLE },
];

/** Every NoSchedule taint key this controller manages. */
const NO_SCHEDULE_KEYS = new Set([...CONDITION_TAINTS.map((c) => c.key), TAINT_UNSCHEDULABLE]);
const NO_EXECUTE_KEYS = new Set([TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]);

export function condition(node: Readonly<Node>, type: string): Readonly<NodeCondition> | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

/** The NoSchedule keys `node`'s conditions and spec call for. */
export function wantedNoScheduleKeys(node: Readonly<Node>): Set<string> {
  const out = new Set<string>();
  for (const c of node.status?.conditions ?? []) {
    for (const m of CONDITION_TAINTS) if (m.type === c.type && m.status === c.status) out.add(m.key);
  }
  if (node.spec?.unschedulable) out.add(TAINT_UNSCHEDULABLE);
  return out;
}

/** The node's taints with the managed NoSchedule ones brought in line with `wanted`; undefined when nothing changes. */
export function reconcileNoSchedule(node: Readonly<Node>, wanted: ReadonlySet<string>, now: number): Taint[] | undefined {
  const taints = node.spec?.taints ?? [];
  const have = new Set(taints.filter((t) => t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key)).map((t) => t.key));
  const add = [...wanted].filter((k) => !have.has(k)).sort();
  const drop = [...have].filter((k) => !wanted.has(k));
  if (add.length === 0 && drop.length === 0) return undefined;
  const kept = taints.filter((t) => !(t.effect === 'NoSchedule' && drop.includes(t.key)));
  return [...kept.map((t) => ({ ...t })), ...add.map((key) => ({ key, effect: 'NoSchedule' as const, timeAdded: timestamp(now) }))];
}

export function hasNoExecute(node: Readonly<Node>, key: string): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === 'NoExecute');
}

/** Taints with `add` (a NoExecute key) put on and every other managed NoExecute taint off; undefined when nothing changes. */
export function swapNoExecute(node: Readonly<Node>, add: string | undefined, now: number): Taint[] | undefined {
  const taints = node.spec?.taints ?? [];
  const isManaged = (t: Taint): boolean => t.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key);
  const present = taints.some((t) => isManaged(t) && t.key === add);
  const stale = taints.some((t) => isManaged(t) && t.key !== add);
  if ((add === undefined || present) && !stale) return undefined;
  const kept = taints.filter((t) => !isManaged(t) || t.key === add).map((t) => ({ ...t }));
  if (add && !present) kept.push({ key: add, effect: 'NoExecute', timeAdded: timestamp(now) });
  return kept;
}


/**
 * How long `pod` may stay on a node with these NoExecute `taints`
 * (the taint manager's GetMatchingTolerations + getMinTolerationTime):
 * 0 for at once (a taint not tolerated, or tolerationSeconds <= 0), the
 * least tolerationSeconds among the matching tolerations, or Infinity
 * when none of them has a limit.
 */
export function tolerationMs(pod: Readonly<Pod>, taints: readonly Taint[]): number {
  if (taints.length === 0) return Infinity;
  const tolerations = pod.spec?.tolerations ?? [];
  const used: Toleration[] = [];
  for (const taint of taints) {
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return 0;
    used.push(...matching);
  }
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds * 1000);
  }
  return min;
}

export function noExecuteTaints(node: Readonly<Node> | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}
