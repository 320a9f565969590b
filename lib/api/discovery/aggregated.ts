// Aggregated discovery (apidiscovery.k8s.io APIGroupDiscoveryList): the
// whole resource list in two responses, /api (the core group, one item
// without a name) and /apis (one item per named group). kubectl chooses it
// by the response Content-Type, so the server must answer with the exact
// media type of the version it negotiated: kubectl 1.30+ asks for v2 then
// v2beta1; kubectl 1.27-1.29 ask for v2beta1 only. The body has the same
// shape in both versions.

import { groupVersions, resourcesForGroupVersion } from '../resources/table.js';
import type { GroupVersionKind, ResourceDef } from '../resources/types.js';

export type DiscoveryVersion = 'v2' | 'v2beta1';

export interface APISubresourceDiscovery {
  subresource: string;
  responseKind: GroupVersionKind;
  verbs: string[];
}

export interface APIResourceDiscovery {
  resource: string;
  responseKind: GroupVersionKind;
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

export interface APIVersionDiscovery {
  version: string;
  resources: APIResourceDiscovery[];
  freshness: 'Current' | 'Stale';
}

export interface APIGroupDiscovery {
  metadata: { name?: string; creationTimestamp: null };
  versions: APIVersionDiscovery[];
}

export interface APIGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: `apidiscovery.k8s.io/${DiscoveryVersion}`;
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}

/** The Content-Type the response must carry for kubectl to read it as aggregated discovery. */
export function aggregatedContentType(version: DiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/**
 * Which discovery document an Accept header asks for: the first aggregated
 * version listed that we serve, else legacy. Parameters may come in any
 * order and with spaces.
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryVersion | 'legacy' {
  for (const range of (accept ?? '').split(',')) {
    const [type, ...params] = range.split(';').map((p) => p.trim());
    if (type !== 'application/json') continue;
    const p = new Map(params.map((kv) => kv.split('=').map((x) => x.trim()) as [string, string]));
    if (p.get('g') !== 'apidiscovery.k8s.io' || p.get('as') !== 'APIGroupDiscoveryList') continue;
    const v = p.get('v');
    if (v === 'v2' || v === 'v2beta1') return v;
  }
  return 'legacy';
}

function resourceDiscovery(r: ResourceDef): APIResourceDiscovery {
  const d: APIResourceDiscovery = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: [...r.verbs],
  };
  if (r.shortNames.length > 0) d.shortNames = [...r.shortNames];
  if (r.categories.length > 0) d.categories = [...r.categories];
  if (r.subresources.length > 0) {
    d.subresources = [...r.subresources]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((s) => ({ subresource: s.name, responseKind: { ...s.responseKind }, verbs: [...s.verbs] }));
  }
  return d;
}

function groupDiscovery(group: string): APIGroupDiscovery {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({
      version: gv.version,
      resources: resourcesForGroupVersion(group, gv.version)
        .map(resourceDiscovery)
        .sort((a, b) => (a.resource < b.resource ? -1 : 1)),
      freshness: 'Current' as const,
    }));
  return { metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null }, versions };
}

function list(version: DiscoveryVersion, items: APIGroupDiscovery[]): APIGroupDiscoveryList {
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** Aggregated GET /api: the core group. */
export function aggregatedCore(version: DiscoveryVersion = 'v2'): APIGroupDiscoveryList {
  return list(version, [groupDiscovery('')]);
}

/** Aggregated GET /apis: every named group. */
export function aggregatedGroups(version: DiscoveryVersion = 'v2'): APIGroupDiscoveryList {
  const groups = [...new Set(groupVersions().map((gv) => gv.group).filter((g) => g !== ''))];
  return list(version, groups.map(groupDiscovery));
}
