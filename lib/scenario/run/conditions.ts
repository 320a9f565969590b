/**
 * Conditions of `after`, `waitUntil` and the expectations, evaluated
 * against the cluster as it is now: pods from the observer, other objects
 * read from the api-server. allPodsRunning's default count is what the
 * workloads ask for now (Deployments, ReplicaSets, Jobs, DaemonSets and
 * bare Pods whose template labels match), so a scale step moves it.
 */
import { resourceForKind } from '../../api/resources/index.js';
import type { DaemonSet, Deployment, ReplicaSet } from '../../api/types/apps.js';
import type { Job } from '../../api/types/cluster.js';
import type { KubeObject, List } from '../../api/types/meta.js';
import { parseSelector, type Selector } from '../../api/selectors/index.js';
import { isNotFound } from '../../client/errors.js';
import type { Condition, ObjectRef } from '../types.js';
import type { RunContext } from './context.js';
import { compare, readPath, show } from './field-path.js';

export interface Verdict {
  readonly holds: boolean;
  readonly detail: string;
}

const selectors = new Map<string, Selector>();

export function compiled(selector: string): Selector {
  let s = selectors.get(selector);
  if (!s) {
    const r = parseSelector(selector);
    if (!r.ok) throw new TypeError(`bad selector ${selector}: ${r.error}`); // the parser checked it already
    s = r.selector;
    selectors.set(selector, s);
  }
  return s;
}

export async function evaluate(ctx: RunContext, c: Condition): Promise<Verdict> {
  switch (c.type) {
    case 'allPodsRunning':
      return podsRunning(ctx, c.selector, c.namespace, c.count);
    case 'rolloutComplete':
      return rolloutComplete(ctx, c.target);
    case 'fieldPath':
      return fieldPath(ctx, c.target, c.path, c.op, c.value);
    case 'step':
      return ctx.stepsRun.has(c.id) ? { holds: true, detail: `step ${c.id} has run` } : { holds: false, detail: `step ${c.id} has not run` };
  }
}

export async function podsRunning(ctx: RunContext, selector: string, namespace: string | undefined, count: number | undefined): Promise<Verdict> {
  const want = count ?? (await desiredPods(ctx, selector, namespace));
  const sel = compiled(selector);
  let active = 0;
  let ready = 0;
  const notReady = new Map<string, number>();
  for (const p of ctx.observer.live()) {
    if (namespace !== undefined && p.namespace !== namespace) continue;
    if (p.phase === 'Terminating' || p.phase === 'Succeeded' || p.phase === 'Failed') continue;
    if (!sel.matches(p.labels)) continue;
    active++;
    if (p.phase === 'Ready') ready++;
    else notReady.set(p.phase, (notReady.get(p.phase) ?? 0) + 1);
  }
  const holds = ready === want && active === want;
  const rest = [...notReady].map(([k, n]) => `${n} ${k}`).join(', ');
  return { holds, detail: `${ready} of ${want} pods (${selector}) Running and Ready${active !== ready ? `; ${rest}` : ''}${active > want ? `; ${active} active, more than ${want}` : ''}` };
}

/** The replicas the workloads matching `selector` ask for right now. */
export async function desiredPods(ctx: RunContext, selector: string, namespace: string | undefined): Promise<number> {
  const sel = compiled(selector);
  const list = async <T extends KubeObject>(apiVersion: string, kind: string): Promise<T[]> => {
    const def = resourceForKind(apiVersion, kind)!;
    const l = (await ctx.api.list(def, namespace === undefined ? {} : { namespace })) as List<T>;
    return l.items;
  };
  let n = 0;
  for (const d of await list<Deployment>('apps/v1', 'Deployment')) if (sel.matches(d.spec?.template.metadata?.labels)) n += d.spec?.replicas ?? 1;
  for (const rs of await list<ReplicaSet>('apps/v1', 'ReplicaSet')) {
    if (!rs.metadata.ownerReferences?.length && sel.matches(rs.spec?.template?.metadata?.labels)) n += rs.spec?.replicas ?? 1;
  }
  for (const j of await list<Job>('batch/v1', 'Job')) {
    if (sel.matches(j.spec?.template.metadata?.labels)) n += Math.min(j.spec?.parallelism ?? 1, j.spec?.completions ?? Infinity);
  }
  for (const ds of await list<DaemonSet>('apps/v1', 'DaemonSet')) if (sel.matches(ds.spec?.template.metadata?.labels)) n += ctx.observer.nodes.size;
  for (const p of ctx.observer.live()) {
    if ((namespace === undefined || p.namespace === namespace) && !p.obj.metadata.ownerReferences?.length && sel.matches(p.labels)) n++;
  }
  return n;
}

export async function getObject(ctx: RunContext, ref: ObjectRef): Promise<KubeObject | null> {
  const def = resourceForKind(ref.apiVersion, ref.kind);
  if (!def) throw new TypeError(`${ref.apiVersion} ${ref.kind} is not served`);
  try {
    return await ctx.api.get(def, ref.name, def.namespaced ? { namespace: ref.namespace ?? 'default' } : {});
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

async function rolloutComplete(ctx: RunContext, ref: ObjectRef): Promise<Verdict> {
  const obj = await getObject(ctx, ref);
  if (!obj) return { holds: false, detail: `${ref.kind} ${ref.name} not found` };
  if (ref.kind === 'DaemonSet') {
    const ds = obj as DaemonSet;
    const s = ds.status;
    const want = s?.desiredNumberScheduled ?? 0;
    const done = (s?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0) && (s?.updatedNumberScheduled ?? 0) >= want && (s?.numberAvailable ?? 0) >= want;
    return { holds: done, detail: `${s?.updatedNumberScheduled ?? 0} of ${want} updated, ${s?.numberAvailable ?? 0} available` };
  }
  // kubectl rollout status: observed, all updated, no old replicas left, all updated available.
  const d = obj as Deployment;
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return { holds: false, detail: 'the new generation is not observed yet' };
  const updated = s.updatedReplicas ?? 0;
  if (updated < want) return { holds: false, detail: `${updated} of ${want} new replicas updated` };
  if ((s.replicas ?? 0) > updated) return { holds: false, detail: `${(s.replicas ?? 0) - updated} old replicas pending termination` };
  if ((s.availableReplicas ?? 0) < updated) return { holds: false, detail: `${s.availableReplicas ?? 0} of ${updated} updated replicas available` };
  return { holds: true, detail: `${updated} of ${want} updated and available` };
}

async function fieldPath(ctx: RunContext, ref: ObjectRef, path: string, op: Parameters<typeof compare>[1], value: unknown): Promise<Verdict> {
  const obj = await getObject(ctx, ref);
  if (!obj) return { holds: false, detail: `${ref.kind} ${ref.name} not found` };
  const actual = readPath(obj, path);
  const holds = compare(actual, op, value);
  return { holds, detail: `${ref.kind} ${ref.name} ${path} is ${show(actual)}${holds ? '' : `, wanted ${op} ${show(value)}`}` };
}
