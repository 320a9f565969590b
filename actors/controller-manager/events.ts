/**
 * Events, recorded through the api-server with Kubernetes' correlation
 * (client-go tools/record):
 *
 * - Aggregation: events alike but for their message (same source, object,
 *   type and reason) seen more than `maxSimilar` (10) times with different
 *   messages within `aggregateWindowMs` (10 min) are folded into one event
 *   whose message starts "(combined from similar events): ".
 * - Deduplication: an event identical to one already written (same source,
 *   object, type, reason and message) is not written again: the existing
 *   Event's `count` goes up by one and its `lastTimestamp` moves (a merge
 *   patch); if that Event is gone, a new one is created.
 *
 * Events are named `<object>.<hex time>` in the object's namespace.
 * Recording never blocks a controller: events queue, and each drain writes
 * what queued meanwhile together, the creates in one batch request and the
 * count patches side by side; duplicates within one drain fold into one
 * write. (Written one by one, a ReplicaSet of 10,000 pods kept the recorder
 * behind for minutes, and under the virtual clock held time still.)
 * - Spam filter: past 25 events about one object from one source, one
 *   every 5 minutes (event-spam-filter.ts). A dropped event still counts on
 *   the Event it would have been folded into, as in client-go: the next
 *   write carries the count.
 */
import type { Clock } from '../../lib/client/clock.js';
import { isNotFound } from '../../lib/client/errors.js';
import { events } from '../../lib/api/resources/index.js';
import type { Event } from '../../lib/api/types/core.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { Api } from './context.js';
import { EventSpamFilter, type SpamFilterOptions } from './event-spam-filter.js';
import { timestamp } from './objects.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  readonly component: string;
  readonly host?: string;
  readonly maxSimilar?: number;
  readonly aggregateWindowMs?: number;
  /** Remembered events (least recently used dropped); default 4096. */
  readonly cacheSize?: number;
  /** client-go's spam filter; defaults 25 at once, then one per 5 minutes. */
  readonly spam?: SpamFilterOptions;
  readonly onError?: (err: unknown) => void;
}

/** Events written together at most; more wait for the next round. */
const MAX_DRAIN = 500;

interface Recorded {
  readonly ref: Event['involvedObject'];
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly now: number;
}

/** A count to write onto an Event already stored. */
interface CountUpdate {
  readonly seen: Seen;
  readonly recorded: Recorded;
  readonly message: string;
  readonly lastTimestamp: string;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

export class EventRecorder {
  private chain: Promise<void> = Promise.resolve();
  private queue: Recorded[] = [];
  private draining = false;
  private readonly seen = new Map<string, Seen>();
  private readonly similar = new Map<string, { messages: Set<string>; last: number }>();
  private seq = 0;
  private written = 0;
  private dropped = 0;
  private readonly spam: EventSpamFilter;

  constructor(
    private readonly api: Api,
    private readonly clock: Clock,
    private readonly opts: EventRecorderOptions,
  ) {
    this.spam = new EventSpamFilter(opts.spam);
  }

  /** Record an event about `obj` (its kind and apiVersion from `gvk` or the object). */
  event(obj: Readonly<KubeObject>, type: EventType, reason: string, message: string, gvk?: { apiVersion: string; kind: string }): void {
    const ref = {
      kind: gvk?.kind ?? obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: gvk?.apiVersion ?? obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
    };
    this.queue.push({ ref, type, reason, message, now: this.clock.now() });
    if (this.draining) return;
    this.draining = true;
    this.chain = this.chain.then(() => this.drain());
  }

  /** Resolves when every event recorded so far is written. */
  flush(): Promise<void> {
    return this.chain;
  }

  /** Events recorded and decided (created, or counted on an existing one) so far. */
  get writes(): number {
    return this.written;
  }

  /** Events the spam filter kept from being written. */
  get spamDropped(): number {
    return this.dropped;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const round = this.queue.splice(0, MAX_DRAIN);
      try {
        await this.writeRound(round);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
    this.draining = false;
  }

  private async writeRound(round: readonly Recorded[]): Promise<void> {
    const creates = new Map<string, Event>();
    const counts = new Map<string, CountUpdate>();
    for (const r of round) {
      const { key, message } = this.correlate(r);
      const ts = timestamp(r.now);
      const pending = creates.get(key);
      if (this.spam.skip(this.spamKey(r), r.now)) {
        this.dropped++;
        const counted = pending ?? this.seen.get(key);
        if (counted) counted.count = (counted.count ?? 1) + 1;
        continue;
      }
      this.written++;
      if (pending) {
        pending.count = (pending.count ?? 1) + 1;
        pending.lastTimestamp = ts;
        pending.message = message;
        continue;
      }
      const prev = this.seen.get(key);
      if (prev) {
        prev.count++;
        this.touch(key, prev);
        counts.set(key, { seen: prev, recorded: r, message, lastTimestamp: ts });
        continue;
      }
      creates.set(key, this.newEvent(r, message, ts));
    }
    const created = [...creates];
    await Promise.all([
      created.length > 0 ? this.createAll(created) : undefined,
      ...[...counts].map(([key, c]) => this.patchCount(key, c)),
    ]);
  }

  /** client-go's getSpamKey: the source and the involved object. */
  private spamKey(r: Recorded): string {
    return [this.opts.component, this.opts.host ?? '', r.ref.kind, r.ref.namespace, r.ref.name, r.ref.uid, r.ref.apiVersion].join('\u0000');
  }

  /** Aggregation by everything but the message, then the dedup key. */
  private correlate(r: Recorded): { key: string; message: string } {
    const source = [this.opts.component, this.opts.host ?? '', r.ref.kind, r.ref.namespace, r.ref.name, r.ref.uid, r.ref.apiVersion, r.type, r.reason].join('\u0000');
    let agg = this.similar.get(source);
    const window = this.opts.aggregateWindowMs ?? 600_000;
    if (!agg || r.now - agg.last > window) agg = { messages: new Set(), last: r.now };
    agg.last = r.now;
    // Least recently used first, at most cacheSize sources (client-go's aggregator is an LRU of
    // 4096 too): a scheduler records about every pod it binds, and would otherwise keep them all.
    this.similar.delete(source);
    this.similar.set(source, agg);
    if (this.similar.size > (this.opts.cacheSize ?? 4096)) this.similar.delete(this.similar.keys().next().value!);
    // Once full, every event of the source is combined: the set need not grow further (client-go
    // bounds it the same way), or a ReplicaSet of 10,000 pods would keep 10,000 messages.
    const max = this.opts.maxSimilar ?? 10;
    if (agg.messages.size < max) agg.messages.add(r.message);
    if (agg.messages.size >= max) return { key: source, message: `(combined from similar events): ${r.message}` };
    return { key: `${source}\u0000${r.message}`, message: r.message };
  }

  private newEvent(r: Recorded, message: string, ts: string): Event {
    const namespace = r.ref.namespace || 'default';
    const name = `${r.ref.name ?? 'event'}.${(BigInt(r.now) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: r.ref,
      reason: r.reason,
      message,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type: r.type,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
    };
  }

  private async createAll(created: readonly (readonly [string, Event])[]): Promise<void> {
    const results = await this.api.createManyBrief(events, created.map(([, ev]) => ev));
    results.forEach((res, i) => {
      const [key, ev] = created[i]!;
      if (res instanceof Error) this.opts.onError?.(res);
      else this.touch(key, { name: ev.metadata.name!, namespace: ev.metadata.namespace!, count: ev.count ?? 1, firstTimestamp: ev.firstTimestamp! });
    });
  }

  private async patchCount(key: string, c: CountUpdate): Promise<void> {
    const { name, namespace, count } = c.seen;
    try {
      await this.api.patch(events, name, 'merge', { count, lastTimestamp: c.lastTimestamp, message: c.message }, { namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Deleted meanwhile (by a TTL or a user): start again with a new Event.
      this.seen.delete(key);
      const ev = this.newEvent(c.recorded, c.message, c.lastTimestamp);
      await this.api.create(events, ev, { namespace: ev.metadata.namespace });
      this.touch(key, { name: ev.metadata.name!, namespace: ev.metadata.namespace!, count: 1, firstTimestamp: ev.firstTimestamp! });
    }
  }

  private touch(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    const max = this.opts.cacheSize ?? 4096;
    while (this.seen.size > max) this.seen.delete(this.seen.keys().next().value!);
  }
}
