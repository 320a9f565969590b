/**
 * What kube-proxy programs, as data: a Service and its Endpoints become one
 * route per TCP service port (ClusterIP:port) and one per NodePort
 * (127.0.0.1:nodePort), each with its ready endpoints. The target port is
 * the one the Endpoints carry under the service port's name: the endpoints
 * controller already resolved named targetPorts pod by pod. Pure functions,
 * recomputed from both objects on every change (level-triggered).
 */
import type { Endpoints, Service } from '../../lib/api/types/core.js';
import type { EndpointInfo, RouteInfo } from './messages.js';

/** Kubernetes' default for sessionAffinityConfig.clientIP.timeoutSeconds: 3 hours. */
export const DEFAULT_AFFINITY_SECONDS = 10_800;

export interface Route extends RouteInfo {
  readonly ip: string;
  readonly port: number;
}

/** sessionAffinityConfig is not in Berth's ServiceSpec type yet; read it where present. */
interface AffinityConfig {
  readonly sessionAffinityConfig?: { readonly clientIP?: { readonly timeoutSeconds?: number } };
}

export function routesFor(svc: Readonly<Service>, ep: Readonly<Endpoints> | undefined, nodePortAddress: string): Route[] {
  const spec = svc.spec ?? {};
  const ns = svc.metadata.namespace ?? 'default';
  const service = `${ns}/${svc.metadata.name ?? ''}`;
  if (spec.type === 'ExternalName') return [];
  const clusterIP = spec.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
  const configured = (spec as AffinityConfig).sessionAffinityConfig?.clientIP?.timeoutSeconds;
  const affinitySeconds = spec.sessionAffinity === 'ClientIP' ? (configured && configured > 0 ? configured : DEFAULT_AFFINITY_SECONDS) : null;
  const out: Route[] = [];
  for (const p of spec.ports ?? []) {
    if ((p.protocol ?? 'TCP') !== 'TCP') continue;
    const portName = p.name ?? '';
    const backends = readyEndpoints(ep, portName);
    if (clusterIP) out.push({ frontend: `${clusterIP}:${p.port}`, ip: clusterIP, port: p.port, service, portName, kind: 'ClusterIP', endpoints: backends, affinitySeconds });
    // A headless service has no virtual IP but may still have a node port; kube-proxy serves it.
    if (p.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) {
      out.push({ frontend: `${nodePortAddress}:${p.nodePort}`, ip: nodePortAddress, port: p.nodePort, service, portName, kind: 'NodePort', endpoints: backends, affinitySeconds });
    }
  }
  return out;
}

/** Ready addresses of every subset that serves the port named `portName` over TCP ('' matches an unnamed port). */
function readyEndpoints(ep: Readonly<Endpoints> | undefined, portName: string): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  const seen = new Set<string>();
  for (const s of ep?.subsets ?? []) {
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP');
    if (!port) continue;
    for (const a of s.addresses ?? []) {
      const key = `${a.ip}:${port.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ref = a.targetRef;
      out.push({
        ip: a.ip,
        port: port.port,
        ...(ref?.kind === 'Pod' && ref.name ? { pod: `${ref.namespace ?? ep?.metadata.namespace ?? ''}/${ref.name}` } : {}),
        ...(a.nodeName ? { nodeName: a.nodeName } : {}),
      });
    }
  }
  return out;
}

export function endpointKey(e: Pick<EndpointInfo, 'ip' | 'port'>): string {
  return `${e.ip}:${e.port}`;
}
