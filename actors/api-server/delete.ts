/**
 * delete and deletecollection.
 *
 * - An object with finalizers gets deletionTimestamp (and grace 0) and stays
 *   until an update removes its last finalizer (see write.ts).
 * - Graceful pod deletion: a pod bound to a node (spec.nodeName) and not
 *   finished gets deletionTimestamp = now + grace and
 *   deletionGracePeriodSeconds = grace (the request's gracePeriodSeconds,
 *   else spec.terminationGracePeriodSeconds, else 30); it is removed when
 *   its kubelet confirms with a delete at gracePeriodSeconds=0. An
 *   unscheduled or finished pod, or grace 0, goes at once. (The simulated
 *   kubelets in actors/node confirm; on a node with no kubelet, use
 *   --grace-period=0 --force.)
 * - propagationPolicy Foreground / Orphan (or orphanDependents) adds the
 *   foregroundDeletion / orphan finalizer, so the object stays (with a
 *   deletionTimestamp) until the garbage collector in the controller-manager
 *   has deleted / orphaned its dependents and removed the finalizer.
 *   Background (the default) deletes at once; the collector then deletes
 *   the dependents.
 * - Namespaces turn Terminating; the namespace controller empties them and
 *   finalizes them (finalizeNamespace). default, kube-system and
 *   kube-public may not be deleted.
 */
import { namespaces, type ResourceDef } from '../../lib/api/resources/index.js';
import { conflict, forbidden, notFound, badRequest, invalid } from '../../lib/api/status.js';
import { fieldErrors, FieldPath } from '../../lib/api/validation/field.js';
import { checkBody } from './decode.js';
import type { DeleteOptions, KubeObject, List } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { ServerContext } from './context.js';
import type { ApiQuery } from './messages.js';
import { failed, faultStatus, gr, keyOf, revisionOf, timestamp, writeFailure, type Outcome } from './objects.js';
import { selection } from './selection.js';
import { guaranteedUpdate, releaseOps, type WriteOptions } from './write.js';

const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const DEFAULT_GRACE_SECONDS = 30;
/** The garbage collector's finalizers (metav1.FinalizerDeleteDependents, FinalizerOrphanDependents). */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface DeleteRequest {
  readonly gracePeriodSeconds?: number;
  /** Foreground and Orphan become the foregroundDeletion and orphan finalizers; the garbage collector does the rest. */
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly preconditions?: { uid?: string; resourceVersion?: string };
  readonly dryRun?: boolean;
}

/** DeleteOptions from the body and the query (the query wins, as in Kubernetes). */
export function deleteRequest(body: unknown, query: ApiQuery | undefined): Outcome<DeleteRequest> {
  const opts = (typeof body === 'object' && body !== null ? body : {}) as DeleteOptions;
  let grace = opts.gracePeriodSeconds;
  if (query?.gracePeriodSeconds !== undefined) grace = Number(query.gracePeriodSeconds);
  if (grace !== undefined && (!Number.isSafeInteger(grace) || grace < 0)) {
    if (grace !== undefined && Number.isSafeInteger(grace) && grace < 0) grace = 1;
    else return badRequest(`invalid gracePeriodSeconds: ${String(grace)}`);
  }
  const dryRun = query?.dryRun === 'All' || (opts.dryRun ?? []).includes('All');
  const policy = (query?.propagationPolicy ?? opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined)) as DeleteRequest['propagationPolicy'] | string | undefined;
  if (policy !== undefined && policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') return badRequest(`invalid propagationPolicy: ${policy}`);
  return { gracePeriodSeconds: grace, preconditions: opts.preconditions ?? undefined, dryRun, propagationPolicy: policy as DeleteRequest['propagationPolicy'] };
}

export async function deleteObject(ctx: ServerContext, def: ResourceDef, namespace: string | undefined, name: string, req: DeleteRequest): Promise<Outcome<KubeObject>> {
  const key = keyOf(def, namespace, name);
  const current = ctx.cache.get(key);
  if (!current) return notFound(gr(def), name);
  const pre = req.preconditions;
  if (pre?.uid && pre.uid !== current.metadata.uid) {
    return conflict(gr(def), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
    return conflict(gr(def), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`);
  }
  if (def === namespaces) return deleteNamespace(ctx, current, req);

  const policyFinalizer = req.propagationPolicy === 'Foreground' ? FOREGROUND_FINALIZER : req.propagationPolicy === 'Orphan' ? ORPHAN_FINALIZER : undefined;
  const finalizers = current.metadata.finalizers ?? [];
  const grace = def.kind === 'Pod' ? podGrace(current as Pod, req) : 0;
  if (finalizers.length > 0 || grace > 0 || policyFinalizer) {
    const now = ctx.now();
    return guaranteedUpdate(
      ctx,
      def,
      namespace,
      name,
      (cur) => {
        const meta = { ...cur.metadata };
        if (policyFinalizer && !cur.metadata.deletionTimestamp) {
          // As Kubernetes: the policy's finalizer replaces the other policy's on a new deletion.
          const other = policyFinalizer === FOREGROUND_FINALIZER ? ORPHAN_FINALIZER : FOREGROUND_FINALIZER;
          const kept = (meta.finalizers ?? []).filter((f) => f !== other);
          meta.finalizers = kept.includes(policyFinalizer) ? kept : [...kept, policyFinalizer];
        }
        const deadline = now + grace * 1000;
        const existing = meta.deletionTimestamp ? Date.parse(meta.deletionTimestamp) : Infinity;
        // A new deletion, or a shorter grace period than the one in progress.
        if (!meta.deletionTimestamp || deadline < existing) {
          meta.deletionTimestamp = timestamp(deadline);
          meta.deletionGracePeriodSeconds = grace;
        }
        return { ...cur, metadata: meta };
      },
      { dryRun: req.dryRun },
    );
  }
  if (req.dryRun) return current;
  try {
    const [r] = await ctx.store.write([{ op: 'delete', key, expectedRevision: revisionOf(current) }, ...releaseOps(ctx, def, current)]);
    if (!r!.ok) {
      if (r!.code === 'CONFLICT') return deleteObject(ctx, def, namespace, name, req);
      return writeFailure(def, name, r!);
    }
    await ctx.cache.waitFor(r!.revision);
    return r!.value as KubeObject;
  } catch (err) {
    return faultStatus(err);
  }
}

/** The grace period a pod deletion waits, 0 for immediate. */
function podGrace(pod: Pod, req: DeleteRequest): number {
  const phase = pod.status?.phase;
  if (!pod.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  return req.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}

/**
 * Namespace deletion, as Kubernetes' namespace registry: the namespace gets
 * deletionTimestamp and phase Terminating; the namespace controller (in the
 * controller-manager) deletes its content and then removes the
 * `kubernetes` spec finalizer through the finalize subresource, which
 * removes the namespace. A namespace without finalizers goes at once.
 */
async function deleteNamespace(ctx: ServerContext, ns: KubeObject, req: DeleteRequest): Promise<Outcome<KubeObject>> {
  const name = ns.metadata.name!;
  if (UNDELETABLE_NAMESPACES.has(name)) return forbidden(gr(namespaces), name, 'this namespace may not be deleted');
  if (req.dryRun) return ns;
  return guaranteedUpdate(
    ctx,
    namespaces,
    undefined,
    name,
    (cur) => ({
      ...cur,
      metadata: { ...cur.metadata, deletionTimestamp: cur.metadata.deletionTimestamp ?? timestamp(ctx.now()), deletionGracePeriodSeconds: 0 },
      status: { ...((cur as { status?: object }).status ?? {}), phase: 'Terminating' },
    } as KubeObject),
    {},
  );
}

/** PUT namespaces/<name>/finalize: only spec.finalizers is taken from the body; with none left a deleting namespace goes. */
export async function finalizeNamespace(ctx: ServerContext, name: string, body: unknown, opts: WriteOptions): Promise<Outcome<KubeObject>> {
  const checked = checkBody(namespaces, body, { name });
  if (failed(checked)) return checked;
  const finalizers = (checked as { spec?: { finalizers?: unknown } }).spec?.finalizers ?? [];
  if (!Array.isArray(finalizers) || !finalizers.every((f) => typeof f === 'string' && f.length > 0)) {
    return invalid({ group: '', kind: 'Namespace' }, name, [fieldErrors.invalid(FieldPath.root('spec').child('finalizers'), finalizers, 'must be a list of finalizer names')]);
  }
  const rv = checked.metadata.resourceVersion;
  return guaranteedUpdate(
    ctx,
    namespaces,
    undefined,
    name,
    (cur) => ({ ...cur, spec: { ...((cur as { spec?: object }).spec ?? {}), finalizers: [...new Set(finalizers as string[])] } }) as KubeObject,
    { ...opts, precondition: rv ? Number(rv) : undefined, subresource: 'finalize' },
  );
}

export async function deleteCollection(
  ctx: ServerContext,
  def: ResourceDef,
  namespace: string | undefined,
  query: ApiQuery,
  req: DeleteRequest,
): Promise<Outcome<List<KubeObject>>> {
  const sel = selection(def, namespace, query);
  if (failed(sel)) return sel;
  const targets = ctx.cache
    .items(sel.bucket, sel.prefix)
    .filter((c) => sel.matchesCached(c))
    .map((c) => c.object(ctx.cache.codec));
  const items: KubeObject[] = [];
  for (const obj of targets) {
    const r = await deleteObject(ctx, def, obj.metadata.namespace, obj.metadata.name!, req);
    if (failed(r)) {
      if (r.code === 404) continue;
      return r;
    }
    items.push(r);
  }
  return { kind: def.listKind, apiVersion: def.apiVersion, metadata: { resourceVersion: String(ctx.cache.revision) }, items };
}
