// Legacy discovery documents: /api (APIVersions), /apis (APIGroupList),
// /apis/<group> (APIGroup), /api/v1 and /apis/<group>/<version>
// (APIResourceList). kubectl reads these when the server does not answer
// with aggregated discovery, and `kubectl drain` always reads /api/v1 to
// find pods/eviction (group policy, version v1, kind Eviction).

import { createHash } from 'node:crypto';
import { groupVersions, resourcesForGroupVersion, type GroupVersion } from '../resources/table.js';
import type { ResourceDef } from '../resources/types.js';

/**
 * Kubernetes' discovery.StorageVersionHash: the first 8 bytes of
 * sha256("<group>/<version>/<kind>"), base64. Clients only compare it for
 * equality (to notice a storage version change).
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

/** GET /api. `serverAddress` is host:port as clients should reach this server. */
export function apiVersions(serverAddress: string): { kind: 'APIVersions'; versions: string[]; serverAddressByClientCIDRs: { clientCIDR: string; serverAddress: string }[] } {
  const versions = groupVersions().filter((gv) => gv.group === '').map((gv) => gv.version);
  return { kind: 'APIVersions', versions, serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(name: string, gvs: GroupVersion[]): APIGroup {
  const versions = gvs.map((gv) => ({ groupVersion: gv.groupVersion, version: gv.version }));
  return { name, versions, preferredVersion: versions[0]! };
}

/** The named groups (every group but core) with their versions, in table order. */
function namedGroups(): Map<string, GroupVersion[]> {
  const groups = new Map<string, GroupVersion[]>();
  for (const gv of groupVersions()) {
    if (gv.group === '') continue;
    const list = groups.get(gv.group) ?? [];
    list.push(gv);
    groups.set(gv.group, list);
  }
  return groups;
}

/** GET /apis. */
export function apiGroupList(): { kind: 'APIGroupList'; apiVersion: 'v1'; groups: APIGroup[] } {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...namedGroups()].map(([name, gvs]) => groupEntry(name, gvs)) };
}

/** GET /apis/<group>, or undefined if the group is not served. */
export function apiGroup(group: string): APIGroup | undefined {
  const gvs = namedGroups().get(group);
  return gvs ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, gvs) } : undefined;
}

function resourceEntries(r: ResourceDef): APIResource[] {
  const main: APIResource = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: [...r.verbs],
  };
  if (r.shortNames.length > 0) main.shortNames = [...r.shortNames];
  if (r.categories.length > 0) main.categories = [...r.categories];
  main.storageVersionHash = storageVersionHash(r.group, r.version, r.kind);
  const subs = [...r.subresources]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((s): APIResource => {
      const e: APIResource = { name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.responseKind.kind, verbs: [...s.verbs] };
      // group/version appear only when the subresource's kind lives elsewhere (Scale, Eviction).
      if (s.responseKind.group !== r.group || s.responseKind.version !== r.version) {
        e.group = s.responseKind.group;
        e.version = s.responseKind.version;
      }
      return e;
    });
  return [main, ...subs];
}

/** GET /api/v1 or /apis/<group>/<version>, or undefined if not served. */
export function apiResourceList(group: string, version: string): APIResourceList | undefined {
  const rs = resourcesForGroupVersion(group, version);
  if (rs.length === 0) return undefined;
  const resources = rs.flatMap(resourceEntries).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

/** Every APIResourceList served, for callers that precompute discovery. */
export function allResourceLists(): APIResourceList[] {
  return groupVersions().map((gv) => apiResourceList(gv.group, gv.version)!);
}
