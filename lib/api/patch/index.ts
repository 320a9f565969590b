export type { JsonValue, JsonObject, JsonPrimitive } from './json-value.js';
export { deepClone, deepEqual, getOwn, setOwn, deleteOwn, isObject } from './json-value.js';
export { applyJsonPatch, parsePointer, formatPointer, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export type { JsonPatchOperation, JsonPatchResult } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic.js';
export type { StrategicPatchResult } from './strategic.js';
export * from './metadata.js';
