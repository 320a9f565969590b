// Defaulting, admission defaults and REST-strategy preparation. Every
// function is pure: it returns a new object and leaves its input alone.
export { defaultPod, defaultPodSpec, defaultPodInPlace, defaultPodSpecInPlace, defaultPullPolicy, imageTag } from './pod.js';
export { DEFAULT_SCHEDULER_NAME, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, DEFAULT_TERMINATION_MESSAGE_PATH, DEFAULT_VOLUME_MODE } from './pod.js';
export { defaultDeployment, defaultReplicaSet, defaultDaemonSet, defaultJob } from './workloads.js';
export { defaultService, defaultNamespace, defaultSecret, defaultNode, defaultEndpoints, defaultPriorityClass, defaultNothing } from './core.js';
export { NAMESPACE_NAME_LABEL, NAMESPACE_FINALIZER } from './core.js';
export { admitPod, admitPodOwned, admitPodPriority, admitPodPriorityOwned, addDefaultTolerationsInPlace } from './admission.js';
export { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, DEFAULT_TOLERATION_SECONDS, DEFAULT_PRIORITY } from './admission.js';
export type { PriorityAdmission } from './admission.js';
export { prepareForCreate, prepareForCreateOwned, prepareForUpdate, prepareForStatusUpdate, podQOSClass, generateJobSelector } from './strategy.js';
export { JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from './strategy.js';
export type { QOSClass } from './strategy.js';
