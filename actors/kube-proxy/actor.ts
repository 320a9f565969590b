/**
 * The kube-proxy actor: Services and Endpoints informers program one
 * routing table; with `sockets: true` a TcpProxy forwards real connections
 * through it, without, the table answers `proxy.route` (where a connection
 * would go) for simulated nodes and scenarios.
 *
 * One per machine, not one per node: every ClusterIP lives on this
 * machine's loopback, so only one listener per ClusterIP:port can exist on
 * it, and the table holds the same routes for every node (Berth has no
 * node-local traffic policy yet). Simulated nodes share one actor for the
 * same reason, which saves 5,000 copies of the table; a node joined from
 * another machine runs its own.
 *
 * Level-triggered: any event for a Service or its Endpoints recomputes
 * that Service's routes from both cached objects, so a re-list after a
 * lost watch, or a restart, converges to the api-server's state; a restart
 * opens every listener again (retrying while the old ones are released).
 */
import { defineActor, type Message, type Sender } from '../../lib/actor/types.js';
import { endpoints, services } from '../../lib/api/resources/index.js';
import type { Endpoints, Service } from '../../lib/api/types/core.js';
import { ActorClock } from '../../lib/client/clock.js';
import { ApiClient } from '../../lib/client/client.js';
import { TransportError } from '../../lib/client/errors.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import { Informer } from '../../lib/client/informer.js';
import { keyOf } from '../../lib/client/object-cache.js';
import type { Transport } from '../../lib/client/types.js';
import type { KubeProxyArgs, KubeProxyMessage, KubeProxyStats, RouteAnswer, RouteInfo } from './messages.js';
import { routesFor } from './routes.js';
import { RoutingTable } from './table.js';
import { TcpProxy } from './tcp-proxy.js';

export default defineActor<KubeProxyMessage, KubeProxyArgs>((ctx, args) => {
  const a = args ?? {};
  const nodePortAddress = a.nodePortAddress ?? '127.0.0.1';
  const clock = new ActorClock(ctx);
  const transport = new InProcessTransport(ctx, { address: a.apiServer });
  // Tracked, so the virtual clock waits for the informers' answers (simulated mode).
  const tracked: Transport = {
    call: (r) => ctx.track(transport.call(r)),
    batch: (r, o) => ctx.track(transport.batch(r, o)),
    watch: (r, h) => ctx.track(transport.watch(r, h)),
    close: () => transport.close(),
  };
  const api = new ApiClient(tracked, { fieldManager: 'kube-proxy' });
  const onError = (what: string) => (err: unknown, during: string) => {
    ctx.log.warn(`${what} informer`, { during, error: String(err) });
    if (err instanceof TransportError) transport.endAll(err);
  };
  const svcInformer = new Informer<Service>(api, services, { clock, onError: onError('services') });
  const epInformer = new Informer<Endpoints>(api, endpoints, { clock, onError: onError('endpoints') });
  const table = new RoutingTable();
  const proxy = a.sockets
    ? TcpProxy.claim(ctx.self, {
        pick: (frontend, clientIP) => table.pick(frontend, clientIP, ctx.now()),
        retryListenMs: a.retryListenMs ?? 250,
        connectAttempts: a.connectAttempts ?? 3,
        warn: (msg, fields) => ctx.log.warn(msg, fields),
      })
    : null;
  let syncs = 0;

  /** Recompute one Service's routes from the caches (the key names both the Service and its Endpoints). */
  const sync = (key: string): void => {
    syncs++;
    const svc = svcInformer.store.get(key);
    const routes = svc ? routesFor(svc, epInformer.store.get(key), nodePortAddress) : [];
    const change = table.setService(key, routes);
    if (!proxy) return;
    for (const f of change.removed) proxy.remove(f);
    for (const r of change.upserted) proxy.upsert(r);
  };
  const handlers = {
    onAdd: (o: Readonly<Service | Endpoints>) => sync(keyOf(o)),
    onUpdate: (_: unknown, o: Readonly<Service | Endpoints>) => sync(keyOf(o)),
    onDelete: (o: Readonly<Service | Endpoints>) => sync(keyOf(o)),
  };
  svcInformer.addHandlers(handlers);
  epInformer.addHandlers(handlers);
  svcInformer.start();
  epInformer.start();
  let synced = false;
  const waiters: Sender[] = [];
  void ctx.track(
    Promise.all([svcInformer.waitForSync(), epInformer.waitForSync()]).then(() => {
      synced = true;
      for (const w of waiters.splice(0)) ctx.reply(w, true);
    }),
  );

  const route = (clusterIP: string, port: number, clientIP: string | undefined): RouteAnswer => {
    const r = table.route(`${clusterIP}:${port}`);
    if (!r) return { ok: false, service: null, reason: 'NoService', message: `no service listens on ${clusterIP}:${port}` };
    const e = table.pick(r.frontend, clientIP, ctx.now());
    if (!e) return { ok: false, service: r.service, reason: 'NoEndpoints', message: `service ${r.service} has no ready endpoints for port ${r.portName || port}: connections are rejected` };
    return { ok: true, service: r.service, portName: r.portName, endpoint: e };
  };

  return {
    receive(msg: Message, from: Sender) {
      if (clock.handleTimer(msg)) return;
      if (transport.handleNotice(msg)) return;
      const m = msg as KubeProxyMessage;
      switch (m.type) {
        case 'proxy.ready':
          if (synced) ctx.reply(from, true);
          else waiters.push(from);
          return;
        case 'proxy.route':
          if (typeof m.clusterIP !== 'string' || !Number.isInteger(m.port)) {
            return ctx.replyError(from, 'INVALID_ARGUMENT', `proxy.route needs clusterIP (string) and port (integer), got ${JSON.stringify({ clusterIP: m.clusterIP, port: m.port })}`);
          }
          return ctx.reply(from, route(m.clusterIP, m.port, m.clientIP));
        case 'proxy.table': {
          const out: RouteInfo[] = table.routes().map(({ frontend, service, portName, kind, endpoints: e, affinitySeconds }) => ({
            frontend,
            service,
            portName,
            kind,
            endpoints: e,
            affinitySeconds,
            ...(proxy ? { listening: proxy.isListening(frontend) } : {}),
          }));
          return ctx.reply(from, out);
        }
        case 'proxy.stats': {
          const p = proxy?.stats();
          const stats: KubeProxyStats = {
            synced,
            sockets: proxy !== null,
            routes: table.size,
            services: table.services,
            listening: p?.listening ?? 0,
            retrying: p?.retrying ?? 0,
            listenFailures: p?.listenFailures ?? 0,
            connections: { open: p?.open ?? 0, total: p?.total ?? 0, rejected: p?.rejected ?? 0, upstreamFailures: p?.upstreamFailures ?? 0, drained: p?.drained ?? 0 },
            syncs,
          };
          return ctx.reply(from, stats);
        }
        default: {
          const never: never = m;
          ctx.replyError(from, 'INVALID_ARGUMENT', `unknown message ${JSON.stringify(never)}`);
        }
      }
    },
    stop() {
      svcInformer.stop();
      epInformer.stop();
      transport.close();
      proxy?.close();
    },
  };
});
