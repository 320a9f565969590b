// The resource table: one entry per served resource, and lookups over it.
export { RESOURCES, resourceFor, resourceForKind, resolveResource, resourcesInCategory, groupVersions, resourcesForGroupVersion, parseApiVersion } from './table.js';
export type { GroupVersion } from './table.js';
export { ALL_VERBS, groupResource, groupKind, hasSubresource } from './types.js';
export type { ResourceDef, SubresourceDef, SubresourceName, GroupVersionKind, Verb } from './types.js';
export { storageKey, storagePrefix } from './keys.js';
export { namespaces, nodes, pods, services, endpoints, events, configMaps, secrets } from './core.js';
export { deployments, replicaSets, daemonSets, jobs, leases, priorityClasses, podDisruptionBudgets } from './groups.js';
export * as fieldFunctions from './fields.js';
