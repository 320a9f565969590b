/**
 * The hot half of field ownership: every create and every update by a
 * non-apply manager passes through here (kubelets' status writes, the
 * controllers' creates), so these walk the object once instead of listing
 * its leaf paths and looking each one up again.
 *
 * Both follow exactly the leaf rules of managed-fields.ts (`leafPaths`):
 * scalars, atomic lists and empty maps are leaves; lists with a merge key
 * are entered element by element; status and system metadata are skipped.
 * test/api-server/field-walk.property.test.ts checks them against it.
 */
import type { PatchSchema } from '../../lib/api/patch/metadata.js';
import { deepEqual } from '../../lib/api/patch/json-value.js';

export type Segment = { f: string } | { k: string; v: unknown };
export type Path = Segment[];

export const SKIP_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'generateName']);
export const SKIP_TOP = new Set(['apiVersion', 'kind', 'status']);

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isKeyedList(v: unknown, mergeKey: string | undefined): v is Record<string, unknown>[] {
  if (!Array.isArray(v) || !mergeKey) return false;
  for (const e of v) if (!isMap(e) || !(mergeKey in e)) return false;
  return true;
}

/** The FieldsV1 set of every leaf of `obj`: what a create makes its manager own. */
export function fieldsV1Of(obj: unknown, schema: PatchSchema): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  if (!isMap(obj)) return root;
  for (const k in obj) {
    if (!Object.hasOwn(obj, k) || SKIP_TOP.has(k)) continue;
    const v = obj[k];
    if (k === 'metadata' && isMap(v)) {
      let meta: Record<string, unknown> | undefined;
      const metaSchema = schema['metadata']?.fields;
      for (const mk in v) {
        if (!Object.hasOwn(v, mk) || SKIP_META.has(mk)) continue;
        meta ??= child(root, 'f:metadata');
        addLeaves(meta, `f:${mk}`, v[mk], metaSchema?.[mk]?.fields, metaSchema?.[mk]?.mergeKey);
      }
      continue;
    }
    addLeaves(root, `f:${k}`, v, schema[k]?.fields, schema[k]?.mergeKey);
  }
  return root;
}

function child(node: Record<string, unknown>, name: string): Record<string, unknown> {
  const existing = node[name];
  if (isMap(existing)) return existing;
  const made: Record<string, unknown> = {};
  node[name] = made;
  return made;
}

function addLeaves(parent: Record<string, unknown>, name: string, v: unknown, fields: PatchSchema | undefined, mergeKey: string | undefined): void {
  const node = child(parent, name);
  if (isMap(v)) {
    for (const k in v) if (Object.hasOwn(v, k)) addLeaves(node, `f:${k}`, v[k], fields?.[k]?.fields, fields?.[k]?.mergeKey);
    return;
  }
  if (isKeyedList(v, mergeKey)) {
    for (const e of v) {
      const elem = child(node, `k:${JSON.stringify({ [mergeKey!]: e[mergeKey!] })}`);
      for (const k in e) if (Object.hasOwn(e, k)) addLeaves(elem, `f:${k}`, e[k], fields?.[k]?.fields, fields?.[k]?.mergeKey);
    }
  }
}

/** The leaf paths of `next` whose values differ from `old`'s (all of them when `old` is undefined). */
export function changedLeaves(next: unknown, old: unknown, schema: PatchSchema): Path[] {
  const out: Path[] = [];
  if (!isMap(next)) return out;
  const oldMap = isMap(old) ? old : undefined;
  for (const k in next) {
    if (!Object.hasOwn(next, k) || SKIP_TOP.has(k)) continue;
    const v = next[k];
    const was = oldMap && Object.hasOwn(oldMap, k) ? oldMap[k] : undefined;
    if (k === 'metadata' && isMap(v)) {
      const wasMeta = isMap(was) ? was : undefined;
      const metaSchema = schema['metadata']?.fields;
      for (const mk in v) {
        if (!Object.hasOwn(v, mk) || SKIP_META.has(mk)) continue;
        const wasChild = wasMeta && Object.hasOwn(wasMeta, mk) ? wasMeta[mk] : undefined;
        diff(v[mk], wasChild, [{ f: 'metadata' }, { f: mk }], metaSchema?.[mk]?.fields, metaSchema?.[mk]?.mergeKey, out);
      }
      continue;
    }
    diff(v, was, [{ f: k }], schema[k]?.fields, schema[k]?.mergeKey, out);
  }
  return out;
}

function diff(v: unknown, was: unknown, path: Path, fields: PatchSchema | undefined, mergeKey: string | undefined, out: Path[]): void {
  if (isMap(v)) {
    let empty = true;
    const wasMap = isMap(was) ? was : undefined;
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      empty = false;
      const wasChild = wasMap && Object.hasOwn(wasMap, k) ? wasMap[k] : undefined;
      diff(v[k], wasChild, [...path, { f: k }], fields?.[k]?.fields, fields?.[k]?.mergeKey, out);
    }
    if (empty && !deepEqual(v, was)) out.push(path);
    return;
  }
  if (isKeyedList(v, mergeKey)) {
    const key = mergeKey!;
    if (v.length === 0 && !deepEqual(v, was)) out.push(path);
    const wasList = Array.isArray(was) ? (was as unknown[]) : undefined;
    for (const e of v) {
      const wasElem = wasList?.find((w) => isMap(w) && deepEqual(w[key], e[key]));
      const elem: Path = [...path, { k: key, v: e[key] }];
      for (const k in e) {
        if (!Object.hasOwn(e, k)) continue;
        const wasChild = isMap(wasElem) && Object.hasOwn(wasElem, k) ? wasElem[k] : undefined;
        diff(e[k], wasChild, [...elem, { f: k }], fields?.[k]?.fields, fields?.[k]?.mergeKey, out);
      }
    }
    return;
  }
  if (!deepEqual(v, was)) out.push(path);
}
