/** NodeName: a pod with spec.nodeName fits only that node. */
import { unresolvable, type CycleContext, type FilterPlugin } from '../framework.js';

export const ERR_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName = () => ({
  name: 'NodeName',
  events: ['NodeAdd'],
  filterScope: 'static',
  nodeKey: (shape) => shape.nodeName ?? '',
  filterRelevant: (ctx) => ctx.shape.nodeName !== undefined,
  filter(ctx: CycleContext, n: number) {
    const want = ctx.shape.nodeName;
    return want === undefined || ctx.cache.names[n] === want ? undefined : unresolvable(ERR_NODE_NAME);
  },
}) satisfies FilterPlugin;
