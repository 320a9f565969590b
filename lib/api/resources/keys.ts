// Storage keys for the resource table, in the store's layout
// (lib/store/keys.ts): /registry/<group>/<resource>/<namespace>/<name>, the
// core group written "core", cluster-scoped objects without a namespace
// segment. Kept here rather than imported so lib/api does not depend on the
// store; a test checks the two agree.

import type { ResourceDef } from './types.js';

const ROOT = '/registry/';

function groupSegment(group: string): string {
  return group === '' ? 'core' : group;
}

/** The key of one object. For cluster-scoped resources the namespace is ignored. */
export function storageKey(r: Pick<ResourceDef, 'group' | 'plural' | 'namespaced'>, namespace: string | undefined, name: string): string {
  const base = `${ROOT}${groupSegment(r.group)}/${r.plural}/`;
  return r.namespaced && namespace ? `${base}${namespace}/${name}` : `${base}${name}`;
}

/** The prefix of every object of a resource, or of those in one namespace. Ends with '/'. */
export function storagePrefix(r: Pick<ResourceDef, 'group' | 'plural' | 'namespaced'>, namespace?: string): string {
  const base = `${ROOT}${groupSegment(r.group)}/${r.plural}/`;
  return r.namespaced && namespace ? `${base}${namespace}/` : base;
}
