/**
 * IPv4 addresses as numbers, and CIDRs inside 127.0.0.0/8: Berth puts pod
 * IPs and service ClusterIPs on loopback, so they work without root.
 */
export interface Cidr {
  /** The network address. */
  readonly base: number;
  readonly size: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function intToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** A CIDR inside 127.0.0.0/8 of /8 to /30, or why not; `what` names it in the error (podCIDR, service CIDR). */
export function parseLoopbackCidr(cidr: string, what: string): { ok: true; value: Cidr } | { ok: false; error: string } {
  const [ip, bitsText] = cidr.split('/');
  const base = ipToInt(ip ?? '');
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) return { ok: false, error: `invalid ${what} ${cidr}` };
  if (base >>> 24 !== 127) return { ok: false, error: `${what} ${cidr} must lie inside 127.0.0.0/8` };
  const size = 2 ** (32 - bits);
  return { ok: true, value: { base: base - (base % size), size } };
}
