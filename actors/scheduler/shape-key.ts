/**
 * Finding a pod's compiled shape without building a string per pod: a 32-bit
 * hash over the spec parts a shape depends on, then an exact comparison of
 * those parts with the pod the shape was first compiled from.
 *
 * Why: pods arrive as fresh objects (decoded from the api-server), so an
 * identity cache cannot help, and the JSON text of the parts cost ~2 µs per
 * pod plus most of the garbage of queueing one. The walk below allocates
 * nothing. Objects compare as JSON would see them: a property set to
 * undefined is the same as a missing one; key order does not matter for
 * equality (it may only split one shape into two equal ones).
 */
import type { Pod } from '../../lib/api/types/pod.js';

function mix(h: number, x: number): number {
  return Math.imul(h ^ x, 0x01000193);
}

function hashString(h: number, s: string): number {
  h = mix(h, s.length);
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return h;
}

function hashValue(h: number, v: unknown): number {
  if (v === undefined) return mix(h, 1);
  if (v === null) return mix(h, 2);
  switch (typeof v) {
    case 'string': return hashString(mix(h, 3), v);
    case 'number': return mix(mix(h, 4), Number.isInteger(v) ? v | 0 : Math.round(v * 1e6) | 0);
    case 'boolean': return mix(h, v ? 5 : 6);
    case 'object': {
      if (Array.isArray(v)) {
        h = mix(mix(h, 7), v.length);
        for (let i = 0; i < v.length; i++) h = hashValue(h, v[i]);
        return h;
      }
      h = mix(h, 8);
      const o = v as Record<string, unknown>;
      for (const k in o) {
        const x = o[k];
        if (x === undefined) continue;
        h = hashValue(hashString(h, k), x);
      }
      return h;
    }
    default: return mix(h, 9);
  }
}

/** Deep equality of JSON-like values, undefined properties counting as missing. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    const v = x[k];
    if (v === undefined) continue;
    n++;
    if (!sameValue(v, y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) n--;
  return n === 0;
}

/** The parts of a pod a shape depends on, besides namespace and priority (see compilePod's key). */
export function hashShapeParts(pod: Pod, namespace: string, priority: number, labels: unknown): number {
  const spec = pod.spec;
  let h = hashString(0x811c9dc5, namespace);
  h = hashValue(h, priority);
  if (spec) {
    h = hashValue(h, spec.preemptionPolicy);
    h = hashValue(h, spec.nodeName);
    h = hashValue(h, spec.nodeSelector);
    h = hashValue(h, spec.affinity);
    h = hashValue(h, spec.tolerations);
    h = hashValue(h, spec.topologySpreadConstraints);
    h = hashValue(h, spec.overhead);
    const cs = spec.containers ?? [];
    h = mix(h, cs.length);
    for (const c of cs) { h = hashValue(h, c.image); h = hashValue(h, c.resources?.requests); h = hashValue(h, c.ports); }
    const ics = spec.initContainers ?? [];
    h = mix(h, ics.length);
    for (const c of ics) { h = hashValue(h, c.image); h = hashValue(h, c.resources?.requests); h = hashValue(h, c.ports); h = hashValue(h, c.restartPolicy); }
  }
  return hashValue(h, labels) >>> 0;
}

/** Whether two pods agree on every part hashShapeParts reads (namespace, priority and labels compared by the caller). */
export function sameShapeParts(a: Pod, b: Pod): boolean {
  const x = a.spec;
  const y = b.spec;
  if (!x || !y) return !x && !y;
  if (x.preemptionPolicy !== y.preemptionPolicy || x.nodeName !== y.nodeName) return false;
  if (!sameValue(x.nodeSelector, y.nodeSelector) || !sameValue(x.affinity, y.affinity) || !sameValue(x.tolerations, y.tolerations)) return false;
  if (!sameValue(x.topologySpreadConstraints, y.topologySpreadConstraints) || !sameValue(x.overhead, y.overhead)) return false;
  const xc = x.containers ?? [];
  const yc = y.containers ?? [];
  if (xc.length !== yc.length) return false;
  for (let i = 0; i < xc.length; i++) {
    const p = xc[i]!;
    const q = yc[i]!;
    if (p.image !== q.image || !sameValue(p.resources?.requests, q.resources?.requests) || !sameValue(p.ports, q.ports)) return false;
  }
  const xi = x.initContainers ?? [];
  const yi = y.initContainers ?? [];
  if (xi.length !== yi.length) return false;
  for (let i = 0; i < xi.length; i++) {
    const p = xi[i]!;
    const q = yi[i]!;
    if (p.image !== q.image || p.restartPolicy !== q.restartPolicy || !sameValue(p.resources?.requests, q.resources?.requests) || !sameValue(p.ports, q.ports)) return false;
  }
  return true;
}
