/**
 * The store actor: the only writer of the cluster's LMDB store.
 *
 * Writes are not awaited in the handler: the mailbox moves on while a commit
 * is in flight, so writes from many messages join the same group commit; each
 * reply goes out when its commit is durable. Background work is tracked, so
 * the virtual clock and shutdown wait for it.
 */
import { openLmdbStore, packWatchEvents, type EncodedWatchEvent, type LmdbStore, type StoreError, type Watch, type WriteOp } from '../../lib/store/index.js';
import { briefResults, unpackOpBatch } from '../../lib/store/op-batch.js';
import { defineActor, type ActorContext, type Sender } from '../../lib/actor/types.js';
import type { StoreActorArgs, StoreNotice, StoreRequest } from './messages.js';
import { requestProblem } from './validate.js';

/**
 * Group commits of at most this many ops (a call is never split). Writers
 * that keep many batches in flight would otherwise move in lock-step: all of
 * their batches form one commit, all are acknowledged together, all encode
 * their next batch at once while the store and LMDB's write thread idle.
 * Smaller groups pipeline (one commits while the next is planned) and their
 * acknowledgements come back in turn, so senders encode while the store
 * commits. 1,000 Pod-sized ops are ~1.5 MB, far above the fixed cost of a
 * commit (one fsync; with lmdb-js overlappingSync it overlaps the next).
 */
export const ACTOR_MAX_GROUP_OPS = 1_000;

export default defineActor<StoreRequest, StoreActorArgs>((ctx, args) => {
  const store = openLmdbStore({
    path: args.path,
    retainRevisions: args.retainRevisions,
    retainMs: args.retainMs,
    mapSize: args.mapSize,
    maxMapSize: args.maxMapSize,
    maxGroupOps: args.maxGroupOps ?? ACTOR_MAX_GROUP_OPS,
    now: () => ctx.now(),
    onError: (e) => ctx.log.warn('store fault', { code: e.code, error: e.message }),
  });
  // Watches by sender and id, so a restarted watcher that watches again replaces its old watch.
  const watches = new Map<string, Watch>();
  // A commit's events, packed once for every watcher that gets the same array (see sendEvents).
  const batches = new WeakMap<readonly EncodedWatchEvent[], Uint8Array[]>();

  return {
    receive(msg, from) {
      const problem = requestProblem(msg);
      if (problem) {
        ctx.replyError(from, 'INVALID_ARGUMENT', problem);
        return;
      }
      switch (msg.type) {
        case 'store.write':
          answer(ctx, from, store.write(msg.ops, { brief: msg.brief === true }));
          return;
        case 'store.write-batch': {
          let ops: WriteOp[];
          try {
            ops = unpackOpBatch(msg.batch);
          } catch (err) {
            ctx.replyError(from, 'INVALID_ARGUMENT', (err as Error).message);
            return;
          }
          const written = store.write(ops, { brief: msg.brief === true });
          answer(ctx, from, msg.brief === true ? written.then(briefResults) : written);
          return;
        }
        case 'store.get':
          answer(ctx, from, store.get(msg.key).then((kv) => kv ?? null));
          return;
        case 'store.range':
          answer(ctx, from, store.range(msg.request));
          return;
        case 'store.count':
          answer(ctx, from, store.count(msg.prefix));
          return;
        case 'store.watch':
          answer(ctx, from, startWatch(ctx, store, watches, batches, from, msg.watchId, msg.prefix, msg.sinceRevision));
          return;
        case 'store.unwatch': {
          const key = watchKey(from, msg.watchId);
          watches.get(key)?.cancel();
          watches.delete(key);
          ctx.reply(from, null);
          return;
        }
        case 'store.compact':
          answer(ctx, from, store.compact(msg.revision).then(() => null));
          return;
        case 'store.stats':
          ctx.reply(from, store.stats());
          return;
        default: {
          const never: never = msg;
          ctx.replyError(from, 'INVALID_ARGUMENT', `unknown request ${JSON.stringify(never)}`);
        }
      }
    },
    async stop() {
      for (const w of watches.values()) w.cancel();
      watches.clear();
      await store.close();
    },
  };
});

/** Reply when the work settles; store errors keep their code (COMPACTED, MAP_FULL, ...). */
function answer(ctx: ActorContext, from: Sender, work: Promise<unknown>): void {
  void ctx.track(
    work.then(
      (value) => ctx.reply(from, value),
      (err: unknown) => {
        const e = err as Partial<StoreError>;
        ctx.replyError(from, typeof e.code === 'string' ? e.code : 'INTERNAL', e.message ?? String(err));
      },
    ),
  );
}

async function startWatch(
  ctx: ActorContext,
  store: LmdbStore,
  watches: Map<string, Watch>,
  batches: WeakMap<readonly EncodedWatchEvent[], Uint8Array[]>,
  from: Sender,
  watchId: string,
  prefix: string,
  sinceRevision: number | undefined,
): Promise<{ revision: number }> {
  const key = watchKey(from, watchId);
  watches.get(key)?.cancel();
  watches.delete(key);
  const to = from.address;
  // Events carry the stored bytes: this thread neither decodes nor encodes objects for watchers.
  const watch = await store.watchEncoded({
    prefix,
    sinceRevision,
    // One message per commit (or replay chunk) per watcher: batched by construction.
    onEvents: (events) => {
      let packed = batches.get(events);
      if (packed === undefined) batches.set(events, (packed = packBatches(events)));
      for (const batch of packed) ctx.send(to, { type: 'store.events', watchId, batch } satisfies StoreNotice);
    },
    onError: (e) => {
      watches.delete(key);
      ctx.send(to, { type: 'store.watch-ended', watchId, code: e.code, message: e.message } satisfies StoreNotice);
    },
  });
  watches.set(key, watch);
  return { revision: store.revision };
}

/**
 * Bytes of events per store.events message at most: a huge commit is split
 * so that no message nears the runtime's message size limit (16 MiB).
 */
export const MAX_EVENTS_BYTES = 4 << 20;

/**
 * One commit's (or replay chunk's) events as msgpack batches. Packed once and
 * shared by every watcher that gets the same array (the hub hands the
 * commit's own array to each watcher whose prefix matches all of it): the
 * runtime then copies bytes per watcher instead of packing every event again.
 */
function packBatches(events: readonly EncodedWatchEvent[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as EncodedWatchEvent;
    const size = 48 + e.key.length + (e.encoded?.length ?? 0);
    if (bytes + size > MAX_EVENTS_BYTES && i > start) {
      out.push(packWatchEvents(events.slice(start, i)));
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  out.push(packWatchEvents(start === 0 ? events : events.slice(start)));
  return out;
}

function watchKey(from: Sender, watchId: string): string {
  return `${from.address}\u0000${watchId}`;
}
