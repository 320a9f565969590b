/**
 * The routing table: routes by frontend (`ip:port`), kept per Service so a
 * Service's change replaces exactly its routes, and a balancer per frontend
 * that picks the endpoint for each new connection: round robin, or sticky
 * by client IP for sessionAffinity ClientIP (the affinity lasts `timeout`
 * seconds from the client's last connection, as kube-proxy's iptables
 * `recent` match has it). Balancer state survives route updates; affinity
 * to an endpoint that left is forgotten. Time is injected.
 */
import type { EndpointInfo } from './messages.js';
import { endpointKey, type Route } from './routes.js';

/** Affinity entries beyond this many are swept for expired ones. */
const AFFINITY_SWEEP_AT = 10_000;

interface Balancer {
  next: number;
  readonly affinity: Map<string, { key: string; at: number }>;
}

/** What a route update changed, for the proxy to act on. */
export interface TableChange {
  /** Frontends that appeared or whose endpoints changed. */
  readonly upserted: Route[];
  /** Frontends that are gone. */
  readonly removed: string[];
}

export class RoutingTable {
  private readonly byService = new Map<string, Route[]>();
  private readonly byFrontend = new Map<string, Route>();
  /** frontend -> the key of the Service that holds it. */
  private readonly owner = new Map<string, string>();
  private readonly balancers = new Map<string, Balancer>();

  get size(): number {
    return this.byFrontend.size;
  }

  get services(): number {
    return this.byService.size;
  }

  route(frontend: string): Route | undefined {
    return this.byFrontend.get(frontend);
  }

  routes(): Route[] {
    return [...this.byFrontend.values()];
  }

  /** Replace one Service's routes (none: it is gone). A frontend already owned by another Service is not taken over. */
  setService(service: string, routes: readonly Route[]): TableChange {
    const before = this.byService.get(service) ?? [];
    const mine = routes.filter((r) => {
      const owner = this.owner.get(r.frontend);
      return owner === undefined || owner === service;
    });
    if (mine.length) this.byService.set(service, mine);
    else this.byService.delete(service);
    const now = new Set(mine.map((r) => r.frontend));
    const removed: string[] = [];
    for (const r of before) {
      if (now.has(r.frontend)) continue;
      this.byFrontend.delete(r.frontend);
      this.owner.delete(r.frontend);
      this.balancers.delete(r.frontend);
      removed.push(r.frontend);
    }
    const upserted: Route[] = [];
    for (const r of mine) {
      const old = this.byFrontend.get(r.frontend);
      this.byFrontend.set(r.frontend, r);
      this.owner.set(r.frontend, service);
      if (!old || !sameRoute(old, r)) upserted.push(r);
      const b = this.balancers.get(r.frontend);
      if (b) forgetGone(b, r);
    }
    return { upserted, removed };
  }

  /** The endpoint a new connection to `frontend` from `clientIP` goes to, or undefined when there is none. */
  pick(frontend: string, clientIP: string | undefined, nowMs: number): EndpointInfo | undefined {
    const r = this.byFrontend.get(frontend);
    if (!r || r.endpoints.length === 0) return undefined;
    let b = this.balancers.get(frontend);
    if (!b) {
      b = { next: 0, affinity: new Map() };
      this.balancers.set(frontend, b);
    }
    if (r.affinitySeconds !== null && clientIP) {
      const stuck = b.affinity.get(clientIP);
      if (stuck && nowMs - stuck.at < r.affinitySeconds * 1000) {
        const e = r.endpoints.find((x) => endpointKey(x) === stuck.key);
        if (e) {
          stuck.at = nowMs;
          return e;
        }
      }
    }
    const e = r.endpoints[b.next % r.endpoints.length]!;
    b.next = (b.next + 1) % r.endpoints.length;
    if (r.affinitySeconds !== null && clientIP) {
      if (b.affinity.size >= AFFINITY_SWEEP_AT) sweep(b, nowMs - r.affinitySeconds * 1000);
      b.affinity.set(clientIP, { key: endpointKey(e), at: nowMs });
    }
    return e;
  }
}

function sameRoute(a: Route, b: Route): boolean {
  if (a.affinitySeconds !== b.affinitySeconds || a.endpoints.length !== b.endpoints.length || a.service !== b.service) return false;
  return a.endpoints.every((e, i) => endpointKey(e) === endpointKey(b.endpoints[i]!));
}

function forgetGone(b: Balancer, r: Route): void {
  const live = new Set(r.endpoints.map(endpointKey));
  for (const [client, s] of b.affinity) if (!live.has(s.key)) b.affinity.delete(client);
  if (r.affinitySeconds === null) b.affinity.clear();
}

function sweep(b: Balancer, expiredBefore: number): void {
  for (const [client, s] of b.affinity) if (s.at <= expiredBefore) b.affinity.delete(client);
}
