/**
 * Cluster names to records, as the Kubernetes DNS specification has them
 * for A records: `<svc>.<ns>.svc.<domain>` is the Service's ClusterIP, or
 * for a headless Service (clusterIP None) the IPs of its ready endpoints
 * (and not-ready ones when it publishes them; none: NXDOMAIN); `<hostname>.<svc>.<ns>.svc.<domain>`
 * is one endpoint that has a hostname; an ExternalName Service is a CNAME.
 * Without a search path in the container's resolv.conf, the short forms
 * `<svc>.<ns>.svc` and `<svc>.<ns>` are answered too, so a program can use
 * them through BERTH_DNS. Everything else is NXDOMAIN: this server is the
 * authority for cluster names only and does not recurse.
 */
import type { Endpoints, Service } from '../api/types/core.js';
import { QTYPE, RCODE, type DnsAnswer, type Rcode } from './wire.js';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** CoreDNS's default TTL for cluster records. */
export const DEFAULT_TTL_SECONDS = 5;

/** Where records come from (the DNS actor's informer caches). */
export interface ServiceDirectory {
  service(namespace: string, name: string): Readonly<Service> | undefined;
  endpoints(namespace: string, name: string): Readonly<Endpoints> | undefined;
}

export interface LookupOptions {
  readonly domain?: string;
  readonly ttl?: number;
}

export interface Lookup {
  readonly rcode: Rcode;
  readonly answers: DnsAnswer[];
}

const NXDOMAIN: Lookup = { rcode: RCODE.NXDOMAIN, answers: [] };

/** The answer to a question for `name` (lower case, no trailing dot) of type `qtype`. */
export function lookup(dir: ServiceDirectory, name: string, qtype: number, opts: LookupOptions = {}): Lookup {
  const domain = (opts.domain ?? DEFAULT_CLUSTER_DOMAIN).toLowerCase();
  const ttl = opts.ttl ?? DEFAULT_TTL_SECONDS;
  const target = parseName(name, domain);
  if (!target) return NXDOMAIN;
  const svc = dir.service(target.namespace, target.service);
  if (!svc) return NXDOMAIN;
  const spec = svc.spec ?? {};
  if (target.hostname !== undefined) {
    if (spec.clusterIP !== 'None') return NXDOMAIN;
    const ips = endpointIps(dir.endpoints(target.namespace, target.service), spec.publishNotReadyAddresses === true, target.hostname);
    return ips.length ? answer(ips, qtype, ttl) : NXDOMAIN;
  }
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) return NXDOMAIN;
    // The CNAME answers A and CNAME questions alike; the client follows it elsewhere.
    return qtype === QTYPE.A || qtype === QTYPE.CNAME || qtype === QTYPE.ANY ? { rcode: RCODE.NOERROR, answers: [{ type: QTYPE.CNAME, target: spec.externalName, ttl }] } : { rcode: RCODE.NOERROR, answers: [] };
  }
  if (spec.clusterIP === 'None') {
    const ips = endpointIps(dir.endpoints(target.namespace, target.service), spec.publishNotReadyAddresses === true);
    // With no ready endpoint there is no record at all (the DNS spec's NXDOMAIN, as kube-dns and CoreDNS answer).
    return ips.length ? answer(ips, qtype, ttl) : NXDOMAIN;
  }
  return answer(spec.clusterIP ? [spec.clusterIP] : [], qtype, ttl);
}

/** The name exists: A (and ANY) questions get the addresses, other types an empty NOERROR (NODATA). */
function answer(ips: readonly string[], qtype: number, ttl: number): Lookup {
  if (qtype !== QTYPE.A && qtype !== QTYPE.ANY) return { rcode: RCODE.NOERROR, answers: [] };
  return { rcode: RCODE.NOERROR, answers: ips.map((ip) => ({ type: QTYPE.A, ip, ttl })) };
}

interface Target {
  readonly namespace: string;
  readonly service: string;
  readonly hostname?: string;
}

/** `[hostname.]svc.ns.svc.<domain>`, `svc.ns.svc` or `svc.ns`; anything else is no cluster name. */
export function parseName(name: string, domain: string = DEFAULT_CLUSTER_DOMAIN): Target | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  let head: string[];
  if (n.endsWith(`.svc.${domain}`)) head = n.slice(0, -`.svc.${domain}`.length).split('.');
  else if (n.endsWith('.svc')) head = n.slice(0, -'.svc'.length).split('.');
  else {
    head = n.split('.');
    if (head.length !== 2) return undefined;
  }
  if (head.length === 2) return { service: head[0]!, namespace: head[1]! };
  if (head.length === 3) return { hostname: head[0]!, service: head[1]!, namespace: head[2]! };
  return undefined;
}

/** Endpoint IPs in subset order, without duplicates (a pod serving two ports is one address). */
function endpointIps(ep: Readonly<Endpoints> | undefined, notReadyToo: boolean, hostname?: string): string[] {
  const out = new Set<string>();
  for (const s of ep?.subsets ?? []) {
    for (const a of [...(s.addresses ?? []), ...(notReadyToo ? (s.notReadyAddresses ?? []) : [])]) {
      if (hostname === undefined || a.hostname?.toLowerCase() === hostname) out.add(a.ip);
    }
  }
  return [...out];
}
