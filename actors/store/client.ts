/**
 * A typed client of the store actor, for any actor (through its context) or
 * the embedding thread (through the supervisor). Watch events arrive as
 * messages to the owner, which hands them to `handleNotice`.
 *
 * The hot paths move bytes: `writeEncoded` encodes values on the caller's
 * thread straight into an op batch (lib/store/op-batch.ts: one byte string
 * per call, which the store checks and stores in place; compact brief
 * replies), and watch events arrive as stored bytes that
 * handleNotice decodes here, on the watcher's thread, for `watch` handlers;
 * `watchEncoded` handlers get the bytes as they came (a watcher that only
 * needs keys never decodes; decodeWatchEvent when it does).
 */
import type { RemoteError } from '../../lib/actor/errors.js';
import { isDownNotice, type Address, type Message, type RequestOptions } from '../../lib/actor/types.js';
import { StoreError, type StoreErrorCode } from '../../lib/store/errors.js';
import { decodeWatchEvent, encodeForStore, unpackWatchEvents } from '../../lib/store/encoded.js';
import { batchable, expandBriefResults, joinSegments, packOps, releaseSegments, type BriefResults, type OpSegment } from '../../lib/store/op-batch.js';
import type { EncodedWatchEvent, KeyValue, RangeRequest, RangeResult, StoreStats, WatchEvent, WriteOp, WriteResult } from '../../lib/store/types.js';
import { STORE_ADDRESS, type StoreNotice, type StoreReply, type StoreRequest } from './messages.js';
import { EncodeQueue } from './encode-queue.js';
import { WriteCoalescer } from './write-coalescer.js';

/** What can send requests: an actor's context, or the supervisor. */
export interface Requester {
  request<R = unknown, M extends Message = Message>(to: Address, msg: M, options?: RequestOptions): Promise<R>;
  /** An actor's context has it (ActorContext.monitor): a store restart then ends our watches (handleNotice). */
  monitor?(address: Address): void;
  /** An actor's context has it (ActorContext.track): a large write waiting for its turn to be encoded counts as work. */
  track?<T>(work: Promise<T>): Promise<T>;
}

export interface StoreWatchHandlers {
  onEvents(events: readonly WatchEvent[]): void;
  /** The watch ended on the store's side (COMPACTED: relist and watch again). */
  onEnded?(code: string, message: string): void;
  /** An event whose bytes cannot be decoded (a corrupt record) is skipped and reported here; default: a process warning. */
  onDecodeError?(key: string, revision: number, error: Error): void;
}

export interface StoreEncodedWatchHandlers {
  /** Events as the store sent them: decode each with decodeWatchEvent when its object is needed. */
  onEncodedEvents(events: readonly EncodedWatchEvent[]): void;
  onEnded?(code: string, message: string): void;
}

type Handlers = StoreWatchHandlers | StoreEncodedWatchHandlers;

/** Ops whose values are encoded here (encodeForStore), so the store thread only copies bytes. Deletes pass as they are. */
export function encodeOps(ops: readonly WriteOp[]): WriteOp[] {
  return ops.map((op): WriteOp => {
    if (op.op === 'delete' || op.encoded !== undefined) return op;
    const { value, ...rest } = op;
    return { ...rest, encoded: encodeForStore(value) };
  });
}

/**
 * Ops whose values are all encoded (or deletes) travel as one byte string
 * (op-batch.ts: far cheaper for the runtime to move than records holding
 * bytes); anything else as ops.
 */
function writeMessage(ops: WriteOp[], brief: boolean, segments: OpSegment[] | undefined): StoreRequest {
  if (segments !== undefined) return { type: 'store.write-batch', batch: joinSegments(segments), brief };
  if (ops.length > 0 && batchable(ops)) {
    try {
      return { type: 'store.write-batch', batch: joinSegments([packOps(ops)]), brief };
    } catch {
      // An op the batch cannot carry (a huge key): as ops, and the store says what is wrong with it.
    }
  }
  return { type: 'store.write', ops, brief };
}

export class StoreClient {
  private readonly watches = new Map<string, Handlers>();
  /** Writes of one turn go as one message (write-coalescer.ts). */
  private readonly writes = new WriteCoalescer((ops, brief, segments) => this.sendWrite(ops, brief, segments));
  /** writeEncoded's large calls, encoded one per event-loop turn (encode-queue.ts). */
  private readonly encodes = new EncodeQueue({
    pack: packOps,
    submit: (ops, segment) => this.writes.write(ops, true, segment),
    send: () => this.writes.flush(),
    track: (work) => void this.requester.track?.(work),
  });

  constructor(
    private readonly requester: Requester,
    private readonly address: Address = STORE_ADDRESS,
    private readonly timeoutMs = 60_000,
  ) {}

  write(ops: WriteOp[]): Promise<WriteResult[]> {
    this.encodes.drain();
    return this.writes.write(ops, false);
  }

  /** Like write, but successful results come back without `value`: cheaper when the caller keeps its own copy. */
  writeBrief(ops: WriteOp[]): Promise<WriteResult[]> {
    this.encodes.drain();
    return this.writes.write(ops, true);
  }

  /**
   * writeBrief with every value encoded on this thread first, into the op
   * batch that travels (packOps): the fastest way to write many objects.
   * Results carry no `value`. A call of 64+ ops is encoded in a later turn
   * of its own (encode-queue.ts), so that each batch leaves as soon as it is
   * encoded.
   */
  writeEncoded(ops: WriteOp[]): Promise<WriteResult[]> {
    // Encoded straight into the bytes that travel (op-batch.ts); an unencodable value rejects (INVALID_ARGUMENT) before sending.
    return this.encodes.write(ops);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    return (await this.call({ type: 'store.get', key })) ?? undefined;
  }

  range(request: RangeRequest): Promise<RangeResult> {
    return this.call({ type: 'store.range', request });
  }

  count(prefix: string): Promise<number> {
    return this.call({ type: 'store.count', prefix });
  }

  /** Resolves with the store's revision once the watch is registered. */
  async watch(watchId: string, prefix: string, sinceRevision: number | undefined, handlers: StoreWatchHandlers): Promise<number> {
    return this.startWatch(watchId, prefix, sinceRevision, handlers);
  }

  /** Like watch, but the handlers get the events' stored bytes, undecoded. */
  watchEncoded(watchId: string, prefix: string, sinceRevision: number | undefined, handlers: StoreEncodedWatchHandlers): Promise<number> {
    return this.startWatch(watchId, prefix, sinceRevision, handlers);
  }

  private async startWatch(watchId: string, prefix: string, sinceRevision: number | undefined, handlers: Handlers): Promise<number> {
    // A restarted store has forgotten our watches and would never say so: the runtime's down notice does.
    this.requester.monitor?.(this.address);
    this.watches.set(watchId, handlers);
    try {
      return (await this.call({ type: 'store.watch', watchId, prefix, sinceRevision })).revision;
    } catch (err) {
      this.watches.delete(watchId);
      throw err;
    }
  }

  async unwatch(watchId: string): Promise<void> {
    this.watches.delete(watchId);
    await this.call({ type: 'store.unwatch', watchId });
  }

  compact(revision: number): Promise<null> {
    return this.call({ type: 'store.compact', revision });
  }

  stats(): Promise<StoreStats> {
    return this.call({ type: 'store.stats' });
  }

  /** Give every message the owner receives here first; true when it was a store notice. */
  handleNotice(msg: Message): boolean {
    if (isDownNotice(msg)) {
      if (msg.address !== this.address) return false;
      const ended = [...this.watches.values()];
      this.watches.clear();
      for (const h of ended) h.onEnded?.('STORE_DOWN', `the store went down (${msg.reason}); its watches are gone`);
      return true;
    }
    const notice = msg as StoreNotice;
    if (notice.type === 'store.events') {
      const handlers = this.watches.get(notice.watchId);
      if (handlers === undefined) return true;
      let events: EncodedWatchEvent[];
      try {
        events = unpackWatchEvents(notice.batch);
      } catch (err) {
        reportUndecodable(handlers, '(event batch)', 0, err);
        return true;
      }
      if ('onEncodedEvents' in handlers) handlers.onEncodedEvents(events);
      else handlers.onEvents(decodeEvents(events, handlers));
      return true;
    }
    if (notice.type === 'store.watch-ended') {
      const handlers = this.watches.get(notice.watchId);
      this.watches.delete(notice.watchId);
      handlers?.onEnded?.(notice.code, notice.message);
      return true;
    }
    return false;
  }

  private async sendWrite(ops: WriteOp[], brief: boolean, segments: OpSegment[] | undefined): Promise<WriteResult[]> {
    const reply = await this.send(writeMessage(ops, brief, segments));
    // Answered: the frame that carried the batch was copied long ago, so its buffer can carry the next one.
    if (segments !== undefined) releaseSegments(segments);
    return Array.isArray(reply) ? (reply as WriteResult[]) : expandBriefResults(ops, reply as BriefResults);
  }

  private call<T extends StoreRequest>(msg: T): Promise<StoreReply[T['type']]> {
    // Writes of this turn that still wait go first: the store sees this client's calls in the order made.
    this.encodes.drain();
    this.writes.flush();
    return this.send(msg);
  }

  private async send<T extends StoreRequest>(msg: T): Promise<StoreReply[T['type']]> {
    try {
      return await this.requester.request<StoreReply[T['type']]>(this.address, msg, { timeoutMs: this.timeoutMs });
    } catch (err) {
      // The store's own failures come back with its codes: rethrow them as StoreErrors.
      const remote = err as RemoteError;
      if (remote.name === 'RemoteError' && storeCodes.has(remote.code)) throw new StoreError(remote.code as StoreErrorCode, remote.message);
      throw err;
    }
  }
}

const storeCodes = new Set<string>([
  'COMPACTED',
  'FUTURE_REVISION',
  'INVALID_CONTINUE',
  'INVALID_ARGUMENT',
  'LOCKED',
  'MAP_FULL',
  'DECODE',
  'COMMIT_FAILED',
  'WATCHER_FAILED',
  'CLOSED',
]);

/** Decode on the watcher's thread; an undecodable event is skipped and reported, never thrown. */
function decodeEvents(events: readonly EncodedWatchEvent[], handlers: StoreWatchHandlers): WatchEvent[] {
  const out: WatchEvent[] = [];
  for (const e of events) {
    try {
      out.push(decodeWatchEvent(e));
    } catch (err) {
      reportUndecodable(handlers, e.key, e.revision, err);
    }
  }
  return out;
}

function reportUndecodable(handlers: Handlers, key: string, revision: number, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  if ('onDecodeError' in handlers && handlers.onDecodeError) handlers.onDecodeError(key, revision, error);
  else process.emitWarning(`store watch: cannot decode ${key}@${revision}: ${error.message}`);
}
