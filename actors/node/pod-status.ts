/**
 * A pod's status as the kubelet reports it, built from its runtime record:
 * phase, conditions (PodScheduled kept from the scheduler's write,
 * PodReadyToStartContainers, Initialized, ContainersReady, Ready) with their
 * transition times, container statuses (state, lastState, ready,
 * restartCount, image, imageID, containerID, started), podIP, hostIP and
 * startTime. Pure: the same record gives the same status.
 */
import type { ContainerState, ContainerStatus, PodCondition, PodStatus } from '../../lib/api/types/pod.js';
import { intToIp } from '../../lib/net/ipv4.js';
import { BACKOFF_INITIAL_MS, lastTerminated, podPhase, type ContainerRec, type PodRec, type Terminated } from './pod-state.js';
import { hex64 } from './sim.js';

export const RUNTIME_SCHEME = 'berth-sim';

/**
 * Recently formatted seconds. Every status write formats its pod's times again
 * (startTime, each condition, each container state), and under the virtual
 * clock they fall on few distinct seconds: formatting was a tenth of the
 * simulated pod-start cost (bench/node.ts). Cleared when it grows.
 */
const kubeTimes = new Map<number, string>();

/** Kubernetes Time: RFC 3339 in whole seconds. */
export function kubeTime(ms: number): string {
  const s = Math.floor(ms / 1000);
  let text = kubeTimes.get(s);
  if (text === undefined) {
    if (kubeTimes.size >= 4096) kubeTimes.clear();
    text = new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    kubeTimes.set(s, text);
  }
  return text;
}

/** imageIDs by image: a node has few images and every status write shows them. */
const imageIds = new Map<string, string>();

export function imageIdOf(image: string): string {
  let id = imageIds.get(image);
  if (id === undefined) {
    if (imageIds.size >= 4096) imageIds.clear();
    const repo = image.split('@')[0]!.replace(/:[^/:]+$/, '');
    id = `${repo}@sha256:${hex64(repo)}`;
    imageIds.set(image, id);
  }
  return id;
}

/** containerIDs: `<runtime scheme>://<64 hex>` (`berth-sim://…`, `berth-process://…`). */
function containerId(scheme: string, pod: PodRec, c: ContainerRec, run: number): string {
  return `${scheme}://${hex64(pod.uid, c.name, run)}`;
}

function terminated(scheme: string, pod: PodRec, c: ContainerRec, t: Terminated): ContainerState {
  const state: NonNullable<ContainerState['terminated']> = { exitCode: t.exitCode, reason: t.reason, startedAt: kubeTime(t.startedAt), finishedAt: kubeTime(t.finishedAt), containerID: containerId(scheme, pod, c, t.run) };
  if (t.message) state.message = t.message;
  return { terminated: state };
}

function state(scheme: string, pod: PodRec, c: ContainerRec, index: number): ContainerState {
  switch (c.stage) {
    case 'running':
    case 'stopping':
      return { running: { startedAt: kubeTime(c.startedAt) } };
    case 'done':
      return c.term ? terminated(scheme, pod, c, c.term) : { waiting: { reason: 'ContainerCreating' } };
    case 'backoff': {
      const name = `${pod.name}_${pod.namespace}(${pod.uid})`;
      return { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round((c.backoffMs || BACKOFF_INITIAL_MS) / 1000)}s restarting failed container=${c.name} pod=${name}` } };
    }
    case 'starting':
      if (c.restarts > 0) return { waiting: { reason: 'CrashLoopBackOff' } };
      return { waiting: { reason: waitingBeforeStart(pod, c, index) } };
    case 'pulling':
      return { waiting: { reason: waitingBeforeStart(pod, c, index) } };
    default: {
      const never: never = c.stage;
      throw new Error(`unknown stage ${String(never)}`);
    }
  }
}

/** Containers behind an unfinished init container wait with PodInitializing. */
function waitingBeforeStart(pod: PodRec, c: ContainerRec, index: number): string {
  if (c.init) return index === pod.initIndex ? 'ContainerCreating' : 'PodInitializing';
  return pod.initIndex < pod.initCount ? 'PodInitializing' : 'ContainerCreating';
}

function containerStatus(scheme: string, pod: PodRec, c: ContainerRec, index: number): ContainerStatus {
  const running = c.stage === 'running' || c.stage === 'stopping';
  const started = c.stage !== 'pulling' && !(c.stage === 'starting' && c.restarts === 0) && !(c.stage === 'done' && !c.term);
  const s: ContainerStatus = {
    name: c.name,
    state: state(scheme, pod, c, index),
    lastState: lastTerminated(c) ? terminated(scheme, pod, c, lastTerminated(c)!) : {},
    ready: c.ready,
    restartCount: c.restarts,
    image: c.image,
    imageID: started ? imageIdOf(c.image) : '',
    started: running && c.started,
  };
  const id = running ? containerId(scheme, pod, c, c.restarts) : c.term ? containerId(scheme, pod, c, c.term.run) : c.last ? containerId(scheme, pod, c, c.last.run) : undefined;
  if (id) s.containerID = id;
  return s;
}

/**
 * Whether `have` shows what containerStatus builds, field by field as
 * status-diff compares them, without building it: every status write asks
 * this of each container, and building (a containerID digest, a few
 * objects) only pays when the status is to be sent.
 */
export function containerStatusIs(have: Readonly<ContainerStatus>, scheme: string, pod: PodRec, c: ContainerRec, index: number): boolean {
  const running = c.stage === 'running' || c.stage === 'stopping';
  const started = c.stage !== 'pulling' && !(c.stage === 'starting' && c.restarts === 0) && !(c.stage === 'done' && !c.term);
  if (have.name !== c.name || have.ready !== c.ready || have.restartCount !== c.restarts || have.image !== c.image || have.started !== (running && c.started)) return false;
  if (have.imageID !== (started ? imageIdOf(c.image) : '')) return false;
  if (!stateIs(have.state, scheme, pod, c, index)) return false;
  const last = lastTerminated(c);
  if (last ? !terminatedIs(have.lastState, scheme, pod, c, last) : !emptyState(have.lastState)) return false;
  const run = running ? c.restarts : c.term ? c.term.run : c.last ? c.last.run : -1;
  // Fields the kubelet does not write (resources, allocatedResources...): one someone added differs.
  if (definedKeys(have) !== (run < 0 ? 8 : 9)) return false;
  // The digest last: it is the dearest part.
  return run < 0 ? have.containerID === undefined : have.containerID === containerId(scheme, pod, c, run);
}

function stateIs(have: Readonly<ContainerState> | undefined, scheme: string, pod: PodRec, c: ContainerRec, index: number): boolean {
  if (!have) return false;
  switch (c.stage) {
    case 'running':
    case 'stopping':
      return have.waiting === undefined && have.terminated === undefined && have.running !== undefined && have.running.startedAt === kubeTime(c.startedAt);
    case 'done':
      return c.term ? terminatedIs(have, scheme, pod, c, c.term) : waitingIs(have, 'ContainerCreating', undefined);
    case 'backoff':
      // Rare (a crash loop): built to compare.
      return waitingIs(have, 'CrashLoopBackOff', (state(scheme, pod, c, index).waiting as { message?: string }).message);
    case 'starting':
      if (c.restarts > 0) return waitingIs(have, 'CrashLoopBackOff', undefined);
      return waitingIs(have, waitingBeforeStart(pod, c, index), undefined);
    case 'pulling':
      return waitingIs(have, waitingBeforeStart(pod, c, index), undefined);
    default: {
      const never: never = c.stage;
      throw new Error(`unknown stage ${String(never)}`);
    }
  }
}

function waitingIs(have: Readonly<ContainerState>, reason: string, message: string | undefined): boolean {
  const w = have.waiting;
  return have.running === undefined && have.terminated === undefined && w !== undefined && w.reason === reason && w.message === message;
}

function terminatedIs(have: Readonly<ContainerState> | undefined, scheme: string, pod: PodRec, c: ContainerRec, t: Terminated): boolean {
  const x = have?.terminated;
  if (!x || have.running !== undefined || have.waiting !== undefined) return false;
  return (
    x.exitCode === t.exitCode && x.reason === t.reason && x.message === (t.message || undefined) && x.signal === undefined &&
    x.startedAt === kubeTime(t.startedAt) && x.finishedAt === kubeTime(t.finishedAt) && x.containerID === containerId(scheme, pod, c, t.run)
  );
}

function emptyState(s: Readonly<ContainerState> | undefined): boolean {
  return s !== undefined && s.running === undefined && s.waiting === undefined && s.terminated === undefined;
}

function definedKeys(o: object): number {
  let n = 0;
  for (const k in o) if ((o as Record<string, unknown>)[k] !== undefined) n++;
  return n;
}

function condition(type: string, ok: boolean, since: number, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: kubeTime(since) };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** One of the kubelet's conditions as its parts: status True when `ok`, since when, and the reason and message of a False one. */
export type ConditionVisitor = (type: string, ok: boolean, since: number, reason?: string, message?: string) => void;

/**
 * The conditions the kubelet owns, in the order Kubernetes lists them
 * (PodReadyToStartContainers, Initialized, Ready, ContainersReady; then
 * DisruptionTarget for a kubelet eviction), given to `visit` one by one
 * (status-diff.ts compares them with the API's without building them).
 * PodScheduled is the scheduler's.
 */
export function visitKubeletConditions(pod: PodRec, visit: ConditionVisitor): void {
  visit('PodReadyToStartContainers', !pod.stopped, pod.startTime);
  if (pod.initIndex >= pod.initCount) visit('Initialized', true, pod.initializedAt);
  else visit('Initialized', false, pod.startTime, 'ContainersNotInitialized', `containers with incomplete status: [${names(pod, pod.initIndex, pod.initCount, false)}]`);
  if (pod.readySince >= 0) {
    visit('Ready', true, pod.readySince);
    visit('ContainersReady', true, pod.readySince);
  } else {
    const unready = unreadyMessage(names(pod, pod.initCount, pod.containers.length, true));
    visit('Ready', false, pod.notReadySince, 'ContainersNotReady', unready);
    visit('ContainersReady', false, pod.notReadySince, 'ContainersNotReady', unready);
  }
  // Node-pressure eviction: the kubelet's DisruptionTarget condition (PodDisruptionConditions).
  if (pod.evictedAt !== undefined) visit('DisruptionTarget', true, pod.evictedAt, 'TerminationByKubelet', pod.evicted);
}

/** Unready messages by the names in them: built once, not on every diff of every pod that waits (a pod's containers repeat across pods). */
const unreadyMessages = new Map<string, string>();

function unreadyMessage(names: string): string {
  let m = unreadyMessages.get(names);
  if (m === undefined) {
    if (unreadyMessages.size >= 4096) unreadyMessages.clear();
    m = `containers with unready status: [${names}]`;
    unreadyMessages.set(names, m);
  }
  return m;
}

/** The names of containers [from, to), only the unready ones with `unready`, space-separated (built on every status diff: no arrays). */
function names(pod: PodRec, from: number, to: number, unready: boolean): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const c = pod.containers[i]!;
    if (unready && c.ready) continue;
    out = out === '' ? c.name : `${out} ${c.name}`;
  }
  return out;
}

/** The kubelet's conditions as objects. */
export function kubeletConditions(pod: PodRec): PodCondition[] {
  const out: PodCondition[] = [];
  visitKubeletConditions(pod, (type, ok, since, reason, message) => out.push(condition(type, ok, since, reason, message)));
  return out;
}

/** The statuses of the regular containers, or of the init containers (`init`); undefined for no init containers. */
export function containerStatuses(pod: PodRec, init: boolean, scheme = RUNTIME_SCHEME): ContainerStatus[] | undefined {
  if (init && pod.initCount === 0) return undefined;
  const out: ContainerStatus[] = [];
  const [from, to] = init ? [0, pod.initCount] : [pod.initCount, pod.containers.length];
  for (let i = from; i < to; i++) out.push(containerStatus(scheme, pod, pod.containers[i]!, i));
  return out;
}

/**
 * The full status. `scheduled` is the PodScheduled condition as stored
 * (written by the scheduler's binding); it follows the kubelet's own
 * conditions, as Kubernetes lists them.
 */
export function podStatus(pod: PodRec, hostIP: string, scheduled: PodCondition | undefined, scheme = RUNTIME_SCHEME): PodStatus {
  const conditions = kubeletConditions(pod);
  if (scheduled) conditions.splice(4, 0, scheduled);
  const status: PodStatus = {
    phase: podPhase(pod),
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    startTime: kubeTime(pod.startTime),
    containerStatuses: containerStatuses(pod, false, scheme)!,
  };
  if (pod.evicted !== undefined) {
    status.reason = 'Evicted';
    status.message = pod.evicted;
  }
  const init = containerStatuses(pod, true, scheme);
  if (init) status.initContainerStatuses = init;
  if (pod.ip) {
    const ip = intToIp(pod.ip);
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  return status;
}
