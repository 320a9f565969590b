/**
 * How a program in a container finds the cluster's DNS server. Berth does
 * not own /etc/resolv.conf, so the process runtime passes the server's
 * address in the environment variable BERTH_DNS (`127.0.0.1:PORT`), and a
 * Node program resolves cluster names with a Resolver pointed at it:
 *
 *   import { Resolver } from 'node:dns/promises';
 *   const r = new Resolver();
 *   r.setServers([process.env.BERTH_DNS]);          // Node accepts 'ip:port'
 *   await r.resolve4('web.default.svc.cluster.local');
 *
 * (`clusterResolver()` below does exactly that.) The server answers
 * cluster names only; a program resolving other names keeps using the
 * system resolver for them.
 */
import { Resolver } from 'node:dns/promises';
import { ipToInt } from '../net/ipv4.js';

/** The environment variable naming the cluster DNS server, `host:port`. */
export const BERTH_DNS_ENV = 'BERTH_DNS';

/** The value of BERTH_DNS for a server at host:port. */
export function dnsEnvValue(address: { readonly host: string; readonly port: number }): string {
  return `${address.host}:${address.port}`;
}

/** Reads `host:port` (IPv4); a clear error names the variable and what is wrong. */
export function parseDnsAddress(value: string | undefined, what = BERTH_DNS_ENV): { host: string; port: number } {
  if (!value) throw new Error(`${what} is not set: expected host:port of the cluster DNS server`);
  const i = value.lastIndexOf(':');
  const host = i < 0 ? value : value.slice(0, i);
  const port = i < 0 ? 53 : Number(value.slice(i + 1));
  if (ipToInt(host) === undefined) throw new Error(`${what}=${value}: '${host}' is not an IPv4 address`);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${what}=${value}: port must be 1-65535`);
  return { host, port };
}

/** A Resolver that asks the cluster DNS server named by BERTH_DNS (or `address`). */
export function clusterResolver(address: string | undefined = process.env[BERTH_DNS_ENV], options?: { timeout?: number; tries?: number }): Resolver {
  const { host, port } = parseDnsAddress(address);
  const r = new Resolver(options);
  r.setServers([`${host}:${port}`]);
  return r;
}
