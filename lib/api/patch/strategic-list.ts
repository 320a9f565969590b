// List handling for strategic merge patch: merging lists by merge key or as
// sets of primitives, the `$patch: delete|replace` list elements, and the
// ordering rules (k8s.io/apimachinery/pkg/util/strategicpatch, mergeSlice,
// normalizeElementOrder, mergeSortedSlice).
//
// Ordering, as Kubernetes does it: the merged list is split into items named
// by the patch (or by $setElementOrder) and server-only items; each group is
// sorted by its own order list, then the two are interleaved, taking a
// server-only item first only when the live list had it before the next
// patch item. So patch order wins among patch items, live order among the
// rest, and a new item lands before the remaining server-only items. Checked
// against apimachinery's exact-order test cases (the 2017 design proposal's
// "server-only items first" wording no longer describes the code).

import { goFormatV } from '../go-format.js';
import { getOwn, goTypeName, isObject, type JsonObject, type JsonValue } from './json-value.js';
import type { PatchMeta, PatchSchema } from './metadata.js';

export const DIRECTIVE = '$patch';

/** An expected failure: the patch is not applicable; becomes a 4xx answer upstream. */
export class SmpError {
  constructor(readonly message: string) {}
}

export const errNoMergeKey = (m: unknown, key: string): SmpError => new SmpError(`map: ${goFormatV(m)} does not contain declared merge key: ${key}`);
export const errBadArgType = (expected: string, actual: unknown): SmpError => new SmpError(`expected a ${expected}, but received a ${goTypeName(actual)}`);

/** Merges one patch map into one original map; supplied by strategic.ts (mutual recursion). */
export type MergeMapFn = (original: JsonObject, patch: JsonObject, fields: PatchSchema | undefined) => JsonObject;

type Kind = 'object' | 'string' | 'number' | 'boolean';

/** Go's sliceElementType: every element of every list has one JSON type, and no lists of lists. */
export function elementKind(...lists: readonly JsonValue[][]): Kind | null {
  let kind: Kind | null = null;
  for (const list of lists) {
    for (const v of list) {
      if (Array.isArray(v)) throw new SmpError('lists of lists are not supported');
      if (v === null) throw new SmpError(`list element types are not identical: ${goFormatV(lists)}`);
      const k = (isObject(v) ? 'object' : typeof v) as Kind;
      if (kind === null) kind = k;
      else if (kind !== k) throw new SmpError(`list element types are not identical: ${goFormatV(lists)}`);
    }
  }
  return kind;
}

/** The identity used for ordering: the merge key's value for maps, the value itself for primitives. */
function identity(v: JsonValue, mergeKey: string | undefined): JsonValue | undefined {
  if (mergeKey === undefined) return v;
  return isObject(v) ? getOwn(v, mergeKey) : undefined;
}

/** First position of each identity in an order list (uncomparable identities are never found). */
function orderIndex(order: readonly JsonValue[], mergeKey: string | undefined): Map<JsonValue, number> {
  const m = new Map<JsonValue, number>();
  order.forEach((v, i) => {
    const id = identity(v, mergeKey);
    if (id !== undefined && (id === null || typeof id !== 'object') && !m.has(id)) m.set(id, i);
  });
  return m;
}

function lookup(index: Map<JsonValue, number>, v: JsonValue, mergeKey: string | undefined): number {
  const id = identity(v, mergeKey);
  return id !== undefined && index.has(id) ? index.get(id)! : -1;
}

function requireMergeKey(lists: readonly (readonly JsonValue[])[], mergeKey: string): void {
  for (const list of lists) {
    for (const v of list) {
      if (!isObject(v)) throw errBadArgType('map[string]interface {}', v);
      if (!Object.hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    }
  }
}

function isDeleteElement(v: JsonValue): boolean {
  return isObject(v) && getOwn(v, DIRECTIVE) === 'delete';
}

/** Sorts `toSort` by position in `order` (stable); `$patch: delete` items go last. */
function normalizeSliceOrder(toSort: JsonValue[], order: readonly JsonValue[], mergeKey: string | undefined): JsonValue[] {
  let keep = toSort;
  let deleted: JsonValue[] = [];
  if (mergeKey !== undefined) {
    requireMergeKey([toSort, order], mergeKey);
    keep = toSort.filter((v) => !isDeleteElement(v));
    deleted = toSort.filter(isDeleteElement);
  }
  const index = orderIndex(order, mergeKey);
  const positions = keep.map((v) => lookup(index, v, mergeKey));
  const idx = keep.map((_, i) => i);
  idx.sort((a, b) => (positions[a]! >= 0 && positions[b]! >= 0 ? positions[a]! - positions[b]! : 0));
  return [...idx.map((i) => keep[i]!), ...deleted];
}

/** Interleaves server-only items (left) with patch items (right) using the live order. */
function mergeSortedSlice(left: JsonValue[], right: JsonValue[], serverOrder: readonly JsonValue[], mergeKey: string | undefined): JsonValue[] {
  const index = orderIndex(serverOrder, mergeKey);
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = lookup(index, left[i]!, mergeKey);
    const ri = lookup(index, right[j]!, mergeKey);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
    else out.push(right[j++]!);
  }
  while (i < left.length) out.push(left[i++]!);
  while (j < right.length) out.push(right[j++]!);
  return out;
}

export function normalizeElementOrder(
  patchItems: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: readonly JsonValue[],
  serverOrder: readonly JsonValue[],
  mergeKey: string | undefined,
): JsonValue[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey);
  return mergeSortedSlice(s, p, serverOrder, mergeKey);
}

/** Splits `items` into those whose identity appears in `by` and the rest. */
export function partition(items: readonly JsonValue[], by: readonly JsonValue[], mergeKey: string | undefined): { named: JsonValue[]; rest: JsonValue[] } {
  if (mergeKey !== undefined) {
    requireMergeKey([items], mergeKey);
    for (const v of by) if (!isObject(v)) throw new SmpError(`value for key ${goFormatV(v)} is not a map.`);
  }
  const index = orderIndex(by, mergeKey);
  const named: JsonValue[] = [];
  const rest: JsonValue[] = [];
  for (const v of items) (lookup(index, v, mergeKey) >= 0 ? named : rest).push(v);
  return { named, rest };
}

function dedupe(list: readonly JsonValue[]): JsonValue[] {
  const seen = new Set<JsonValue>();
  return list.filter((v) => (seen.has(v) ? false : (seen.add(v), true)));
}

function findByKey(list: readonly JsonValue[], mergeKey: string, value: JsonValue): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (!isObject(v)) throw new SmpError(`value for key ${i} is not a map.`);
    if (Object.hasOwn(v, mergeKey) && v[mergeKey] === value) return i;
  }
  return -1;
}

/** Merges a patch list into a live list for a field with strategy "merge". */
export function mergeSlice(original: JsonValue[], patch: JsonValue[], meta: PatchMeta, mergeMap: MergeMapFn): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  if (kind !== 'object') {
    const merged = dedupe([...original, ...patch]);
    const { named, rest } = partition(merged, patch, undefined);
    return normalizeElementOrder(named, rest, patch, original, undefined);
  }
  const mergeKey = meta.mergeKey;
  if (!mergeKey) throw new SmpError('cannot merge lists without merge key for type struct');

  // $patch elements first: delete removes every live item with that key; replace drops the live list.
  let live: JsonValue[] = original;
  const plain: JsonObject[] = [];
  let replace = false;
  for (const v of patch as JsonObject[]) {
    if (!Object.hasOwn(v, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const d = v[DIRECTIVE];
    if (d === 'delete') {
      if (!Object.hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
      const key = v[mergeKey]!;
      for (let i = findByKey(live, mergeKey, key); i >= 0; i = findByKey(live, mergeKey, key)) live = live.filter((_, j) => j !== i);
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      throw new SmpError('merging lists cannot yet be specified in the patch');
    } else {
      throw new SmpError(`unknown patch type: ${goFormatV(d)} in map: ${goFormatV(v)}`);
    }
  }
  const patchItems: JsonValue[] = replace ? [] : plain;
  if (replace) live = plain;

  const merged = [...live];
  for (const v of patchItems as JsonObject[]) {
    if (!Object.hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    const i = findByKey(merged, mergeKey, v[mergeKey]!);
    if (i >= 0) merged[i] = mergeMap(merged[i] as JsonObject, v, meta.fields);
    else merged.push(mergeMap({}, v, meta.fields));
  }
  const { named, rest } = partition(merged, patchItems, mergeKey);
  return normalizeElementOrder(named, rest, patchItems, live, mergeKey);
}

/** A list value new to the object: directive elements are resolved, nothing is merged or checked. */
export function freshList(list: JsonValue[], meta: PatchMeta | undefined, mergeMap: MergeMapFn): JsonValue[] {
  if (!meta?.strategy?.startsWith('merge') || !list.some(isObject)) return list;
  // With no live list, "delete" has nothing to delete and "replace" replaces nothing: drop the markers.
  const kept = list.filter((v) => !(isObject(v) && Object.hasOwn(v, DIRECTIVE)));
  return kept.map((v) => (isObject(v) ? mergeMap({}, v, meta.fields) : v));
}

/** `$deleteFromPrimitiveList/<field>`: remove these values from a list of primitives. */
export function deleteFromPrimitiveList(current: JsonValue[], toDelete: JsonValue[]): JsonValue[] {
  if (current.some((v) => typeof v === 'object' && v !== null)) throw new SmpError('invalid patch format of primitive list');
  const del = new Set(toDelete);
  return current.filter((v) => !del.has(v));
}
