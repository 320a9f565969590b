/**
 * The actors of `berth demo`: simulated nodes that heartbeat to a registry,
 * the shape of kubelets renewing Leases with the api-server. A stand-in for
 * the real cluster until the store, api-server and node actors land.
 */
import { defineActor, type Message } from '../actor/types.js';

export interface DemoNodeArgs {
  readonly heartbeatMs: number;
}

type NodeMessage = { type: 'node.heartbeat' } | { type: 'node.crash' };

export const demoNode = defineActor<NodeMessage, DemoNodeArgs>((ctx, args) => {
  // Spread the first beats over the period, as real kubelets started at different times would.
  const offset = hash(ctx.self) % args.heartbeatMs;
  ctx.setTimer(offset, { type: 'node.heartbeat' });
  return {
    receive(msg) {
      if (msg.type === 'node.crash') process.exit(1); // the whole node host thread dies
      ctx.send('registry', { type: 'registry.heartbeat', node: ctx.self, at: ctx.now() } as Message);
      ctx.setTimer(args.heartbeatMs, { type: 'node.heartbeat' });
    },
  };
});

type RegistryMessage = { type: 'registry.heartbeat'; node: string; at: number } | { type: 'registry.report'; graceMs: number };

export interface RegistryReport {
  readonly heartbeats: number;
  readonly nodes: number;
  /** Nodes whose last heartbeat is older than the grace period. */
  readonly stale: number;
  readonly longestGapMs: number;
}

export const registry = defineActor<RegistryMessage>((ctx) => {
  const last = new Map<string, number>();
  let heartbeats = 0;
  let longestGapMs = 0;
  return {
    receive(msg, from) {
      if (msg.type === 'registry.heartbeat') {
        const prev = last.get(msg.node);
        if (prev !== undefined) longestGapMs = Math.max(longestGapMs, msg.at - prev);
        last.set(msg.node, msg.at);
        heartbeats++;
        return;
      }
      const now = ctx.now();
      let stale = 0;
      for (const at of last.values()) if (now - at > msg.graceMs) stale++;
      const report: RegistryReport = { heartbeats, nodes: last.size, stale, longestGapMs };
      ctx.reply(from, report);
    },
  };
});

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
