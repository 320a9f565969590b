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
 * Events are named `<object>.<hex time>` in the object's namespace, and are
 * written one at a time in order; recording never blocks a controller.
 * (client-go's per-object spam filter, a token bucket, is not implemented.)
 */
import type { Clock } from '../../lib/client/clock.js';
import { isNotFound } from '../../lib/client/errors.js';
import { events } from '../../lib/api/resources/index.js';
import type { Event } from '../../lib/api/types/core.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { Api } from './context.js';
import { timestamp } from './objects.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  readonly component: string;
  readonly host?: string;
  readonly maxSimilar?: number;
  readonly aggregateWindowMs?: number;
  /** Remembered events (least recently used dropped); default 4096. */
  readonly cacheSize?: number;
  readonly onError?: (err: unknown) => void;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

export class EventRecorder {
  private chain: Promise<void> = Promise.resolve();
  private readonly seen = new Map<string, Seen>();
  private readonly similar = new Map<string, { messages: Set<string>; last: number }>();
  private seq = 0;
  private written = 0;

  constructor(
    private readonly api: Api,
    private readonly clock: Clock,
    private readonly opts: EventRecorderOptions,
  ) {}

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
    const now = this.clock.now();
    this.chain = this.chain.then(() => this.write(ref, type, reason, message, now)).catch((err: unknown) => this.opts.onError?.(err));
  }

  /** Resolves when every event recorded so far is written. */
  flush(): Promise<void> {
    return this.chain;
  }

  /** Event writes (creates and patches) so far. */
  get writes(): number {
    return this.written;
  }

  private async write(ref: Event['involvedObject'], type: EventType, reason: string, message: string, now: number): Promise<void> {
    const source = [this.opts.component, this.opts.host ?? '', ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion, type, reason].join('\u0000');
    // Aggregation by everything but the message.
    let agg = this.similar.get(source);
    const window = this.opts.aggregateWindowMs ?? 600_000;
    if (!agg || now - agg.last > window) {
      agg = { messages: new Set(), last: now };
      this.similar.set(source, agg);
    }
    agg.messages.add(message);
    agg.last = now;
    let key = `${source}\u0000${message}`;
    if (agg.messages.size >= (this.opts.maxSimilar ?? 10)) {
      key = source;
      message = `(combined from similar events): ${message}`;
    }
    const ts = timestamp(now);
    const prev = this.seen.get(key);
    this.written++;
    if (prev) {
      try {
        await this.api.patch(events, prev.name, 'merge', { count: prev.count + 1, lastTimestamp: ts, message }, { namespace: prev.namespace });
        prev.count++;
        this.touch(key, prev);
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.seen.delete(key);
      }
    }
    const namespace = ref.namespace || 'default';
    const name = `${ref.name ?? 'event'}.${(BigInt(now) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
    };
    await this.api.create(events, ev, { namespace });
    this.touch(key, { name, namespace, count: 1, firstTimestamp: ts });
  }

  private touch(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    const max = this.opts.cacheSize ?? 4096;
    while (this.seen.size > max) this.seen.delete(this.seen.keys().next().value!);
  }
}
