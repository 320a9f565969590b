// apps/v1 Deployment, ReplicaSet, DaemonSet; batch/v1 Job;
// coordination.k8s.io/v1 Lease; scheduling.k8s.io/v1 PriorityClass;
// autoscaling/v1 Scale (the body of /scale).

import { INT_OR_STRING, NS, bool, int32, int64, kindType, listOf, oneOf, optRef, ref, req, str, type, type TypeDef } from './dsl.js';

const A = NS.apps;
const B = NS.batch;
const C = NS.core;
const M = NS.meta;
const apps = (kind: string) => ({ group: 'apps', version: 'v1', kind });
const SELECTOR = 'Label selector for the pods; must match the template\'s labels. Immutable in apps/v1.';
const TEMPLATE = 'The pods to create.';

function workloadCondition(name: string, what: string): TypeDef {
  return type(name, `One condition of a ${what}.`, {
    lastTransitionTime: ref(`${M}Time`, 'When the status last changed.', { nullable: true }),
    lastUpdateTime: ref(`${M}Time`, 'When the condition was last updated.', { nullable: true }),
    message: str('Details.'),
    reason: str('A short CamelCase reason.'),
    status: req(str('True, False or Unknown.')),
    type: req(str('The condition type.')),
  });
}

export const APPS_TYPES: readonly TypeDef[] = [
  kindType(`${A}Deployment`, apps('Deployment'), 'Declarative updates for pods: a Deployment keeps ReplicaSets at the desired template and replica count, rolling between versions.', {
    spec: ref(`${A}DeploymentSpec`, 'The desired state.'),
    status: ref(`${A}DeploymentStatus`, 'The observed state. Read-only for users.'),
  }),
  type(`${A}DeploymentSpec`, 'The desired state of a Deployment.', {
    minReadySeconds: int32('Seconds a new pod must be ready before it counts as available. Default 0.'),
    paused: bool('Pause rollouts.'),
    progressDeadlineSeconds: int32('Seconds a rollout may make no progress before it is reported as failed. Default 600.'),
    replicas: int32('Number of pods wanted. Default 1.'),
    revisionHistoryLimit: int32('Old ReplicaSets kept for rollback. Default 10.'),
    selector: req(ref(`${M}LabelSelector`, SELECTOR, { nullable: true })),
    strategy: ref(`${A}DeploymentStrategy`, 'How old pods are replaced by new ones.'),
    template: req(ref(`${C}PodTemplateSpec`, TEMPLATE)),
  }),
  type(`${A}DeploymentStrategy`, 'How a Deployment replaces pods.', {
    rollingUpdate: optRef(`${A}RollingUpdateDeployment`, 'Parameters of a rolling update.'),
    type: oneOf(['Recreate', 'RollingUpdate'], 'Recreate (all old pods go first) or RollingUpdate. Default RollingUpdate.'),
  }),
  type(`${A}RollingUpdateDeployment`, 'Parameters of a rolling update.', {
    maxSurge: ref(INT_OR_STRING, 'Pods allowed above the desired count during the update: a number or a percentage. Default 25%.', { nullable: true }),
    maxUnavailable: ref(INT_OR_STRING, 'Pods that may be unavailable during the update: a number or a percentage. Default 25%.', { nullable: true }),
  }),
  type(`${A}DeploymentStatus`, 'The observed state of a Deployment.', {
    availableReplicas: int32('Pods available (ready for minReadySeconds).'),
    collisionCount: int32('Template hash collisions seen; used to name ReplicaSets.'),
    conditions: listOf(ref(`${A}DeploymentCondition`), 'Available, Progressing, ReplicaFailure.'),
    observedGeneration: int64('The generation the controller last acted on.'),
    readyReplicas: int32('Pods with a Ready condition.'),
    replicas: int32('Pods targeted by the Deployment.'),
    terminatingReplicas: int32('Pods of the Deployment that are terminating.'),
    unavailableReplicas: int32('Pods still needed for 100% availability.'),
    updatedReplicas: int32('Pods with the current template.'),
  }),
  workloadCondition(`${A}DeploymentCondition`, 'Deployment'),
  kindType(`${A}ReplicaSet`, apps('ReplicaSet'), 'Keeps a number of identical pods running. Usually managed by a Deployment.', {
    spec: ref(`${A}ReplicaSetSpec`, 'The desired state.'),
    status: ref(`${A}ReplicaSetStatus`, 'The observed state. Read-only for users.'),
  }),
  type(`${A}ReplicaSetSpec`, 'The desired state of a ReplicaSet.', {
    minReadySeconds: int32('Seconds a new pod must be ready before it counts as available. Default 0.'),
    replicas: int32('Number of pods wanted. Default 1.'),
    selector: req(ref(`${M}LabelSelector`, SELECTOR, { nullable: true })),
    template: ref(`${C}PodTemplateSpec`, TEMPLATE),
  }),
  type(`${A}ReplicaSetStatus`, 'The observed state of a ReplicaSet.', {
    availableReplicas: int32('Pods available.'),
    conditions: listOf(ref(`${A}ReplicaSetCondition`), 'Conditions of the ReplicaSet.'),
    fullyLabeledReplicas: int32('Pods whose labels match the template\'s.'),
    observedGeneration: int64('The generation the controller last acted on.'),
    readyReplicas: int32('Pods with a Ready condition.'),
    replicas: req(int32('Pods currently targeted.')),
    terminatingReplicas: int32('Pods of the ReplicaSet that are terminating.'),
  }),
  workloadCondition(`${A}ReplicaSetCondition`, 'ReplicaSet'),
  kindType(`${A}DaemonSet`, apps('DaemonSet'), 'Runs one copy of a pod on every (selected) node.', {
    spec: ref(`${A}DaemonSetSpec`, 'The desired state.'),
    status: ref(`${A}DaemonSetStatus`, 'The observed state. Read-only for users.'),
  }),
  type(`${A}DaemonSetSpec`, 'The desired state of a DaemonSet.', {
    minReadySeconds: int32('Seconds a new pod must be ready before it counts as available. Default 0.'),
    revisionHistoryLimit: int32('Old revisions kept for rollback. Default 10.'),
    selector: req(ref(`${M}LabelSelector`, SELECTOR, { nullable: true })),
    template: req(ref(`${C}PodTemplateSpec`, TEMPLATE)),
    updateStrategy: ref(`${A}DaemonSetUpdateStrategy`, 'How pods are replaced when the template changes.'),
  }),
  type(`${A}DaemonSetUpdateStrategy`, 'How a DaemonSet replaces pods.', {
    rollingUpdate: optRef(`${A}RollingUpdateDaemonSet`, 'Parameters of a rolling update.'),
    type: oneOf(['OnDelete', 'RollingUpdate'], 'OnDelete (replace only deleted pods) or RollingUpdate. Default RollingUpdate.'),
  }),
  type(`${A}RollingUpdateDaemonSet`, 'Parameters of a DaemonSet rolling update.', {
    maxSurge: ref(INT_OR_STRING, 'Nodes that may run an old and a new pod at once. Default 0.', { nullable: true }),
    maxUnavailable: ref(INT_OR_STRING, 'Nodes whose pod may be unavailable during the update. Default 1.', { nullable: true }),
  }),
  type(`${A}DaemonSetStatus`, 'The observed state of a DaemonSet.', {
    collisionCount: int32('Template hash collisions seen.'),
    conditions: listOf(ref(`${A}DaemonSetCondition`), 'Conditions of the DaemonSet.'),
    currentNumberScheduled: req(int32('Nodes running the pod that should.')),
    desiredNumberScheduled: req(int32('Nodes that should run the pod.')),
    numberAvailable: int32('Nodes with an available pod.'),
    numberMisscheduled: req(int32('Nodes running the pod that should not.')),
    numberReady: req(int32('Nodes with a ready pod.')),
    numberUnavailable: int32('Nodes without an available pod.'),
    observedGeneration: int64('The generation the controller last acted on.'),
    updatedNumberScheduled: int32('Nodes running the current template.'),
  }),
  workloadCondition(`${A}DaemonSetCondition`, 'DaemonSet'),
  kindType(`${NS.autoscaling}Scale`, { group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'The replica count of a scalable resource (the /scale subresource).', {
    spec: ref(`${NS.autoscaling}ScaleSpec`, 'The desired replica count.'),
    status: ref(`${NS.autoscaling}ScaleStatus`, 'The current replica count.'),
  }),
  type(`${NS.autoscaling}ScaleSpec`, 'The desired scale.', { replicas: int32('Desired number of replicas.') }),
  type(`${NS.autoscaling}ScaleStatus`, 'The current scale.', {
    replicas: req(int32('Current number of replicas.')),
    selector: str('The pods\' label selector, as a string.'),
  }),
];

export const OTHER_GROUP_TYPES: readonly TypeDef[] = [
  kindType(`${B}Job`, { group: 'batch', version: 'v1', kind: 'Job' }, 'Runs pods until a number of them succeed.', {
    spec: ref(`${B}JobSpec`, 'The desired behaviour.'),
    status: ref(`${B}JobStatus`, 'The observed state. Read-only for users.'),
  }),
  type(`${B}JobSpec`, 'How a Job runs its pods.', {
    activeDeadlineSeconds: int64('Seconds the Job may run before it is failed.'),
    backoffLimit: int32('Retries before the Job is failed. Default 6.'),
    backoffLimitPerIndex: int32('For Indexed Jobs: retries per index.'),
    completionMode: oneOf(['Indexed', 'NonIndexed'], 'NonIndexed (any pods) or Indexed (one per completion index). Default NonIndexed.'),
    completions: int32('Successful pods needed. Default 1 (when parallelism is also unset).'),
    managedBy: str('The controller that manages the Job; the built-in one when empty.'),
    manualSelector: bool('Use the given selector instead of generating one. Rarely needed.'),
    maxFailedIndexes: int32('For Indexed Jobs: failed indexes tolerated before the Job fails.'),
    parallelism: int32('Pods run at once. Default 1.'),
    podFailurePolicy: optRef(`${B}PodFailurePolicy`, 'How pod failures count against the backoff limit.'),
    podReplacementPolicy: oneOf(['Failed', 'TerminatingOrFailed'], 'When a replacement pod is created. Default TerminatingOrFailed.'),
    selector: optRef(`${M}LabelSelector`, 'The Job\'s pods; generated from the Job\'s uid unless manualSelector.'),
    successPolicy: optRef(`${B}SuccessPolicy`, 'When an Indexed Job counts as succeeded before all its indexes do.'),
    suspend: bool('Suspended Jobs create no pods and stop running ones. Default false.'),
    template: req(ref(`${C}PodTemplateSpec`, 'The pods to run; restartPolicy must be OnFailure or Never.')),
    ttlSecondsAfterFinished: int32('Seconds after finishing before the Job is deleted.'),
  }),
  type(`${B}PodFailurePolicy`, 'Rules deciding what a pod failure means for its Job.', {
    rules: req(listOf(ref(`${B}PodFailurePolicyRule`), 'Rules, evaluated in order; the first match decides.')),
  }),
  type(`${B}PodFailurePolicyRule`, 'One pod failure rule: conditions and an action.', {
    action: req(oneOf(['Count', 'FailIndex', 'FailJob', 'Ignore'], 'What a matching failure does.')),
    onExitCodes: optRef(`${B}PodFailurePolicyOnExitCodesRequirement`, 'Matches on container exit codes.'),
    onPodConditions: listOf(ref(`${B}PodFailurePolicyOnPodConditionsPattern`), 'Matches on pod conditions.'),
  }),
  type(`${B}PodFailurePolicyOnExitCodesRequirement`, 'Exit codes of a failed pod\'s containers.', {
    containerName: str('Only this container; all containers when empty.'),
    operator: req(oneOf(['In', 'NotIn'], 'Whether the exit code must be among the values or not.')),
    values: req(listOf(int32(), 'The exit codes.')),
  }),
  type(`${B}PodFailurePolicyOnPodConditionsPattern`, 'A condition of a failed pod.', {
    status: req(str('True, False or Unknown.')),
    type: req(str('The condition type, e.g. DisruptionTarget.')),
  }),
  type(`${B}SuccessPolicy`, 'Rules under which a Job succeeds early.', {
    rules: req(listOf(ref(`${B}SuccessPolicyRule`), 'Rules; the first that holds makes the Job succeed.')),
  }),
  type(`${B}SuccessPolicyRule`, 'One success rule of an Indexed Job.', {
    succeededCount: int32('How many of the indexes must succeed.'),
    succeededIndexes: str('Which indexes must succeed, e.g. "0,2-4".'),
  }),
  type(`${B}JobStatus`, 'The observed state of a Job.', {
    active: int32('Pods running.'),
    completedIndexes: str('Completed indexes of an Indexed Job, e.g. "1,3-5".'),
    completionTime: ref(`${M}Time`, 'When the Job completed.', { nullable: true }),
    conditions: listOf(ref(`${B}JobCondition`), 'Complete, Failed, Suspended, ...'),
    failed: int32('Pods that failed.'),
    failedIndexes: str('Failed indexes of an Indexed Job.'),
    ready: int32('Pods ready.'),
    startTime: ref(`${M}Time`, 'When the Job started.', { nullable: true }),
    succeeded: int32('Pods that succeeded.'),
    terminating: int32('Pods terminating.'),
    uncountedTerminatedPods: optRef(`${B}UncountedTerminatedPods`, 'Finished pods not yet counted in succeeded and failed.'),
  }),
  type(`${B}UncountedTerminatedPods`, 'UIDs of finished pods the Job controller has not counted yet.', {
    failed: listOf(str(undefined, { default: '' }), 'UIDs of failed pods.'),
    succeeded: listOf(str(undefined, { default: '' }), 'UIDs of succeeded pods.'),
  }),
  type(`${B}JobCondition`, 'One condition of a Job.', {
    lastProbeTime: ref(`${M}Time`, 'When the condition was last checked.', { nullable: true }),
    lastTransitionTime: ref(`${M}Time`, 'When the status last changed.', { nullable: true }),
    message: str('Details.'),
    reason: str('A short CamelCase reason.'),
    status: req(str('True, False or Unknown.')),
    type: req(str('The condition type.')),
  }),
  kindType(`${NS.coordination}Lease`, { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }, 'A lease: who holds it and until when. Kubelets renew one per node as a heartbeat.', {
    spec: ref(`${NS.coordination}LeaseSpec`, 'The lease\'s holder and times.'),
  }),
  type(`${NS.coordination}LeaseSpec`, 'The state of a lease.', {
    acquireTime: ref(`${M}MicroTime`, 'When the current holder acquired it.', { nullable: true }),
    holderIdentity: str('Who holds the lease.'),
    leaseDurationSeconds: int32('How long the lease lasts after each renewal.'),
    leaseTransitions: int32('How many times the lease changed holders.'),
    preferredHolder: str('A holder that should take the lease over.'),
    renewTime: ref(`${M}MicroTime`, 'When the holder last renewed it.', { nullable: true }),
    strategy: str('How the next holder is chosen.'),
  }),
  kindType(`${NS.scheduling}PriorityClass`, { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass' }, 'A named pod priority value.', {
    description: str('What the class is for.'),
    globalDefault: bool('Use this class for pods that name none. At most one class may set it.'),
    preemptionPolicy: oneOf(['Never', 'PreemptLowerPriority'], 'Whether pods of this class may preempt lower-priority pods. Default PreemptLowerPriority.'),
    value: req(int32('The priority; higher schedules first.')),
  }),
];

