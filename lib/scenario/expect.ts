/**
 * `expect`: assertions that fail the run. Each item has one key naming the
 * assertion, and an optional `name` for the report.
 *
 *   - allPodsRunning: { selector: app=web, by: 60s, count?: 10, namespace?: default }
 *   - noPodOnTaintedNode: true            # or { effects: [NoSchedule] }
 *   - maxSkewRespected: true              # or { selector: app=web }
 *   - schedulingLatencyP99Below: 500ms    # or { bound: 500ms, selector: app=web }
 *   - noPodLostOrDuplicated: true         # or { selector: app=web }
 *   - fieldPath: { kind: Deployment, name: web, path: .status.readyReplicas, op: '==', value: 10, by?: 2m }
 *   - serviceTraffic: { name: web, port: 80, requests: 30, path?: /, namespace?: default, by?: 1m }   # process pools only
 */
import { readFieldCondition, readPodsRunning } from './conditions.js';
import { exactlyOne, fail, isMapNode, readDuration, readEnum, readMap, readNumber, readSeq, readString, scalarValue, type Cursor } from './reader.js';
import type { Known } from './known.js';
import { readObjectRef, readPodSelector } from './refs.js';
import type { Expectation, TaintEffect } from './types.js';

export const EXPECTATIONS = ['allPodsRunning', 'noPodOnTaintedNode', 'maxSkewRespected', 'schedulingLatencyP99Below', 'noPodLostOrDuplicated', 'fieldPath', 'serviceTraffic'] as const;
const EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function readExpectations(c: Cursor, known: Known): Expectation[] {
  const out: Expectation[] = [];
  for (const item of readSeq(c) ?? []) {
    const e = readExpectation(item, known);
    if (e) out.push(e);
  }
  return out;
}

function readExpectation(c: Cursor, known: Known): Expectation | undefined {
  const m = readMap(c, ['name', ...EXPECTATIONS], 'an assertion (a mapping with one of its types as key)');
  if (!m) return undefined;
  const nameAt = m.get('name');
  const name = nameAt && readString(nameAt, 'a name for the report');
  const type = exactlyOne(m, EXPECTATIONS, 'an assertion');
  if (type === undefined || (nameAt && name === undefined)) return undefined;
  const body = readBody(type, m.get(type)!, known);
  return body && { ...(name === undefined ? {} : { name }), ...body };
}

function readBody(type: (typeof EXPECTATIONS)[number], c: Cursor, known: Known): Expectation | undefined {
  switch (type) {
    case 'allPodsRunning': {
      const r = readPodsRunning(c, known, ['by']);
      const byAt = r?.map.require('by', 'required (the virtual time by which they run, like 60s)');
      const by = byAt && readDuration(byAt);
      if (!r || by === undefined) return undefined;
      const { map: _map, ...rest } = r;
      return { type, ...rest, by };
    }
    case 'noPodOnTaintedNode': {
      const flag = flagOrMap(c, '{ effects: [...] }');
      if (flag === 'on') return { type, effects: ['NoSchedule', 'NoExecute'] };
      const m = flag && readMap(c, ['effects']);
      const items = m && readSeq(m.require('effects') ?? m.at, 'a list of taint effects');
      if (!items) return undefined;
      const effects = items.map((i) => readEnum(i, EFFECTS));
      return effects.every((e) => e !== undefined) && effects.length > 0 ? { type, effects: effects as TaintEffect[] } : undefined;
    }
    case 'maxSkewRespected':
    case 'noPodLostOrDuplicated': {
      const flag = flagOrMap(c, '{ selector }');
      if (flag === 'on') return { type };
      const m = flag && readMap(c, ['selector']);
      const selAt = m?.require('selector');
      const selector = selAt && readPodSelector(selAt, known);
      return selector === undefined ? undefined : { type, selector };
    }
    case 'schedulingLatencyP99Below': {
      if (scalarValue(c) !== undefined) {
        const bound = readDuration(c);
        return bound === undefined ? undefined : { type, bound };
      }
      const m = readMap(c, ['bound', 'selector'], 'a duration or { bound, selector }');
      const boundAt = m?.require('bound');
      const bound = boundAt && readDuration(boundAt);
      const selAt = m?.get('selector');
      const selector = selAt && readPodSelector(selAt, known);
      if (bound === undefined || (selAt && selector === undefined)) return undefined;
      return { type, bound, ...(selector === undefined ? {} : { selector }) };
    }
    case 'fieldPath': {
      const f = readFieldCondition(c, known, ['by']);
      const byAt = f?.map.get('by');
      const by = byAt && readDuration(byAt);
      if (!f || (byAt && by === undefined)) return undefined;
      const { map: _map, ...rest } = f;
      return { type, ...rest, ...(by === undefined ? {} : { by }) };
    }
    case 'serviceTraffic':
      return readServiceTraffic(c, known);
  }
}

/** Real HTTP through kube-proxy: only process pools have servers to answer. */
function readServiceTraffic(c: Cursor, known: Known): Expectation | undefined {
  const m = readMap(c, ['name', 'namespace', 'port', 'path', 'requests', 'by'], '{ name, port, requests?, path?, namespace?, by? }');
  if (!m) return undefined;
  if (known.nodesComplete && !known.pools.some((p) => p.runtime === 'process')) {
    return fail(c, 'value', 'serviceTraffic sends real HTTP requests: it needs a node pool with runtime: process (simulated pods serve nothing)');
  }

  const target = readObjectRef(m, known, 'Service');
  const portAt = m.require('port', 'required (the Service port to send to)');
  const port = portAt && readNumber(portAt, { min: 1, max: 65535, integer: true });
  const pathAt = m.get('path');
  const path = pathAt ? readString(pathAt, 'a URL path like /') : '/';
  if (pathAt && path !== undefined && !path.startsWith('/')) fail(pathAt, 'value', 'must start with /');
  const reqAt = m.get('requests');
  const requests = reqAt ? readNumber(reqAt, { min: 1, max: 10_000, integer: true }) : 20;
  const byAt = m.get('by');
  const by = byAt && readDuration(byAt);
  if (!target || port === undefined || path === undefined || !path.startsWith('/') || requests === undefined || (byAt && by === undefined)) return undefined;
  return { type: 'serviceTraffic', target, port, path, requests, ...(by === undefined ? {} : { by }) };
}

/** 'on' for `true`, 'map' for a mapping to read; anything else is reported (false: remove the line instead). */
function flagOrMap(c: Cursor, what: string): 'on' | 'map' | undefined {
  if (isMapNode(c)) return 'map';
  const v = scalarValue(c);
  if (v === true) return 'on';
  if (v === false) return fail(c, 'value', 'false turns nothing on; remove the assertion instead');
  return fail(c, 'type', `must be true or ${what}`);
}
