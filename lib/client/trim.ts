/**
 * Informer transforms (client-go's SetTransform): what an informer caches
 * and hands to its handlers instead of the object as decoded.
 *
 * `trimForCache` is what the control plane's informers use. It does two
 * things, both because a 150,000-pod cluster keeps a copy of every pod in
 * several threads:
 *
 * - drops metadata.managedFields, as kube-controller-manager and
 *   kube-scheduler do (kubernetes#118455): no controller reads field
 *   ownership, and it was nearly half of a decoded pod (7.4 -> 4.2 KB). An update sent
 *   without managedFields keeps the server's (Kubernetes' rule, and the
 *   api-server's), so writing back a copy of a trimmed object loses nothing.
 * - re-homes every string: msgpackr's native decoder returns strings as
 *   slices of one long string per message, so a single cached label value
 *   kept that whole message (managedFields included) alive. Values are
 *   pooled, so the "True", "load" or node name of 150,000 pods is one string.
 *
 * Given the version it replaces in the cache, an update shares with it every
 * part that is equal (a Pod's spec, labels, owners... while its status
 * changes): the parts compared equal are dropped young instead of being
 * owned, cached and later collected from the old generation, and the
 * handlers' old and new objects are `===` where nothing changed.
 */
import type { KubeObject } from '../api/types/meta.js';

/**
 * An informer transform: takes a freshly decoded object it may change, and
 * the cached object it replaces (read-only; undefined for a new one),
 * returns what is cached.
 */
export type Transform = <T extends KubeObject>(obj: T, prev?: Readonly<T>) => T;

/** The object without metadata.managedFields (a new metadata object: `delete` would slow every later read). */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/**
 * Pooled strings. Most values repeat across objects; those under the keys
 * in UNIQUE_KEYS rarely do and are only copied (pooling them would churn the
 * pool). The pool starts over when full: later objects then share again
 * from scratch, earlier ones keep the strings they have.
 */
const POOL_MAX = 100_000;
/** Longer strings are copied, not pooled: they are rarely shared (messages, hashes). */
const POOL_MAX_LENGTH = 96;
/** V8 copies shorter slices at once (SlicedString::kMinLength): such a string pins nothing. */
const SLICE_MIN_LENGTH = 13;
const UNIQUE_KEYS = new Set(['uid', 'name', 'resourceVersion', 'containerID', 'podIP', 'ip']);
let pool = new Map<string, string>();

/** A string that shares no storage with the message it was decoded from, pooled. */
export function ownString(s: string): string {
  if (s.length > POOL_MAX_LENGTH) return copy(s);
  let own = pool.get(s);
  if (own === undefined) {
    if (pool.size >= POOL_MAX) pool = new Map();
    own = copy(s);
    pool.set(own, own);
  }
  return own;
}

/**
 * A copy that does not pin `s`'s parent. Concatenating makes a cons string
 * that slice() flattens into a fresh one of length + 1: the slice returned
 * keeps only that alive (cheaper than a JSON round trip, which also works).
 */
function copy(s: string): string {
  return s.length < SLICE_MIN_LENGTH ? s : (s + ' ').slice(0, -1);
}

/** Every string in `value` (object keys are V8's own and pin nothing) replaced by an own one, in place. */
export function ownStrings<T>(value: T): T {
  if (typeof value === 'string') return ownString(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') value[i] = ownString(v);
      else if (v !== null && typeof v === 'object') ownStrings(v);
    }
    return value;
  }
  const o = value as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'string') o[k] = UNIQUE_KEYS.has(k) ? copy(v) : ownString(v);
    else if (v !== null && typeof v === 'object') ownStrings(v);
  }
  return value;
}

/**
 * `value`, or `prev` when they are equal (deeply, as JSON values), with
 * every part equal to the same part of `prev` replaced by that part, in
 * place; with `own`, its other strings owned (ownStrings). Equal strings
 * compare in a few instructions when the decoder shares them (a records
 * table) and are kept as `prev`'s. Without `own` only what changes is
 * stored, so for an unchanged object the walk is mostly loads (every event
 * of a node host's pods goes through it).
 */
function shareEqual(value: unknown, prev: unknown, own: boolean): unknown {
  // Strings too: === compares their characters (then `prev`'s, already owned, is kept).
  if (value === prev) return prev;
  if (typeof value === 'string') return own ? ownString(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (prev === null || typeof prev !== 'object' || Array.isArray(value) !== Array.isArray(prev)) return own ? ownStrings(value) : value;
  if (Array.isArray(value)) {
    const old = prev as unknown[];
    let same = value.length === old.length;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const s = i < old.length ? shareEqual(v, old[i], own) : own ? ownStrings(v) : v;
      // Owned strings are always stored: an equal one may be another string (a slice pinning a message).
      if (own || s !== v) value[i] = s;
      if (s !== old[i]) same = false;
    }
    return same ? prev : value;
  }
  const o = value as Record<string, unknown>;
  const old = prev as Record<string, unknown>;
  let same = true;
  let n = 0;
  for (const k in o) {
    n++;
    const v = o[k];
    const p = old[k];
    const s = v === p ? p : typeof v === 'string' ? (!own ? v : UNIQUE_KEYS.has(k) ? copy(v) : ownString(v)) : shareEqual(v, p, own);
    if (own || s !== v) o[k] = s;
    if (s !== p || (p === undefined && !(k in old))) same = false;
  }
  if (!same) return value;
  // Equal when `prev` has no other keys.
  for (const _ in old) if (--n < 0) return value;
  return prev;
}

/**
 * What control-plane informers cache: no managedFields, strings of its own;
 * an update shares its unchanged parts with the version it replaces
 * (shareEqual; the object itself stays new, so handlers get two objects).
 */
export function trimForCache<T extends KubeObject>(obj: T, prev?: Readonly<T>): T {
  return trim(obj, prev, true);
}

/**
 * trimForCache for objects whose strings pin nothing and repeat little: the
 * records decoder's (InProcessTransport), whose strings are fresh copies or
 * its thread-wide table's. Re-homing them would only copy them again.
 */
export function trimDecoded<T extends KubeObject>(obj: T, prev?: Readonly<T>): T {
  return trim(obj, prev, false);
}

function trim<T extends KubeObject>(obj: T, prev: Readonly<T> | undefined, own: boolean): T {
  const o = stripManagedFields(obj);
  if (prev === undefined) return own ? ownStrings(o) : o;
  const fields = o as Record<string, unknown>;
  const old = prev as Record<string, unknown>;
  for (const k in fields) fields[k] = shareEqual(fields[k], old[k], own);
  return o;
}
