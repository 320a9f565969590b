/**
 * NodeResourcesFit. Filter: the pod's requests (and one pod slot) must fit in
 * allocatable minus requested, for every resource it asks for ("Too many
 * pods", "Insufficient cpu", ...; every shortfall is reported). Score: one of
 * LeastAllocated, MostAllocated, RequestedToCapacityRatio over weighted
 * resources (default cpu and memory, weight 1), using non-zero requests for
 * cpu and memory as kube-scheduler does.
 */
import { CPU, MEMORY, type NodeCache } from '../cache.js';
import { DEFAULT_RESOURCES, MAX_NODE_SCORE, unschedulable, type CycleContext, type FilterPlugin, type ResourceWeight, type ScorePlugin, type ScoringStrategy } from '../framework.js';
import type { PodShape } from '../pod-info.js';

export function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function mostRequested(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.trunc((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

/** helper.BuildBrokenLinearFunction over (utilization, score) points. */
export function brokenLinear(points: readonly { utilization: number; score: number }[], p: number): number {
  for (let i = 0; i < points.length; i++) {
    if (p <= points[i]!.utilization) {
      if (i === 0) return points[0]!.score;
      const a = points[i - 1]!;
      const b = points[i]!;
      return a.score + Math.trunc(((b.score - a.score) * (p - a.utilization)) / (b.utilization - a.utilization));
    }
  }
  return points[points.length - 1]!.score;
}

/** requested (incl. the pod) for resource `name` on node n: non-zero for cpu/memory when `nonZero`. */
export function requestedWith(cache: NodeCache, shape: PodShape, name: string, n: number, nonZero: boolean): number {
  if (nonZero && name === 'cpu') return cache.nzCpu[n]! + shape.nonZeroCpu;
  if (nonZero && name === 'memory') return cache.nzMem[n]! + shape.nonZeroMemory;
  const r = cache.resIndex.get(name);
  return (r === undefined ? 0 : cache.req[r]![n]!) + (shape.requests.get(name) ?? 0);
}

export function allocatableOf(cache: NodeCache, name: string, n: number): number {
  const r = cache.resIndex.get(name);
  return r === undefined ? 0 : cache.alloc[r]![n]!;
}

export function fitScorer(strategy: ScoringStrategy | undefined): (cache: NodeCache, shape: PodShape, n: number) => number {
  const type = strategy?.type ?? 'LeastAllocated';
  const resources: readonly ResourceWeight[] = strategy?.resources ?? DEFAULT_RESOURCES;
  const points = strategy?.type === 'RequestedToCapacityRatio' ? strategy.shape.map((p) => ({ utilization: p.utilization, score: p.score * (MAX_NODE_SCORE / 10) })) : [];
  const fast = resources.length === 2 && resources[0]!.name === 'cpu' && resources[1]!.name === 'memory';
  const w0 = resources[0]?.weight ?? 0;
  const w1 = resources[1]?.weight ?? 0;
  if (type === 'LeastAllocated' && fast) {
    // The hot path: LeastAllocated on cpu and memory.
    return (cache, shape, n) => {
      const ac = cache.alloc[CPU]![n]!;
      const am = cache.alloc[MEMORY]![n]!;
      let s = 0;
      let w = 0;
      if (ac !== 0) { s += leastRequested(cache.nzCpu[n]! + shape.nonZeroCpu, ac) * w0; w += w0; }
      if (am !== 0) { s += leastRequested(cache.nzMem[n]! + shape.nonZeroMemory, am) * w1; w += w1; }
      return w === 0 ? 0 : Math.trunc(s / w);
    };
  }
  return (cache, shape, n) => {
    let s = 0;
    let w = 0;
    for (const r of resources) {
      const cap = allocatableOf(cache, r.name, n);
      if (cap === 0) continue;
      const req = requestedWith(cache, shape, r.name, n, true);
      if (type === 'RequestedToCapacityRatio') {
        const util = req >= cap ? 100 : Math.trunc((Math.max(req, 0) * 100) / cap);
        const rs = brokenLinear(points, util);
        if (rs > 0) { s += rs * r.weight; w += r.weight; }
      } else {
        s += (type === 'MostAllocated' ? mostRequested(req, cap) : leastRequested(req, cap)) * r.weight;
        w += r.weight;
      }
    }
    if (w === 0) return 0;
    return type === 'RequestedToCapacityRatio' ? Math.round(s / w) : Math.trunc(s / w);
  };
}

/** The pod's requests as stable text (sorted by resource name). */
export function requestsKey(shape: PodShape): string {
  return JSON.stringify([...shape.requests].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

export function insufficient(cache: NodeCache, shape: PodShape, n: number): string[] | undefined {
  let out: string[] | undefined;
  if (cache.podCount[n]! + 1 > cache.allocPods[n]!) (out ??= []).push('Too many pods');
  for (const [name, v] of shape.requests) {
    if (v <= 0) continue;
    const r = cache.resIndex.get(name);
    const free = r === undefined ? 0 : cache.alloc[r]![n]! - cache.req[r]![n]!;
    if (v > free) (out ??= []).push(`Insufficient ${name}`);
  }
  return out;
}

export const nodeResourcesFit = (args?: { scoringStrategy?: ScoringStrategy }) => {
  const scorer = fitScorer(args?.scoringStrategy);
  return {
    name: 'NodeResourcesFit',
    events: ['PodDelete', 'NodeAdd', 'NodeUpdate'],
    filterScope: 'node',
    nodeKey: (shape: PodShape) => `${requestsKey(shape)}|${shape.nonZeroCpu}|${shape.nonZeroMemory}`,
    scoreScope: 'node',
    normalize: 'none',
    filterRelevant: () => true,
    filter(ctx: CycleContext, n: number) {
      const c = ctx.cache;
      const s = ctx.shape;
      // Fast check for the common cpu+memory case before building messages.
      if (c.podCount[n]! + 1 <= c.allocPods[n]!) {
        let ok = true;
        for (const [name, v] of s.requestList) {
          const r = c.resIndex.get(name);
          if (r === undefined || v > c.alloc[r]![n]! - c.req[r]![n]!) { ok = false; break; }
        }
        if (ok) return undefined;
      }
      const why = insufficient(c, s, n);
      return why ? unschedulable(...why) : undefined;
    },
    scoreRelevant: () => true,
    score: (ctx: CycleContext, n: number) => scorer(ctx.cache, ctx.shape, n),
  } satisfies FilterPlugin & ScorePlugin;
};
