// JSON Merge Patch (RFC 7386): the application/merge-patch+json body, used by
// `kubectl scale` on /scale and by `kubectl patch --type=merge`.
//
//   MergePatch(target, patch):
//     if patch is an object:
//       if target is not an object: target = {}
//       for each (name, value) in patch:
//         if value is null: remove name from target
//         else: target[name] = MergePatch(target[name], value)
//       return target
//     return patch
//
// Lists are replaced wholesale (that is what strategic merge patch adds).
// Inputs are never mutated, and the result shares with the target what the
// patch does not touch (copy it before changing it in place); "__proto__" keys
// are written as own properties.

import { deepClone, getOwn, isObject, setOwn, type JsonObject, type JsonValue } from './json-value.js';

/** Applies a merge patch to JSON data (typed objects welcome); returns a new value. */
export function applyMergePatch(target: unknown, patch: unknown): JsonValue {
  return mergeInto(target as JsonValue | undefined, patch as JsonValue);
}

/** `target` (left as it is) merged with `patch`: maps on the patch's paths are copied, one level each. */
function mergeInto(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return deepClone(patch);
  // A spread defines own data properties: a "__proto__" key stays a key.
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const name of Object.keys(patch)) {
    const value = patch[name]!;
    if (value === null) {
      if (Object.hasOwn(out, name)) delete out[name];
    } else {
      setOwn(out, name, mergeInto(getOwn(out, name), value));
    }
  }
  return out;
}
