// What the api-server's per-kind REST strategies do to an object besides
// defaulting (pkg/registry/*/strategy.go): on create, reset status and set
// generation 1 for kinds with a status subresource, put a new pod in phase
// Pending with its QoS class, start a namespace Active with the
// "kubernetes" finalizer, and generate a Job's selector from its UID; on
// update, keep the stored status (status changes go through /status) and
// bump metadata.generation when the spec changes; on a /status update,
// keep the stored spec and the metadata users may not change there.
//
// Order on create, as in Kubernetes: decode, default, assign system
// metadata (uid, creationTimestamp, name from generateName), then
// prepareForCreate, then validate.

import type { KubeObject } from '../types/meta.js';
import type { Job } from '../types/cluster.js';
import type { Namespace } from '../types/core.js';
import type { Pod } from '../types/pod.js';
import { deepEqual } from '../patch/json-value.js';
import { milliValue, parseQuantity } from '../quantity.js';
import { clone } from './clone.js';
import { NAMESPACE_FINALIZER } from './core.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/**
 * A quantity's milli-value when positive, else 0. Every pod create asks for
 * the same few strings ("250m", "512Mi"): each is computed once (bounded).
 * A number when it is a safe integer (sums are checked to stay safe), else
 * the bigint.
 */
function positive(q: string): number | bigint {
  let v = positiveMilli.get(q);
  if (v === undefined) {
    const r = parseQuantity(q);
    const milli = r.ok ? milliValue(r.quantity) : 0n;
    v = milli <= 0n ? 0 : milli <= MAX_SAFE ? Number(milli) : milli;
    if (positiveMilli.size >= POSITIVE_MILLI_MAX) positiveMilli.clear();
    positiveMilli.set(q, v);
  }
  return v;
}
const positiveMilli = new Map<string, number | bigint>();
const POSITIVE_MILLI_MAX = 4_096;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The pod's QoS class (k8s.io/kubernetes/pkg/apis/core/helper/qos.GetPodQOS),
 * from cpu and memory only. Runs on every pod create: plain number sums,
 * exact while they stay safe integers; bigints past that (exactQOSClass).
 */
export function podQOSClass(pod: Pod): QOSClass {
  const sums = [0, 0, 0, 0]; // requests cpu, memory; limits cpu, memory (milli-units)
  let seen = 0; // bit i: sums[i] had a positive term
  let guaranteed = true;
  const lists = [pod.spec?.initContainers, pod.spec?.containers];
  for (const list of lists) {
    if (!list) continue;
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!.resources;
      const requests = addQos(sums, 0, r?.requests);
      const limits = addQos(sums, 2, r?.limits);
      if (requests < 0 || limits < 0) return exactQOSClass(pod);
      seen |= requests | limits;
      // A container is guaranteed-capable only with positive cpu and memory limits of its own.
      if (limits !== 0b1100) guaranteed = false;
    }
  }
  if (seen === 0) return 'BestEffort';
  // Every positive request has a limit of the same total, and every limit a request.
  if (guaranteed && (seen & 1 ? sums[0] === sums[2] : true) && (seen & 2 ? sums[1] === sums[3] : true) && (seen & 3) === seen >> 2) return 'Guaranteed';
  return 'Burstable';
}

/** Adds a list's positive cpu and memory to sums[at] and sums[at + 1]; returns their bits (1 << at: cpu, 2 << at: memory), or -1 for a huge quantity. */
function addQos(sums: number[], at: number, list: Readonly<Record<string, string>> | undefined): number {
  if (!list) return 0;
  let found = 0;
  if (Object.hasOwn(list, 'cpu')) {
    const v = positive(list.cpu!);
    if (typeof v !== 'number') return -1;
    if (v > 0) {
      // Exact while the sum stays a safe integer; past it, bigints (exactQOSClass).
      if ((sums[at] += v) > Number.MAX_SAFE_INTEGER) return -1;
      found |= 1 << at;
    }
  }
  if (Object.hasOwn(list, 'memory')) {
    const v = positive(list.memory!);
    if (typeof v !== 'number') return -1;
    if (v > 0) {
      if ((sums[at + 1] += v) > Number.MAX_SAFE_INTEGER) return -1;
      found |= 2 << at;
    }
  }
  return found;
}

/** podQOSClass in exact bigint arithmetic, for pods with huge quantities. */
function exactQOSClass(pod: Pod): QOSClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const [name, q] of Object.entries(c.resources?.requests ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const v = BigInt(positive(q));
      if (v > 0n) requests.set(name, (requests.get(name) ?? 0n) + v);
    }
    let found = 0;
    for (const [name, q] of Object.entries(c.resources?.limits ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const v = BigInt(positive(q));
      if (v > 0n) {
        found++;
        limits.set(name, (limits.get(name) ?? 0n) + v);
      }
    }
    if (found < 2) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  for (const [name, req] of requests) if (limits.get(name) !== req) guaranteed = false;
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** Labels the Job controller uses to find its pods (batch.kubernetes.io/* and the legacy unprefixed pair). */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

/**
 * Unless manualSelector is true, a Job's selector is generated from its UID
 * and its template labelled to match (Kubernetes does this in the Job
 * strategy's Validate). Needs metadata.uid and metadata.name.
 */
export function generateJobSelector(job: Job): Job {
  const out = clone(job);
  const spec = out.spec;
  const uid = out.metadata.uid;
  if (!spec || spec.manualSelector === true || !uid) return out;
  const tpl = (spec.template ??= {});
  const meta = (tpl.metadata ??= {});
  meta.labels = {
    ...(meta.labels ?? {}),
    [JOB_CONTROLLER_UID_LABEL]: uid,
    [JOB_NAME_LABEL]: out.metadata.name ?? '',
    [LEGACY_JOB_CONTROLLER_UID_LABEL]: uid,
    [LEGACY_JOB_NAME_LABEL]: out.metadata.name ?? '',
  };
  if (!spec.selector) spec.selector = { matchLabels: { [JOB_CONTROLLER_UID_LABEL]: uid } };
  return out;
}

/** Kinds whose status is written only through the /status subresource, and whose generation tracks the spec. */
const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'DaemonSet', 'Job', 'PodDisruptionBudget']);

/** Strategy PrepareForCreate for `kind`. Returns a new object. */
export function prepareForCreate<T extends KubeObject>(kind: string, obj: T): T {
  return prepareForCreateOwned(kind, clone(obj));
}

/**
 * prepareForCreate on an object the caller owns (a private copy nobody else
 * sees): changes it in place where it can and returns the result. The
 * api-server's create path copies the request body once and then uses this.
 */
export function prepareForCreateOwned<T extends KubeObject>(kind: string, obj: T): T {
  let out = obj as T & { status?: unknown };
  switch (kind) {
    case 'Pod': {
      const pod = out as unknown as Pod;
      pod.status = { phase: 'Pending', qosClass: podQOSClass(pod) };
      break;
    }
    case 'Namespace': {
      const ns = out as unknown as Namespace;
      ns.status = { phase: 'Active' };
      const finalizers = ns.spec?.finalizers ?? [];
      if (!finalizers.includes(NAMESPACE_FINALIZER)) ns.spec = { ...(ns.spec ?? {}), finalizers: [...finalizers, NAMESPACE_FINALIZER] };
      break;
    }
    case 'Service':
      out.status = {};
      break;
    case 'Job':
      out = generateJobSelector(out as unknown as Job) as unknown as T & { status?: unknown };
      break;
    default:
      break;
  }
  if (GENERATION_KINDS.has(kind)) {
    out.status = {};
    out.metadata.generation = 1;
  }
  return out;
}

/** Everything but metadata and status: what a spec change means for kinds with generations. */
function specPart(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj as KubeObject & { status?: unknown };
  return rest;
}

/**
 * Strategy PrepareForUpdate for an update of the main resource of a kind
 * with a status subresource: the stored status wins; generation goes up
 * by one when the spec changed (for Deployments also when annotations did,
 * because they are copied to ReplicaSets).
 */
export function prepareForUpdate<T extends KubeObject>(kind: string, next: T, old: T): T {
  const out = clone(next) as T & { status?: unknown };
  const oldStatus = (old as T & { status?: unknown }).status;
  if (oldStatus === undefined) delete out.status;
  else out.status = clone(oldStatus);
  if (kind === 'Namespace') {
    // Namespace finalizers change only through the finalize subresource.
    const ns = out as unknown as Namespace;
    const oldNs = old as unknown as Namespace;
    ns.spec = { ...(ns.spec ?? {}), finalizers: [...(oldNs.spec?.finalizers ?? [])] };
  }
  if (GENERATION_KINDS.has(kind)) {
    const changed = !deepEqual(specPart(out), specPart(old)) || (kind === 'Deployment' && !deepEqual(out.metadata.annotations ?? {}, old.metadata.annotations ?? {}));
    const gen = old.metadata.generation ?? 1;
    out.metadata.generation = changed ? gen + 1 : gen;
  }
  return out;
}

/**
 * Strategy PrepareForUpdate of a /status update: the stored spec wins, and
 * so does the metadata a status write may not change (labels, annotations,
 * finalizers, owner references, generation, deletion timestamp).
 */
export function prepareForStatusUpdate<T extends KubeObject>(next: T, old: T): T {
  // Neither input is changed, and the result shares their values (old's spec, next's status)
  // instead of copying them: every later step of the write makes new objects where it changes
  // something, and a kubelet writes a Pod's status 3-4 times as it starts, each time a whole
  // Pod copied here until now. Only the top level and metadata are the result's own.
  const status = (next as T & { status?: unknown }).status;
  const out = { ...old, status } as T & { status?: unknown };
  if (status === undefined) delete out.status;
  out.metadata = { ...old.metadata };
  if (next.metadata.resourceVersion !== undefined) out.metadata.resourceVersion = next.metadata.resourceVersion;
  return out;
}
