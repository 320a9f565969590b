/**
 * ClusterIP allocation for Services from a range inside 127.0.0.0/8, so
 * service IPs are reachable on loopback without root. Each allocation is an
 * object in the store (`/registry/berth.io/serviceips/<ip>`, written in the
 * same request as the Service), so it survives a restart; the watch cache
 * holds them like any other object and the allocator reads them from there.
 */
import type { WatchCache } from './cache.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { intToIp, ipToInt, parseLoopbackCidr } from '../../lib/net/ipv4.js';

export const SERVICE_IP_BUCKET = '/registry/berth.io/serviceips/';
export const DEFAULT_SERVICE_CIDR = '127.1.0.0/16';


export function parseCidr(cidr: string): { base: number; size: number } {
  const parsed = parseLoopbackCidr(cidr, 'service CIDR');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

export interface IpAllocation extends KubeObject {
  spec: { parentRef: { resource: 'services'; namespace: string; name: string } };
}

export class ClusterIpAllocator {
  private readonly base: number;
  private readonly size: number;
  private cursor = 1;

  constructor(
    private readonly cache: WatchCache,
    readonly cidr: string = DEFAULT_SERVICE_CIDR,
  ) {
    const r = parseCidr(cidr);
    this.base = r.base;
    this.size = r.size;
  }

  key(ip: string): string {
    return `${SERVICE_IP_BUCKET}${ip}`;
  }

  contains(ip: string): boolean {
    const n = ipToInt(ip);
    // The network address and the broadcast address are never handed out.
    return n !== undefined && n > this.base && n < this.base + this.size - 1;
  }

  isFree(ip: string): boolean {
    return !this.cache.has(this.key(ip));
  }

  /** The next free IP after the cursor, or undefined when the range is full. */
  next(skip: ReadonlySet<string> = new Set()): string | undefined {
    for (let i = 0; i < this.size - 2; i++) {
      const offset = ((this.cursor - 1 + i) % (this.size - 2)) + 1;
      const ip = intToIp(this.base + offset);
      if (this.isFree(ip) && !skip.has(ip)) {
        this.cursor = offset + 1;
        return ip;
      }
    }
    return undefined;
  }

  allocation(ip: string, namespace: string, name: string): IpAllocation {
    return { apiVersion: 'berth.io/v1', kind: 'ServiceIPAllocation', metadata: { name: ip }, spec: { parentRef: { resource: 'services', namespace, name } } };
  }
}
