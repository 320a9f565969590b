/**
 * Watchers: replay from the event log, then live fan-out.
 *
 * A new watcher starts in replay: it reads the log from its revision up to
 * the last acknowledged revision in chunks, one setImmediate apart so a long
 * replay does not stall the write path. Live events published meanwhile are
 * simply read from the log by a later chunk (they are acknowledged, so they
 * are there). The chunk that reaches the acknowledged revision moves the
 * watcher to the live list in the same synchronous step, so nothing is missed
 * or repeated.
 *
 * Live fan-out (hot: 100k events x 10 watchers): publish() gets the events of
 * one commit, already in revision order, and each watcher receives one call
 * with its matching events. A watcher whose prefix matches every event gets
 * the commit's array itself, no copy. The live list is copy-on-write so a
 * callback may cancel or add watchers while it is iterated.
 *
 * Two kinds of watchers: object watchers (in-process, WatchEvent) and
 * encoded watchers (EncodedWatchEvent: the stored bytes, for other threads;
 * the store actor's). A commit's events arrive as CommitEvents whose values
 * may exist only as bytes (pre-encoded writes): they are decoded once per
 * commit, and only if an object watcher is live.
 */
import { withResourceVersion } from './codec.js';
import { CompactedError, StoreError, WatcherFailedError } from './errors.js';
import type { EncodedWatchEvent, EncodedWatchRequest, Watch, WatchEvent, WatchEventType, WatchRequest } from './types.js';
import { eventValue } from './write-path.js';

/** One event of a commit as the write path makes it. */
export interface CommitEvent {
  readonly type: WatchEventType;
  readonly key: string;
  readonly revision: number;
  /**
   * ADDED/MODIFIED: the stored value; DELETED: the last state before the
   * delete. NOT_DECODED (codec.ts) while it exists only as `bytes`.
   */
  value: unknown;
  readonly encoding: number;
  /** The stored bytes of `value` (resourceVersion in place); undefined if unreadable. */
  readonly bytes: Buffer | undefined;
}

export interface EventSource {
  /** Last acknowledged revision: everything up to it is in the log. */
  readonly revision: number;
  readonly compactRevision: number;
  /** Matching events in (after, upTo], in revision order. */
  readEvents(prefix: Buffer, after: number, upTo: number): WatchEvent[];
  /** The same, values as stored bytes. */
  readEncodedEvents(prefix: Buffer, after: number, upTo: number): EncodedWatchEvent[];
}

interface Keyed {
  readonly key: string;
  readonly revision: number;
}

interface Watcher {
  readonly id: number;
  readonly prefix: string;
  readonly prefixBytes: Buffer;
  /** Every event with revision <= after has been delivered (or skipped as not matching). */
  after: number;
  active: boolean;
  /** Gets EncodedWatchEvents, not WatchEvents. */
  readonly encoded: boolean;
  readonly onEvents: (events: readonly Keyed[]) => void;
  readonly onError: WatchRequest['onError'];
}

export const DEFAULT_REPLAY_CHUNK = 2000;

export class WatchHub {
  private live: Watcher[] = [];
  private replaying = new Set<Watcher>();
  private nextId = 1;
  /** Milliseconds spent in live fan-out (publish), since the hub was made. */
  fanOutMs = 0;

  constructor(
    private readonly source: EventSource,
    private readonly report: (error: StoreError) => void,
    private readonly replayChunk = DEFAULT_REPLAY_CHUNK,
  ) {}

  get size(): number {
    return this.live.length + this.replaying.size;
  }

  /** Register a watcher. Throws CompactedError when sinceRevision is older than the log. */
  add(request: WatchRequest): Watch {
    return this.register(request, false);
  }

  /** Register a watcher of stored bytes (see EncodedWatchEvent). Throws CompactedError like add(). */
  addEncoded(request: EncodedWatchRequest): Watch {
    return this.register(request, true);
  }

  private register(request: WatchRequest | EncodedWatchRequest, encoded: boolean): Watch {
    const since = request.sinceRevision ?? this.source.revision;
    if (since < this.source.compactRevision) throw new CompactedError(since, this.source.compactRevision);
    const w: Watcher = {
      id: this.nextId++,
      prefix: request.prefix,
      prefixBytes: Buffer.from(request.prefix, 'utf8'),
      after: since,
      active: true,
      encoded,
      onEvents: request.onEvents as (events: readonly Keyed[]) => void,
      onError: request.onError,
    };
    if (since >= this.source.revision) this.live = [...this.live, w];
    else {
      this.replaying.add(w);
      setImmediate(() => this.replayStep(w));
    }
    return { id: w.id, cancel: () => this.remove(w) };
  }

  /** Deliver the events of one acknowledged commit (revision order, last one = lastRevision). */
  publish(commit: readonly CommitEvent[], lastRevision: number): void {
    const started = performance.now();
    const ws = this.live;
    let objects: readonly WatchEvent[] | undefined;
    let encoded: readonly EncodedWatchEvent[] | undefined;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i] as Watcher;
      if (!w.active) continue;
      const events: readonly Keyed[] = w.encoded
        ? (encoded ??= commit.map(toEncodedEvent))
        : (objects ??= commit.map((e) => toWatchEvent(e, this.report)));
      const out = w.prefix === '' && events.length > 0 && (events[0] as Keyed).revision > w.after ? events : matching(events, w);
      if (lastRevision > w.after) w.after = lastRevision;
      if (out.length > 0) this.deliver(w, out);
    }
    this.fanOutMs += performance.now() - started;
  }

  /** End every watch with `error` (store closing); watchers without onError just stop (an expected end). */
  closeAll(error: StoreError): void {
    const all = [...this.live, ...this.replaying];
    for (const w of all) {
      if (w.onError) this.fail(w, error);
      else this.remove(w);
    }
  }

  private replayStep(w: Watcher): void {
    if (!w.active) return;
    if (w.after < this.source.compactRevision) {
      this.fail(w, new CompactedError(w.after, this.source.compactRevision));
      return;
    }
    const head = this.source.revision;
    const upTo = Math.min(head, w.after + this.replayChunk);
    if (upTo > w.after) {
      const events: readonly Keyed[] = w.encoded
        ? this.source.readEncodedEvents(w.prefixBytes, w.after, upTo)
        : this.source.readEvents(w.prefixBytes, w.after, upTo);
      w.after = upTo;
      if (events.length > 0) this.deliver(w, events);
      if (!w.active) return;
    }
    if (w.after >= this.source.revision) {
      this.replaying.delete(w);
      this.live = [...this.live, w];
    } else setImmediate(() => this.replayStep(w));
  }

  private deliver(w: Watcher, events: readonly Keyed[]): void {
    try {
      w.onEvents(events);
    } catch (err) {
      this.fail(w, new WatcherFailedError(w.id, err));
    }
  }

  private remove(w: Watcher): void {
    if (!w.active) return;
    w.active = false;
    if (!this.replaying.delete(w)) this.live = this.live.filter((x) => x !== w);
  }

  private fail(w: Watcher, error: StoreError): void {
    if (!w.active) return;
    this.remove(w);
    if (!w.onError) {
      this.report(error);
      return;
    }
    try {
      w.onError(error);
    } catch (err) {
      this.report(new StoreError('WATCHER_FAILED', `watch ${w.id} onError threw`, { cause: err }));
    }
  }
}

/** The events a watcher should get; the input array itself when all match (common: one resource per commit). */
function matching(events: readonly Keyed[], w: Watcher): readonly Keyed[] {
  const { prefix, after } = w;
  let out: Keyed[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Keyed;
    if (e.revision > after && e.key.startsWith(prefix)) {
      if (out !== undefined) out.push(e);
    } else if (out === undefined) out = events.slice(0, i);
  }
  return out ?? events;
}

/** What an in-process watcher gets: objects (decoded here if the write came as bytes). */
function toWatchEvent(e: CommitEvent, report: (error: StoreError) => void): WatchEvent {
  const value = eventValue(e, report);
  if (e.type !== 'DELETED') return { type: e.type, key: e.key, revision: e.revision, object: value };
  return { type: 'DELETED', key: e.key, revision: e.revision, object: withResourceVersion(value, String(e.revision)), prevObject: value };
}

/** What a watcher on another thread gets: the stored bytes, no decoding. */
function toEncodedEvent(e: CommitEvent): EncodedWatchEvent {
  return { type: e.type, key: e.key, revision: e.revision, encoding: e.encoding, encoded: e.bytes };
}
