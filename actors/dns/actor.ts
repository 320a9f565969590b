/**
 * The cluster DNS actor (CoreDNS's role): Services and Endpoints informers
 * feed a DnsServer bound on 127.0.0.1, which answers every question from
 * the informers' caches at the moment it arrives, so there is nothing to
 * rebuild on a change and nothing to lose on a restart. A port that cannot
 * be bound (still held after a crash, or taken) is retried every second.
 */
import { defineActor, type Message, type Sender } from '../../lib/actor/types.js';
import { endpoints, services } from '../../lib/api/resources/index.js';
import type { Endpoints, Service } from '../../lib/api/types/core.js';
import { ActorClock } from '../../lib/client/clock.js';
import { ApiClient } from '../../lib/client/client.js';
import { TransportError } from '../../lib/client/errors.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import { Informer } from '../../lib/client/informer.js';
import { lookup, type ServiceDirectory } from '../../lib/dns/records.js';
import { dnsEnvValue } from '../../lib/dns/resolver.js';
import { DnsServer } from '../../lib/dns/server.js';
import type { DnsArgs, DnsMessage, DnsStats } from './messages.js';

const REBIND_MS = 1_000;

/**
 * The server each actor address runs on this thread: an actor restarted in
 * place after a crash is not stopped first, so its successor closes the
 * sockets it left (they would hold the port for good).
 */
const running = new Map<string, DnsServer>();

export default defineActor<DnsMessage, DnsArgs>((ctx, args) => {
  const a = args ?? {};
  const clock = new ActorClock(ctx);
  const transport = new InProcessTransport(ctx, { address: a.apiServer });
  const api = new ApiClient(transport, { fieldManager: 'berth-dns' });
  const onError = (what: string) => (err: unknown, during: string) => {
    ctx.log.warn(`${what} informer`, { during, error: String(err) });
    if (err instanceof TransportError) transport.endAll(err);
  };
  const svcInformer = new Informer<Service>(api, services, { clock, onError: onError('services') });
  const epInformer = new Informer<Endpoints>(api, endpoints, { clock, onError: onError('endpoints') });
  const dir: ServiceDirectory = {
    service: (ns, name) => svcInformer.store.getByName(ns, name),
    endpoints: (ns, name) => epInformer.store.getByName(ns, name),
  };
  const server = new DnsServer({ host: a.host, port: a.port, answer: (q) => lookup(dir, q.name, q.type, { domain: a.domain, ttl: a.ttl }) });
  const left = running.get(ctx.self);
  running.set(ctx.self, server);
  let bindFailures = 0;
  let stopped = false;
  const waiters: Sender[] = [];

  const replyWhenReady = (): void => {
    const addr = server.address;
    if (!addr || !svcInformer.hasSynced || !epInformer.hasSynced) return;
    for (const w of waiters.splice(0)) ctx.reply(w, { ...addr, env: dnsEnvValue(addr) });
  };
  const bind = (): void => {
    void ctx.track(
      server.start().then(
        async (addr) => {
          if (stopped) return server.stop();
          ctx.log.info('dns listening', addr);
          replyWhenReady();
        },
        (err: unknown) => {
          bindFailures++;
          ctx.log.warn('dns bind failed; retrying', { error: err instanceof Error ? err.message : String(err) });
          if (!stopped) ctx.setTimer(REBIND_MS, { type: 'dns.bind' });
        },
      ),
    );
  };

  svcInformer.start();
  epInformer.start();
  void ctx.track(Promise.all([svcInformer.waitForSync(), epInformer.waitForSync()]).then(replyWhenReady));
  if (left) void ctx.track(left.stop().then(bind));
  else bind();

  return {
    receive(msg: Message, from: Sender) {
      if (clock.handleTimer(msg)) return;
      if (transport.handleNotice(msg)) return;
      const m = msg as DnsMessage;
      switch (m.type) {
        case 'dns.address':
          waiters.push(from);
          return replyWhenReady();
        case 'dns.bind':
          if (!server.address) bind();
          return;
        case 'dns.stats': {
          const stats: DnsStats = { ...server.stats, services: svcInformer.store.size, bound: server.address !== null, bindFailures };
          return ctx.reply(from, stats);
        }
        default: {
          const never: never = m;
          ctx.replyError(from, 'INVALID_ARGUMENT', `unknown message ${JSON.stringify(never)}`);
        }
      }
    },
    async stop() {
      stopped = true;
      svcInformer.stop();
      epInformer.stop();
      transport.close();
      if (running.get(ctx.self) === server) running.delete(ctx.self);
      await server.stop();
    },
  };
});
