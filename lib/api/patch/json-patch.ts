// JSON Patch (RFC 6902) over JSON Pointer (RFC 6901): the
// application/json-patch+json body of a PATCH request.
//
// The document is deep-copied first, so callers' objects are never mutated;
// keys are written with setOwn, so a pointer like "/metadata/labels/__proto__"
// adds an ordinary label. Error texts follow the wording of
// evanphx/json-patch, the library the Kubernetes api-server uses, so that
// kubectl users see familiar messages; the api-server maps a failed
// application to 422 and a malformed patch to 400.

import { deepClone, deepEqual, getOwn, hasOwn, isObject, setOwn, type JsonObject, type JsonValue } from './json-value.js';

export type JsonPatchOperation =
  | { op: 'add'; path: string; value: JsonValue }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: JsonValue }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value: JsonValue };

/** malformed: the patch itself is not a valid JSON Patch (400); failed: it does not apply (422). */
export type JsonPatchResult = { ok: true; value: JsonValue } | { ok: false; kind: 'malformed' | 'failed'; error: string };

/** Kubernetes caps the number of operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

class PatchFailure {
  constructor(readonly kind: 'malformed' | 'failed', readonly message: string) {}
}

/** Parses a JSON Pointer into reference tokens ("" is the whole document). */
export function parsePointer(pointer: string): string[] | null {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return null;
  const tokens: string[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    if (/~[^01]|~$/.test(raw)) return null;
    tokens.push(raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return tokens;
}

/** Builds a pointer from reference tokens, escaping '~' and '/'. */
export function formatPointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function pointerOrThrow(p: unknown, what: string): string[] {
  if (typeof p !== 'string') throw new PatchFailure('malformed', `missing ${what}`);
  const tokens = parsePointer(p);
  if (!tokens) throw new PatchFailure('malformed', `invalid JSON pointer ${JSON.stringify(p)} in ${what}`);
  return tokens;
}

/** An array index token: digits without a leading zero (RFC 6901 §4). */
function arrayIndex(token: string): number | null {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : null;
}

type Container = { kind: 'object'; obj: JsonObject; key: string } | { kind: 'array'; arr: JsonValue[]; token: string };

/** Finds the parent container of the last token; null when an intermediate value is missing. */
function resolveParent(doc: JsonValue, tokens: readonly string[]): Container | null {
  let cur: JsonValue | undefined = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    cur = child(cur, tokens[i]!);
    if (cur === undefined) return null;
  }
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(cur)) return { kind: 'array', arr: cur, token: last };
  if (isObject(cur)) return { kind: 'object', obj: cur, key: last };
  return null;
}

function child(v: JsonValue | undefined, token: string): JsonValue | undefined {
  if (Array.isArray(v)) {
    const i = arrayIndex(token);
    return i !== null && i < v.length ? v[i] : undefined;
  }
  if (isObject(v)) return getOwn(v, token);
  return undefined;
}

function getAt(doc: JsonValue, tokens: readonly string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = doc;
  for (const t of tokens) {
    cur = child(cur, t);
    if (cur === undefined) return undefined;
  }
  return cur;
}

function indexFor(c: { arr: JsonValue[]; token: string }, allowEnd: boolean): number {
  if (allowEnd && c.token === '-') return c.arr.length;
  const i = arrayIndex(c.token);
  const max = allowEnd ? c.arr.length : c.arr.length - 1;
  if (i === null || i > max) throw new PatchFailure('failed', `Unable to access invalid index: ${c.token}: invalid index referenced`);
  return i;
}

function add(doc: JsonValue, tokens: string[], value: JsonValue, path: string, op = 'add'): JsonValue {
  if (tokens.length === 0) return value;
  const c = resolveParent(doc, tokens);
  if (!c) throw new PatchFailure('failed', `${op} operation does not apply: doc is missing path: "${path}": missing value`);
  if (c.kind === 'object') setOwn(c.obj, c.key, value);
  else c.arr.splice(indexFor(c, true), 0, value);
  return doc;
}

function remove(doc: JsonValue, tokens: string[], path: string, op = 'remove'): { doc: JsonValue; removed: JsonValue } {
  if (tokens.length === 0) throw new PatchFailure('failed', `${op} operation does not apply: cannot remove the whole document`);
  const c = resolveParent(doc, tokens);
  if (!c) throw new PatchFailure('failed', `${op} operation does not apply: doc is missing path: "${path}": missing value`);
  if (c.kind === 'object') {
    if (!hasOwn(c.obj, c.key)) throw new PatchFailure('failed', `Unable to remove nonexistent key: ${c.key}: missing value`);
    const removed = c.obj[c.key]!;
    delete c.obj[c.key];
    return { doc, removed };
  }
  const i = indexFor(c, false);
  const [removed] = c.arr.splice(i, 1);
  return { doc, removed: removed! };
}

function applyOne(doc: JsonValue, raw: unknown): JsonValue {
  if (!isObject(raw as JsonValue)) throw new PatchFailure('malformed', 'operation must be an object');
  const o = raw as Record<string, unknown>;
  const op = Object.hasOwn(o, 'op') ? o.op : undefined;
  const path = Object.hasOwn(o, 'path') ? o.path : undefined;
  switch (op) {
    case 'add': {
      if (!Object.hasOwn(o, 'value')) throw new PatchFailure('malformed', 'missing value for add operation');
      return add(doc, pointerOrThrow(path, 'path'), deepClone(o.value as JsonValue), path as string);
    }
    case 'remove':
      return remove(doc, pointerOrThrow(path, 'path'), path as string).doc;
    case 'replace': {
      if (!Object.hasOwn(o, 'value')) throw new PatchFailure('malformed', 'missing value for replace operation');
      const tokens = pointerOrThrow(path, 'path');
      if (tokens.length === 0) return deepClone(o.value as JsonValue);
      if (getAt(doc, tokens) === undefined) throw new PatchFailure('failed', `replace operation does not apply: doc is missing key: ${String(path)}: missing value`);
      const c = resolveParent(doc, tokens)!;
      if (c.kind === 'object') setOwn(c.obj, c.key, deepClone(o.value as JsonValue));
      else c.arr[indexFor(c, false)] = deepClone(o.value as JsonValue);
      return doc;
    }
    case 'move': {
      const from = pointerOrThrow(o.from, 'from');
      const to = pointerOrThrow(path, 'path');
      if (from.length < to.length && from.every((t, i) => t === to[i])) {
        throw new PatchFailure('failed', `move operation does not apply: from ${String(o.from)} is a prefix of path ${String(path)}`);
      }
      if (getAt(doc, from) === undefined) throw new PatchFailure('failed', `move operation does not apply: doc is missing from path: ${String(o.from)}: missing value`);
      const r = remove(doc, from, o.from as string, 'move');
      return add(r.doc, to, r.removed, path as string, 'move');
    }
    case 'copy': {
      const from = pointerOrThrow(o.from, 'from');
      const v = getAt(doc, from);
      if (v === undefined) throw new PatchFailure('failed', `copy operation does not apply: doc is missing from path: ${String(o.from)}: missing value`);
      return add(doc, pointerOrThrow(path, 'path'), deepClone(v), path as string, 'copy');
    }
    case 'test': {
      if (!Object.hasOwn(o, 'value')) throw new PatchFailure('malformed', 'missing value for test operation');
      const v = getAt(doc, pointerOrThrow(path, 'path'));
      if (v === undefined || !deepEqual(v, o.value)) throw new PatchFailure('failed', `testing value ${String(path)} failed: test failed`);
      return doc;
    }
    default:
      throw new PatchFailure('malformed', `Unexpected kind: ${typeof op === 'string' ? op : 'unknown'}`);
  }
}

/**
 * Applies a JSON Patch. `patch` is the decoded request body (an array of
 * operations); the operations apply in order and all-or-nothing.
 */
export function applyJsonPatch(doc: unknown, patch: unknown, maxOperations = MAX_JSON_PATCH_OPERATIONS): JsonPatchResult {
  if (!Array.isArray(patch)) return { ok: false, kind: 'malformed', error: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' };
  if (patch.length > maxOperations) {
    return { ok: false, kind: 'malformed', error: `The allowed maximum operations in a JSON patch is ${maxOperations}, got ${patch.length}` };
  }
  try {
    let cur = deepClone(doc as JsonValue);
    for (const op of patch) cur = applyOne(cur, op);
    return { ok: true, value: cur };
  } catch (e) {
    if (e instanceof PatchFailure) return { ok: false, kind: e.kind, error: e.message };
    throw e;
  }
}
