/**
 * Node pools -> child specs: simulated kubelets packed on host threads
 * (a group child per `perHost` nodes), each node with its pool's capacity,
 * labels, taints and a zone taken round-robin from the pool's zones.
 */
import type { GroupChildSpec } from '../actor/supervision.js';
import { nodeGroupSpec } from '../../actors/node/spec.js';
import type { KubeletArgs } from '../../actors/node/messages.js';
import type { NodePool } from './types.js';

export interface NodePlan {
  readonly names: string[];
  readonly specs: GroupChildSpec[];
}

/** Pools as given (a count becomes one default pool); throws on a bad count or a repeated pool name. */
export function normalizePools(nodes: number | readonly NodePool[] | undefined): NodePool[] {
  if (nodes === undefined) return [];
  const pools = typeof nodes === 'number' ? [{ count: nodes }] : [...nodes];
  const seen = new Set<string>();
  pools.forEach((p, i) => {
    if (!Number.isInteger(p.count) || p.count < 0) throw new TypeError(`nodes[${i}].count: expected a whole number >= 0, got ${String(p.count)}`);
    const name = p.name ?? 'node';
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new TypeError(`nodes[${i}].name: "${name}" is not a DNS label`);
    if (seen.has(name)) throw new TypeError(`nodes[${i}].name: pool "${name}" appears twice`);
    seen.add(name);
    if (p.zones && p.zones.length === 0) throw new TypeError(`nodes[${i}].zones: give at least one zone, or leave it out`);
  });
  return pools;
}

export function planNodes(pools: readonly NodePool[], perHost: number): NodePlan {
  const names: string[] = [];
  const specs: GroupChildSpec[] = [];
  let index = 0;
  for (const pool of pools) {
    const prefix = pool.name ?? 'node';
    const width = Math.max(3, String(pool.count - 1).length);
    const poolNames = Array.from({ length: pool.count }, (_, i) => `${prefix}-${String(i).padStart(width, '0')}`);
    const args: KubeletArgs = {
      ...(pool.capacity ? { capacity: pool.capacity } : {}),
      ...(pool.labels ? { labels: pool.labels } : {}),
      ...(pool.taints ? { taints: pool.taints } : {}),
      ...(pool.sim ? { sim: pool.sim } : {}),
    };
    for (let start = 0; start < poolNames.length; start += perHost) {
      const chunk = poolNames.slice(start, start + perHost);
      const spec = nodeGroupSpec(chunk, args, { id: `nodes/${prefix}/${start / perHost}`, firstIndex: index + start });
      const zones = pool.zones;
      specs.push(zones ? { ...spec, group: spec.group.map((a, i) => ({ ...a, args: { ...(a.args as KubeletArgs), zone: zones[(start + i) % zones.length] } })) } : spec);
    }
    names.push(...poolNames);
    index += pool.count;
  }
  return { names, specs };
}
