// Workload defaulting (k8s.io/kubernetes/pkg/apis/apps/v1 and batch/v1
// defaults.go): replicas 1; Deployments roll 25%/25% with 10 old
// ReplicaSets kept and a 600 s progress deadline; DaemonSets roll one node
// at a time (maxUnavailable 1, maxSurge 0); Jobs run once (completions and
// parallelism 1 when both are unset), retry 6 times, are NonIndexed and
// not suspended. Pod templates get the PodSpec defaults (not the Pod-only
// ones). A Job's template restartPolicy is left to the user: the PodSpec
// default "Always" is then rejected by Job validation, as in Kubernetes.

import type { DaemonSet, Deployment, ReplicaSet } from '../types/apps.js';
import type { Job } from '../types/cluster.js';
import type { PodTemplateSpec } from '../types/pod.js';
import { clone, ensure } from './clone.js';
import { defaultPodSpecInPlace } from './pod.js';

/** Go's math.MaxInt32: a Job's backoffLimit when backoffLimitPerIndex is set. */
const MAX_INT32 = 2147483647;

function defaultTemplate(t: PodTemplateSpec | undefined): void {
  if (t?.spec) defaultPodSpecInPlace(t.spec);
}

export function defaultDeployment(d: Deployment): Deployment {
  const out = clone(d);
  const spec = ensure(out, 'spec');
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  const strategy = ensure(spec, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ensure(strategy, 'rollingUpdate');
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  defaultTemplate(spec.template);
  return out;
}

export function defaultReplicaSet(rs: ReplicaSet): ReplicaSet {
  const out = clone(rs);
  const spec = ensure(out, 'spec');
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  defaultTemplate(spec.template);
  return out;
}

export function defaultDaemonSet(ds: DaemonSet): DaemonSet {
  const out = clone(ds);
  const spec = ensure(out, 'spec');
  const strategy = ensure(spec, 'updateStrategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ensure(strategy, 'rollingUpdate');
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = 1;
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  defaultTemplate(spec.template);
  return out;
}

export function defaultJob(job: Job): Job {
  const out = clone(job);
  const spec = ensure(out, 'spec');
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism === undefined) spec.parallelism = 1;
  if (spec.backoffLimit === undefined) spec.backoffLimit = spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  // A Job without labels takes its template's labels.
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels && Object.keys(out.metadata.labels ?? {}).length === 0) out.metadata.labels = { ...templateLabels };
  if (!spec.completionMode) spec.completionMode = 'NonIndexed';
  if (spec.suspend === undefined) spec.suspend = false;
  // JobPodReplacementPolicy (beta, on by default since 1.29): Failed is the only value allowed with a podFailurePolicy.
  if (!spec.podReplacementPolicy) spec.podReplacementPolicy = spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const c of rule.onPodConditions ?? []) if (!c.status) c.status = 'True';
  }
  defaultTemplate(spec.template);
  return out;
}
