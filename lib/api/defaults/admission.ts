// The mutating admission plugins a default kube-apiserver runs on pod
// creation, whose effect users see in `kubectl get pod -o yaml`:
// - DefaultTolerationSeconds: tolerate node.kubernetes.io/not-ready and
//   /unreachable NoExecute taints for 300 s, unless the pod already
//   tolerates them (a toleration with that key or no key, and effect
//   NoExecute or no effect, counts);
// - Priority: resolve spec.priority (and preemptionPolicy) from the
//   PriorityClass named by priorityClassName, else the global default
//   class, else priority 0 / PreemptLowerPriority;
// - ServiceAccount: serviceAccountName "default" when unset (the token
//   volume it also mounts in Kubernetes is not simulated).
// These run after defaulting and need cluster state (priority classes), so
// they are separate from the pure per-kind defaulters.

import type { PriorityClass } from '../types/cluster.js';
import type { Pod, Toleration } from '../types/pod.js';
import { clone, ensure } from './clone.js';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;
/** scheduling.DefaultPriorityWhenNoDefaultClassExists. */
export const DEFAULT_PRIORITY = 0;

function tolerates(tolerations: readonly Toleration[], key: string): boolean {
  for (const t of tolerations) if ((t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect)) return true;
  return false;
}

/** In place: the DefaultTolerationSeconds admission plugin. */
export function addDefaultTolerationsInPlace(pod: Pod, seconds = DEFAULT_TOLERATION_SECONDS): void {
  const spec = ensure(pod, 'spec');
  const list = spec.tolerations ?? [];
  const add: Toleration[] = [];
  if (!tolerates(list, TAINT_NODE_NOT_READY)) add.push({ key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  if (!tolerates(list, TAINT_NODE_UNREACHABLE)) add.push({ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  if (add.length > 0) spec.tolerations = [...list, ...add];
}

export type PriorityAdmission = { ok: true; pod: Pod } | { ok: false; message: string };

/**
 * The Priority admission plugin. A named class that does not exist is an
 * error, and so is a pod whose spec.priority or spec.preemptionPolicy
 * disagrees with its class; Kubernetes answers all three with 403 Forbidden
 * and these messages.
 */
export function admitPodPriority(pod: Pod, classes: readonly PriorityClass[]): PriorityAdmission {
  return admitPodPriorityOwned(clone(pod), classes);
}

/** admitPodPriority on a pod the caller owns: sets priority in place (the pod is garbage when refused). */
export function admitPodPriorityOwned(pod: Pod, classes: readonly PriorityClass[]): PriorityAdmission {
  const out = pod;
  const spec = ensure(out, 'spec');
  let value = DEFAULT_PRIORITY;
  let policy: 'PreemptLowerPriority' | 'Never' = 'PreemptLowerPriority';
  if (spec.priorityClassName) {
    const pc = classes.find((c) => c.metadata.name === spec.priorityClassName);
    if (!pc) return { ok: false, message: `no PriorityClass with name ${spec.priorityClassName} was found` };
    value = pc.value;
    policy = pc.preemptionPolicy ?? 'PreemptLowerPriority';
  } else {
    // Kubernetes picks the lowest-valued global default if several exist (the first of equals: a stable sort's).
    let global: PriorityClass | undefined;
    for (const c of classes) if (c.globalDefault && (global === undefined || c.value < global.value)) global = c;
    if (global) {
      spec.priorityClassName = global.metadata.name!;
      value = global.value;
      policy = global.preemptionPolicy ?? 'PreemptLowerPriority';
    }
  }
  if (spec.priority !== undefined && spec.priority !== value) {
    return { ok: false, message: `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name` };
  }
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== policy) {
    return {
      ok: false,
      message: `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
    };
  }
  spec.priority = value;
  spec.preemptionPolicy = policy;
  return { ok: true, pod: out };
}

/**
 * Everything admission adds to a new pod that needs no cluster state:
 * default tolerations and the default service account. Pure.
 */
export function admitPod(pod: Pod): Pod {
  return admitPodOwned(clone(pod));
}

/** admitPod on a pod the caller owns, in place; returns it. */
export function admitPodOwned(pod: Pod): Pod {
  const out = pod;
  const spec = ensure(out, 'spec');
  if (!spec.serviceAccountName) spec.serviceAccountName = 'default';
  addDefaultTolerationsInPlace(out);
  return out;
}
