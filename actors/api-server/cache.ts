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
 * Objects are kept as bytes (cached-object.ts): `get` decodes a fresh
 * object (a few recently read ones are kept decoded, shared: read-only);
 * lists and events carry CachedObjects, which selections filter without
 * decoding and in-process callers receive as bytes.
 */
import { WATCH_TRIGGERS, type WatchTrigger } from './watch-triggers.js';
import { decodeValue } from '../../lib/store/codec.js';
import type { EncodedWatchEvent, KeyValue } from '../../lib/store/types.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { RESOURCES, storagePrefix, type ResourceDef } from '../../lib/api/resources/index.js';
import type { Fields } from '../../lib/api/selectors/index.js';
import { withRv, type OwnWrites } from './own-writes.js';
import { CachedObject } from './cached-object.js';
import { ObjectCodec } from './list-encoding.js';
import { internFields, ownLabels, ownString } from './own-strings.js';

export interface CacheEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  readonly revision: number;
  /** The object now (for DELETED: its last state, with the deletion's resourceVersion). */
  readonly item: CachedObject;
  /** The previous state (MODIFIED, DELETED). */
  readonly prev?: CachedObject;
}

/** Bucket -> its resource, for the selectable fields. */
const DEFS: ReadonlyMap<string, ResourceDef> = new Map(RESOURCES.map((d) => [storagePrefix(d), d]));

/** Recently read objects kept decoded, so a read-modify-write decodes once. */
const HOT_OBJECTS = 64;

/** One watcher of one resource bucket; it filters and delivers on its own. */
export interface CacheWatcher {
  readonly bucket: string;
  /** The value of the bucket's indexed trigger field (watch-triggers.ts) this watcher pins; it then sees only events of objects with that value, before or after. */
  readonly trigger?: string;
  onEvents(events: readonly CacheEvent[]): void;
}

interface Bucket {
  readonly objects: Map<string, CachedObject>;
  readonly def: ResourceDef | undefined;
  /** Keys in order, rebuilt lazily after an add or a delete. */
  sorted: string[] | null;
  /**
   * The objects in key order, rebuilt lazily after any change: a list then
   * reads one array instead of looking up each of 150,000 keys (~0.5 µs a
   * lookup, cache misses mostly). Never changed once built (lists and their
   * snapshots share it).
   */
  sortedItems: readonly CachedObject[] | null;
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
  /** The encoding of every cached object. */
  readonly codec = new ObjectCodec();
  /** Decoded objects of recent reads, least recently read first. */
  private readonly hot = new Map<CachedObject, KubeObject>();

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
      b.objects.set(ownString(kv.key), this.toCached(b, kv.value as KubeObject));
      b.sorted = null;
      b.sortedItems = null;
    }
    this.rev = Math.max(this.rev, revision);
    this.windowStartRev = this.rev;
    this.release();
  }

  /**
   * One batch from the store's watch as stored bytes.
   * It indexes labels and fields from an object: for the echoes of this
   * thread's own writes the one the writer holds (checked byte for byte, see
   * own-writes.ts), for every other event one decoded here, once. An
   * undecodable event is skipped and reported, as StoreClient does.
   */
  applyEncoded(events: readonly EncodedWatchEvent[], own: OwnWrites, onDecodeError: (key: string, revision: number, err: Error) => void): void {
    const out: Incoming[] = [];
    for (const e of events) {
      if (e.revision <= this.rev) continue;
      if (e.type === 'DELETED') {
        out.push({ type: 'DELETED', key: e.key, revision: e.revision });
        continue;
      }
      const mine = own.claim(e);
      if (mine) {
        out.push({ type: e.type, key: e.key, revision: e.revision, object: mine, unversioned: true });
        continue;
      }
      try {
        const object = e.encoded === undefined ? undefined : decodeValue(e.encoding, e.encoded);
        out.push({ type: e.type, key: e.key, revision: e.revision, object });
      } catch (err) {
        onDecodeError(e.key, e.revision, err instanceof Error ? err : new Error(String(err)));
      }
    }
    this.applyIncoming(out);
  }

  /** One batch from the store's watch (one commit, or a replay chunk). */
  private applyIncoming(events: readonly Incoming[]): void {
    const byBucket = new Map<Bucket, CacheEvent[]>();
    for (const e of events) {
      if (e.revision <= this.rev) continue;
      this.rev = e.revision;
      const b = this.bucketFor(e.key);
      if (!b) continue;
      const key = ownString(e.key);
      const prev = b.objects.get(key);
      let ev: CacheEvent;
      if (e.type === 'DELETED') {
        // The store's DELETED carries the last state, which the cache already holds.
        if (!prev) continue;
        this.objectCount--;
        b.objects.delete(key);
        b.sorted = null;
        b.sortedItems = null;
        ev = { type: 'DELETED', key, revision: e.revision, item: CachedObject.deleted(prev, e.revision), prev };
      } else {
        if (!isObject(e.object)) continue;
        if (!prev) {
          this.objectCount++;
          b.sorted = null;
        }
        const item = this.toCached(b, e.object as KubeObject, e.unversioned ? e.revision : undefined);
        b.objects.set(key, item);
        b.sortedItems = null;
        ev = prev ? { type: 'MODIFIED', key, revision: e.revision, item, prev } : { type: 'ADDED', key, revision: e.revision, item };
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
      const value = trigger.valueOf(ev.item.fields);
      add(value, ev);
      if (ev.prev) {
        const before = trigger.valueOf(ev.prev.fields);
        if (before !== value) add(before, ev);
      }
    }
    for (const [value, events] of byValue) for (const w of b.indexed.get(value)!) w.onEvents(events);
  }

  /** The object at `key`: fresh, or one decoded by a recent read (read-only either way). */
  get(key: string): KubeObject | undefined {
    const c = this.bucketFor(key, false)?.objects.get(key);
    return c && this.objectOf(c);
  }

  has(key: string): boolean {
    return this.bucketFor(key, false)?.objects.has(key) ?? false;
  }

  /** A cached object's object (kept decoded for a few recent reads). */
  objectOf(c: CachedObject): KubeObject {
    let obj = this.hot.get(c);
    if (obj) {
      // Least recently read goes first: the namespace and priority classes every Pod create reads stay decoded.
      this.hot.delete(c);
      this.hot.set(c, obj);
      return obj;
    }
    obj = c.object(this.codec);
    if (this.hot.size >= HOT_OBJECTS) this.hot.delete(this.hot.keys().next().value!);
    this.hot.set(c, obj);
    return obj;
  }

  /** Objects of a bucket in key order, optionally only keys under `prefix`, decoded (small buckets). */
  list(bucket: string, prefix = bucket): KubeObject[] {
    return this.items(bucket, prefix).map((c) => this.objectOf(c));
  }

  /** Cached objects of a bucket in key order, optionally only keys under `prefix` (read-only: shared). */
  items(bucket: string, prefix = bucket): readonly CachedObject[] {
    const b = this.buckets.get(bucket);
    if (!b) return [];
    const keys = this.sortedKeys(b);
    const all = (b.sortedItems ??= keys.map((k) => b.objects.get(k)!));
    if (prefix === bucket) return all;
    const from = lowerBound(keys, prefix);
    let to = from;
    while (to < keys.length && keys[to]!.startsWith(prefix)) to++;
    return all.slice(from, to);
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
    if (!b && create)
      this.buckets.set(name, (b = { objects: new Map(), def: DEFS.get(name), sorted: null, sortedItems: null, watchers: new Set(), indexed: new Map(), trigger: WATCH_TRIGGERS.get(name) }));
    return b;
  }

  /**
   * `revision`: set when `obj` is a writer's, without its resourceVersion.
   * Every object is encoded for in-process callers at once, from the object
   * in hand (~4 µs a Pod). Keeping the store's bytes until someone asked
   * saved that on the write path of an unwatched bucket, but then the first
   * list decoded and encoded every object (5 s for 150,000 Pods) and the
   * cache held two to three times the bytes meanwhile.
   */
  private toCached(b: Bucket, obj: KubeObject, revision?: number): CachedObject {
    const fields: Fields | undefined = b.def ? internFields(b.def.toFields(obj)) : undefined;
    const labels = ownLabels(obj.metadata?.labels);
    if (revision === undefined) return CachedObject.of(this.codec, obj, labels, fields);
    // The writer's own object (own-writes.ts): its metadata is the writer's alone, and the writer
    // sets this same version on it when the write returns, so it is set here in place instead of
    // on a copy. Held unencoded (rare), the cache keeps a copy: the writer hands its object on.
    obj.metadata.resourceVersion = String(revision);
    return CachedObject.of(this.codec, obj, labels, fields, (o) => withRv(o, o.metadata.resourceVersion!));
  }

  private sortedKeys(b: Bucket): string[] {
    if (!b.sorted) b.sorted = [...b.objects.keys()].sort();
    return b.sorted;
  }
}

/** An event from the store, before it becomes a CacheEvent. */
interface Incoming {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  readonly revision: number;
  readonly object?: unknown;
  /** `object` is the writer's (own-writes.ts): its resourceVersion, the revision, is only in the bytes. */
  readonly unversioned?: boolean;
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
