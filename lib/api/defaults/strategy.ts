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
import type { Container, Pod } from '../types/pod.js';
import { deepEqual } from '../patch/json-value.js';
import { milliValue, parseQuantity } from '../quantity.js';
import { clone } from './clone.js';
import { NAMESPACE_FINALIZER } from './core.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'];

function positive(q: string): bigint {
  const r = parseQuantity(q);
  return r.ok ? milliValue(r.quantity) : 0n;
}

/** The pod's QoS class (k8s.io/kubernetes/pkg/apis/core/helper/qos.GetPodQOS), from cpu and memory only. */
export function podQOSClass(pod: Pod): QOSClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  const containers: Container[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    for (const [name, q] of Object.entries(c.resources?.requests ?? {})) {
      if (!QOS_RESOURCES.includes(name)) continue;
      const v = positive(q);
      if (v > 0n) requests.set(name, (requests.get(name) ?? 0n) + v);
    }
    const found = new Set<string>();
    for (const [name, q] of Object.entries(c.resources?.limits ?? {})) {
      if (!QOS_RESOURCES.includes(name)) continue;
      const v = positive(q);
      if (v > 0n) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0n) + v);
      }
    }
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
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
  const out = { ...clone(old), status: clone((next as T & { status?: unknown }).status) } as T & { status?: unknown };
  if (out.status === undefined) delete out.status;
  out.metadata = { ...clone(old.metadata) };
  if (next.metadata.resourceVersion !== undefined) out.metadata.resourceVersion = next.metadata.resourceVersion;
  return out;
}
