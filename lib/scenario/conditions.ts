/**
 * Conditions, for `after:` and `waitUntil`: one key naming the condition.
 *
 *   allPodsRunning: { selector: app=web, namespace?: default, count?: 10 }
 *   rolloutComplete: { name: web, kind?: Deployment, namespace?: default }
 *   fieldPath: { kind: Deployment, name: web, path: .status.readyReplicas, op: '==', value: 10 }
 *   step: scale-up        # an earlier step with this id has run
 */
import { exactlyOne, fail, readEnum, readMap, readNumber, readString, scalarValue, type Cursor, type MapView } from './reader.js';
import type { Known } from './known.js';
import { OBJECT_REF_KEYS, readNamespace, readObjectRef, readPodSelector } from './refs.js';
import { didYouMean } from './suggest.js';
import type { CompareOp, Condition, ObjectRef } from './types.js';

export const CONDITION_TYPES = ['allPodsRunning', 'rolloutComplete', 'fieldPath', 'step'] as const;
const OPS: readonly CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];
const FIELD_PATH = /^(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\]|\["[^"]*"\])+$/;

/** Step ids seen so far, in timeline order (a condition may only wait for an earlier step). */
export type StepIds = ReadonlySet<string>;

export function readCondition(c: Cursor, known: Known, steps: StepIds): Condition | undefined {
  const m = readMap(c, CONDITION_TYPES, `a condition (${CONDITION_TYPES.join(' | ')})`);
  if (!m) return undefined;
  const type = exactlyOne(m, CONDITION_TYPES, 'a condition');
  if (type === undefined) return undefined;
  const at = m.get(type)!;
  switch (type) {
    case 'allPodsRunning': {
      const r = readPodsRunning(at, known, []);
      return r && { type, ...r };
    }
    case 'rolloutComplete': {
      const q = readMap(at, OBJECT_REF_KEYS);
      const target = q && readObjectRef(q, known, 'Deployment');
      if (!target) return undefined;
      if (target.kind !== 'Deployment' && target.kind !== 'DaemonSet') return fail(q!.get('kind')!, 'value', 'rollouts are tracked for Deployments and DaemonSets');
      return { type, target };
    }
    case 'fieldPath': {
      const f = readFieldCondition(at, known, []);
      return f && { type, ...f };
    }
    case 'step': {
      const id = readString(at, 'the id of an earlier step');
      if (id === undefined) return undefined;
      if (!steps.has(id)) return fail(at, 'reference', `no earlier step has id ${id}${didYouMean(id, [...steps])}`);
      return { type, id };
    }
  }
}

export interface PodsRunning {
  readonly selector: string;
  readonly namespace?: string;
  readonly count?: number;
}

/** `{ selector, namespace?, count? }` plus the caller's extra keys (which it reads itself). */
export function readPodsRunning(c: Cursor, known: Known, extraKeys: readonly string[]): (PodsRunning & { map: MapView }) | undefined {
  const m = readMap(c, ['selector', 'namespace', 'count', ...extraKeys]);
  if (!m) return undefined;
  const ns = readNamespace(m);
  const selAt = m.require('selector');
  const selector = selAt && readPodSelector(selAt, known, ns.namespace);
  const countAt = m.get('count');
  const count = countAt && readNumber(countAt, { min: 0, integer: true });
  if (!ns.ok || selector === undefined || (countAt && count === undefined)) return undefined;
  return { map: m, selector, ...(ns.namespace === undefined ? {} : { namespace: ns.namespace }), ...(count === undefined ? {} : { count }) };
}

export interface FieldCondition {
  readonly target: ObjectRef;
  readonly path: string;
  readonly op: CompareOp;
  readonly value: unknown;
  readonly map: MapView;
}

/** `{ kind, name, namespace?, apiVersion?, path, op, value }` plus the caller's extra keys. */
export function readFieldCondition(c: Cursor, known: Known, extraKeys: readonly string[]): FieldCondition | undefined {
  const m = readMap(c, [...OBJECT_REF_KEYS, 'path', 'op', 'value', ...extraKeys]);
  if (!m) return undefined;
  const target = readObjectRef(m, known);
  const pathAt = m.require('path', 'required (like .status.readyReplicas)');
  let path = pathAt && readString(pathAt, 'a field path like .status.readyReplicas');
  if (path !== undefined && !FIELD_PATH.test(path)) path = fail(pathAt!, 'value', 'must be a field path like .status.readyReplicas or .spec.containers[0].image');
  const opAt = m.get('op');
  const op = opAt ? readEnum(opAt, OPS) : '==';
  const valueAt = m.require('value');
  const value = valueAt && scalarValue(valueAt);
  if (valueAt && value === undefined) fail(valueAt, 'type', 'must be a string, number, boolean or null');
  if (valueAt && op !== undefined && op !== '==' && op !== '!=' && typeof value !== 'number') {
    readNumber(valueAt);
    return undefined;
  }
  if (!target || path === undefined || op === undefined || value === undefined) return undefined;
  return { target, path, op, value, map: m };
}
