/**
 * Timeline actions, done the way a user or the infrastructure would:
 * objects through the api-server (create-or-update, merge patches for
 * scale, evictions through pods/eviction for drain), node outages as
 * requests to the simulated kubelets (`kubelet.fail`, `kubelet.partition`,
 * `kubelet.recover`), and killActor as a crash the supervisor handles.
 * An action throws when it cannot be done; the timeline records that.
 */
import { nodes, pods, resourceForKind } from '../../api/resources/index.js';
import type { KubeObject } from '../../api/types/meta.js';
import { isAlreadyExists } from '../../client/errors.js';
import type { Action, Manifest, NodeTarget, ObjectRef } from '../types.js';
import type { RunContext } from './context.js';
import { resolveNodes } from './nodes.js';

export interface ActionResult {
  readonly detail: string;
  /** Something the action asks to be done later (failNodes `for`: the recovery). */
  readonly followUp?: { readonly delay: number; readonly action: Action; readonly description: string };
}

export async function perform(ctx: RunContext, action: Exclude<Action, { type: 'waitUntil' }>, stepIndex: number): Promise<ActionResult> {
  switch (action.type) {
    case 'apply': {
      const results = [];
      for (const m of action.workload.manifests) results.push(await applyManifest(ctx, m));
      return { detail: results.join(', ') };
    }
    case 'scale':
      await patchObject(ctx, action.target, 'merge', { spec: { replicas: action.replicas } });
      return { detail: `${action.target.kind} ${action.target.name} scaled to ${action.replicas}` };
    case 'delete': {
      const def = served(action.target);
      await ctx.api.delete(def, action.target.name, def.namespaced ? { namespace: action.target.namespace ?? 'default' } : {});
      return { detail: `${action.target.kind} ${action.target.name} deleted` };
    }
    case 'patch':
      await patchObject(ctx, action.target, action.patchType, action.patch);
      return { detail: `${action.target.kind} ${action.target.name} patched (${action.patchType})` };
    case 'failNodes':
    case 'partition': {
      const names = targets(ctx, action.nodes, stepIndex);
      await kubelets(ctx, names, action.type === 'failNodes' ? 'kubelet.fail' : 'kubelet.partition');
      for (const n of names) ctx.observer.downNodes.add(n);
      const what = action.type === 'failNodes' ? 'failed' : 'partitioned';
      const followUp = action.for === undefined ? undefined : {
        delay: action.for,
        action: { type: 'recoverNodes', nodes: { type: 'names', names } } as const,
        description: `recoverNodes ${list(names)} (end of ${action.type})`,
      };
      return { detail: `${list(names)} ${what}`, ...(followUp ? { followUp } : {}) };
    }
    case 'recoverNodes': {
      const names = targets(ctx, action.nodes, stepIndex);
      await kubelets(ctx, names, 'kubelet.recover');
      for (const n of names) ctx.observer.downNodes.delete(n);
      return { detail: `${list(names)} recovered` };
    }
    case 'cordon':
    case 'uncordon': {
      const names = targets(ctx, action.nodes, stepIndex);
      await cordon(ctx, names, action.type === 'cordon');
      return { detail: `${list(names)} ${action.type}ed` };
    }
    case 'drain': {
      // The timeline player drives a drain to its end (drain.ts); performed alone, it is one round.
      const names = await startDrain(ctx, action, stepIndex);
      const r = await evictionRound(ctx, new Set(names));
      return { detail: `${list(names)} cordoned; ${r.evicted} pods evicted${r.held.length > 0 ? `, ${r.held.length} held by their disruption budget` : ''}` };
    }
    case 'killActor': {
      const address = action.actor.startsWith('kubelet/') ? `node/${action.actor.slice('kubelet/'.length)}` : action.actor;
      await ctx.sup.crash(address, 'killed by the scenario (killActor)');
      return { detail: `${action.actor} crashed; its supervisor restarts it` };
    }
  }
}

function served(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>) {
  const def = resourceForKind(ref.apiVersion, ref.kind);
  if (!def) throw new Error(`${ref.apiVersion} ${ref.kind} is not served`);
  return def;
}

/** Create, or (when it exists) merge the manifest over the object: what `kubectl apply` amounts to here. */
async function applyManifest(ctx: RunContext, m: Manifest): Promise<string> {
  const def = served(m);
  const ns = def.namespaced ? { namespace: m.namespace ?? 'default' } : {};
  const obj: KubeObject = { ...m.object, metadata: { ...m.object.metadata, ...ns } };
  try {
    await ctx.api.create(def, obj, ns);
    return `${m.kind} ${m.name} created`;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  await ctx.api.patch(def, m.name, 'merge', obj, ns);
  return `${m.kind} ${m.name} updated`;
}

async function patchObject(ctx: RunContext, ref: ObjectRef, type: 'strategic' | 'merge' | 'json', patch: unknown): Promise<void> {
  const def = served(ref);
  await ctx.api.patch(def, ref.name, type, patch, def.namespaced ? { namespace: ref.namespace ?? 'default' } : {});
}

function targets(ctx: RunContext, target: NodeTarget, stepIndex: number): string[] {
  const names = resolveNodes(ctx.nodes, target, (ctx.seed ^ Math.imul(stepIndex + 1, 0x9e3779b1)) >>> 0);
  if (names.length === 0) throw new Error('the node choice selects no node');
  return names;
}

async function kubelets(ctx: RunContext, names: readonly string[], type: 'kubelet.fail' | 'kubelet.partition' | 'kubelet.recover'): Promise<void> {
  const results = await Promise.allSettled(names.map((n) => ctx.sup.request(`node/${n}`, { type }, { timeoutMs: 30_000 })));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${names[i]}: ${(r.reason as Error).message}`] : []));
  if (failed.length > 0) throw new Error(`${type} failed on ${failed.length} of ${names.length} nodes (${failed.slice(0, 3).join('; ')})`);
}

async function cordon(ctx: RunContext, names: readonly string[], on: boolean): Promise<void> {
  await Promise.all(names.map((n) => ctx.api.patch(nodes, n, 'merge', { spec: { unschedulable: on ? true : null } })));
}

/** A drain's first move: the nodes it covers, cordoned. */
export async function startDrain(ctx: RunContext, action: Extract<Action, { type: 'drain' }>, stepIndex: number): Promise<string[]> {
  const names = targets(ctx, action.nodes, stepIndex);
  await cordon(ctx, names, true);
  return names;
}

/** The pods a drain must see gone from the nodes: all but DaemonSet pods. */
export function podsToDrain(ctx: RunContext, onNodes: ReadonlySet<string>) {
  return [...ctx.observer.live()].filter((p) => onNodes.has(p.node) && !p.obj.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet'));
}

export interface EvictionRound {
  readonly evicted: number;
  /** Pods their PodDisruptionBudget did not let go this time (429): kubectl retries them. */
  readonly held: readonly string[];
}

/**
 * One round of `kubectl drain`'s evictions: every pod on the nodes but
 * DaemonSet pods and those already terminating, through pods/eviction. A
 * 429 (the pod's budget has no disruption left) is kept for the next
 * round; any other refusal but 404 (already gone) fails the drain.
 */
export async function evictionRound(ctx: RunContext, onNodes: ReadonlySet<string>): Promise<EvictionRound> {
  const victims = podsToDrain(ctx, onNodes).filter((p) => p.phase !== 'Terminating');
  const out = await ctx.api.transport.batch(
    victims.map((p) => ({
      verb: 'create' as const, group: pods.group, version: pods.version, resource: pods.plural, namespace: p.namespace, name: p.name, subresource: 'eviction',
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.name, namespace: p.namespace } },
    })),
  );
  let evicted = 0;
  const held: string[] = [];
  const errors: string[] = [];
  out.forEach((res, i) => {
    if (res.code >= 200 && res.code < 300) evicted++;
    else if (res.code === 429) held.push(`${victims[i]!.namespace}/${victims[i]!.name}`);
    else if (res.code !== 404) errors.push(`${victims[i]!.name}: ${res.code} ${(res.body as { message?: string }).message ?? ''}`);
  });
  ctx.evictions += evicted;
  if (errors.length > 0) throw new Error(`${errors.length} evictions refused (${errors.slice(0, 3).join('; ')})`);
  return { evicted, held };
}

export function list(names: readonly string[]): string {
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

