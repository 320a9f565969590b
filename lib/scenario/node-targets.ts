/**
 * Which nodes a timeline action hits:
 *
 *   { names: [worker-0, worker-3] }
 *   { count: 2, pool?: worker }          # chosen with the seed
 *   { percentage: 10, pool?: worker }
 *   { zone: zone-a, pool?: worker }
 *   { pool: worker }                     # the whole pool
 *   { all: true }
 */
import { fail, readBool, readMap, readNumber, readSeq, type Cursor, type MapView } from './reader.js';
import type { Known } from './known.js';
import { readNodeRef, readPoolRef, readZoneRef } from './refs.js';
import type { NodeTarget } from './types.js';

export const NODE_TARGET_KEYS = ['names', 'count', 'percentage', 'zone', 'pool', 'all'] as const;
const CHOOSERS = ['names', 'count', 'percentage', 'zone', 'all'] as const;

/** Reads a node target from a mapping the action opened (it may hold the action's own keys too). */
export function readNodeTarget(m: MapView, known: Known): NodeTarget | undefined {
  const present = CHOOSERS.filter((k) => m.has(k));
  const poolAt = m.get('pool');
  const pool = poolAt && readPoolRef(poolAt, known);
  if (poolAt && pool === undefined) return undefined;
  if (present.length > 1) return fail(m.keyAt(present[1]!)!, 'value', `choose nodes one way: ${present.join(' and ')} given`);
  if (present.length === 0) {
    if (pool !== undefined) return { type: 'pool', pool };
    return fail(m.at, 'required', `needs the nodes: one of ${NODE_TARGET_KEYS.join(', ')}`);
  }
  const how = present[0]!;
  const at = m.get(how)!;
  const inPool = pool === undefined ? {} : { pool };
  switch (how) {
    case 'names': {
      if (pool !== undefined) return fail(poolAt!, 'value', 'pool does not apply to nodes given by name');
      const items = readSeq(at, 'a list of node names');
      if (!items) return undefined;
      if (items.length === 0) return fail(at, 'value', 'needs at least one node name');
      const names = items.map((i) => readNodeRef(i, known));
      return names.every((n) => n !== undefined) ? { type: 'names', names: names as string[] } : undefined;
    }
    case 'count': {
      const count = readNumber(at, { min: 1, integer: true });
      if (count === undefined) return undefined;
      const available = pool === undefined ? known.pools.reduce((n, p) => n + p.count, 0) : (known.pools.find((p) => p.name === pool)?.count ?? 0);
      if (known.nodesComplete && count > available) return fail(at, 'value', `only ${available} nodes ${pool === undefined ? 'in the cluster' : `in pool ${pool}`}`);
      return { type: 'count', count, ...inPool };
    }
    case 'percentage': {
      const percentage = readNumber(at, { min: 0, max: 100 });
      if (percentage === undefined) return undefined;
      if (percentage === 0) return fail(at, 'value', 'must be greater than 0');
      return { type: 'percentage', percentage, ...inPool };
    }
    case 'zone': {
      const zone = readZoneRef(at, known);
      if (zone === undefined) return undefined;
      const poolDef = pool === undefined ? undefined : known.pools.find((p) => p.name === pool);
      if (poolDef && !poolDef.zones.includes(zone)) return fail(at, 'reference', `pool ${pool} has no zone ${zone}`);
      return { type: 'zone', zone, ...inPool };
    }
    case 'all': {
      const all = readBool(at);
      if (all === undefined) return undefined;
      if (!all) return fail(at, 'value', 'all: false selects nothing; omit it or choose nodes another way');
      if (pool !== undefined) return fail(poolAt!, 'value', 'all and pool together are ambiguous; use pool alone');
      return { type: 'all' };
    }
  }
}

/** A node target alone, as the whole value of an action (`cordon: { zone: zone-a }`). */
export function readNodeTargetMap(c: Cursor, known: Known, extraKeys: readonly string[] = []): { target: NodeTarget; map: MapView } | undefined {
  const m = readMap(c, [...NODE_TARGET_KEYS, ...extraKeys], 'a mapping choosing nodes (names, count, percentage, zone, pool or all)');
  const target = m && readNodeTarget(m, known);
  return target && { target, map: m! };
}
