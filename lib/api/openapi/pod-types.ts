// core/v1 Pod, its status, PodTemplateSpec (embedded in every workload) and
// Binding (what the scheduler posts to pods/<name>/binding).

import { NS, QUANTITY, anyObject, bool, int32, int64, kindType, listOf, mapOf, oneOf, optRef, ref, req, str, type, type TypeDef } from './dsl.js';

const C = NS.core;
const M = NS.meta;
const POD = { group: '', version: 'v1', kind: 'Pod' };

export const POD_TYPES: readonly TypeDef[] = [
  kindType(`${C}Pod`, POD, 'A pod: one or more containers scheduled together onto a node, sharing network and volumes.', {
    spec: ref(`${C}PodSpec`, 'What the pod should run and how.'),
    status: ref(`${C}PodStatus`, 'What the pod is doing, as last observed. Read-only for users.'),
  }),
  type(`${C}PodTemplateSpec`, 'The pods a workload creates: their metadata and spec.', {
    metadata: ref(`${M}ObjectMeta`, 'Labels and annotations of the created pods.'),
    spec: ref(`${C}PodSpec`, 'The spec of the created pods.'),
  }),
  type(`${C}PodStatus`, 'The observed state of a pod.', {
    conditions: listOf(ref(`${C}PodCondition`), 'Conditions of the pod: PodScheduled, Initialized, ContainersReady, Ready, ...'),
    containerStatuses: listOf(ref(`${C}ContainerStatus`), 'One status per regular container.'),
    ephemeralContainerStatuses: listOf(ref(`${C}ContainerStatus`), 'One status per ephemeral container.'),
    hostIP: str('IP of the node the pod is on.'),
    hostIPs: listOf(ref(`${C}HostIP`), 'IPs of the node the pod is on.'),
    initContainerStatuses: listOf(ref(`${C}ContainerStatus`), 'One status per init container.'),
    message: str('A human-readable note on why the pod is in this state.'),
    nominatedNodeName: str('The node the scheduler expects to place the pod on after preempting other pods.'),
    phase: oneOf(['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'], 'Where the pod is in its life.'),
    podIP: str('The pod\'s IP address; empty until assigned.'),
    podIPs: listOf(ref(`${C}PodIP`), 'The pod\'s IP addresses; the first equals podIP.'),
    qosClass: oneOf(['BestEffort', 'Burstable', 'Guaranteed'], 'Quality of service class, from the containers\' requests and limits.'),
    reason: str('A short CamelCase reason for the state, e.g. Evicted.'),
    resize: str('Progress of an in-place resize: Proposed, InProgress, Deferred or Infeasible.'),
    resourceClaimStatuses: listOf(ref(`${C}PodResourceClaimStatus`), 'The ResourceClaims generated for the pod\'s claims.'),
    startTime: ref(`${M}Time`, 'When the kubelet accepted the pod.', { nullable: true }),
  }),
  type(`${C}PodCondition`, 'One condition of a pod.', {
    lastProbeTime: ref(`${M}Time`, 'When the condition was last checked.', { nullable: true }),
    lastTransitionTime: ref(`${M}Time`, 'When the status last changed.', { nullable: true }),
    message: str('Details of the last change.'),
    reason: str('A short CamelCase reason for the last change.'),
    status: req(str('True, False or Unknown.')),
    type: req(str('The condition type, e.g. Ready.')),
  }),
  type(`${C}PodResourceClaimStatus`, 'The ResourceClaim generated for one claim of a pod.', {
    name: req(str('The claim\'s name in spec.resourceClaims.')),
    resourceClaimName: str('The generated ResourceClaim.'),
  }),
  type(`${C}PodIP`, 'One IP address of a pod.', { ip: req(str('The address.')) }),
  type(`${C}HostIP`, 'One IP address of a pod\'s node.', { ip: req(str('The address.')) }),
  type(`${C}ContainerStatus`, 'The observed state of one container.', {
    allocatedResources: mapOf(ref(QUANTITY, undefined, { nullable: true }), 'Resources allocated to the container on its node.'),
    allocatedResourcesStatus: listOf(ref(`${C}ResourceStatus`), 'Health of the devices allocated to the container.'),
    containerID: str('Runtime-specific ID of the container, "<type>://<id>".'),
    image: req(str('The image the container runs.')),
    imageID: req(str('The resolved image ID.')),
    lastState: ref(`${C}ContainerState`, 'The state before the last restart.'),
    name: req(str('The container\'s name.')),
    ready: req(bool('Whether the container passes its readiness probe.')),
    resources: optRef(`${C}ResourceRequirements`, 'The requests and limits the container runs with now.'),
    restartCount: req(int32('Times the container has been restarted.')),
    started: bool('Whether the container has started and passed its startup probe.'),
    state: ref(`${C}ContainerState`, 'The current state.'),
    user: optRef(`${C}ContainerUser`, 'The identity the container\'s first process runs as.'),
    volumeMounts: listOf(ref(`${C}VolumeMountStatus`), 'The container\'s volume mounts as mounted.'),
  }),
  type(`${C}ResourceStatus`, 'Health of the devices behind one resource of a container.', {
    name: req(str('The resource name.')),
    resources: listOf(ref(`${C}ResourceHealth`), 'One entry per device.'),
  }),
  type(`${C}ResourceHealth`, 'Health of one device.', {
    health: str('Healthy, Unhealthy or Unknown.'),
    resourceID: req(str('The device\'s ID.')),
  }),
  type(`${C}ContainerUser`, 'The identity of a container\'s process.', {
    linux: optRef(`${C}LinuxContainerUser`, 'On Linux: uid, gid and groups.'),
  }),
  type(`${C}LinuxContainerUser`, 'A Linux process identity.', {
    gid: req(int64('Primary GID.')),
    supplementalGroups: listOf(int64(), 'Supplemental groups.'),
    uid: req(int64('UID.')),
  }),
  type(`${C}VolumeMountStatus`, 'A volume mount as mounted.', {
    mountPath: req(str('Where it is mounted.')),
    name: req(str('The volume mount\'s name.')),
    readOnly: bool('Whether it is read-only.'),
    recursiveReadOnly: str('Whether its submounts are read-only: Disabled or Enabled.'),
  }),
  type(`${C}ContainerState`, 'The state of a container: exactly one of waiting, running, terminated.', {
    running: optRef(`${C}ContainerStateRunning`, 'The container is running.'),
    terminated: optRef(`${C}ContainerStateTerminated`, 'The container has exited.'),
    waiting: optRef(`${C}ContainerStateWaiting`, 'The container is not running yet (or again).'),
  }),
  type(`${C}ContainerStateWaiting`, 'A container that is not running yet.', {
    message: str('Why the container is waiting.'),
    reason: str('A short reason, e.g. ContainerCreating, CrashLoopBackOff, ImagePullBackOff.'),
  }),
  type(`${C}ContainerStateRunning`, 'A running container.', { startedAt: ref(`${M}Time`, 'When it (last) started.', { nullable: true }) }),
  type(`${C}ContainerStateTerminated`, 'A container that has exited.', {
    containerID: str('The container\'s ID.'),
    exitCode: req(int32('Exit status of the last run.')),
    finishedAt: ref(`${M}Time`, 'When it exited.', { nullable: true }),
    message: str('The termination message.'),
    reason: str('A short reason, e.g. Completed, Error, OOMKilled.'),
    signal: int32('The signal that stopped it, if any.'),
    startedAt: ref(`${M}Time`, 'When it started.', { nullable: true }),
  }),
  type(`${C}ObjectReference`, 'A reference to any object, by kind, namespace and name.', {
    apiVersion: str('The object\'s apiVersion.'),
    fieldPath: str('A part of the object, e.g. spec.containers{web}.'),
    kind: str('The object\'s kind.'),
    name: str('The object\'s name.'),
    namespace: str('The object\'s namespace.'),
    resourceVersion: str('The object\'s resourceVersion when referenced.'),
    uid: str('The object\'s uid.'),
  }, { 'x-kubernetes-map-type': 'atomic' }),
  kindType(`${C}Binding`, { group: '', version: 'v1', kind: 'Binding' }, 'Binds a pod to a node; posted by the scheduler to pods/<name>/binding.', {
    target: req(ref(`${C}ObjectReference`, 'The node to bind to.')),
  }),
  kindType(`${NS.policy}Eviction`, { group: 'policy', version: 'v1', kind: 'Eviction' }, 'A request to evict a pod, respecting disruption budgets; posted to pods/<name>/eviction (kubectl drain).', {
    deleteOptions: anyObject('Options for deleting the pod.'),
  }),
];

