/**
 * `timeline`: steps at virtual times or after conditions, each with one action.
 *
 *   - at: 30s
 *     scale: { name: web, replicas: 10 }
 *   - id: outage
 *     after: { allPodsRunning: { selector: app=web } }
 *     delay: 5s
 *     failNodes: { zone: zone-a }
 *
 * `at` steps must be in time order; `after: { step: id }` may only name an earlier step.
 */
import { hasSubresource, resolveResource } from '../api/resources/index.js';
import { readCondition } from './conditions.js';
import { formatDuration } from './duration.js';
import { exactlyOne, fail, readDuration, readMap, readNumber, readSeq, readString, scalarValue, toPlain, type Cursor } from './reader.js';
import type { Known } from './known.js';
import { readNodeTargetMap } from './node-targets.js';
import { OBJECT_REF_KEYS, readObjectRef } from './refs.js';
import { didYouMean } from './suggest.js';
import type { Action, PatchType, TimelineStep, When } from './types.js';
import { readWorkload, type WorkloadContext } from './workloads.js';

export const ACTIONS = ['apply', 'scale', 'delete', 'patch', 'failNodes', 'recoverNodes', 'cordon', 'uncordon', 'drain', 'partition', 'killActor', 'waitUntil'] as const;
const STEP_KEYS = ['id', 'at', 'after', 'delay', ...ACTIONS] as const;
/** Control-plane actors by address; kubelets are `kubelet/<node>`. */
export const CONTROL_PLANE_ACTORS = ['api-server', 'store', 'scheduler', 'controller-manager'] as const;

export function readTimeline(c: Cursor, ctx: WorkloadContext, known: Known): TimelineStep[] {
  const out: TimelineStep[] = [];
  const ids = new Set<string>();
  let last: { at: number; path: string } | undefined;
  for (const item of readSeq(c) ?? []) {
    const step = readStep(item, ctx, known, ids);
    if (!step) continue;
    if (step.when.type === 'at') {
      if (last && step.when.at < last.at) {
        const atCursor = readMap(item, null)!.get('at')!;
        fail(atCursor, 'order', `timeline out of order: ${formatDuration(step.when.at)} comes after ${formatDuration(last.at)} (${last.path}); list steps in time order`);
      } else {
        last = { at: step.when.at, path: item.path };
      }
    }
    out.push(step);
  }
  return out;
}

function readStep(c: Cursor, ctx: WorkloadContext, known: Known, ids: Set<string>): TimelineStep | undefined {
  const m = readMap(c, STEP_KEYS, 'a step (at or after, and one action)');
  if (!m) return undefined;
  const idAt = m.get('id');
  const id = idAt && readString(idAt, 'a step id');
  if (id !== undefined && ids.has(id)) fail(idAt!, 'value', `duplicate step id ${id}`);
  let when: When | undefined;
  const whenKey = m.has('at') || m.has('after') ? exactlyOne(m, ['at', 'after'], 'a time') : undefined;
  if (!m.has('at') && !m.has('after')) {
    if (m.has('delay')) fail(m.get('delay')!, 'value', 'delay applies to after: steps');
    else when = { type: 'next' };
  } else if (whenKey === 'at') {
    const at = readDuration(m.get('at')!);
    if (m.has('delay')) fail(m.get('delay')!, 'value', 'delay applies to after: steps; add it to at instead');
    else if (at !== undefined) when = { type: 'at', at };
  } else if (whenKey === 'after') {
    const condition = readCondition(m.get('after')!, known, ids);
    const delayAt = m.get('delay');
    const delay = delayAt ? readDuration(delayAt) : 0;
    if (condition && delay !== undefined) when = { type: 'after', condition, delay };
  }
  const actionKey = exactlyOne(m, ACTIONS, 'an action');
  const action = actionKey && readAction(actionKey, m.get(actionKey)!, ctx, known, ids);
  if (id !== undefined) ids.add(id);
  if (!when || !action || (idAt && id === undefined)) return undefined;
  return { ...(id === undefined ? {} : { id }), when, action };
}

function readAction(type: (typeof ACTIONS)[number], c: Cursor, ctx: WorkloadContext, known: Known, ids: Set<string>): Action | undefined {
  switch (type) {
    case 'apply': {
      const workload = readWorkload(c, ctx);
      if (!workload) return undefined;
      for (const m of workload.manifests) known.add(m);
      return { type, workload };
    }
    case 'scale': {
      const m = readMap(c, [...OBJECT_REF_KEYS, 'replicas']);
      const target = m && readObjectRef(m, known, 'Deployment');
      const replicasAt = m?.require('replicas');
      const replicas = replicasAt && readNumber(replicasAt, { min: 0, integer: true });
      if (!target || replicas === undefined) return undefined;
      const def = resolveResource(target.kind);
      if (!def || !hasSubresource(def, 'scale')) return fail(m!.get('kind') ?? m!.at, 'value', `${target.kind} cannot be scaled`);
      return { type, target, replicas };
    }
    case 'delete': {
      const m = readMap(c, OBJECT_REF_KEYS);
      const target = m && readObjectRef(m, known);
      return target && { type, target };
    }
    case 'patch': {
      const m = readMap(c, [...OBJECT_REF_KEYS, 'type', 'patch']);
      const target = m && readObjectRef(m, known);
      const typeAt = m?.get('type');
      const patchType = typeAt ? readPatchType(typeAt) : 'strategic';
      const patchAt = m?.require('patch');
      const patch = patchAt && patchType && readPatchBody(patchAt, patchType);
      if (!target || patchType === undefined || patch === undefined) return undefined;
      known.patch(target.kind, target.namespace, target.name, patchType, patch);
      return { type, target, patchType, patch };
    }
    case 'failNodes':
    case 'partition': {
      const r = readNodeTargetMap(c, known, ['for']);
      const forAt = r?.map.get('for');
      const duration = forAt && readDuration(forAt);
      if (!r || (forAt && duration === undefined)) return undefined;
      return { type, nodes: r.target, ...(duration === undefined ? {} : { for: duration }) };
    }
    case 'recoverNodes':
    case 'cordon':
    case 'uncordon': {
      const r = readNodeTargetMap(c, known);
      return r && { type, nodes: r.target };
    }
    case 'drain': {
      const r = readNodeTargetMap(c, known, ['timeout']);
      const tAt = r?.map.get('timeout');
      const timeout = tAt && readDuration(tAt);
      if (!r || (tAt && timeout === undefined)) return undefined;
      return { type, nodes: r.target, ...(timeout === undefined ? {} : { timeout }) };
    }
    case 'killActor': {
      const actor = readActor(c, known);
      return actor === undefined ? undefined : { type, actor };
    }
    case 'waitUntil': {
      const m = readMap(c, ['condition', 'deadline']);
      const condAt = m?.require('condition');
      const condition = condAt && readCondition(condAt, known, ids);
      const deadlineAt = m?.require('deadline', 'required (how long to wait before the run fails, like 2m)');
      const deadline = deadlineAt && readDuration(deadlineAt);
      if (!condition || deadline === undefined) return undefined;
      return { type, condition, deadline };
    }
  }
}

const PATCH_TYPES: readonly PatchType[] = ['strategic', 'merge', 'json'];

function readPatchType(c: Cursor): PatchType | undefined {
  const v = scalarValue(c);
  if (typeof v === 'string' && (PATCH_TYPES as readonly string[]).includes(v)) return v as PatchType;
  return fail(c, 'value', `must be one of ${PATCH_TYPES.join(', ')}${typeof v === 'string' ? didYouMean(v, PATCH_TYPES) : ''}`);
}

/** A JSON patch is a list of operations; strategic and merge patches are mappings. */
function readPatchBody(c: Cursor, type: PatchType): unknown {
  const shape = type === 'json' ? readSeq(c, 'a list of JSON patch operations') : readMap(c, null, `a ${type} patch (a mapping)`);
  return shape ? toPlain(c) : undefined;
}

/** A control-plane actor's address, or kubelet/<node>. */
function readActor(c: Cursor, known: Known): string | undefined {
  const a = readString(c, `an actor: ${CONTROL_PLANE_ACTORS.join(', ')} or kubelet/<node>`);
  if (a === undefined) return undefined;
  if ((CONTROL_PLANE_ACTORS as readonly string[]).includes(a) || known.extraActors.includes(a)) return a;
  if (a.startsWith('kubelet/')) {
    const node = a.slice('kubelet/'.length);
    return known.hasNode(node) ? a : fail(c, 'reference', `no node named ${node} (nodes are named <pool>-<index>, from 0)`);
  }
  const actors = [...CONTROL_PLANE_ACTORS, ...known.extraActors];
  return fail(c, 'reference', `no actor ${a}${didYouMean(a, actors)}; actors: ${actors.join(', ')}, kubelet/<node>`);
}
