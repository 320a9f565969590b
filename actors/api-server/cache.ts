/**
 * The watch cache: every object in memory at the latest revision the store
 * has published to us, a window of recent events for watches that resume
 * from a resourceVersion, and the fan-out of each committed batch to the
 * watchers of the resources it touches.
 *
 * Fed only by the store's watch (one batch per commit, in revision order), so
 * watchers see events in order exactly once. Writers wait with `waitFor`
 * until the cache has caught up with their write before they answer, so a
 * client reads its own writes from the cache.
 *
 * Objects are shared with watchers and list callers: read-only.
 */
import { WATCH_TRIGGERS, type WatchTrigger } from './watch-triggers.js';
import { decodeWatchEvent } from '../../lib/store/encoded.js';
import type { EncodedWatchEvent, KeyValue, WatchEvent } from '../../lib/store/types.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { OwnWrites } from './own-writes.js';

export interface CacheEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  readonly revision: number;
  readonly object: KubeObject;
  /** The previous state (MODIFIED, DELETED). */
  readonly prevObject?: KubeObject;
}

/** One watcher of one resource bucket; it filters and delivers on its own. */
export interface CacheWatcher {
  readonly bucket: string;
  /** The value of the bucket's indexed trigger field (watch-triggers.ts) this watcher pins; it then sees only events of objects with that value, before or after. */
  readonly trigger?: string;
  onEvents(events: readonly CacheEvent[]): void;
}

interface Bucket {
  readonly objects: Map<string, KubeObject>;
  /** Keys in order, rebuilt lazily after an add or a delete. */
  sorted: string[] | null;
  readonly watchers: Set<CacheWatcher>;
  /** Watchers with a trigger value, by that value. */
  readonly indexed: Map<string, Set<CacheWatcher>>;
  readonly trigger: WatchTrigger | undefined;
}

/** `/registry/<group>/<plural>/` of a key, or undefined if the key is not in that layout. */
export function bucketOf(key: string): string | undefined {
  // '/registry/' is 10 characters; then group, '/', plural, '/'.
  const g = key.indexOf('/', 10);
  if (g < 0) return undefined;
  const p = key.indexOf('/', g + 1);
  return p < 0 ? undefined : key.slice(0, p + 1);
}

export class WatchCache {
  private readonly buckets = new Map<string, Bucket>();
  /** Ring buffer of recent events. */
  private readonly ring: (CacheEvent | undefined)[];
  private ringHead = 0;
  private ringSize = 0;
  private rev = 0;
  /** Events with revision > windowStart are all in the ring. */
  private windowStartRev = 0;
  private waiters: { revision: number; resolve: () => void }[] = [];
  private objectCount = 0;

  constructor(readonly windowSize: number) {
    this.ring = new Array(Math.max(1, windowSize));
  }

  get revision(): number {
    return this.rev;
  }

  /** The oldest resourceVersion a watch may start from. */
  get windowStart(): number {
    return this.windowStartRev;
  }

  get size(): number {
    return this.objectCount;
  }

  get watcherCount(): number {
    let n = 0;
    for (const b of this.buckets.values()) {
      n += b.watchers.size;
      for (const set of b.indexed.values()) n += set.size;
    }
    return n;
  }

  /** The initial listing, consistent at `revision`. */
  load(items: readonly KeyValue[], revision: number): void {
    for (const kv of items) {
      const b = this.bucketFor(kv.key);
      if (!b || !isObject(kv.value)) continue;
      if (!b.objects.has(kv.key)) this.objectCount++;
      b.objects.set(kv.key, kv.value as KubeObject);
      b.sorted = null;
    }
    this.rev = Math.max(this.rev, revision);
    this.windowStartRev = this.rev;
    this.release();
  }

  /**
   * One batch from the store's watch as stored bytes: the echoes of this
   * thread's own writes take the object the writer holds (checked byte for
   * byte, see own-writes.ts), every other event is decoded here, once. An
   * undecodable event is skipped and reported, as StoreClient does.
   */
  applyEncoded(events: readonly EncodedWatchEvent[], own: OwnWrites, onDecodeError: (key: string, revision: number, err: Error) => void): void {
    const out: WatchEvent[] = [];
    for (const e of events) {
      if (e.revision <= this.rev) continue;
      const mine = own.claim(e);
      if (mine) {
        out.push({ type: e.type as 'ADDED' | 'MODIFIED', key: e.key, revision: e.revision, object: mine });
        continue;
      }
      try {
        out.push(decodeWatchEvent(e));
      } catch (err) {
        onDecodeError(e.key, e.revision, err instanceof Error ? err : new Error(String(err)));
      }
    }
    this.apply(out);
  }

  /** One batch from the store's watch (one commit, or a replay chunk). */
  apply(events: readonly WatchEvent[]): void {
    const byBucket = new Map<Bucket, CacheEvent[]>();
    for (const e of events) {
      if (e.revision <= this.rev) continue;
      this.rev = e.revision;
      const b = this.bucketFor(e.key);
      if (!b || !isObject(e.object)) continue;
      const prev = b.objects.get(e.key);
      let ev: CacheEvent;
      if (e.type === 'DELETED') {
        if (prev) this.objectCount--;
        b.objects.delete(e.key);
        b.sorted = null;
        ev = { type: 'DELETED', key: e.key, revision: e.revision, object: e.object as KubeObject, prevObject: prev };
      } else {
        if (!prev) {
          this.objectCount++;
          b.sorted = null;
        }
        b.objects.set(e.key, e.object as KubeObject);
        ev = prev
          ? { type: 'MODIFIED', key: e.key, revision: e.revision, object: e.object as KubeObject, prevObject: prev }
          : { type: 'ADDED', key: e.key, revision: e.revision, object: e.object as KubeObject };
      }
      this.remember(ev);
      let list = byBucket.get(b);
      if (!list) byBucket.set(b, (list = []));
      list.push(ev);
    }
    for (const [b, list] of byBucket) {
      for (const w of b.watchers) w.onEvents(list);
      if (b.indexed.size > 0) this.fanOutIndexed(b, list);
    }
    this.release();
  }

  /** Each event goes to the watchers of its object's trigger value, and of its previous value when that differs. */
  private fanOutIndexed(b: Bucket, list: readonly CacheEvent[]): void {
    const trigger = b.trigger!;
    const byValue = new Map<string, CacheEvent[]>();
    const add = (value: string, ev: CacheEvent): void => {
      if (!b.indexed.has(value)) return;
      const events = byValue.get(value);
      if (events) events.push(ev);
      else byValue.set(value, [ev]);
    };
    for (const ev of list) {
      const value = trigger.valueOf(ev.object);
      add(value, ev);
      if (ev.prevObject) {
        const before = trigger.valueOf(ev.prevObject);
        if (before !== value) add(before, ev);
      }
    }
    for (const [value, events] of byValue) for (const w of b.indexed.get(value)!) w.onEvents(events);
  }

  get(key: string): KubeObject | undefined {
    return this.bucketFor(key, false)?.objects.get(key);
  }

  /** Objects of a bucket in key order, optionally only keys under `prefix`. */
  list(bucket: string, prefix = bucket): KubeObject[] {
    const b = this.buckets.get(bucket);
    if (!b) return [];
    const keys = this.sortedKeys(b);
    const out: KubeObject[] = [];
    if (prefix === bucket) {
      for (const k of keys) out.push(b.objects.get(k)!);
      return out;
    }
    let i = lowerBound(keys, prefix);
    for (; i < keys.length && keys[i]!.startsWith(prefix); i++) out.push(b.objects.get(keys[i]!)!);
    return out;
  }

  /** [key, object] pairs after `afterKey` (for pagination), in key order. */
  entries(bucket: string, prefix: string): [string, KubeObject][] {
    const b = this.buckets.get(bucket);
    if (!b) return [];
    const keys = this.sortedKeys(b);
    const out: [string, KubeObject][] = [];
    for (let i = lowerBound(keys, prefix); i < keys.length && keys[i]!.startsWith(prefix); i++) out.push([keys[i]!, b.objects.get(keys[i]!)!]);
    return out;
  }

  /** Retained events of a bucket with revision > since, or 'expired' if the window no longer covers it. */
  eventsSince(bucket: string, since: number): CacheEvent[] | 'expired' {
    if (since < this.windowStartRev) return 'expired';
    const out: CacheEvent[] = [];
    const cap = this.ring.length;
    for (let i = 0; i < this.ringSize; i++) {
      const e = this.ring[(this.ringHead - this.ringSize + i + cap) % cap]!;
      if (e.revision > since && e.key.startsWith(bucket)) out.push(e);
    }
    return out;
  }

  addWatcher(w: CacheWatcher): void {
    const b = this.bucketFor(w.bucket, true)!;
    if (w.trigger === undefined || !b.trigger) {
      b.watchers.add(w);
      return;
    }
    let set = b.indexed.get(w.trigger);
    if (!set) b.indexed.set(w.trigger, (set = new Set()));
    set.add(w);
  }

  removeWatcher(w: CacheWatcher): void {
    const b = this.buckets.get(w.bucket);
    if (!b) return;
    if (b.watchers.delete(w) || w.trigger === undefined) return;
    const set = b.indexed.get(w.trigger);
    if (set?.delete(w) && set.size === 0) b.indexed.delete(w.trigger);
  }

  /** Resolves once the cache has applied `revision` (or after `timeoutMs`, to never hang a writer). */
  waitFor(revision: number, timeoutMs = 5_000): Promise<void> {
    if (this.rev >= revision) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push({ revision, resolve: done });
    });
  }

  private remember(e: CacheEvent): void {
    const cap = this.ring.length;
    if (this.ringSize === cap) {
      const oldest = this.ring[(this.ringHead - this.ringSize + cap) % cap]!;
      this.windowStartRev = oldest.revision;
      this.ringSize--;
    }
    this.ring[this.ringHead] = e;
    this.ringHead = (this.ringHead + 1) % cap;
    this.ringSize++;
  }

  private release(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.revision <= this.rev) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private bucketFor(key: string, create = true): Bucket | undefined {
    const name = key.endsWith('/') && bucketOf(key) === key ? key : bucketOf(key);
    if (!name) return undefined;
    let b = this.buckets.get(name);
    if (!b && create) this.buckets.set(name, (b = { objects: new Map(), sorted: null, watchers: new Set(), indexed: new Map(), trigger: WATCH_TRIGGERS.get(name) }));
    return b;
  }

  private sortedKeys(b: Bucket): string[] {
    if (!b.sorted) b.sorted = [...b.objects.keys()].sort();
    return b.sorted;
  }
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lowerBound(sorted: readonly string[], target: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
