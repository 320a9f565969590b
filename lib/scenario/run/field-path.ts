/**
 * `fieldPath` conditions and expectations: read `.a.b[0]["c.d"]` from an
 * object and compare it with a value. A missing field reads as null, so
 * `{ path: .status.unavailableReplicas, op: '==', value: null }` says "unset".
 */
import type { CompareOp } from '../types.js';

const SEGMENT = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[([0-9]+)\]|\["([^"]*)"\]/g;

export function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const m of path.matchAll(SEGMENT)) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return null;
    const key = m[1] ?? m[3];
    if (key !== undefined) cur = Object.hasOwn(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
    else cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
  }
  return cur === undefined ? null : cur;
}

export function compare(actual: unknown, op: CompareOp, expected: unknown): boolean {
  switch (op) {
    case '==':
      return looseEqual(actual, expected);
    case '!=':
      return !looseEqual(actual, expected);
    default: {
      if (typeof actual !== 'number' || typeof expected !== 'number') return false;
      if (op === '<') return actual < expected;
      if (op === '<=') return actual <= expected;
      if (op === '>') return actual > expected;
      return actual >= expected;
    }
  }
}

/** Scalars compare by value; a YAML `6` equals a stored "6" only when both are numbers or both strings. */
function looseEqual(a: unknown, b: unknown): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

export function show(v: unknown): string {
  return v === null ? 'null (unset)' : JSON.stringify(v);
}
