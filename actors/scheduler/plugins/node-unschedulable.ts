/** NodeUnschedulable: spec.unschedulable nodes, unless the pod tolerates node.kubernetes.io/unschedulable:NoSchedule. */
import { unresolvable, type CycleContext, type FilterPlugin } from '../framework.js';
import { tolerated } from '../pod-info.js';

export const ERR_UNSCHEDULABLE = 'node(s) were unschedulable';
export const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;

export const nodeUnschedulable = () => ({
  name: 'NodeUnschedulable',
  events: ['NodeAdd', 'NodeUpdate'],
  filterScope: 'static',
  nodeKey: (shape) => (tolerated(shape.tolerations, UNSCHEDULABLE_TAINT) ? '1' : '0'),
  filterRelevant: () => true,
  filter(ctx: CycleContext, n: number) {
    if (!ctx.cache.unschedulable[n]) return undefined;
    return tolerated(ctx.shape.tolerations, UNSCHEDULABLE_TAINT) ? undefined : unresolvable(ERR_UNSCHEDULABLE);
  },
}) satisfies FilterPlugin;
