// Builds a ResourceDef from a compact spec: the identity of the resource
// plus only what differs from the common case (all eight verbs, no short
// names, metadata-only field selectors, no defaulting, generic update
// validation and strategy).

import { defaultNothing } from '../defaults/core.js';
import { prepareForCreate, prepareForCreateOwned, prepareForUpdate } from '../defaults/strategy.js';
import type { PatchSchema } from '../patch/metadata.js';
import type { Fields } from '../selectors/fields.js';
import type { Printer } from '../printers/types.js';
import type { KubeObject } from '../types/meta.js';
import type { ErrorList } from '../validation/field.js';
import { metaFields, META_FIELDS } from './fields.js';
import { ALL_VERBS, type GroupVersionKind, type ResourceDef, type SubresourceDef, type Verb } from './types.js';
import { updateValidator } from './validators.js';

export interface ResourceSpec<T extends KubeObject> {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  verbs?: readonly Verb[];
  subresources?: readonly SubresourceDef[];
  fieldSelectors?: readonly string[];
  toFields?: (obj: T) => Fields;
  patchSchema: PatchSchema;
  printer: Printer<T>;
  validate: (obj: T) => ErrorList;
  validateUpdate?: (next: T, old: T) => ErrorList;
  defaults?: (obj: T) => T;
  /** The same defaulting, in place (for objects the caller owns); without it `defaults` copies. */
  defaultsInPlace?: (obj: T) => void;
}

export function defineResource<T extends KubeObject>(spec: ResourceSpec<T>): ResourceDef<T> {
  const apiVersion = spec.group ? `${spec.group}/${spec.version}` : spec.version;
  const fields = spec.fieldSelectors ?? (spec.namespaced ? META_FIELDS : ['metadata.name']);
  const toFields = spec.toFields ?? ((obj: T) => metaFields(obj, spec.namespaced));
  const validateUpdate = spec.validateUpdate ?? updateValidator(spec.validate);
  const defaults = spec.defaults ?? defaultNothing;
  return {
    group: spec.group,
    version: spec.version,
    apiVersion,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    namespaced: spec.namespaced,
    verbs: spec.verbs ?? ALL_VERBS,
    subresources: spec.subresources ?? [],
    fieldSelectors: new Set(fields),
    patchSchema: spec.patchSchema,
    printer: spec.printer,
    validate: (obj) => spec.validate(obj),
    validateUpdate: (next, old) => validateUpdate(next, old),
    defaults: (obj) => defaults(obj),
    defaultsOwned: (obj) => {
      if (!spec.defaultsInPlace) return defaults(obj);
      spec.defaultsInPlace(obj);
      return obj;
    },
    prepareForCreate: (obj) => prepareForCreate(spec.kind, obj),
    prepareForCreateOwned: (obj) => prepareForCreateOwned(spec.kind, obj),
    prepareForUpdate: (next, old) => prepareForUpdate(spec.kind, next, old),
    toFields: (obj) => toFields(obj),
  };
}

const gvk = (group: string, version: string, kind: string): GroupVersionKind => ({ group, version, kind });

/** The status subresource: the kind itself, read and written with get/patch/update. */
export function statusSubresource(group: string, version: string, kind: string): SubresourceDef {
  return { name: 'status', responseKind: gvk(group, version, kind), verbs: ['get', 'patch', 'update'] };
}

/** The scale subresource: autoscaling/v1 Scale, as for Deployments and ReplicaSets. */
export const SCALE_SUBRESOURCE: SubresourceDef = { name: 'scale', responseKind: gvk('autoscaling', 'v1', 'Scale'), verbs: ['get', 'patch', 'update'] };

export const POD_SUBRESOURCES: readonly SubresourceDef[] = [
  { name: 'binding', responseKind: gvk('', 'v1', 'Binding'), verbs: ['create'] },
  { name: 'eviction', responseKind: gvk('policy', 'v1', 'Eviction'), verbs: ['create'] },
  { name: 'log', responseKind: gvk('', 'v1', 'Pod'), verbs: ['get'] },
  statusSubresource('', 'v1', 'Pod'),
];
