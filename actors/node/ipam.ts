/**
 * Pod IPs from a node's podCIDR (inside 127.0.0.0/8, so pods can bind their
 * own loopback address). The network and broadcast addresses and the first
 * host address (the bridge's, as with host-local IPAM) are never handed out;
 * the cursor moves on round robin, so a released address is not reused at once.
 */
import { intToIp, ipToInt, parseLoopbackCidr, type Cidr } from '../../lib/net/ipv4.js';
export type { Cidr } from '../../lib/net/ipv4.js';

/** A podCIDR inside 127.0.0.0/8 with room for pods (/8 to /30), or an error. */
export function parsePodCidr(cidr: string): { ok: true; value: Cidr } | { ok: false; error: string } {
  return parseLoopbackCidr(cidr, 'podCIDR');
}

export function inCidr(ip: string, cidr: Cidr): boolean {
  const n = ipToInt(ip);
  return n !== undefined && n >= cidr.base && n < cidr.base + cidr.size;
}

/** Pool ranges: node i's InternalIP and its /24 podCIDR (up to 32,768 nodes). */
export function nodeInternalIp(index: number): string {
  return intToIp((127 << 24) + (2 << 16) + 1 + index);
}

export function defaultPodCidr(index: number): string {
  return `${intToIp((127 << 24) + (128 << 16) + index * 256)}/24`;
}

export class PodIpAllocator {
  /** One byte per address: small (256 B for a /24) and O(1). */
  private readonly used: Uint8Array;
  private cursor = 2;
  private count = 0;

  constructor(readonly cidr: Cidr) {
    this.used = new Uint8Array(cidr.size);
  }

  get allocated(): number {
    return this.count;
  }

  /** The next free address as a number, or 0 when the range is full. */
  allocate(): number {
    const n = this.cidr.size;
    for (let i = 0; i < n; i++) {
      const off = this.cursor;
      this.cursor = off + 1 >= n - 1 ? 2 : off + 1;
      if (off < 2 || off >= n - 1 || this.used[off]) continue;
      this.used[off] = 1;
      this.count++;
      return this.cidr.base + off;
    }
    return 0;
  }

  /** Take a known address (a pod that already had it); false when it is outside or taken. */
  reserve(ip: number): boolean {
    const off = ip - this.cidr.base;
    if (off < 2 || off >= this.cidr.size - 1 || this.used[off]) return false;
    this.used[off] = 1;
    this.count++;
    return true;
  }

  release(ip: number): void {
    const off = ip - this.cidr.base;
    if (off < 0 || off >= this.cidr.size || !this.used[off]) return;
    this.used[off] = 0;
    this.count--;
  }
}
