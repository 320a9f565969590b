// Strategic merge patch (application/strategic-merge-patch+json), the patch
// kubectl sends for `apply` (client-side), `cordon`, `edit` and
// `patch --type=strategic`. It is JSON merge patch plus per-field metadata
// (./metadata.ts) and directives:
//
//   null                             delete the field
//   "$patch": "replace"              in a map: replace the whole map with this one
//   "$patch": "delete"               in a map: delete it; as a merge-list element: delete that item
//   {"$patch": "replace"} element    in a merge list: replace the whole list
//   "$retainKeys": [k...]            clear every field of the live map not listed
//   "$setElementOrder/<f>": [...]    the final order of merge list <f>
//   "$deleteFromPrimitiveList/<f>"   remove these values from primitive merge list <f>
//
// Semantics follow k8s.io/apimachinery/pkg/util/strategicpatch (mergeMap,
// StrategicMergeMapPatch) including its error messages. `"$patch": "merge"`
// is rejected exactly as Kubernetes rejects it. Deliberate differences, all
// in corners where Kubernetes relies on decoding into Go structs to clean up:
// - a value new to the object is stored with its directives resolved
//   (Kubernetes stores the raw patch value and lets typed decoding drop the
//   "$..." keys, which Berth, storing JSON, cannot rely on);
// - `$deleteFromPrimitiveList/<f>` on a missing field is a no-op (Kubernetes
//   would store the deletion list as the field's value);
// - deletion lists apply after the other fields of the same map (Kubernetes
//   applies them in Go's random map order).
// Inputs are never mutated; every key, "__proto__" included, is an own property.

import { goFormatV } from '../go-format.js';
import { deepClone, deleteOwn, getOwn, isObject, setOwn, type JsonObject, type JsonValue } from './json-value.js';
import type { PatchMeta, PatchSchema } from './metadata.js';
import {
  DIRECTIVE,
  SmpError,
  deleteFromPrimitiveList,
  elementKind,
  errBadArgType,
  freshList,
  mergeSlice,
  normalizeElementOrder,
  partition,
} from './strategic-list.js';

const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

export type StrategicPatchResult = { ok: true; value: JsonObject } | { ok: false; error: string };

/**
 * Applies a strategic merge patch to an object (JSON data: a typed object such
 * as a Pod is fine). `schema` is the kind's patch metadata
 * (patchSchemas[kind]); without one, lists are replaced as in JSON merge patch.
 * Neither argument is changed; the result shares the values the patch does
 * not touch with `original`, so copy it before changing it in place.
 */
export function applyStrategicMergePatch(original: object, patch: unknown, schema: PatchSchema = {}): StrategicPatchResult {
  if (!isObject(patch as JsonValue)) {
    return { ok: false, error: `json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}` };
  }
  try {
    // The original is never changed: mergeMap copies each map it changes (one level, on the way
    // down), so the result shares what the patch does not touch. A /status patch of a Pod used to
    // copy the whole Pod first, the largest cost of a kubelet's status write. The patch is copied
    // because directives are consumed from it and its values end up in the result.
    return { ok: true, value: mergeMap(original as JsonObject, deepClone(patch as JsonObject), schema) };
  } catch (e) {
    if (e instanceof SmpError) return { ok: false, error: e.message };
    throw e;
  }
}

function metaFor(schema: PatchSchema | undefined, key: string): PatchMeta | undefined {
  return schema && Object.hasOwn(schema, key) ? schema[key] : undefined;
}

function isMergeList(meta: PatchMeta | undefined): meta is PatchMeta {
  return meta?.strategy === 'merge' || meta?.strategy === 'merge,retainKeys';
}

/** "$prefix/key" -> "key"; anything else is a malformed directive. */
function extractKey(s: string, prefix: string, error: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) throw new SmpError(error);
  return s.slice(slash + 1);
}

/**
 * `original` merged with `patch`: a new map (`original` is left as it is;
 * its untouched values are shared). `patch` is a private copy and may be
 * consumed.
 */
function mergeMap(live: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): JsonObject {
  // A spread defines own data properties, so a "__proto__" key stays a key.
  const original: JsonObject = { ...live };
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      delete patch[DIRECTIVE];
      return mergeMap({}, patch, schema);
    }
    if (d === 'delete') return {};
    throw new SmpError(`unknown patch type: ${goFormatV(d)} in map: ${goFormatV(patch)}`);
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);
  const deletions: string[] = [];
  for (const k of Object.keys(patch)) {
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) deletions.push(k);
    else mergeField(original, k, patch[k]!, metaFor(schema, k));
  }
  for (const k of deletions) {
    const key = extractKey(k, DELETE_FROM_PRIMITIVE_LIST, 'invalid patch format of primitive list');
    const toDelete = patch[k]!;
    if (toDelete === null) {
      deleteOwn(original, key);
      continue;
    }
    if (!Array.isArray(toDelete)) throw new SmpError('invalid patch format of primitive list');
    const current = getOwn(original, key);
    if (Array.isArray(current)) setOwn(original, key, deleteFromPrimitiveList(current, toDelete));
  }
  return original;
}

function kindOf(v: JsonValue): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function mergeField(original: JsonObject, key: string, patchValue: JsonValue, meta: PatchMeta | undefined): void {
  if (patchValue === null) {
    deleteOwn(original, key);
    return;
  }
  const current = getOwn(original, key);
  if (current === undefined || kindOf(current) !== kindOf(patchValue)) {
    setOwn(original, key, fresh(patchValue, meta));
  } else if (isObject(patchValue)) {
    setOwn(original, key, meta?.strategy === 'replace' ? patchValue : mergeMap(current as JsonObject, patchValue, meta?.fields));
  } else if (Array.isArray(patchValue)) {
    setOwn(original, key, isMergeList(meta) ? mergeSlice(current as JsonValue[], patchValue, meta, mergeMap) : patchValue);
  } else {
    setOwn(original, key, patchValue);
  }
}

/** A value the live object does not have yet: resolve directives, keep the data. */
function fresh(v: JsonValue, meta: PatchMeta | undefined): JsonValue {
  if (isObject(v)) return mergeMap({}, v, meta?.fields);
  if (Array.isArray(v)) return freshList(v, meta, mergeMap);
  return v;
}

/** `$retainKeys`: every other patch field must be listed; live fields not listed are cleared. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw new SmpError('invalid patch format of retainKeys');
  const keep = new Set<JsonValue>(list);
  for (const k of Object.keys(patch)) {
    if (patch[k] === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw new SmpError('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<f>`: merge list <f> (if the patch has it), then order the
 * result: items named in the order list follow it, other live items keep
 * their places relative to the live order.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey]!;
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw errBadArgType('[]interface {}', order);
    const key = extractKey(directiveKey, SET_ELEMENT_ORDER, 'invalid patch format of setElementOrder list');
    const liveValue = getOwn(original, key);
    const patchValue = getOwn(patch, key);
    if (liveValue !== undefined && !Array.isArray(liveValue)) throw errBadArgType('[]interface {}', liveValue);
    if (patchValue !== undefined && !Array.isArray(patchValue)) throw errBadArgType('[]interface {}', patchValue);
    const meta = metaFor(schema, key);
    const mergeKey = meta?.mergeKey;
    validatePatchWithSetOrderList(patchValue ?? [], order, mergeKey);

    let merged: JsonValue[];
    if (liveValue !== undefined && patchValue !== undefined) {
      merged = isMergeList(meta) ? mergeSlice(liveValue, patchValue, meta, mergeMap) : patchValue;
    } else if (patchValue !== undefined) {
      merged = freshList(patchValue, meta, mergeMap);
    } else if (liveValue !== undefined) {
      merged = liveValue;
    } else {
      continue;
    }
    if (merged.length > 0) {
      elementKind(merged);
      const { named, rest } = partition(merged, order, mergeKey);
      merged = normalizeElementOrder(named, rest, order, liveValue ?? [], mergeKey);
    }
    setOwn(original, key, merged);
    delete patch[key];
  }
}

/** Items of the patch list must appear in the order list, in the same relative order. */
function validatePatchWithSetOrderList(patchList: JsonValue[], order: JsonValue[], mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey !== undefined) {
    for (const v of patchList) if (!isObject(v)) throw errBadArgType('map[string]interface {}', v);
    items = patchList.filter((v) => getOwn(v as JsonObject, DIRECTIVE) !== 'delete');
  }
  const same = (a: JsonValue, b: JsonValue): boolean => {
    if (mergeKey === undefined) return a === b;
    if (!isObject(a)) throw errBadArgType('map[string]interface {}', a);
    if (!isObject(b)) throw errBadArgType('map[string]interface {}', b);
    if (!Object.hasOwn(a, mergeKey)) throw new SmpError(`map: ${goFormatV(a)} does not contain declared merge key: ${mergeKey}`);
    if (!Object.hasOwn(b, mergeKey)) throw new SmpError(`map: ${goFormatV(b)} does not contain declared merge key: ${mergeKey}`);
    return a[mergeKey] === b[mergeKey];
  };
  let pi = 0;
  let oi = 0;
  while (pi < items.length && oi < order.length) {
    const item = items[pi]!;
    if (isObject(item) && Object.hasOwn(item, DIRECTIVE)) {
      pi++;
      continue;
    }
    if (same(item, order[oi]!)) pi++;
    oi++;
  }
  if (pi < items.length && oi >= order.length) {
    throw new SmpError(`The order in patch list:\n${goFormatV(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormatV(order)}\n`);
  }
}
