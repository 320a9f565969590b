/**
 * The api-server actor: the store's only client. At start it lists every
 * object into the watch cache and watches the store from that revision;
 * then it creates the default namespaces and opens the HTTP listener in its
 * own thread. In-cluster actors call it with `api.*` messages (see
 * messages.ts), which run the same handlers as HTTP.
 *
 * Handlers never hold the mailbox: each request runs as tracked background
 * work and replies when done, so store notices (which feed the cache that
 * writers wait on) keep flowing. If the store ends our watch (compaction
 * overtook us), the actor crashes on purpose and the supervisor restarts
 * it, which relists: level-triggered recovery, nothing is lost. If the
 * store's thread dies (its down notice, ctx.monitor), we watch the new one
 * from the cache's revision: its log has every event we missed.
 */
import { defineActor, type ActorContext, type Message, type Sender } from '../../lib/actor/types.js';
import { StoreClient, type StoreEncodedWatchHandlers } from '../store/client.js';
import { StoreError } from '../../lib/store/errors.js';
import { STORE_ADDRESS } from '../store/messages.js';
import { badRequest } from '../../lib/api/status.js';
import { bootstrap } from './bootstrap.js';
import { briefResponse } from './brief.js';
import { WatchCache } from './cache.js';
import type { ServerContext } from './context.js';
import { handle, resolve } from './handlers.js';
import { HttpFrontEnd } from './http/server.js';
import { ClusterIpAllocator, DEFAULT_SERVICE_CIDR } from './ips.js';
import type { ApiAddress, ApiNotice, ApiRequestMessage, ApiServerArgs, ApiStats, EncodedItems } from './messages.js';
import { failed, fromStatus, seedGeneratedNames } from './objects.js';
import { ListSnapshots } from './read.js';
import { markAfter } from './list-encoding.js';
import type { TableMark } from '../../lib/client/records.js';
import { OwnWrites } from './own-writes.js';
import { openWatch, toWatchEvent, type CachedWatchEvent, type WatchHandle } from './watch.js';

const CACHE_WATCH_ID = 'api-server-cache';
const LOAD_PAGE = 5_000;

type Internal = { type: 'api.tick' } | { type: 'api.resync'; reason: string };

export default defineActor<ApiRequestMessage | Internal, ApiServerArgs>(async (ctx, args) => {
  const store = new StoreClient(ctx, args.storeAddress ?? STORE_ADDRESS);
  const cache = new WatchCache(args.watchWindow ?? 10_000);
  const server: ServerContext = {
    cache,
    store,
    ips: new ClusterIpAllocator(cache, args.serviceCidr ?? DEFAULT_SERVICE_CIDR),
    snapshots: new ListSnapshots(),
    ownWrites: new OwnWrites(),
    now: () => ctx.now(),
    defaultFieldValidation: args.defaultFieldValidation,
  };

  const http =
    args.port === null
      ? null
      : new HttpFrontEnd(server, {
          host: args.host ?? '127.0.0.1',
          port: args.port ?? 6443,
          tokens: args.tokens ?? [],
          tlsCertFile: args.tlsCertFile,
          tlsKeyFile: args.tlsKeyFile,
          maxBodyBytes: args.maxBodyBytes ?? 3 * 1024 * 1024,
          maxInFlight: args.maxInFlight ?? 400,
          maxWatchBufferBytes: args.maxWatchBufferBytes ?? 16 * 1024 * 1024,
          isReady: () => ready,
          ask: (to, msg) => ctx.request(to, msg, { timeoutMs: 10_000 }),
        });
  let ready = false;
  let address: ApiAddress = { host: args.host ?? '127.0.0.1', port: null, url: null };
  // Events as bytes: the echoes of our own writes are not decoded again (own-writes.ts).
  const cacheWatch: StoreEncodedWatchHandlers = {
    onEncodedEvents: (events) =>
      cache.applyEncoded(events, server.ownWrites, (key, revision, err) => ctx.log.warn('store watch: cannot decode an event', { key, revision, error: err.message })),
    onEnded: (code, message) => {
      // A store that restarted kept every committed event in its log: watching it again from our
      // revision loses nothing and spares every watcher a relist. Anything else relists (crash).
      if (code === 'STORE_DOWN') void ctx.track(rewatch(message));
      else ctx.send(ctx.self, { type: 'api.resync', reason: `${code}: ${message}` });
    },
  };
  const rewatch = async (why: string): Promise<void> => {
    for (let attempt = 0; attempt < 600; attempt++) {
      try {
        await store.watchEncoded(CACHE_WATCH_ID, '/registry/', cache.revision, cacheWatch);
        return;
      } catch (err) {
        if (err instanceof StoreError) break; // e.g. COMPACTED past our revision: only a relist helps
        await new Promise((resolve) => setTimeout(resolve, 50)); // the store is still coming back
      }
    }
    ctx.send(ctx.self, { type: 'api.resync', reason: `the store restarted (${why}) and could not be watched again` });
  };
  // Runs once the behavior is installed, so store notices reach the cache meanwhile.
  const starting = ctx.track(
    (async () => {
      await waitForStore(ctx, args.storeAddress ?? STORE_ADDRESS);
      await loadCache(store, cache);
      if (args.nameSeed !== undefined) seedGeneratedNames(args.nameSeed, cache.revision);
      await store.watchEncoded(CACHE_WATCH_ID, '/registry/', cache.revision, cacheWatch);
      await bootstrap(server);
      if (http) {
        const a = await http.listen();
        address = { host: a.host, port: a.port, url: a.url };
        ctx.log.info('api-server listening', { url: a.url });
      }
      ready = true;
    })(),
  );
  starting.catch((err: unknown) => ctx.send(ctx.self, { type: 'api.resync', reason: `start failed: ${String(err)}` }));

  const watches = new Map<string, WatchHandle>();
  const bookmarkMs = args.bookmarkIntervalMs ?? 10_000;
  ctx.setTimer(bookmarkMs, { type: 'api.tick' });

  const openInProcessWatch = (m: Extract<ApiRequestMessage, { type: 'api.watch' }>, from: Sender): void => {
    const key = `${from.address}\u0000${m.watchId}`;
    watches.get(key)?.stop();
    watches.delete(key);
    const r = resolve(m.request);
    if (failed(r)) return ctx.reply(from, fromStatus(r));
    if (r.subresource) return ctx.reply(from, fromStatus(badRequest('subresources cannot be watched')));
    const to = from.address;
    const watchId = m.watchId;
    const encoded = m.encoded === true;
    // The watcher's copy of the tables: each batch carries the entries it lacks, then it holds them.
    let known = m.known;
    const h = openWatch(server, r.def, r.def.namespaced ? m.request.namespace : undefined, m.request.query ?? {}, (events) => {
      // An object goes to many watchers (kubelet, scheduler, controllers, runner): its cached bytes are copied, never re-encoded.
      const items = encoded ? encodedEvents(cache, events, known) : undefined;
      if (items) known = markAfter(items);
      if (items) ctx.send(to, { type: 'api.watch-events', watchId, events: [], encoded: { types: events.map((e) => e.type), items } } satisfies ApiNotice);
      else ctx.send(to, { type: 'api.watch-events', watchId, events: events.map((e) => toWatchEvent(cache, e)) } satisfies ApiNotice);
    });
    if (failed(h)) return ctx.reply(from, fromStatus(h));
    watches.set(key, h);
    ctx.reply(from, { code: 200, body: { watchId } });
  };

  return {
    receive(msg: Message, from: Sender) {
      if (store.handleNotice(msg)) return;
      const m = msg as ApiRequestMessage | Internal;
      switch (m.type) {
        case 'api.address':
          reply(ctx, from, starting.then(() => address));
          return;
        case 'api.call':
          reply(
            ctx,
            from,
            starting.then(async () => {
              return handle(server, m.request, m.listItems === 'encoded' ? { encodedItems: m.known ?? true } : {});
            }),
          );
          return;
        case 'api.batch':
          reply(
            ctx,
            from,
            starting.then(async () => {
              const out = await Promise.all(m.requests.map((r) => handle(server, r)));
              return m.brief ? out.map(briefResponse) : out;
            }),
          );
          return;
        case 'api.watch':
          // Opened once the cache has loaded, as api.call waits: right after a restart a watch
          // on the still-empty cache would send none of the existing objects as ADDED.
          // api.unwatch waits the same way, so it cannot overtake the watch it ends.
          void ctx.track(starting.then(() => openInProcessWatch(m, from), () => undefined));
          return;
        case 'api.unwatch':
          void ctx.track(
            starting.then(
              () => {
                const key = `${from.address}\u0000${m.watchId}`;
                watches.get(key)?.stop();
                watches.delete(key);
                ctx.reply(from, null);
              },
              () => undefined,
            ),
          );
          return;
        case 'api.stats': {
          const gc = (globalThis as { gc?: () => void }).gc;
          if (m.collect && gc) gc();
          const mem = process.memoryUsage();
          ctx.reply(from, {
            revision: cache.revision,
            objects: cache.size,
            watchers: cache.watcherCount,
            oldestWatchRevision: cache.windowStart,
            heapUsedBytes: mem.heapUsed,
            arrayBufferBytes: mem.arrayBuffers,
          } satisfies ApiStats);
          return;
        }
        case 'api.tick':
          http?.bookmarkAll();
          for (const w of watches.values()) if (w.bookmarks) w.bookmark();
          server.snapshots.sweep(ctx.now());
          ctx.setTimer(bookmarkMs, { type: 'api.tick' });
          return;
        case 'api.resync':
          // Crash on purpose: the supervisor restarts us and we relist from the store. Close the
          // HTTP server first: a crash runs no stop hook, and a worker terminated while its
          // sockets are still parsing can abort the whole process (Node 20's llhttp, seen in CI).
          for (const w of watches.values()) w.stop();
          watches.clear();
          return (async () => {
            await http?.close();
            throw new Error(`api-server watch cache lost the store's watch (${m.reason}); restarting to relist`);
          })();
        default: {
          const never: never = m;
          ctx.replyError(from, 'INVALID_ARGUMENT', `unknown request ${JSON.stringify(never)}`);
        }
      }
    },
    async stop() {
      for (const w of watches.values()) w.stop();
      watches.clear();
      await http?.close();
      await store.unwatch(CACHE_WATCH_ID).catch(() => undefined);
    },
  };
});

/**
 * The store can only answer us once the supervisor has published our
 * address, which happens after start returns: ask with a short timeout
 * until it does.
 */
async function waitForStore(ctx: ActorContext, address: string): Promise<void> {
  const quick = new StoreClient(ctx, address, 250);
  for (let attempt = 0; ; attempt++) {
    try {
      await quick.stats();
      return;
    } catch (err) {
      if (attempt >= 200) throw err;
    }
  }
}

async function loadCache(store: StoreClient, cache: WatchCache): Promise<void> {
  let page = await store.range({ prefix: '/registry/', limit: LOAD_PAGE });
  const revision = page.revision;
  const items = [...page.items];
  while (page.continue) {
    page = await store.range({ prefix: '/registry/', limit: LOAD_PAGE, continue: page.continue });
    items.push(...page.items);
  }
  cache.load(items, revision);
}

/** Events' objects as bytes, when they can all be sent so. */
function encodedEvents(cache: WatchCache, events: readonly CachedWatchEvent[], known: TableMark | undefined): EncodedItems | undefined {
  const parts: Buffer[] = [];
  for (const e of events) {
    const b = e.item.encoded(cache.codec);
    if (!b) return undefined;
    parts.push(b);
  }
  return cache.codec.items(parts, known);
}

function reply(ctx: ActorContext, to: Sender, work: Promise<unknown>): void {
  void ctx.track(
    work.then(
      (value) => ctx.reply(to, value),
      (err: unknown) => ctx.replyError(to, 'INTERNAL', err instanceof Error ? err.message : String(err)),
    ),
  );
}
