// Discovery: /version, legacy /api and /apis documents, and aggregated discovery.
export { versionInfo, SERVED_KUBERNETES_VERSION } from './version.js';
export type { VersionInfo } from './version.js';
export { apiVersions, apiGroupList, apiGroup, apiResourceList, allResourceLists, storageVersionHash } from './legacy.js';
export type { APIGroup, APIResource, APIResourceList, GroupVersionForDiscovery } from './legacy.js';
export { aggregatedCore, aggregatedGroups, aggregatedContentType, negotiateDiscovery } from './aggregated.js';
export type { APIGroupDiscoveryList, APIGroupDiscovery, APIVersionDiscovery, APIResourceDiscovery, APISubresourceDiscovery, DiscoveryVersion } from './aggregated.js';
