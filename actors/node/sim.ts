/**
 * The simulated runtime's behaviour: latencies and failures per node pool
 * (the kubelet's args) or per pod (the `berth.dev/simulate` annotation),
 * drawn from simple distributions seeded from the pod's name, so a run
 * repeats exactly. Pure functions; no OS resources.
 */

import type { SimFailure } from './sim-failures.js';

/**
 * Milliseconds: fixed, uniform in [min, max], exponential with a mean, normal
 * (mean, stddev; truncated at 0) or lognormal (median, sigma of the log).
 */
export type Latency =
  | number
  | { readonly min: number; readonly max: number }
  | { readonly mean: number }
  | { readonly mean: number; readonly stddev: number }
  | { readonly median: number; readonly sigma: number };

export interface SimBehaviour {
  /** Image pull, when the image is not on the node yet. Default 0. */
  readonly pullMs?: Latency;
  /** Create + start of a container. Default 0. */
  readonly startMs?: Latency;
  /** From running to ready (a readiness probe that passes after a while). Default 0. */
  readonly readyDelayMs?: Latency;
  /** Regular containers exit after running this long; default never. */
  readonly exitAfterMs?: Latency;
  /** The exit code of that exit; default 0. */
  readonly exitCode?: number;
  /** How long an init container runs before it completes (exit 0); default 0. */
  readonly initRunMs?: Latency;
  /** From SIGTERM to exit 0; default 0. */
  readonly stopMs?: Latency;
  /** The container ignores SIGTERM: killed at the end of the grace period (exit 137). */
  readonly ignoreSigterm?: boolean;
  /** The exit after exitAfterMs is an OOM kill: exit code 137, reason OOMKilled. */
  readonly oomKilled?: boolean;
  /** Memory the container uses while it runs (its working set; a quantity, "512Mi"); default none. Drives node-pressure eviction (eviction.ts). */
  readonly memory?: string;
  /** Ephemeral storage the container uses (writable layer, logs) until its pod stops; a quantity; default none. */
  readonly ephemeralStorage?: string;
  /** Outcomes of the probes the container declares (an undeclared probe never runs). */
  readonly probes?: {
    readonly startup?: SimProbe;
    readonly liveness?: SimProbe;
    readonly readiness?: SimProbe;
  };
}

/**
 * A simulated probe's outcome by time since the container started: failing
 * before passAfterMs (default: readyDelayMs for readiness, 0 for the
 * others), passing until failAfterMs (default: never fails again).
 */
export interface SimProbe {
  readonly passAfterMs?: Latency;
  readonly failAfterMs?: Latency;
}

/** A pool's or a pod's behaviour, with per-container overrides by container name. */
export interface SimConfig extends SimBehaviour {
  readonly containers?: Readonly<Record<string, SimBehaviour>>;
  /** Failures each regular container draws with a probability when its pod is admitted (sim-failures.ts). */
  readonly failures?: readonly SimFailure[];
}

export const SIMULATE_ANNOTATION = 'berth.dev/simulate';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The pod's annotation laid over the node's defaults; the defaults object itself when there is none. */
export function podBehaviour(defaults: SimConfig, annotations: Readonly<Record<string, string>> | undefined): Parsed<SimConfig> {
  const text = annotations?.[SIMULATE_ANNOTATION];
  if (text === undefined) return { ok: true, value: defaults };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `${SIMULATE_ANNOTATION}: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: `${SIMULATE_ANNOTATION}: not a JSON object` };
  const own = raw as SimConfig;
  const containers = defaults.containers || own.containers ? { ...defaults.containers, ...own.containers } : undefined;
  return { ok: true, value: { ...defaults, ...own, ...(containers ? { containers } : {}) } };
}

/** One container's behaviour: its overrides over the pod's. */
export function containerBehaviour(pod: SimConfig, container: string): SimBehaviour {
  const own = pod.containers?.[container];
  return own ? { ...pod, ...own } : pod;
}

/** A draw from `lat`, seeded by `seed` (same seed, same value). */
export function draw(lat: Latency | undefined, seed: number): number {
  if (lat === undefined) return 0;
  if (typeof lat === 'number') return Math.max(0, lat);
  const u = unit(seed);
  if ('median' in lat) return Math.round(lat.median * Math.exp(lat.sigma * gaussian(u, seed)));
  if ('stddev' in lat) return Math.max(0, Math.round(lat.mean + lat.stddev * gaussian(u, seed)));
  if ('mean' in lat) return Math.round(-lat.mean * Math.log(1 - u));
  return Math.round(lat.min + (lat.max - lat.min) * u);
}

/**
 * draw(lat, seedOf(...parts)), without hashing the parts for a fixed
 * latency (the usual case: a pod start draws three or more).
 */
export function drawFor(lat: Latency | undefined, p0: string, p1: string, p2: string | number, p3?: string | number, p4?: string | number, p5?: string | number): number {
  if (lat === undefined) return 0;
  if (typeof lat === 'number') return Math.max(0, lat);
  // Fixed parameters: a rest array on every call was garbage for every fixed latency.
  const parts: (string | number)[] = [p0, p1, p2];
  if (p3 !== undefined) parts.push(p3);
  if (p4 !== undefined) parts.push(p4);
  if (p5 !== undefined) parts.push(p5);
  return draw(lat, seedOf(...parts));
}

/** FNV-1a over the parts, as the seed of a draw. */
export function seedOf(...parts: readonly (string | number)[]): number {
  let h = 2166136261;
  for (let i = 0; i < parts.length; i++) h = fnv(h, parts[i]!);
  return h >>> 0;
}

/** One part into an FNV-1a hash, then the separator. */
function fnv(h: number, part: string | number): number {
  const s = typeof part === 'string' ? part : String(part);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return Math.imul(h ^ 47, 16777619);
}

/** A standard normal draw (Box-Muller) from `u` and a second uniform derived from the seed. */
function gaussian(u: number, seed: number): number {
  const v = unit(seed ^ 0x9e3779b9);
  return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
}

/** One step of mulberry32: a uniform number in [0, 1). */
export function unit(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The eight words of a digest, big-endian, formatted in one call. */
const digest = Buffer.alloc(32);

/**
 * A 64-hex digest of the parts (imageIDs and containerIDs): two hashes of
 * the parts, spread over eight words by a mixer. (Hashing the parts once per
 * word made it a seventh of a simulated pod start: every status write has
 * its containers' IDs; formatting the words one by one, a twentieth.)
 */
export function hex64(...parts: readonly (string | number)[]): string {
  const a = seedOf(...parts);
  // seedOf(a, ...parts) without the spread.
  let h = fnv(2166136261, a);
  for (let i = 0; i < parts.length; i++) h = fnv(h, parts[i]!);
  const b = h >>> 0;
  // Big-endian bytes stored directly (writeUInt32BE checks its arguments on each of 8 calls).
  for (let i = 0; i < 8; i++) {
    const w = (mix32(a + Math.imul(i + 1, 0x9e3779b9)) ^ mix32(b ^ i)) >>> 0;
    const at = i * 4;
    digest[at] = w >>> 24;
    digest[at + 1] = (w >>> 16) & 255;
    digest[at + 2] = (w >>> 8) & 255;
    digest[at + 3] = w & 255;
  }
  return digest.toString('hex');
}

/** A 32-bit finalizer (murmur3's fmix32). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return x ^ (x >>> 16);
}
