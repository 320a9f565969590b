/**
 * Key layout: `/registry/<group>/<resource>/<namespace>/<name>` for namespaced
 * objects and `/registry/<group>/<resource>/<name>` for cluster-scoped ones.
 * The core group ("" in apiVersion "v1") is written `core`, so every key has
 * the same number of segments before the resource and a prefix never matches
 * two groups (`/registry/core/pods/` vs `/registry/apps/deployments/`).
 *
 * Keys sort by UTF-8 bytes in LMDB (lmdb-js ordered-binary strings); the
 * helpers below use the same order so merges in range.ts agree with LMDB.
 */
import { InvalidArgumentError } from './errors.js';

export const REGISTRY_ROOT = '/registry/';
export const CORE_GROUP = 'core';

/** Longest key accepted; LMDB's limit in lmdb-js is larger, this leaves room and matches k8s name limits. */
export const MAX_KEY_BYTES = 1024;

export function objectKey(group: string, resource: string, namespace: string | undefined, name: string): string {
  const g = group === '' ? CORE_GROUP : group;
  return namespace
    ? `${REGISTRY_ROOT}${g}/${resource}/${namespace}/${name}`
    : `${REGISTRY_ROOT}${g}/${resource}/${name}`;
}

/** Prefix for all objects of a resource, or of a resource in one namespace. Ends with '/'. */
export function resourcePrefix(group: string, resource: string, namespace?: string): string {
  const g = group === '' ? CORE_GROUP : group;
  return namespace ? `${REGISTRY_ROOT}${g}/${resource}/${namespace}/` : `${REGISTRY_ROOT}${g}/${resource}/`;
}

// Control characters would collide with ordered-binary's separators and are never in k8s names.
const CONTROL = /[\u0000-\u001f\u007f]/;

export function validateKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key[0] !== '/')
    throw new InvalidArgumentError(`key must be a string starting with '/': ${JSON.stringify(key)}`);
  if (CONTROL.test(key)) throw new InvalidArgumentError(`key contains a control character: ${JSON.stringify(key)}`);
  if (key.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(key) > MAX_KEY_BYTES)
    throw new InvalidArgumentError(`key longer than ${MAX_KEY_BYTES} bytes: ${key.slice(0, 80)}...`);
}

export function validatePrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw new InvalidArgumentError('prefix must be a string');
  if (prefix !== '') validateKey(prefix);
}

/**
 * The smallest string greater than every string starting with `prefix`
 * (exclusive range end), or undefined for the empty prefix (no end).
 * Incrementing the last UTF-16 unit is exact for prefixes ending in a BMP
 * character, which every registry prefix does (they end in '/').
 */
export function prefixEnd(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * Compare two strings in UTF-8 byte order (= code point order), which is
 * LMDB's order. Plain `<` compares UTF-16 units and disagrees only when one
 * side has a surrogate and the other a character in U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}
