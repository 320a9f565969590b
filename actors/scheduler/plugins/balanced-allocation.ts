/**
 * NodeResourcesBalancedAllocation: (1 - standard deviation of the requested
 * fractions, each capped at 1) x 100, over cpu and memory by default, using
 * actual requests (not the non-zero defaults); skipped for best-effort pods.
 */
import { DEFAULT_RESOURCES, MAX_NODE_SCORE, type CycleContext, type ResourceWeight, type ScorePlugin } from '../framework.js';
import { CPU, MEMORY } from '../cache.js';
import { allocatableOf, requestedWith, requestsKey } from './node-resources-fit.js';

export function balancedScore(fractions: readonly number[]): number {
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export const balancedAllocation = (args?: { resources?: readonly ResourceWeight[] }) => {
  const resources = args?.resources ?? DEFAULT_RESOURCES;
  const fractions: number[] = [];
  const cpuMem = resources.length === 2 && resources[0]!.name === 'cpu' && resources[1]!.name === 'memory';
  return {
    name: 'NodeResourcesBalancedAllocation',
    events: [],
    scoreScope: 'node',
    nodeKey: requestsKey,
    normalize: 'none',
    scoreRelevant: (ctx) => resources.some((r) => (ctx.shape.requests.get(r.name) ?? 0) > 0),
    score(ctx: CycleContext, n: number) {
      if (cpuMem) {
        const c = ctx.cache;
        const ac = c.alloc[CPU]![n]!;
        const am = c.alloc[MEMORY]![n]!;
        if (ac !== 0 && am !== 0) {
          const fc = Math.min((c.req[CPU]![n]! + ctx.shape.cpuRequest) / ac, 1);
          const fm = Math.min((c.req[MEMORY]![n]! + ctx.shape.memoryRequest) / am, 1);
          return Math.trunc((1 - Math.abs((fc - fm) / 2)) * MAX_NODE_SCORE);
        }
      }
      fractions.length = 0;
      for (const r of resources) {
        const cap = allocatableOf(ctx.cache, r.name, n);
        if (cap === 0) continue;
        fractions.push(Math.min(requestedWith(ctx.cache, ctx.shape, r.name, n, false) / cap, 1));
      }
      return balancedScore(fractions);
    },
  } satisfies ScorePlugin;
};
