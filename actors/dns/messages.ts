/** The cluster DNS actor's arguments and protocol. */
import type { DnsServerStats } from '../../lib/dns/server.js';

export const DNS_ADDRESS = 'dns';

export interface DnsArgs {
  /** The api-server's address; default 'api-server'. */
  readonly apiServer?: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** UDP and TCP port; default 0: a free one, asked for with `dns.address` (a restart may get another). */
  readonly port?: number;
  /** Default cluster.local. */
  readonly domain?: string;
  /** Record TTL in seconds; default 5. */
  readonly ttl?: number;
}

export type DnsMessage =
  /** Reply: DnsAddress, once the server is bound and the informers have synced. */
  | { type: 'dns.address' }
  /** Reply: DnsStats. */
  | { type: 'dns.stats' }
  /** Bind again after a failure. */
  | { type: 'dns.bind' };

export interface DnsAddress {
  readonly host: string;
  readonly port: number;
  /** The value to pass as BERTH_DNS. */
  readonly env: string;
}

export interface DnsStats extends DnsServerStats {
  readonly services: number;
  readonly bound: boolean;
  readonly bindFailures: number;
}
