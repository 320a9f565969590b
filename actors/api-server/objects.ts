/**
 * Small helpers shared by the handlers: outcomes, keys, revisions,
 * timestamps, generated names, and the mapping of store failures to Status.
 */
import { randomInt } from 'node:crypto';
import { storageKey, storagePrefix, type ResourceDef } from '../../lib/api/resources/index.js';
import { alreadyExists, conflict, internalError, isStatus, notFound, resourceExpired, timeout, badRequest } from '../../lib/api/status.js';
import type { KubeObject, Status } from '../../lib/api/types/meta.js';
import type { WriteResult } from '../../lib/store/types.js';
import { StoreError } from '../../lib/store/errors.js';
import type { ApiResponse } from './messages.js';

/** A handler's internal result: the value, or the Status to answer with. */
export type Outcome<T> = T | Status;

export const failed = (v: unknown): v is Status => isStatus(v) && (v as Status).status === 'Failure';

export function respond(code: number, body: KubeObject | Status | Record<string, unknown>): ApiResponse {
  return { code, body };
}

export function fromStatus(s: Status): ApiResponse {
  return { code: s.code, body: s };
}

export const gr = (def: ResourceDef): { group: string; resource: string } => ({ group: def.group, resource: def.plural });

export function keyOf(def: ResourceDef, namespace: string | undefined, name: string): string {
  return storageKey(def, namespace, name);
}

/** The cache bucket of a resource: its storage prefix without a namespace. */
export function bucketOfDef(def: ResourceDef): string {
  return storagePrefix(def);
}

export function revisionOf(obj: KubeObject): number {
  return Number(obj.metadata.resourceVersion ?? 0);
}

/** RFC 3339 with second precision, as metav1.Time serializes. */
export function timestamp(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s !== lastSecond) {
    lastStamp = new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = s;
  }
  return lastStamp;
}
// Every create stamps the same second many times over: format it once.
let lastSecond = Number.NaN;
let lastStamp = '';

/** RFC 3339 with microseconds (MicroTime). */
export function microTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

// The alphabet of k8s.io/apiserver's name generator (no vowels, no confusable digits).
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_BASE = 63 - 5;

export function generateName(base: string): string {
  if (nameSeed !== null) return base.slice(0, MAX_GENERATED_BASE) + seededSuffix(base);
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return base.slice(0, MAX_GENERATED_BASE) + suffix;
}

// Seeded names (scenario runs, ApiServerArgs.nameSeed): the same seed and the
// same order of creates per generateName base give the same names, so a run
// repeats (the simulated runtime draws its latencies from pod names). The
// n-th suffix of a base is n through an affine permutation of the 27^5
// suffixes, so names of one base never collide.
let nameSeed: number | null = null;
const nameCounts = new Map<string, number>();
const SUFFIXES = 27 ** 5;

/** Seed generated names (null: random again). `epoch` (the store revision at start) keeps a restarted api-server from repeating names. */
export function seedGeneratedNames(seed: number | null, epoch = 0): void {
  nameSeed = seed === null ? null : hashOf(`${seed}/${epoch}`);
  nameCounts.clear();
}

function seededSuffix(base: string): string {
  const n = nameCounts.get(base) ?? 0;
  nameCounts.set(base, n + 1);
  const h = hashOf(`${nameSeed}/${base}`);
  const a = (h % 3 === 0 ? h + 1 : h) % SUFFIXES || 1; // coprime to 3^15
  let x = (a * n + (hashOf(`${h}`) % SUFFIXES)) % SUFFIXES;
  let suffix = '';
  for (let i = 0; i < 5; i++, x = Math.floor(x / 27)) suffix += ALPHANUMS[x % 27];
  return suffix;
}

function hashOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Adds apiVersion and kind if missing (stored objects always carry them). */
export function typed<T extends KubeObject>(def: ResourceDef, obj: T): T {
  if (obj.apiVersion === def.apiVersion && obj.kind === def.kind) return obj;
  return { ...obj, apiVersion: def.apiVersion, kind: def.kind };
}

/** A failed write op as the Status kubectl expects. */
export function writeFailure(def: ResourceDef, name: string, r: Extract<WriteResult, { ok: false }>): Status {
  switch (r.code) {
    case 'ALREADY_EXISTS':
      return alreadyExists(gr(def), name);
    case 'NOT_FOUND':
      return notFound(gr(def), name);
    case 'CONFLICT':
      return conflict(gr(def), name);
    default:
      return internalError(`store: ${String(r.code)}`);
  }
}

/** A thrown store or runtime error as a Status (faults, not expected outcomes). */
export function faultStatus(err: unknown): Status {
  if (err instanceof StoreError) {
    if (err.code === 'COMPACTED') return resourceExpired(err.message);
    if (err.code === 'FUTURE_REVISION') return timeout(`Too large resource version: ${err.message}`, 1);
    if (err.code === 'INVALID_CONTINUE') return badRequest(err.message);
  }
  return internalError(err instanceof Error ? err.message : String(err));
}
