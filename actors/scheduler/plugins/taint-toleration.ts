/**
 * TaintToleration. Filter: the first NoSchedule or NoExecute taint the pod does
 * not tolerate rejects the node. Score: the number of PreferNoSchedule taints
 * not tolerated (by tolerations with effect PreferNoSchedule or none),
 * normalized in reverse (fewest untolerated taints = 100).
 */
import type { Taint } from '../../../lib/api/types/core.js';
import { unresolvable, type CycleContext, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { toleratesTaint, tolerated } from '../pod-info.js';

export function untoleratedTaintMessage(t: Taint): string {
  return `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
}

export const taintToleration = () => ({
  name: 'TaintToleration',
  events: ['NodeAdd', 'NodeUpdate'],
  filterScope: 'static',
  nodeKey: (shape) => JSON.stringify(shape.tolerations),
  scoreScope: 'static',
  normalize: 'maxReverse',
  filterRelevant: () => true,
  filter(ctx: CycleContext, n: number) {
    for (const t of ctx.cache.taints[n]!) {
      if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
      if (!tolerated(ctx.shape.tolerations, t)) return unresolvable(untoleratedTaintMessage(t));
    }
    return undefined;
  },
  scoreRelevant: () => true,
  score(ctx: CycleContext, n: number) {
    let count = 0;
    for (const t of ctx.cache.taints[n]!) {
      if (t.effect !== 'PreferNoSchedule') continue;
      let ok = false;
      for (const tol of ctx.shape.tolerations) {
        if ((tol.effect === undefined || tol.effect === 'PreferNoSchedule') && toleratesTaint(tol, t)) { ok = true; break; }
      }
      if (!ok) count++;
    }
    return count;
  },
}) satisfies FilterPlugin & ScorePlugin;
