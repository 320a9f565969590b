/**
 * Subresources: status (get/update/patch), scale (autoscaling/v1 Scale of
 * Deployments and ReplicaSets), pods/binding (the scheduler's write),
 * pods/eviction (a delete within disruption budgets, eviction.ts), and pods/log (from the
 * pod's kubelet, pod-logs.ts).
 */
import { formatLabelSelector } from '../../lib/api/selectors/index.js';
import type { ResourceDef } from '../../lib/api/resources/index.js';
import { conflict, invalid, successStatus } from '../../lib/api/status.js';
import type { KubeObject, LabelSelector, Status } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { fieldErrors, FieldPath } from '../../lib/api/validation/field.js';
import type { ServerContext } from './context.js';
import { checkBody } from './decode.js';
import { deleteRequest } from './delete.js';
import { evictPod } from './eviction.js';
import type { ApiQuery, ApiResponse, PatchType } from './messages.js';
import { failed, fromStatus, gr, revisionOf, timestamp, type Outcome } from './objects.js';
import { fetchLogs, kubeletLogUrl } from './pod-logs.js';
import { applyPatch, statusUpdate } from './patch.js';
import { getObject } from './read.js';
import { guaranteedUpdate, prepareUpdate, type WriteOptions } from './write.js';
import { checkDecodedFields } from './field-validation.js';

export interface Scale extends KubeObject {
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

type Scalable = KubeObject & { spec?: { replicas?: number; selector?: LabelSelector }; status?: { replicas?: number } };

export function toScale(obj: KubeObject): Scale {
  const o = obj as Scalable;
  const m = o.metadata;
  const scale: Scale = {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0 },
  };
  const selector = formatLabelSelector(o.spec?.selector);
  if (selector) scale.status.selector = selector;
  return scale;
}

const SCALE_EXPECT = { apiVersion: 'autoscaling/v1', kind: 'Scale' };

/** GET, PUT or PATCH of /scale. */
export async function scale(
  ctx: ServerContext,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  op: { verb: 'get' } | { verb: 'update'; body: unknown } | { verb: 'patch'; type: PatchType; patch: unknown },
  opts: WriteOptions,
): Promise<Outcome<Scale>> {
  const current = getObject(ctx, def, namespace, name);
  if (failed(current)) return current;
  if (op.verb === 'get') return toScale(current);
  let precondition: number | undefined;
  const r = await guaranteedUpdate(
    ctx,
    def,
    namespace,
    name,
    (cur) => {
      const before = toScale(cur);
      let desired: unknown;
      if (op.verb === 'update') desired = op.body;
      else if (op.type === 'apply') desired = applyPatch('merge', before, op.patch, { patchSchema: {}, kind: 'Scale', group: 'autoscaling' }, name);
      else desired = applyPatch(op.type, before, op.patch, { patchSchema: {}, kind: 'Scale', group: 'autoscaling' }, name);
      if (failed(desired)) return desired;
      const checked = checkBody(def, desired, { ...SCALE_EXPECT, namespace: def.namespaced ? namespace : undefined, name });
      if (failed(checked)) return checked;
      const s = checked as Scale;
      if (s.metadata.resourceVersion && s.metadata.resourceVersion !== cur.metadata.resourceVersion) precondition = Number(s.metadata.resourceVersion);
      if (precondition !== undefined && precondition !== revisionOf(cur)) return conflict(gr(def), name);
      const replicas = s.spec?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        return invalid({ group: 'autoscaling', kind: 'Scale' }, name, [fieldErrors.invalid(FieldPath.root('spec').child('replicas'), replicas, 'must be greater than or equal to 0')]);
      }
      const c = cur as Scalable;
      return prepareUpdate(def, { ...c, spec: { ...(c.spec ?? {}), replicas } } as KubeObject, cur);
    },
    { ...opts, subresource: 'scale' },
  );
  if (failed(r)) return r;
  return toScale(r);
}

/** GET, PUT or PATCH of /status. */
export async function status(
  ctx: ServerContext,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  body: unknown,
  opts: WriteOptions,
): Promise<Outcome<KubeObject>> {
  const checked = checkBody(def, body, { namespace: def.namespaced ? namespace : undefined, name, owned: true });
  if (failed(checked)) return checked;
  const strict = checkDecodedFields(def, checked, opts.fields);
  if (strict) return strict;
  const rv = checked.metadata.resourceVersion;
  return guaranteedUpdate(ctx, def, namespace, name, (cur) => statusUpdate(def, checked, cur), {
    ...opts,
    precondition: rv ? Number(rv) : undefined,
    subresource: 'status',
  });
}

interface Binding extends KubeObject {
  target?: { kind?: string; name?: string };
}

/** POST pods/<name>/binding: assign the pod to a node, once. 201 Success. */
export async function bind(ctx: ServerContext, def: ResourceDef, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions): Promise<Outcome<Status>> {
  const checked = checkBody(def, body, { apiVersion: 'v1', kind: 'Binding', namespace, name, owned: true });
  if (failed(checked)) return checked;
  const node = (checked as Binding).target?.name;
  if (!node) return invalid({ group: '', kind: 'Binding' }, name, [fieldErrors.required(FieldPath.root('target').child('name'), '')]);
  const r = await guaranteedUpdate(
    ctx,
    def,
    namespace,
    name,
    (cur) => {
      const pod = cur as Pod;
      if (pod.metadata.deletionTimestamp) return conflict(gr(def), name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (pod.spec?.nodeName) return conflict(gr(def), name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(ctx.now()) });
      return { ...pod, spec: { ...pod.spec!, nodeName: node }, status: { ...(pod.status ?? {}), conditions } } as KubeObject;
    },
    { ...opts, subresource: 'binding' },
  );
  if (failed(r)) return r;
  return successStatus(201);
}

/** POST pods/<name>/eviction: delete with the eviction's options, within the pod's disruption budget (eviction.ts). 201 Success. */
export async function evict(ctx: ServerContext, def: ResourceDef, namespace: string | undefined, name: string, body: unknown, query: ApiQuery): Promise<Outcome<Status>> {
  const version = (body as { apiVersion?: string } | null)?.apiVersion === 'policy/v1beta1' ? 'policy/v1beta1' : 'policy/v1';
  const checked = checkBody(def, body, { apiVersion: version, kind: 'Eviction', namespace, name });
  if (failed(checked)) return checked;
  const req = deleteRequest((checked as { deleteOptions?: unknown }).deleteOptions, query);
  if (failed(req)) return req;
  return evictPod(ctx, def, namespace, name, req);
}

/** GET pods/<name>/log for in-process callers: the whole log from the pod's kubelet (HTTP streams it: http/log-stream.ts). */
export async function logs(ctx: ServerContext, namespace: string | undefined, name: string, query: ApiQuery): Promise<ApiResponse> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string') params.set(k, v);
  const url = kubeletLogUrl(ctx, namespace, name, params);
  if (typeof url !== 'string') return fromStatus(url);
  const text = await fetchLogs(url);
  return typeof text === 'string' ? { code: 200, body: {}, text } : fromStatus(text);
}
