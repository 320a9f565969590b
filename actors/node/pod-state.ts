/**
 * One pod's life in the simulated runtime, as small plain records and pure
 * transitions: init containers in order, then the containers; exits,
 * restarts with CrashLoopBackOff (10 s doubling to 5 min, reset after 10 min
 * of running), readiness, and graceful stop. `advance` applies every
 * transition due by `now`, each at its own time, so timestamps are exact
 * however late the timer fires. Nothing here touches the API or a clock.
 *
 * Under the simulated runtime every transition is drawn from the sim config.
 * A live runtime (the process runtime: `NodeEnv.live`) starts and stops
 * real containers instead and reports back with `containerStarted` and
 * `containerExited`; the rest (back-off, restart policy, phase) is shared.
 */
import type { Probe, RestartPolicy } from '../../lib/api/types/pod.js';
import { armProbes, disarmProbes, nextProbeDue, probeSet, type ProbeSet } from './probes.js';
import { containerBehaviour, drawFor, type SimConfig } from './sim.js';

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** A container that ran this long without exiting starts its back-off over (kubelet: 2 × max). */
export const BACKOFF_RESET_MS = 2 * BACKOFF_MAX_MS;

/**
 * pulling, starting (create + start), running, backoff (waiting to restart),
 * done (terminated, not restarted), stopping (SIGTERM sent).
 */
export type Stage = 'pulling' | 'starting' | 'running' | 'backoff' | 'done' | 'stopping';

export interface Terminated {
  readonly exitCode: number;
  readonly reason: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** The restart count of the run that ended (its containerID derives from it). */
  readonly run: number;
  readonly message?: string;
}

export interface ContainerRec {
  readonly name: string;
  readonly image: string;
  readonly init: boolean;
  stage: Stage;
  /** When the next transition is due; Infinity for none. */
  due: number;
  startedAt: number;
  readyAt: number;
  exitAt: number;
  ready: boolean;
  restarts: number;
  backoffMs: number;
  /** While stopping: the exit that ends it. */
  stopCode: number;
  term: Terminated | null;
  last: Terminated | null;
  /** The startup probe passed (true at once without one). */
  started: boolean;
  /** Killed by a failed liveness or startup probe: restarted whatever its exit code (unless Never). */
  killed: boolean;
  /** Declared probes; null for none. */
  readonly probes: ProbeSet | null;
}

export interface PodRec {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly restartPolicy: RestartPolicy;
  readonly sim: SimConfig;
  readonly containers: ContainerRec[];
  readonly initCount: number;
  /** The init container running now; initCount once all completed. */
  initIndex: number;
  /** Pod IP as a number; 0 for none. */
  ip: number;
  startTime: number;
  initializedAt: number;
  /** ContainersReady (and Ready: no readiness gates here) since; -1 while false. */
  readySince: number;
  notReadySince: number;
  deleting: boolean;
  /** All containers have stopped after a deletion: write the final status, then delete. */
  stopped: boolean;
  /** Evicted by the kubelet (node pressure): the message; the pod is Failed and stays in the API (eviction-manager.ts). */
  evicted?: string;
  /** When the eviction began; undefined for a pod turned away at admission (no DisruptionTarget then). */
  evictedAt?: number;
  /** The grid instant of the pod's wake-up in its kubelet's timer wheel; Infinity for none. */
  timerAt: number;
  /** A status write of it is out (status-writer.ts). */
  writing: boolean;
  /** The revision (resourceVersion) our last status write made: its watch echo needs no comparing; 0 for none known. */
  writtenRev: number;
}

/** What the node provides while a pod advances: image pulls (shared per node), and maybe real containers. */
export interface NodeEnv {
  /** When `image` is on the node, pulling it from `t` with `pullMs` if it is not. */
  imageReadyAt(image: string, t: number, pullMs: number): number;
  /** A runtime that runs real containers; absent, the sim's draws decide starts, exits and stops. */
  readonly live?: LiveContainers;
}

/** Starts and stops real containers; answers later through containerStarted / containerExited. */
export interface LiveContainers {
  start(pod: PodRec, c: ContainerRec, t: number): void;
  /** SIGTERM now, SIGKILL after graceMs if still running. */
  stop(pod: PodRec, c: ContainerRec, t: number, graceMs: number): void;
}

/** What pod-state reads of a container spec. */
export interface ContainerInput {
  readonly name: string;
  readonly image?: string;
  readonly livenessProbe?: Readonly<Probe>;
  readonly readinessProbe?: Readonly<Probe>;
  readonly startupProbe?: Readonly<Probe>;
}

export interface PodInput {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly restartPolicy?: RestartPolicy;
  readonly initContainers: readonly ContainerInput[];
  readonly containers: readonly ContainerInput[];
}

function container(spec: ContainerInput, init: boolean): ContainerRec {
  return {
    name: spec.name, image: spec.image ?? '', init, stage: 'pulling', due: Infinity, startedAt: 0, readyAt: 0, exitAt: 0, ready: false,
    restarts: 0, backoffMs: 0, stopCode: 0, term: null, last: null, started: false, killed: false, probes: init ? null : probeSet(spec),
  };
}

/** A pod admitted at `now`: its first init container (or every container) starts pulling. */
export function admitPod(input: PodInput, sim: SimConfig, ip: number, now: number, env: NodeEnv): PodRec {
  const cs = [...input.initContainers.map((c) => container(c, true)), ...input.containers.map((c) => container(c, false))];
  const pod: PodRec = {
    key: input.key, namespace: input.namespace, name: input.name, uid: input.uid,
    restartPolicy: input.restartPolicy ?? 'Always', sim, containers: cs,
    initCount: input.initContainers.length, initIndex: 0, ip, startTime: now, initializedAt: -1,
    readySince: -1, notReadySince: now, deleting: false, stopped: false, timerAt: Infinity, writing: false, writtenRev: 0,
  };
  if (pod.initCount > 0) pull(pod, cs[0]!, now, env);
  else startRegular(pod, now, env);
  return pod;
}

/**
 * Apply every transition due by `now`, oldest first. True when the pod's
 * status changed (a finished image pull alone does not: the container still
 * waits in ContainerCreating, and the status write would repeat the last).
 */
export function advance(pod: PodRec, now: number, env: NodeEnv): boolean {
  let changed = false;
  for (;;) {
    let next: ContainerRec | null = null;
    for (const c of pod.containers) if (c.due <= now && (!next || c.due < next.due)) next = c;
    if (!next) break;
    if (step(pod, next, next.due, env)) changed = true;
  }
  if (changed) refresh(pod, now);
  return changed;
}

/**
 * The earliest due transition or probe the kubelet must wake for; Infinity
 * for none. Without a live runtime a finished image pull is not one: the
 * container waits in ContainerCreating before and after it, and the start
 * that follows is drawn from the pull's end, so `advance` at the start's
 * time applies both alike (one timer less per container; see catchUp).
 */
export function nextDue(pod: PodRec, live = false): number {
  let t = Infinity;
  for (const c of pod.containers) {
    const due = live || c.stage !== 'pulling' || c.due === Infinity ? c.due : c.due + drawFor(containerBehaviour(pod.sim, c.name).startMs, pod.name, c.name, c.restarts, 'start');
    if (due < t) t = due;
    if (c.probes && c.stage === 'running') {
      const p = nextProbeDue(c.probes);
      if (p < t) t = p;
    }
  }
  return t;
}

/**
 * Apply the pulls finished by `now` that nextDue let pass unseen (without a
 * live runtime), for readers of the stages between timers: the eviction
 * manager counts a container's storage from its start.
 */
export function catchUp(pod: PodRec, now: number, env: NodeEnv): void {
  if (env.live) return;
  for (const c of pod.containers) if (c.stage === 'pulling' && c.due <= now) startContainer(pod, c, c.due, env);
}

/** SIGTERM at `now` with a grace period: running containers stop, the rest never start. */
export function beginStop(pod: PodRec, now: number, graceMs: number, env?: NodeEnv): void {
  if (pod.deleting) return;
  pod.deleting = true;
  for (const c of pod.containers) {
    if (c.stage === 'done' || c.stage === 'stopping') continue;
    if (c.stage === 'running' || (env?.live && c.stage === 'starting' && c.due === Infinity)) {
      // A live container being started is stopped too: the runtime kills it once it has a process.
      signalStop(pod, c, now, graceMs, env);
    } else {
      c.stage = 'done';
      c.ready = false;
      c.due = Infinity;
    }
  }
  refresh(pod, now);
}

/** A failed liveness or startup probe: stop this container; it restarts unless restartPolicy is Never. */
export function killContainer(pod: PodRec, c: ContainerRec, now: number, graceMs: number, env: NodeEnv): void {
  if (c.stage !== 'running') return;
  c.killed = true;
  signalStop(pod, c, now, graceMs, env);
  refresh(pod, now);
}

function signalStop(pod: PodRec, c: ContainerRec, now: number, graceMs: number, env: NodeEnv | undefined): void {
  c.stage = 'stopping';
  c.ready = false;
  if (c.probes) disarmProbes(c.probes);
  if (env?.live) {
    c.due = Infinity;
    env.live.stop(pod, c, now, graceMs);
    return;
  }
  const b = containerBehaviour(pod.sim, c.name);
  const stopMs = b.ignoreSigterm ? Infinity : drawFor(b.stopMs, pod.name, c.name, c.restarts, 'stop');
  c.stopCode = stopMs < graceMs ? 0 : 137;
  c.due = now + Math.min(stopMs, graceMs);
}

/** Live runtime: the container's process runs since `t`. */
export function containerStarted(pod: PodRec, c: ContainerRec, t: number): void {
  if (c.stage !== 'starting') return;
  run(pod, c, t, true);
  refresh(pod, t);
}

/** Live runtime: the container's process ended at `t` (or never started: reason StartError). */
export function containerExited(pod: PodRec, c: ContainerRec, t: number, exitCode: number, reason: string, env: NodeEnv, message?: string): void {
  if (c.stage === 'starting') c.startedAt = t;
  else if (c.stage !== 'running' && c.stage !== 'stopping') return;
  exit(pod, c, t, exitCode, env, reason, message);
  refresh(pod, t);
}

/** Readiness changed by a probe. */
export function setReady(pod: PodRec, c: ContainerRec, ready: boolean, t: number): void {
  if (c.stage !== 'running' || c.ready === ready) return;
  c.ready = ready;
  refresh(pod, t);
}

/** The startup probe passed; without a readiness probe the container is ready now. */
export function setStarted(pod: PodRec, c: ContainerRec, t: number): void {
  if (c.stage !== 'running') return;
  c.started = true;
  if (!c.probes?.readiness) c.ready = true;
  refresh(pod, t);
}

function pull(pod: PodRec, c: ContainerRec, t: number, env: NodeEnv): void {
  const b = containerBehaviour(pod.sim, c.name);
  c.stage = 'pulling';
  c.due = env.imageReadyAt(c.image, t, drawFor(b.pullMs, pod.name, c.name, 'pull'));
}

function startRegular(pod: PodRec, t: number, env: NodeEnv): void {
  pod.initializedAt = t;
  for (let i = pod.initCount; i < pod.containers.length; i++) pull(pod, pod.containers[i]!, t, env);
}

function startContainer(pod: PodRec, c: ContainerRec, t: number, env: NodeEnv): void {
  c.stage = 'starting';
  if (env.live) {
    c.due = Infinity;
    env.live.start(pod, c, t);
    return;
  }
  const b = containerBehaviour(pod.sim, c.name);
  c.due = t + drawFor(b.startMs, pod.name, c.name, c.restarts, 'start');
}

function run(pod: PodRec, c: ContainerRec, t: number, live: boolean): void {
  const b = containerBehaviour(pod.sim, c.name);
  c.stage = 'running';
  c.startedAt = t;
  c.ready = false;
  c.killed = false;
  c.started = !c.probes?.startup;
  if (c.probes) armProbes(c.probes, t);
  if (c.init) {
    c.readyAt = Infinity;
    c.exitAt = live ? Infinity : t + drawFor(b.initRunMs, pod.name, c.name, c.restarts, 'run');
  } else {
    // With a readiness or startup probe the prober decides when the container is ready.
    c.readyAt = c.probes?.readiness || !c.started ? Infinity : live ? t : t + drawFor(b.readyDelayMs, pod.name, c.name, c.restarts, 'ready');
    c.exitAt = live || b.exitAfterMs === undefined ? Infinity : t + drawFor(b.exitAfterMs, pod.name, c.name, c.restarts, 'exit');
  }
  c.due = Math.min(c.readyAt, c.exitAt);
}

function exit(pod: PodRec, c: ContainerRec, t: number, exitCode: number, env: NodeEnv, reason?: string, message?: string): void {
  const term: Terminated = { exitCode, reason: reason ?? (exitCode === 0 ? 'Completed' : 'Error'), startedAt: c.startedAt, finishedAt: t, run: c.restarts };
  c.term = message ? { ...term, message } : term;
  c.ready = false;
  if (c.probes) disarmProbes(c.probes);
  if (pod.deleting) {
    c.stage = 'done';
    c.due = Infinity;
    return;
  }
  const killed = c.killed;
  c.killed = false;
  const restart = killed
    ? pod.restartPolicy !== 'Never'
    : pod.restartPolicy === 'Always' ? !c.init || exitCode !== 0 : pod.restartPolicy === 'OnFailure' ? exitCode !== 0 : false;
  if (!restart) {
    c.stage = 'done';
    c.due = Infinity;
    if (c.init && exitCode === 0) {
      pod.initIndex++;
      if (pod.initIndex < pod.initCount) pull(pod, pod.containers[pod.initIndex]!, t, env);
      else startRegular(pod, t, env);
    }
    return;
  }
  if (t - c.startedAt >= BACKOFF_RESET_MS) c.backoffMs = 0;
  c.backoffMs = c.backoffMs === 0 ? BACKOFF_INITIAL_MS : Math.min(c.backoffMs * 2, BACKOFF_MAX_MS);
  c.stage = 'backoff';
  c.due = t + c.backoffMs;
}

/** One transition; false when the status shows the same before and after. */
function step(pod: PodRec, c: ContainerRec, t: number, env: NodeEnv): boolean {
  switch (c.stage) {
    case 'pulling':
      // Pulled: created and starting, still waiting in ContainerCreating (or PodInitializing) as before.
      startContainer(pod, c, t, env);
      return false;
    case 'starting':
      run(pod, c, t, false);
      return true;
    case 'running':
      if (t >= c.exitAt) {
        const b = containerBehaviour(pod.sim, c.name);
        const oom = !c.init && b.oomKilled === true;
        exit(pod, c, t, oom ? 137 : c.init ? 0 : b.exitCode ?? 0, env, oom ? 'OOMKilled' : undefined);
      } else {
        c.ready = true;
        c.due = c.exitAt;
      }
      return true;
    case 'backoff':
      // The restarted container is created now: the last run moves to lastState.
      c.last = c.term;
      c.term = null;
      c.restarts++;
      startContainer(pod, c, t, env);
      return true;
    case 'stopping':
      exit(pod, c, t, c.stopCode, env);
      return true;
    case 'done':
      c.due = Infinity;
      return false;
    default: {
      const never: never = c.stage;
      throw new Error(`unknown stage ${String(never)}`);
    }
  }
}

/** Pod-level facts after a change: readiness transitions and whether a deletion has finished. */
function refresh(pod: PodRec, t: number): void {
  const ready = !pod.deleting && pod.initIndex >= pod.initCount && pod.containers.every((c) => c.init || c.ready);
  if (ready && pod.readySince < 0) {
    pod.readySince = t;
    pod.notReadySince = -1;
  } else if (!ready && pod.readySince >= 0) {
    pod.readySince = -1;
    pod.notReadySince = t;
  }
  if (pod.deleting && pod.containers.every((c) => c.stage === 'done')) pod.stopped = true;
}

/** The run before the current one as the status shows it (lastState): while backing off, the run that just ended. */
export function lastTerminated(c: ContainerRec): Terminated | null {
  return c.stage === 'backoff' ? c.term : c.last;
}

export type PodPhaseValue = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** The phase as the kubelet reports it (getPhase), terminal once a deletion has stopped everything. Called on every status write: no allocation. */
export function podPhase(pod: PodRec): PodPhaseValue {
  if (pod.evicted !== undefined) return 'Failed';
  if (pod.initIndex < pod.initCount && !pod.stopped) {
    const cur = pod.containers[pod.initIndex]!;
    return cur.stage === 'done' && cur.term && cur.term.exitCode !== 0 ? 'Failed' : 'Pending';
  }
  // Over the regular containers: all exited 0, all terminated, any running (or restarting).
  let allOk = true;
  let allTerminated = true;
  let active = false;
  for (let i = pod.initCount; i < pod.containers.length; i++) {
    const c = pod.containers[i]!;
    if (c.term === null || c.term.exitCode !== 0) allOk = false;
    if (c.stage !== 'done' || !c.term) allTerminated = false;
    if (c.stage === 'running' || c.stage === 'stopping' || c.stage === 'backoff' || (c.stage === 'starting' && c.restarts > 0)) active = true;
  }
  if (pod.stopped) return allOk ? 'Succeeded' : 'Failed';
  if (active) return 'Running';
  if (allTerminated) return allOk ? 'Succeeded' : 'Failed';
  return 'Pending';
}

/** A pod that will not run anything again: its IP can go. */
export function isTerminal(pod: PodRec): boolean {
  const p = podPhase(pod);
  return p === 'Succeeded' || p === 'Failed';
}
