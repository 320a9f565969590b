/**
 * NodeAffinity. Filter: nodeSelector and required node affinity (terms ORed,
 * expressions ANDed; In, NotIn, Exists, DoesNotExist, Gt, Lt; matchFields on
 * metadata.name). Score: the sum of the weights of the preferred terms the
 * node matches, normalized by the maximum.
 */
import { unresolvable, type CycleContext, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { nodeMatchesRequired, termMatches } from '../pod-info.js';

export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

export const nodeAffinity = () => ({
  name: 'NodeAffinity',
  events: ['NodeAdd', 'NodeUpdate'],
  filterScope: 'static',
  nodeKey: (shape) => JSON.stringify([shape.nodeSelector ?? null, shape.requiredNodeTerms ?? null, shape.preferredNodeTerms]),
  scoreScope: 'static',
  normalize: 'max',
  filterRelevant: (ctx) => ctx.shape.nodeSelector !== undefined || ctx.shape.requiredNodeTerms !== undefined,
  filter(ctx: CycleContext, n: number) {
    return nodeMatchesRequired(ctx.shape, ctx.cache.labels[n]!, ctx.cache.names[n]!) ? undefined : unresolvable(ERR_NODE_AFFINITY);
  },
  scoreRelevant: (ctx) => ctx.shape.preferredNodeTerms.length > 0,
  score(ctx: CycleContext, n: number) {
    let sum = 0;
    for (const p of ctx.shape.preferredNodeTerms) if (p.weight !== 0 && termMatches(p.term, ctx.cache.labels[n]!, ctx.cache.names[n]!)) sum += p.weight;
    return sum;
  },
}) satisfies FilterPlugin & ScorePlugin;
