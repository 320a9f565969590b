/**
 * DaemonSet placement, as Kubernetes' pkg/controller/daemon/util and
 * NodeShouldRunDaemonPod:
 *
 * - a daemon pod gets the automatic tolerations (not-ready and unreachable
 *   NoExecute without tolerationSeconds; disk-, memory-, pid-pressure and
 *   unschedulable NoSchedule; network-unavailable NoSchedule for
 *   hostNetwork pods);
 * - it is placed by the default scheduler: its required node affinity is
 *   replaced with one term `metadata.name In [node]` (matchFields), as
 *   Kubernetes has done since 1.12;
 * - a node should run the pod when the template's nodeName (if any),
 *   nodeSelector and required node affinity match it and the pod tolerates
 *   its NoSchedule and NoExecute taints; a pod already there may stay
 *   unless an untolerated NoExecute taint forbids it.
 */
import { nodeSelectorTermMatches, tolerated } from '../../lib/api/scheduling.js';
import type { DaemonSet } from '../../lib/api/types/apps.js';
import type { Node } from '../../lib/api/types/core.js';
import type { Affinity, Pod, PodSpec, Toleration } from '../../lib/api/types/pod.js';

export const DS_GVK = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** Deprecated in Kubernetes but still set on daemon pods. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

const AUTO_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
const NETWORK_UNAVAILABLE: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

/** The template's tolerations plus the automatic ones (one with the same key and effect is replaced). */
export function daemonTolerations(spec: Readonly<PodSpec>): Toleration[] {
  const auto = spec.hostNetwork ? [...AUTO_TOLERATIONS, NETWORK_UNAVAILABLE] : AUTO_TOLERATIONS;
  const out = (spec.tolerations ?? []).filter((t) => !auto.some((a) => a.key === t.key && a.effect === t.effect));
  return [...out, ...auto.map((a) => ({ ...a }))];
}

/** The affinity with its required node terms replaced by `metadata.name In [node]`. */
export function withNodeNameAffinity(affinity: Readonly<Affinity> | undefined, node: string): Affinity {
  const out: Affinity = structuredClone(affinity ?? {}) as Affinity;
  const na = (out.nodeAffinity ??= {});
  na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] };
  return out;
}

/** The node a daemon pod is for: its nodeName once bound, else the node its affinity names. */
export function targetNode(p: Readonly<Pod>): string | undefined {
  if (p.spec?.nodeName) return p.spec.nodeName;
  for (const term of p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

export interface Placement {
  /** A daemon pod should be created here. */
  readonly shouldRun: boolean;
  /** A daemon pod already here may stay. */
  readonly shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(node: Readonly<Node>, ds: Readonly<DaemonSet>): Placement {
  const spec = ds.spec?.template?.spec;
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (!spec) return no;
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return no;
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return no;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && !terms.some((t) => nodeSelectorTermMatches(t, node.metadata.labels ?? {}, node.metadata.name ?? ''))) return no;
  const tolerations = daemonTolerations(spec);
  let schedulable = true;
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (tolerated(tolerations, taint)) continue;
    if (taint.effect === 'NoExecute') return no;
    schedulable = false;
  }
  return { shouldRun: schedulable, shouldContinueRunning: true };
}
