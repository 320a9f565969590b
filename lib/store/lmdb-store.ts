/**
 * StoreBackend on LMDB: opens the environment (after taking the directory
 * lock), and joins the write path (group-commit.ts), reads (reader.ts,
 * range.ts) and watchers (watch-hub.ts).
 *
 * Reads (get, range) see the latest committed state, which can be at most
 * the group whose flush is pending ahead of `revision` (lmdb-js resolves a
 * commit and its flush together in practice); range() reports the exact
 * revision its snapshot is at. Watchers only ever see acknowledged writes.
 */
import { open, type RootDatabase } from 'lmdb';
import { ClosedError, InvalidArgumentError, type StoreError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import { validateKey, validatePrefix } from './keys.js';
import { acquireLock, type DirectoryLock } from './lock.js';
import { META_COMPACTED, META_FORMAT, STORE_FORMAT, readRevision } from './log-entry.js';
import { countPrefix, rangeAt } from './range.js';
import { LogReader, type KeysDb, type LogDb, type MetaDb } from './reader.js';
import type {
  EncodedWatchRequest,
  KeyValue,
  RangeRequest,
  RangeResult,
  StoreBackend,
  StoreStats,
  Watch,
  WatchRequest,
  WriteOp,
  WriteOptions,
  WriteResult,
} from './types.js';
import { WatchHub } from './watch-hub.js';

export interface LmdbStoreOptions {
  /** Data directory (created if missing). One process at a time (lock file). */
  readonly path: string;
  /** Keep at least this many recent revisions of history, unless older than retainMs. Default 100,000. */
  readonly retainRevisions?: number;
  /** Keep history for this long, unless beyond retainRevisions. Default 10 minutes. */
  readonly retainMs?: number;
  /** Initial LMDB map size in bytes; lmdb-js grows the map by itself when it fills. */
  readonly mapSize?: number;
  /** Storage quota: once the used size reaches it, writes that add data fail with MAP_FULL (deletes still work). */
  readonly maxMapSize?: number;
  /** Injected clock (ms) for commit times and the time window. Default Date.now. */
  readonly now?: () => number;
  /** Faults that are reported rather than thrown: undecodable records, failing watch callbacks. */
  readonly onError?: (error: StoreError) => void;
  /** Revisions read per watch replay step. */
  readonly replayChunk?: number;
  /**
   * Most ops in one group commit (a call is never split). Default: no limit,
   * so everything that arrives together is one transaction. A limit (say
   * 10,000) lets a huge burst pipeline as several commits with earlier acks.
   */
  readonly maxGroupOps?: number;
}

export const DEFAULT_RETAIN_REVISIONS = 100_000;
export const DEFAULT_RETAIN_MS = 10 * 60_000;
export const DEFAULT_MAX_GROUP_OPS = Number.POSITIVE_INFINITY;

export function openLmdbStore(options: LmdbStoreOptions): LmdbStore {
  return LmdbStore.open(options);
}

export class LmdbStore implements StoreBackend {
  private readonly reader: LogReader;
  private readonly hub: WatchHub;
  private readonly writes: GroupCommit;
  private readonly report: (error: StoreError) => void;
  private closing = false;
  private closed: Promise<void> | undefined;

  static open(options: LmdbStoreOptions): LmdbStore {
    const lock = acquireLock(options.path);
    let env: RootDatabase | undefined;
    try {
      env = open(options.path, options.mapSize ? { mapSize: options.mapSize } : {});
      return new LmdbStore(options, lock, env);
    } catch (err) {
      void env?.close();
      lock.release();
      throw err;
    }
  }

  private constructor(
    options: LmdbStoreOptions,
    private readonly lock: DirectoryLock,
    private readonly env: RootDatabase,
  ) {
    const retainRevisions = options.retainRevisions ?? DEFAULT_RETAIN_REVISIONS;
    if (!Number.isSafeInteger(retainRevisions) || retainRevisions < 1)
      throw new InvalidArgumentError(`retainRevisions must be a positive integer`);
    this.report = options.onError ?? ((e) => console.error(`[berth store] ${e.code}: ${e.message}`));
    const log: LogDb = env.openDB<Buffer, number>({ name: 'log', encoding: 'binary' });
    const keys: KeysDb = env.openDB<Buffer, string>({ name: 'keys', encoding: 'binary' });
    const meta: MetaDb = env.openDB<Buffer, string>({ name: 'meta', encoding: 'binary' });
    this.reader = new LogReader(log, keys, meta, this.report);
    const format = meta.getBinary(META_FORMAT)?.toString('utf8');
    if (format === undefined) meta.putSync(META_FORMAT, Buffer.from(STORE_FORMAT, 'utf8'));
    else if (format !== STORE_FORMAT)
      throw new InvalidArgumentError(`${options.path} holds store format ${format}, expected ${STORE_FORMAT}`);
    const c = meta.getBinary(META_COMPACTED);
    const compacted = c === undefined ? 0 : readRevision(c, true) || 0;
    this.writes = new GroupCommit(
      {
        reader: this.reader,
        // Call then() now, so the promise is this transaction's flush and not a later one's.
        flushed: () => new Promise((resolve, reject) => env.flushed.then(resolve, reject)),
        policy: { retainRevisions, retainMs: options.retainMs ?? DEFAULT_RETAIN_MS },
        now: options.now ?? Date.now,
        report: this.report,
        maxMapSize: options.maxMapSize,
        usedBytes: () => this.usedBytes(),
        publish: (events, revision) => this.hub.publish(events, revision),
        maxGroupOps: options.maxGroupOps ?? DEFAULT_MAX_GROUP_OPS,
      },
      this.reader.headRevision(),
      compacted,
    );
    const writes = this.writes;
    this.hub = new WatchHub(
      {
        get revision() {
          return writes.revision;
        },
        get compactRevision() {
          return writes.compactRevision;
        },
        readEvents: (prefix, after, upTo) => this.reader.events(prefix, after, upTo),
        readEncodedEvents: (prefix, after, upTo) => this.reader.encodedEvents(prefix, after, upTo),
      },
      this.report,
      options.replayChunk,
    );
  }

  /** Last acknowledged revision (durable and published to watchers). */
  get revision(): number {
    return this.writes.revision;
  }

  /** Revisions at or below this are compacted: reads and watches there get COMPACTED. */
  get compactRevision(): number {
    return this.writes.compactRevision;
  }

  // ---- reads -------------------------------------------------------------

  getSync(key: string): KeyValue | undefined {
    this.assertOpen();
    validateKey(key);
    const rev = this.reader.currentRevision(key);
    if (rev === 0) return undefined;
    return { key, value: this.reader.value(key, rev), revision: rev }; // DecodeError is thrown for get
  }

  rangeSync(request: RangeRequest): RangeResult {
    this.assertOpen();
    return rangeAt({ reader: this.reader, compactRevision: this.compactRevision, report: this.report }, request);
  }

  get(key: string): Promise<KeyValue | undefined> {
    return attempt(() => this.getSync(key));
  }

  range(request: RangeRequest): Promise<RangeResult> {
    return attempt(() => this.rangeSync(request));
  }

  count(prefix: string): Promise<number> {
    return attempt(() => {
      this.assertOpen();
      return countPrefix(this.reader, prefix);
    });
  }

  // ---- watch -------------------------------------------------------------

  watchSync(request: WatchRequest): Watch {
    this.checkWatch(request);
    return this.hub.add(request);
  }

  watch(request: WatchRequest): Promise<Watch> {
    return attempt(() => this.watchSync(request));
  }

  /**
   * A watch whose events carry the stored bytes instead of objects (nothing
   * is decoded here): for watchers on other threads, which decode them with
   * decodeWatchEvent. The store actor's watches are of this kind.
   */
  watchEncodedSync(request: EncodedWatchRequest): Watch {
    this.checkWatch(request);
    return this.hub.addEncoded(request);
  }

  watchEncoded(request: EncodedWatchRequest): Promise<Watch> {
    return attempt(() => this.watchEncodedSync(request));
  }

  private checkWatch(request: { prefix: string; sinceRevision?: number; onEvents: unknown }): void {
    this.assertOpen();
    validatePrefix(request.prefix);
    const since = request.sinceRevision;
    if (since !== undefined && (!Number.isSafeInteger(since) || since < 0))
      throw new InvalidArgumentError(`bad sinceRevision ${String(since)}`);
    if (typeof request.onEvents !== 'function') throw new InvalidArgumentError('onEvents must be a function');
  }

  // ---- writes ------------------------------------------------------------

  /**
   * Apply ops in order; resolves with one result per op once their commit is
   * durable. Ops may carry `encoded` values (encodeForStore) instead of objects.
   */
  write(ops: readonly WriteOp[], options?: WriteOptions): Promise<WriteResult[]> {
    if (this.closing) return Promise.reject(new ClosedError());
    return this.writes.submit(ops, options?.brief === true);
  }

  async writeOne(op: WriteOp): Promise<WriteResult> {
    return (await this.write([op]))[0] as WriteResult;
  }

  compact(revision: number): Promise<void> {
    if (this.closing) return Promise.reject(new ClosedError());
    return this.writes.compact(revision);
  }

  // ---- lifecycle and introspection ------------------------------------------

  stats(): StoreStats {
    const info = this.env.getStats() as { mapSize: number; lastPageNumber: number; pageSize: number; lastTxnId: number };
    return {
      revision: this.revision,
      compactRevision: this.compactRevision,
      ...this.writes.counters,
      watchers: this.hub.size,
      fanOutMs: this.hub.fanOutMs,
      mapSize: info.mapSize,
      usedBytes: (info.lastPageNumber + 1) * info.pageSize,
      lastTxnId: info.lastTxnId,
    };
  }

  private usedBytes(): number {
    const info = this.env.getStats() as { lastPageNumber: number; pageSize: number };
    return (info.lastPageNumber + 1) * info.pageSize;
  }

  /** Finish queued writes, end watches with CLOSED, close LMDB and release the lock. */
  close(): Promise<void> {
    if (this.closed === undefined) this.closed = this.doClose();
    return this.closed;
  }

  private async doClose(): Promise<void> {
    this.closing = true;
    await this.writes.whenIdle();
    this.hub.closeAll(new ClosedError());
    try {
      await this.env.close();
    } finally {
      this.lock.release();
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new ClosedError();
  }
}

function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}
