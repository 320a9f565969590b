export { FieldPath, RawValue, OMIT_VALUE, fieldErrors, errorBody, errorString, aggregateMessage, formatBadValue } from './field.js';
export type { FieldError, FieldErrorType, ErrorList, PathLike } from './field.js';
export * from './names.js';
export {
  FIELD_IMMUTABLE_ERROR_MSG,
  TOTAL_ANNOTATION_SIZE_LIMIT_B,
  validateNonnegativeField,
  validateImmutableField,
  validateLabels,
  validateAnnotations,
  validateOwnerReferences,
  validateFinalizers,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateLabelSelector,
} from './meta.js';
export type { ObjectMetaOptions } from './meta.js';
export { validateContainer, validateResources, SUPPORTED_PORT_PROTOCOLS } from './container.js';
export type { ContainerContext } from './container.js';
export { validatePod, validatePodSpec, validatePodTemplateSpec, validatePodUpdate, validateTolerations, validateTopologySpreadConstraints, RESTART_POLICIES } from './pod.js';
export { validateService, validateServiceUpdate, SERVICE_TYPES } from './service.js';
export { validateDeployment, validateReplicaSet, validateDaemonSet, validateWorkloadUpdate } from './workloads.js';
