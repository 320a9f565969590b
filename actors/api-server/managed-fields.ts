/**
 * Field ownership (metadata.managedFields) and the server-side apply merge.
 *
 * A field set is the set of leaf paths of an object: scalars, lists without
 * a merge key (atomic), and empty maps. Lists with a merge key (containers
 * by name, ...) are entered element by element, `k:{"name":"web"}`, as in
 * FieldsV1. Status and system metadata are never owned here.
 *
 * - An update by manager X takes ownership of the leaves it changed.
 * - An apply by manager M: conflicts are the leaves M sets to a value that
 *   differs from the live one while another manager owns them (409 unless
 *   force); the applied configuration is merged into the live object;
 *   leaves M owned before, no longer applies, and nobody else owns are
 *   removed; M then owns exactly what it applied.
 */
import type { ManagedFieldsEntry, KubeObject } from '../../lib/api/types/meta.js';
import type { PatchSchema } from '../../lib/api/patch/metadata.js';
import { deepClone, deepEqual, type JsonValue } from '../../lib/api/patch/json-value.js';
import { changedLeaves, isMap, SKIP_META, SKIP_TOP, type Path, type Segment } from './field-walk.js';
import { sharedFieldsV1 } from './fields-v1-cache.js';

/** Leaf paths of an object under the kind's patch schema. */
export function leafPaths(obj: unknown, schema: PatchSchema): Path[] {
  const out: Path[] = [];
  if (!isMap(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (SKIP_TOP.has(k)) continue;
    if (k === 'metadata' && isMap(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (SKIP_META.has(mk)) continue;
        walk(mv, [{ f: 'metadata' }, { f: mk }], schema['metadata']?.fields?.[mk]?.fields, schema['metadata']?.fields?.[mk]?.mergeKey, out);
      }
      continue;
    }
    walk(v, [{ f: k }], schema[k]?.fields, schema[k]?.mergeKey, out);
  }
  return out;
}

function walk(v: unknown, path: Path, fields: PatchSchema | undefined, mergeKey: string | undefined, out: Path[]): void {
  if (isMap(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) out.push(path);
    for (const [k, child] of entries) walk(child, [...path, { f: k }], fields?.[k]?.fields, fields?.[k]?.mergeKey, out);
    return;
  }
  if (Array.isArray(v) && mergeKey && v.every((e) => isMap(e) && mergeKey in e)) {
    if (v.length === 0) out.push(path);
    for (const e of v as Record<string, unknown>[]) {
      const elem: Path = [...path, { k: mergeKey, v: e[mergeKey] }];
      // The key field itself is part of the element's identity; own it too.
      const rest = Object.entries(e);
      if (rest.length === 0) out.push(elem);
      for (const [k, child] of rest) walk(child, [...elem, { f: k }], fields?.[k]?.fields, fields?.[k]?.mergeKey, out);
    }
    return;
  }
  out.push(path);
}

const keyOf = (p: Path): string => JSON.stringify(p);

/** The value at a path, or undefined. */
export function valueAt(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const s of path) {
    if ('f' in s) {
      if (!isMap(cur) || !Object.hasOwn(cur, s.f)) return undefined;
      cur = cur[s.f];
    } else {
      if (!Array.isArray(cur)) return undefined;
      cur = cur.find((e) => isMap(e) && deepEqual(e[s.k], s.v));
      if (cur === undefined) return undefined;
    }
  }
  return cur;
}

/** Remove the leaf at `path` (and the list element, for a whole-element path). */
function removeAt(obj: unknown, path: Path): void {
  let cur: unknown = obj;
  for (let i = 0; i < path.length - 1; i++) {
    cur = valueAt(cur, [path[i]!]);
    if (cur === undefined) return;
  }
  const last = path[path.length - 1]!;
  if ('f' in last) {
    if (isMap(cur)) delete cur[last.f];
  } else if (Array.isArray(cur)) {
    const i = cur.findIndex((e) => isMap(e) && deepEqual(e[last.k], last.v));
    if (i >= 0) cur.splice(i, 1);
  }
}

/** `.spec.containers[name="web"].image`, as Kubernetes prints conflicting fields. */
export function formatPath(p: Path): string {
  return p.map((s) => ('f' in s ? `.${s.f}` : `[${s.k}=${JSON.stringify(s.v)}]`)).join('');
}

// ---- FieldsV1 -------------------------------------------------------------

export function toFieldsV1(paths: readonly Path[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of paths) {
    let node = root;
    for (const s of p) {
      const name = 'f' in s ? `f:${s.f}` : `k:${JSON.stringify({ [s.k]: s.v })}`;
      if (!isMap(node[name])) node[name] = {};
      node = node[name] as Record<string, unknown>;
    }
    node['.'] = {};
  }
  return clean(root);
}

/** Drop the '.' marker where a node has children (FieldsV1 keeps '.' only for a set that is also a parent). */
function clean(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(node).filter((k) => k !== '.');
  if (keys.length === 0) return {};
  if (node['.'] !== undefined && keys.some((k) => k.startsWith('k:'))) out['.'] = {};
  for (const k of keys) out[k] = clean(node[k] as Record<string, unknown>);
  return out;
}

function fromFieldsV1(fields: unknown, prefix: Path = []): Path[] {
  if (!isMap(fields)) return [];
  const keys = Object.keys(fields).filter((k) => k !== '.');
  if (keys.length === 0) return prefix.length ? [prefix] : [];
  const out: Path[] = [];
  for (const k of keys) {
    let seg: Segment | undefined;
    if (k.startsWith('f:')) seg = { f: k.slice(2) };
    else if (k.startsWith('k:')) {
      try {
        const kv = JSON.parse(k.slice(2)) as Record<string, unknown>;
        const [mk, mv] = Object.entries(kv)[0] ?? [];
        if (mk !== undefined) seg = { k: mk, v: mv };
      } catch {
        seg = undefined; // not a key we wrote: ownership of it is dropped
      }
    }
    if (seg) out.push(...fromFieldsV1(fields[k], [...prefix, seg]));
  }
  return out;
}

// ---- ownership ------------------------------------------------------------

interface Owned {
  entry: ManagedFieldsEntry;
  paths: Map<string, Path>;
}

function readOwners(obj: KubeObject): Owned[] {
  return (obj.metadata.managedFields ?? []).map((entry) => {
    const paths = new Map<string, Path>();
    for (const p of fromFieldsV1(entry.fieldsV1)) paths.set(keyOf(p), p);
    return { entry, paths };
  });
}

function writeOwners(owners: Owned[]): ManagedFieldsEntry[] | undefined {
  const out = owners
    .filter((o) => o.paths.size > 0)
    .map((o) => ({ ...o.entry, fieldsType: 'FieldsV1' as const, fieldsV1: toFieldsV1([...o.paths.values()]) }));
  return out.length ? out : undefined;
}

export interface WriteInfo {
  readonly manager: string;
  readonly apiVersion: string;
  readonly time: string;
  readonly subresource?: string;
}

/**
 * Ownership after a create or update by `info.manager` (not apply): it owns
 * the leaves whose values it changed; they leave other managers' sets.
 */
export function recordUpdate(next: KubeObject, old: KubeObject | undefined, schema: PatchSchema, info: WriteInfo): KubeObject {
  if (!old && !next.metadata.managedFields?.length) {
    // A create: the manager owns every leaf; one set per object shape, shared (fields-v1-cache.ts).
    const fieldsV1 = sharedFieldsV1(next, schema) as Record<string, unknown>;
    const metadata = { ...next.metadata };
    if (hasAnyKey(fieldsV1)) {
      const entry = entryFor(info, 'Update'); // fieldsType is set: the same keys, in the same order, as a copy with fieldsV1 added
      entry.fieldsV1 = fieldsV1;
      metadata.managedFields = [entry];
    } else delete metadata.managedFields;
    return { ...next, metadata };
  }
  const changedPaths = changedLeaves(next, old, schema);
  // Most updates (status writes) change no owned leaf: skip decoding the owners.
  if (changedPaths.length === 0 && old) return { ...next, metadata: { ...next.metadata, managedFields: old.metadata.managedFields } };
  const owners = old ? readOwners(old) : readOwners(next);
  const changed = new Map<string, Path>();
  for (const p of changedPaths) changed.set(keyOf(p), p);
  for (const o of owners) if (o.entry.manager !== info.manager || o.entry.operation !== 'Update') for (const k of changed.keys()) o.paths.delete(k);
  let mine = owners.find((o) => o.entry.manager === info.manager && o.entry.operation === 'Update' && (o.entry.subresource ?? '') === (info.subresource ?? ''));
  if (!mine) owners.push((mine = { entry: entryFor(info, 'Update'), paths: new Map() }));
  mine.entry = entryFor(info, 'Update');
  for (const [k, p] of changed) mine.paths.set(k, p);
  return withOwners(next, owners);
}

/** Whether an object has an own enumerable key (Object.keys without its array; every create asks). */
function hasAnyKey(o: Record<string, unknown>): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

function entryFor(info: WriteInfo, operation: 'Apply' | 'Update'): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = { manager: info.manager, operation, apiVersion: info.apiVersion, time: info.time, fieldsType: 'FieldsV1' };
  if (info.subresource) e.subresource = info.subresource;
  return e;
}

function withOwners(obj: KubeObject, owners: Owned[]): KubeObject {
  const managedFields = writeOwners(owners);
  const metadata = { ...obj.metadata };
  if (managedFields) metadata.managedFields = managedFields;
  else delete metadata.managedFields;
  return { ...obj, metadata };
}

export interface ApplyConflict {
  readonly manager: string;
  readonly apiVersion: string;
  readonly field: string;
}

export type ApplyResult = { ok: true; object: KubeObject } | { ok: false; conflicts: ApplyConflict[] };

/**
 * Server-side apply of `applied` by `info.manager` onto `live` (already
 * merged by the caller with `merge`, which must merge maps and keyed lists).
 */
export function applyConfig(
  live: KubeObject,
  applied: KubeObject,
  schema: PatchSchema,
  info: WriteInfo,
  force: boolean,
  merge: (live: KubeObject, applied: KubeObject) => KubeObject,
): ApplyResult {
  const owners = readOwners(live);
  const mine = new Map<string, Path>();
  for (const p of leafPaths(applied, schema)) mine.set(keyOf(p), p);
  const conflicts: ApplyConflict[] = [];
  for (const o of owners) {
    if (o.entry.manager === info.manager) continue;
    for (const [k, p] of mine) {
      if (o.paths.has(k) && !deepEqual(valueAt(live, p), valueAt(applied, p))) {
        conflicts.push({ manager: o.entry.manager ?? '', apiVersion: o.entry.apiVersion ?? '', field: formatPath(p) });
      }
    }
  }
  if (conflicts.length > 0 && !force) return { ok: false, conflicts };
  const merged = deepClone(merge(live, applied) as unknown as JsonValue) as unknown as KubeObject;
  const previous = owners.find((o) => o.entry.manager === info.manager && o.entry.operation === 'Apply');
  if (previous) {
    for (const [k, p] of previous.paths) {
      if (mine.has(k)) continue;
      if (owners.some((o) => o !== previous && o.paths.has(k))) continue;
      removeAt(merged, p);
    }
  }
  for (const o of owners) {
    if (o.entry.manager === info.manager && o.entry.operation === 'Apply') continue;
    for (const [k, p] of mine) {
      // Forced fields change hands; fields applied with the same value are shared.
      if (o.paths.has(k) && (force || !deepEqual(valueAt(live, p), valueAt(applied, p)))) o.paths.delete(k);
    }
  }
  const rest = owners.filter((o) => !(o.entry.manager === info.manager && o.entry.operation === 'Apply'));
  rest.push({ entry: entryFor(info, 'Apply'), paths: mine });
  return { ok: true, object: withOwners(merged, rest) };
}

/** The Status message Kubernetes gives for apply conflicts. */
export function conflictMessage(conflicts: readonly ApplyConflict[]): string {
  const n = conflicts.length;
  if (n === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${JSON.stringify(c.manager)} using ${c.apiVersion}: ${c.field}`;
  }
  const lines = conflicts.map((c) => `conflict with ${JSON.stringify(c.manager)} using ${c.apiVersion}: ${c.field}`);
  return `Apply failed with ${n} conflicts: ${lines.join('\n')}`;
}
