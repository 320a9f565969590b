// THE resource table and its lookups. Routing (group/version/plural from a
// URL), kubectl-style name resolution (plural, singular, short name or kind,
// any case, optionally qualified as `deployments.apps` or
// `deploy.v1.apps`), discovery, OpenAPI and printing all read this list.

import { CORE_RESOURCES } from './core.js';
import { GROUP_RESOURCES } from './groups.js';
import type { ResourceDef } from './types.js';

export const RESOURCES: readonly ResourceDef[] = [...CORE_RESOURCES, ...GROUP_RESOURCES];

export interface GroupVersion {
  readonly group: string;
  readonly version: string;
  /** "v1" for the core group, "<group>/<version>" otherwise. */
  readonly groupVersion: string;
}

const byGVR = new Map<string, ResourceDef>();
const byGVK = new Map<string, ResourceDef>();
for (const r of RESOURCES) {
  const gvr = `${r.group}/${r.version}/${r.plural}`;
  const gvk = `${r.group}/${r.version}/${r.kind}`;
  if (byGVR.has(gvr) || byGVK.has(gvk)) throw new Error(`resource table: duplicate entry ${gvr}`);
  byGVR.set(gvr, r);
  byGVK.set(gvk, r);
}

/** The resource served at /api/v1/<plural> or /apis/<group>/<version>/<plural>. Exact (URLs are case-sensitive). */
export function resourceFor(group: string, version: string, plural: string): ResourceDef | undefined {
  return byGVR.get(`${group}/${version}/${plural}`);
}

/** Splits an apiVersion: "v1" -> core group, "apps/v1" -> apps. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The resource for an object's apiVersion and kind (e.g. for `kubectl apply` bodies). */
export function resourceForKind(apiVersion: string, kind: string): ResourceDef | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  return byGVK.get(`${group}/${version}/${kind}`);
}

/** Does `name` (lower-cased) name this resource: plural, singular, a short name or the kind? */
function names(r: ResourceDef, name: string): boolean {
  return r.plural === name || r.singular === name || r.kind.toLowerCase() === name || r.shortNames.includes(name);
}

/**
 * Resolves a resource argument the way kubectl does (ParseResourceArg plus
 * the short-name expander): case-insensitive; "x.y.z" is first tried as
 * resource x, version y, group z, then as resource x in group "y.z"; an
 * unqualified name matches any group, preferring the core group and then
 * table order. Returns undefined when nothing matches.
 */
export function resolveResource(arg: string): ResourceDef | undefined {
  const a = arg.toLowerCase();
  const dot = a.indexOf('.');
  if (dot < 0) return RESOURCES.find((r) => names(r, a));
  const resource = a.slice(0, dot);
  const rest = a.slice(dot + 1);
  const parts = rest.split('.');
  if (parts.length >= 2) {
    const version = parts[0]!;
    const group = parts.slice(1).join('.');
    const full = RESOURCES.find((r) => r.version === version && r.group === group && names(r, resource));
    if (full) return full;
  }
  return RESOURCES.find((r) => r.group === rest && names(r, resource));
}

/** Resources in a category, e.g. "all" for `kubectl get all`. */
export function resourcesInCategory(category: string): ResourceDef[] {
  return RESOURCES.filter((r) => r.categories.includes(category));
}

/** Every group-version served, core first, in table order. */
export function groupVersions(): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const r of RESOURCES) if (!seen.has(r.apiVersion)) seen.set(r.apiVersion, { group: r.group, version: r.version, groupVersion: r.apiVersion });
  return [...seen.values()];
}

export function resourcesForGroupVersion(group: string, version: string): ResourceDef[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}
