/**
 * Object helpers the controllers share: owner references (Kubernetes'
 * metav1.GetControllerOf / NewControllerRef), semantic equality (nil and
 * empty maps and lists are equal, as apiequality.Semantic.DeepEqual), a
 * deep copy for cached objects, and timestamps.
 */
import type { KubeObject, OwnerReference } from '../../lib/api/types/meta.js';

export function controllerOf(obj: Pick<KubeObject, 'metadata'>): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** Cached objects are read-only: copy before changing. */
export function copy<T>(obj: T): T {
  return structuredClone(obj);
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).every((k) => (v as Record<string, unknown>)[k] === undefined);
  return false;
}

/** Deep equality where undefined, null, {} and [] are all "empty" and equal. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => semanticEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
  return true;
}

/** RFC 3339 with second precision, as metav1.Time. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function parseTime(t: string | null | undefined): number {
  return t ? Date.parse(t) : NaN;
}

/** Oldest first; ties by name (Kubernetes' ByCreationTimestamp). */
export function byCreation(a: Pick<KubeObject, 'metadata'>, b: Pick<KubeObject, 'metadata'>): number {
  const ta = parseTime(a.metadata.creationTimestamp) || 0;
  const tb = parseTime(b.metadata.creationTimestamp) || 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
