/**
 * The cluster's nodes as the scenario names them, and which of them a
 * timeline action hits. `count` and `percentage` choose with a PRNG seeded
 * from the scenario's seed and the step's index, so a seed repeats its
 * choices and two steps do not choose alike by accident.
 */
import { nodeName, nodeZone } from '../cluster.js';
import type { NodePool, NodeTarget } from '../types.js';

export interface NodeInfo {
  readonly name: string;
  readonly pool: string;
  readonly zone?: string;
}

export function clusterNodes(pools: readonly NodePool[]): NodeInfo[] {
  const out: NodeInfo[] = [];
  for (const p of pools) {
    for (let i = 0; i < p.count; i++) {
      const zone = nodeZone(p, i);
      out.push({ name: nodeName(p.name, i), pool: p.name, ...(zone === undefined ? {} : { zone }) });
    }
  }
  return out;
}

export function resolveNodes(all: readonly NodeInfo[], target: NodeTarget, seed: number): string[] {
  const inPool = (n: NodeInfo): boolean => !('pool' in target) || target.pool === undefined || n.pool === target.pool;
  switch (target.type) {
    case 'names':
      return [...target.names];
    case 'all':
      return all.map((n) => n.name);
    case 'pool':
      return all.filter((n) => n.pool === target.pool).map((n) => n.name);
    case 'zone':
      return all.filter((n) => n.zone === target.zone && inPool(n)).map((n) => n.name);
    case 'count':
    case 'percentage': {
      const candidates = all.filter(inPool).map((n) => n.name);
      const k = target.type === 'count' ? target.count : Math.max(1, Math.round((candidates.length * target.percentage) / 100));
      return shuffle(candidates, seed).slice(0, Math.min(k, candidates.length)).sort(byNodeOrder);
    }
  }
}

/** worker-2 before worker-10. */
export function byNodeOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Fisher-Yates with mulberry32. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const next = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
