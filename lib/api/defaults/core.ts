// Defaulting for Service, Namespace, Secret, Node, Endpoints and
// PriorityClass (pkg/apis/core/v1 and scheduling/v1 defaults.go), plus the
// Service IP-family fields the api-server's service REST layer fills on
// create for a single-stack cluster (ipFamilies, ipFamilyPolicy,
// clusterIPs); allocating the cluster IP itself needs allocator state and
// is left to the api-server.

import { Buffer } from 'node:buffer';
import type { Endpoints, Namespace, Node, Secret, Service } from '../types/core.js';
import type { PriorityClass } from '../types/cluster.js';
import { normalizeQuantity } from '../quantity.js';
import { clone, ensure } from './clone.js';

/** Set on every named namespace so selectors can pick namespaces by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** The finalizer the namespace controller removes once the namespace is empty. */
export const NAMESPACE_FINALIZER = 'kubernetes';

export function defaultService(svc: Service): Service {
  const out = clone(svc);
  const spec = ensure(out, 'spec');
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of spec.ports ?? []) {
    if (!p.protocol) p.protocol = 'TCP';
    // targetPort 0 or "" (or absent) means "the same as port".
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.externalIPs ?? []).length > 0;
  if (external && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!spec.internalTrafficPolicy && spec.type !== 'ExternalName') spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
  if (spec.type !== 'ExternalName') {
    // Single-stack cluster: one family, chosen by the cluster IP if one was given.
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'SingleStack';
    if (!spec.ipFamilies || spec.ipFamilies.length === 0) {
      spec.ipFamilies = [spec.clusterIP && spec.clusterIP !== 'None' && spec.clusterIP.includes(':') ? 'IPv6' : 'IPv4'];
    }
    if (spec.clusterIP && (!spec.clusterIPs || spec.clusterIPs.length === 0)) spec.clusterIPs = [spec.clusterIP];
  }
  return out;
}

export function defaultNamespace(ns: Namespace): Namespace {
  const out = clone(ns);
  // A namespace being created with generateName has no name yet; Kubernetes labels it later.
  if (out.metadata.name) out.metadata.labels = { ...(out.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: out.metadata.name };
  const status = ensure(out, 'status');
  if (!status.phase) status.phase = 'Active';
  return out;
}

/**
 * type Opaque when unset. stringData is a write-only convenience: its
 * entries overwrite data (base64-encoded) and the field is dropped, which
 * Kubernetes does when converting the request to its internal type.
 */
export function defaultSecret(secret: Secret): Secret {
  const out = clone(secret);
  if (!out.type) out.type = 'Opaque';
  if (out.stringData) {
    const data = ensure(out, 'data');
    for (const [k, v] of Object.entries(out.stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete out.stringData;
  }
  return out;
}

export function defaultNode(node: Node): Node {
  const out = clone(node);
  const status = out.status;
  if (status?.capacity) {
    for (const k of Object.keys(status.capacity)) {
      const n = normalizeQuantity(status.capacity[k]!);
      if (n.ok) status.capacity[k] = n.text;
    }
    // allocatable defaults to capacity (a node that reserves nothing for the system).
    if (!status.allocatable) status.allocatable = { ...status.capacity };
  }
  return out;
}

export function defaultEndpoints(ep: Endpoints): Endpoints {
  const out = clone(ep);
  for (const ss of out.subsets ?? []) for (const p of ss.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  return out;
}

export function defaultPriorityClass(pc: PriorityClass): PriorityClass {
  const out = clone(pc);
  if (!out.preemptionPolicy) out.preemptionPolicy = 'PreemptLowerPriority';
  return out;
}

/** For kinds Kubernetes does not default: a copy, so every defaulter returns a fresh object. */
export function defaultNothing<T>(obj: T): T {
  return clone(obj);
}
