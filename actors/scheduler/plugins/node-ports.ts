/**
 * NodePorts: a host port (protocol, port) is taken when a pod on the node uses
 * it on the same host IP, or either side binds 0.0.0.0.
 */
import { unschedulable, type CycleContext, type FilterPlugin } from '../framework.js';

export const ERR_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

export function portsConflict(used: ReadonlyMap<string, number> | undefined, wanted: readonly { port: number; protocol: string; ip: string }[]): boolean {
  if (!used || used.size === 0) return false;
  for (const p of wanted) {
    for (const k of used.keys()) {
      const [proto, port, ip] = k.split('/');
      if (proto !== p.protocol || Number(port) !== p.port) continue;
      if (ip === p.ip || ip === '0.0.0.0' || p.ip === '0.0.0.0') return true;
    }
  }
  return false;
}

export const nodePorts = () => ({
  name: 'NodePorts',
  events: ['PodDelete', 'NodeAdd'],
  filterScope: 'node',
  nodeKey: (shape) => JSON.stringify(shape.ports),
  filterRelevant: (ctx) => ctx.shape.ports.length > 0,
  filter(ctx: CycleContext, n: number) {
    return portsConflict(ctx.cache.ports[n], ctx.shape.ports) ? unschedulable(ERR_NODE_PORTS) : undefined;
  },
}) satisfies FilterPlugin;
