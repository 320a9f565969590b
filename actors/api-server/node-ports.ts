/**
 * NodePort allocation for Services of type NodePort (and LoadBalancer,
 * unless allocateLoadBalancerNodePorts is false), from 30000-32767 as
 * Kubernetes' default range: a port given must be in the range and free; a
 * port left out gets a free one at random; on update a port left out keeps
 * the node port it had (matched by port and protocol), as Kubernetes does.
 *
 * Which ports are taken is read from the Services in the watch cache, not
 * from allocation objects as ClusterIPs are: two creates racing for the
 * same random port (a 1 in 2,768 chance each) could both get it. Picking at
 * random, as Kubernetes does, keeps that unlikely; an explicit port is
 * checked like a ClusterIP.
 */
import { services, storagePrefix } from '../../lib/api/resources/index.js';
import { invalid } from '../../lib/api/status.js';
import type { Service, ServicePort } from '../../lib/api/types/core.js';
import type { Status } from '../../lib/api/types/meta.js';
import { fieldErrors, FieldPath } from '../../lib/api/validation/field.js';
import type { WatchCache } from './cache.js';

export const NODE_PORT_MIN = 30_000;
export const NODE_PORT_MAX = 32_767;

const SERVICES_BUCKET = storagePrefix(services);

export function wantsNodePorts(svc: Readonly<Service>): boolean {
  const spec = svc.spec ?? {};
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** Node ports in use by every Service but `self` (namespace/name). */
function usedNodePorts(cache: WatchCache, self: string): Set<number> {
  const used = new Set<number>();
  for (const o of cache.list(SERVICES_BUCKET) as Service[]) {
    if (`${o.metadata.namespace}/${o.metadata.name}` === self) continue;
    for (const p of o.spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
  }
  return used;
}

/** `svc` with every node port it needs filled in, or an Invalid status naming the port. */
export function assignNodePorts(cache: WatchCache, svc: Service, current?: Readonly<Service>, random: () => number = Math.random): Service | Status {
  if (!wantsNodePorts(svc)) return svc;
  const name = svc.metadata.name ?? '';
  const used = usedNodePorts(cache, `${svc.metadata.namespace}/${name}`);
  const ports: ServicePort[] = [];
  const path = FieldPath.root('spec').child('ports');
  for (const [i, p] of (svc.spec?.ports ?? []).entries()) {
    let nodePort = p.nodePort || undefined;
    if (nodePort !== undefined) {
      const at = path.index(i).child('nodePort');
      if (nodePort < NODE_PORT_MIN || nodePort > NODE_PORT_MAX) {
        return invalid({ group: '', kind: 'Service' }, name, [fieldErrors.invalid(at, nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`)]);
      }
      if (used.has(nodePort)) return invalid({ group: '', kind: 'Service' }, name, [fieldErrors.invalid(at, nodePort, 'provided port is already allocated')]);
    } else {
      const kept = current?.spec?.ports?.find((c) => c.port === p.port && (c.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
      nodePort = kept && !used.has(kept) ? kept : pickFree(used, random);
      if (nodePort === undefined) return invalid({ group: '', kind: 'Service' }, name, [fieldErrors.invalid(path.index(i).child('nodePort'), 0, `range ${NODE_PORT_MIN}-${NODE_PORT_MAX} is full`)]);
    }
    used.add(nodePort);
    ports.push({ ...p, nodePort });
  }
  return { ...svc, spec: { ...svc.spec, ports } };
}

function pickFree(used: ReadonlySet<number>, random: () => number): number | undefined {
  const size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
  const start = Math.floor(random() * size);
  for (let i = 0; i < size; i++) {
    const port = NODE_PORT_MIN + ((start + i) % size);
    if (!used.has(port)) return port;
  }
  return undefined;
}
