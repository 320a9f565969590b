// Defaulting never mutates its input: each defaulter deep-copies first and
// then fills the copy in place. The copy goes through the patch layer's
// deepClone so a "__proto__" label key stays an own property.

import { deepClone, type JsonValue } from '../patch/json-value.js';

export function clone<T>(obj: T): T {
  return deepClone(obj as unknown as JsonValue) as unknown as T;
}

/** The object at `obj[key]`, created empty if absent (for filling in nested defaults). */
export function ensure<T extends object, K extends keyof T>(obj: T, key: K): NonNullable<T[K]> {
  if (obj[key] === undefined || obj[key] === null) obj[key] = {} as T[K];
  return obj[key] as NonNullable<T[K]>;
}
