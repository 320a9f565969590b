// All component schemas, by name, with the strategic-merge-patch extensions
// added from the SMP table (lib/api/patch/metadata.ts): for every field the
// table says merges by key, the schema gets x-kubernetes-patch-strategy and
// x-kubernetes-patch-merge-key, as Kubernetes publishes them. The SMP table
// stays the single source; this only copies it where clients look.

import { patchSchemas, type PatchSchema } from '../patch/metadata.js';
import type { Schema, TypeDef } from './dsl.js';
import { CONTAINER_TYPES } from './container-types.js';
import { EVENT_AND_DATA_TYPES, NAMESPACE_TYPES, NODE_TYPES, SERVICE_TYPES } from './core-types.js';
import { META_TYPES } from './meta-types.js';
import { POD_TYPES } from './pod-types.js';
import { PODSPEC_TYPES } from './podspec-types.js';
import { APPS_TYPES, OTHER_GROUP_TYPES } from './workload-types.js';
import { POLICY_TYPES } from './policy-types.js';
import { VOLUME_TYPES } from './volume-types.js';
import { listType } from './dsl.js';

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

const ALL_TYPES: readonly TypeDef[] = [
  ...META_TYPES,
  ...CONTAINER_TYPES,
  ...PODSPEC_TYPES,
  ...VOLUME_TYPES,
  ...POD_TYPES,
  ...NODE_TYPES,
  ...NAMESPACE_TYPES,
  ...SERVICE_TYPES,
  ...EVENT_AND_DATA_TYPES,
  ...APPS_TYPES,
  ...OTHER_GROUP_TYPES,
  ...POLICY_TYPES,
];

/** The GVKs a schema is tagged with. */
export function gvksOf(schema: Schema): GVK[] {
  const v = schema['x-kubernetes-group-version-kind'];
  return Array.isArray(v) ? (v as GVK[]) : [];
}

/** The component a field points to: its own $ref, its items' or map values', directly or inside allOf. */
export function refTarget(schema: Schema | undefined): string | undefined {
  if (!schema) return undefined;
  const direct = (s: Schema | undefined): string | undefined => {
    if (!s) return undefined;
    if (typeof s['$ref'] === 'string') return s['$ref'];
    const all = s['allOf'] as Schema[] | undefined;
    return all && typeof all[0]?.['$ref'] === 'string' ? (all[0]['$ref'] as string) : undefined;
  };
  const ref = direct(schema) ?? direct(schema['items'] as Schema | undefined) ?? direct(schema['additionalProperties'] as Schema | undefined);
  return ref?.replace('#/components/schemas/', '');
}

function buildComponents(): Map<string, Schema> {
  const map = new Map<string, Schema>();
  const add = (t: TypeDef): void => {
    if (map.has(t.name)) throw new Error(`openapi: duplicate schema ${t.name}`);
    map.set(t.name, structuredClone(t.schema));
  };
  for (const t of ALL_TYPES) add(t);
  // A List type for every kind.
  for (const t of ALL_TYPES) for (const gvk of gvksOf(t.schema)) add(listType(t.name, gvk));
  // Only the resource kinds have patch metadata; List types were tagged with their own list kind.
  for (const [name, schema] of [...map]) {
    for (const gvk of gvksOf(schema)) {
      const ps = patchSchemas[gvk.kind];
      if (ps && !gvk.kind.endsWith('List')) annotate(map, name, ps, `${gvk.kind}`);
    }
  }
  return map;
}

/** Copies patch strategies and merge keys from the SMP table onto the schemas, following $refs. */
function annotate(map: Map<string, Schema>, componentName: string, ps: PatchSchema, trail: string): void {
  const component = map.get(componentName);
  const props = component?.['properties'] as Record<string, Schema> | undefined;
  if (!props) return;
  for (const [field, meta] of Object.entries(ps)) {
    const prop = props[field];
    // Every field the SMP table knows must be described: the schema is what unknown-field checks drop by.
    if (!prop) throw new Error(`openapi: ${trail}.${field} is in the patch table but not in the schema`);
    if (meta.strategy) {
      setOnce(prop, 'x-kubernetes-patch-strategy', meta.strategy, `${trail}.${field}`);
      if (meta.mergeKey) setOnce(prop, 'x-kubernetes-patch-merge-key', meta.mergeKey, `${trail}.${field}`);
    }
    const target = refTarget(prop);
    if (meta.fields && target) annotate(map, target, meta.fields, `${trail}.${field}`);
  }
}

function setOnce(prop: Schema, key: string, value: string, where: string): void {
  const existing = prop[key];
  if (existing !== undefined && existing !== value) throw new Error(`openapi: ${where} has ${key} ${String(existing)} and ${value}`);
  prop[key] = value;
}

/** Every component schema, patch extensions included. Treat as read-only. */
export const COMPONENTS: ReadonlyMap<string, Schema> = buildComponents();

/** The component name of the schema tagged with this GVK, if any. */
export function componentForKind(gvk: GVK): string | undefined {
  for (const [name, schema] of COMPONENTS) {
    if (gvksOf(schema).some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) return name;
  }
  return undefined;
}

/** `names` plus every component they reference, transitively. */
export function closure(names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const visit = (name: string): void => {
    if (out.has(name)) return;
    const schema = COMPONENTS.get(name);
    if (!schema) throw new Error(`openapi: reference to unknown schema ${name}`);
    out.add(name);
    walk(schema);
  };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') visit(x.replace('#/components/schemas/', ''));
        else walk(x);
      }
    }
  };
  for (const n of names) visit(n);
  return out;
}
