/**
 * Container probes as the kubelet's prober runs them: startup, liveness and
 * readiness, each with initialDelaySeconds, periodSeconds, timeoutSeconds,
 * successThreshold and failureThreshold (Kubernetes' defaults: 0, 10, 1, 1,
 * 3). Pure state kept on the container record; whoever runs a probe (the
 * simulated runtime at once, the process runtime asynchronously) hands its
 * outcome to `probeResult`, which says what the kubelet must do.
 *
 * Semantics kept from Kubernetes: the startup probe gates the other two
 * (they do not run until it succeeds; `started` is false until then);
 * readiness starts as failure and liveness as success; a liveness or startup
 * failure past its threshold kills the container, which then restarts
 * unless restartPolicy is Never.
 */
import type { Probe } from '../../lib/api/types/pod.js';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export interface ProbeRec {
  readonly kind: ProbeKind;
  readonly spec: Readonly<Probe>;
  /** The next run; Infinity while not armed. */
  due: number;
  successes: number;
  failures: number;
  /** The run (container restart count) whose result is awaited; -1 for none. */
  inflightRun: number;
}

export interface ProbeSet {
  readonly startup?: ProbeRec;
  readonly liveness?: ProbeRec;
  readonly readiness?: ProbeRec;
}

export interface ProbedContainer {
  readonly livenessProbe?: Readonly<Probe>;
  readonly readinessProbe?: Readonly<Probe>;
  readonly startupProbe?: Readonly<Probe>;
}

export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } as const;

export function periodMs(p: Readonly<Probe>): number {
  return Math.max(1, p.periodSeconds ?? PROBE_DEFAULTS.periodSeconds) * 1000;
}

export function timeoutMs(p: Readonly<Probe>): number {
  return Math.max(1, p.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds) * 1000;
}

function initialDelayMs(p: Readonly<Probe>): number {
  return Math.max(0, p.initialDelaySeconds ?? 0) * 1000;
}

function rec(kind: ProbeKind, spec: Readonly<Probe> | undefined): ProbeRec | undefined {
  return spec ? { kind, spec, due: Infinity, successes: 0, failures: 0, inflightRun: -1 } : undefined;
}

/** The container's probes; null when it declares none (most simulated pods: no memory spent). */
export function probeSet(c: ProbedContainer): ProbeSet | null {
  if (!c.livenessProbe && !c.readinessProbe && !c.startupProbe) return null;
  const set: { startup?: ProbeRec; liveness?: ProbeRec; readiness?: ProbeRec } = {};
  const s = rec('startup', c.startupProbe);
  const l = rec('liveness', c.livenessProbe);
  const r = rec('readiness', c.readinessProbe);
  if (s) set.startup = s;
  if (l) set.liveness = l;
  if (r) set.readiness = r;
  return set;
}

export function eachProbe(set: ProbeSet, fn: (p: ProbeRec) => void): void {
  if (set.startup) fn(set.startup);
  if (set.liveness) fn(set.liveness);
  if (set.readiness) fn(set.readiness);
}

/** A container started running at `t`: fresh counters; startup first, the others once started. */
export function armProbes(set: ProbeSet, t: number): void {
  eachProbe(set, (p) => {
    p.successes = 0;
    p.failures = 0;
    p.inflightRun = -1;
    p.due = p.kind === 'startup' || !set.startup ? t + initialDelayMs(p.spec) : Infinity;
  });
}

/** The container stopped: nothing runs until it is armed again. */
export function disarmProbes(set: ProbeSet): void {
  eachProbe(set, (p) => {
    p.due = Infinity;
    p.inflightRun = -1;
  });
}

export function nextProbeDue(set: ProbeSet): number {
  let t = Infinity;
  eachProbe(set, (p) => {
    if (p.due < t) t = p.due;
  });
  return t;
}

/** Probes due by `now`: each is marked in flight for `run` and its next run scheduled a period on. */
export function takeDueProbes(set: ProbeSet, now: number, run: number): ProbeRec[] {
  const out: ProbeRec[] = [];
  eachProbe(set, (p) => {
    if (p.due > now) return;
    // One run at a time: a probe still in flight (a slow httpGet) skips this period.
    if (p.inflightRun < 0) {
      p.inflightRun = run;
      out.push(p);
    }
    p.due = Math.max(p.due + periodMs(p.spec), now + 1);
  });
  return out;
}

/** What the kubelet does after a result. */
export type ProbeAction =
  | { readonly type: 'none' }
  /** The container's ready (readiness) or started (startup) flag changed. */
  | { readonly type: 'ready'; readonly ready: boolean }
  | { readonly type: 'started' }
  /** Liveness or startup failed past its threshold: kill and restart the container. */
  | { readonly type: 'kill'; readonly message: string };

const NONE: ProbeAction = { type: 'none' };

/**
 * A probe's outcome at `t` for `run`; a result for an older run (the
 * container restarted meanwhile) is dropped.
 */
export function probeResult(set: ProbeSet, p: ProbeRec, run: number, ok: boolean, t: number, currentlyReady: boolean): ProbeAction {
  if (p.inflightRun !== run) return NONE;
  p.inflightRun = -1;
  if (ok) {
    p.failures = 0;
    p.successes++;
  } else {
    p.successes = 0;
    p.failures++;
  }
  const successThreshold = p.kind === 'readiness' ? Math.max(1, p.spec.successThreshold ?? 1) : 1;
  const failureThreshold = Math.max(1, p.spec.failureThreshold ?? PROBE_DEFAULTS.failureThreshold);
  switch (p.kind) {
    case 'startup':
      if (ok) {
        // Started: this probe is done for the run; the others begin after their own initial delay.
        p.due = Infinity;
        if (set.liveness) set.liveness.due = t + initialDelayMs(set.liveness.spec);
        if (set.readiness) set.readiness.due = t + initialDelayMs(set.readiness.spec);
        return { type: 'started' };
      }
      return p.failures >= failureThreshold ? { type: 'kill', message: `Startup probe failed ${p.failures} times` } : NONE;
    case 'liveness':
      return !ok && p.failures >= failureThreshold ? { type: 'kill', message: `Liveness probe failed ${p.failures} times` } : NONE;
    case 'readiness':
      if (ok && !currentlyReady && p.successes >= successThreshold) return { type: 'ready', ready: true };
      if (!ok && currentlyReady && p.failures >= failureThreshold) return { type: 'ready', ready: false };
      return NONE;
    default: {
      const never: never = p.kind;
      throw new Error(`unknown probe ${String(never)}`);
    }
  }
}
