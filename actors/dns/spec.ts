/** The child spec that puts the cluster DNS server under a supervisor (start it after the api-server). */
import type { ActorChildSpec } from '../../lib/actor/supervision.js';
import { DNS_ADDRESS, type DnsArgs } from './messages.js';

export const DNS_MODULE = new URL('./actor.js', import.meta.url).href;

export function dnsChildSpec(args: DnsArgs = {}, options: { id?: string; shutdownMs?: number } = {}): ActorChildSpec {
  return { id: options.id ?? DNS_ADDRESS, module: DNS_MODULE, args, restart: 'permanent', shutdownMs: options.shutdownMs ?? 5_000 };
}
