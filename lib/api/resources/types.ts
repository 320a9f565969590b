// The shape of one entry of the resource table (./table.ts): everything the
// api-server, discovery, OpenAPI and printing need to know about a
// resource, in one place, so adding a kind is adding one entry.

import type { Fields } from '../selectors/fields.js';
import type { PatchSchema } from '../patch/metadata.js';
import type { Printer } from '../printers/types.js';
import type { KubeObject } from '../types/meta.js';
import type { ErrorList } from '../validation/field.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

/** Every verb, in the order Kubernetes' discovery lists them. */
export const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export type SubresourceName = 'status' | 'scale' | 'binding' | 'eviction' | 'log' | 'finalize';

export interface SubresourceDef {
  readonly name: SubresourceName;
  /** The kind the subresource accepts and returns (Scale is autoscaling/v1, Eviction policy/v1). */
  readonly responseKind: GroupVersionKind;
  readonly verbs: readonly Verb[];
}

/**
 * One served resource. Functions taking the object are methods (not
 * function-typed properties) so an entry for Pods is usable where an entry
 * for any object is expected; the table guarantees objects match the kind.
 */
export interface ResourceDef<T extends KubeObject = KubeObject> {
  readonly group: string;
  readonly version: string;
  /** "v1" for the core group, "<group>/<version>" otherwise: the objects' apiVersion. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  readonly verbs: readonly Verb[];
  readonly subresources: readonly SubresourceDef[];
  /** Field labels accepted in `fieldSelector` (anything else: "field label not supported: x"). */
  readonly fieldSelectors: ReadonlySet<string>;
  /** Strategic-merge-patch metadata for the kind (lists merged by key, maps replaced). */
  readonly patchSchema: PatchSchema;
  readonly printer: Printer<T>;
  /** Create validation (metadata included); name generation must already have run. */
  validate(obj: T): ErrorList;
  /** Update validation: the update rules of metadata plus the kind's own. */
  validateUpdate(next: T, old: T): ErrorList;
  /** Pure defaulting (returns a new object). */
  defaults(obj: T): T;
  /** Defaulting of an object the caller owns: in place where the kind allows it (same result as `defaults`). */
  defaultsOwned(obj: T): T;
  /** The REST strategy's create preparation (status reset, generation, Job selector). After uid/name are assigned. */
  prepareForCreate(obj: T): T;
  /** prepareForCreate of an object the caller owns: in place where it can (same result). */
  prepareForCreateOwned(obj: T): T;
  /** The REST strategy's update preparation (keep stored status, bump generation). */
  prepareForUpdate(next: T, old: T): T;
  /** The flat record of selectable fields, for matching a parsed field selector. */
  toFields(obj: T): Fields;
}

/** The GroupResource used in Status messages and storage keys. */
export function groupResource(def: Pick<ResourceDef, 'group' | 'plural'>): { group: string; resource: string } {
  return { group: def.group, resource: def.plural };
}

/** The GroupKind used in Invalid messages ("Deployment.apps"). */
export function groupKind(def: Pick<ResourceDef, 'group' | 'kind'>): { group: string; kind: string } {
  return { group: def.group, kind: def.kind };
}

export function hasSubresource(def: Pick<ResourceDef, 'subresources'>, name: SubresourceName): boolean {
  return def.subresources.some((s) => s.name === name);
}
