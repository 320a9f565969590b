/**
 * An informer, as client-go's: list every object (in pages), then watch
 * from the list's resourceVersion, keeping a local read-only cache by
 * "namespace/name" and calling add/update/delete handlers.
 *
 * Recovery is level-triggered: a watch that ends is started again from the
 * last resourceVersion seen; a 410 Gone (the server's window no longer
 * reaches that far back) means list again, and the re-list's differences
 * from the cache become adds, updates and deletes, so the cache ends equal
 * to the server's list. Failed lists and watches are retried after an
 * exponential back-off through the injected clock; a success resets it.
 */
import type { KubeObject, List } from '../api/types/meta.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { ApiError, isGone } from './errors.js';
import { keyOf, ObjectCache, type ReadonlyCache } from './object-cache.js';
import type { Transform } from './trim.js';
import type { Client, ResourceRef, Watch, WatchEvent } from './types.js';

export interface InformerHandlers<T extends KubeObject> {
  onAdd?(obj: Readonly<T>): void;
  onUpdate?(oldObj: Readonly<T>, newObj: Readonly<T>): void;
  onDelete?(obj: Readonly<T>): void;
}

export interface InformerOptions {
  /** Only this namespace; default all. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly clock?: Clock;
  /** List page size; default 500. */
  readonly pageSize?: number;
  /** Back-off of failed lists and watches: first delay and cap. Default 100 ms .. 30 s. */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** A handler threw, or a list/watch failed (it will be retried). Default: a process warning. */
  readonly onError?: (err: unknown, during: 'handler' | 'list' | 'watch') => void;
  /**
   * Applied to every listed or watched object before it is cached and handed
   * to handlers (client-go's SetTransform); it may change the object it is
   * given, and is given the cached version it replaces, if any. E.g.
   * trimForCache (trim.ts). Default: none.
   */
  readonly transform?: Transform;
}

export interface InformerStats {
  readonly lists: number;
  readonly watches: number;
  /** Re-lists forced by 410 Gone. */
  readonly gone: number;
  readonly failures: number;
}

export class Informer<T extends KubeObject> {
  private readonly cache = new ObjectCache<T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly clock: Clock;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private running = false;
  /** Bumped on every new list or watch; callbacks of older ones are ignored. */
  private epoch = 0;
  private watch: Watch | null = null;
  private timer: TimerHandle | null = null;
  private failuresInARow = 0;
  private rv = '';
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private counts = { lists: 0, watches: 0, gone: 0, failures: 0 };

  constructor(
    private readonly client: Client,
    private readonly resource: ResourceRef<T>,
    private readonly opts: InformerOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.backoffInitialMs = opts.backoffInitialMs ?? 100;
    this.backoffMaxMs = opts.backoffMaxMs ?? 30_000;
  }

  /** The local cache (read-only objects). */
  get store(): ReadonlyCache<T> {
    return this.cache;
  }

  /** The last resourceVersion seen (list, event or bookmark). */
  get resourceVersion(): string {
    return this.rv;
  }

  /** A watch is open (false while listing, backing off, or stopped). */
  get watching(): boolean {
    return this.watch !== null;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get stats(): InformerStats {
    return { ...this.counts };
  }

  /** Handlers added after the first sync get an add for every cached object first. */
  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const o of this.cache.list()) this.call(() => h.onAdd?.(o));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.list();
  }

  stop(): void {
    this.running = false;
    this.epoch++;
    this.watch?.stop();
    this.watch = null;
    if (this.timer !== null) this.clock.cancelTimer(this.timer);
    this.timer = null;
  }

  /** Resolves after the first complete list. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private async list(): Promise<void> {
    const epoch = ++this.epoch;
    this.watch?.stop();
    this.watch = null;
    this.counts.lists++;
    let result: { items: T[]; resourceVersion: string };
    try {
      result = await this.listAll();
    } catch (err) {
      if (epoch === this.epoch) this.retry(err, 'list', () => void this.list());
      return;
    }
    if (epoch !== this.epoch || !this.running) return;
    this.replace(result.items);
    this.rv = result.resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    await this.startWatch();
  }

  /** Every page of one consistent list. A continue token that expired (410) starts the list over. */
  private async listAll(): Promise<{ items: T[]; resourceVersion: string }> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const limit = this.opts.pageSize ?? 500;
    for (;;) {
      const items: T[] = [];
      let page: List<T> | undefined;
      let token: string | undefined;
      let rv = '';
      try {
        do {
          page = await this.client.list(this.resource, { namespace, labelSelector, fieldSelector, limit, continue: token });
          if (!token) rv = page.metadata.resourceVersion ?? '';
          for (const o of page.items) items.push(o);
          token = page.metadata.continue || undefined;
        } while (token);
      } catch (err) {
        if (token && isGone(err)) continue;
        throw err;
      }
      return { items, resourceVersion: rv };
    }
  }

  private async startWatch(): Promise<void> {
    const epoch = ++this.epoch;
    this.counts.watches++;
    const { namespace, labelSelector, fieldSelector } = this.opts;
    try {
      const w = await this.client.watch(
        this.resource,
        { namespace, labelSelector, fieldSelector, resourceVersion: this.rv, allowWatchBookmarks: true },
        {
          onEvents: (events) => {
            if (epoch === this.epoch) this.onEvents(events);
          },
          onEnded: (reason) => {
            if (epoch !== this.epoch || !this.running) return;
            this.watch = null;
            this.afterWatchEnded(reason);
          },
        },
      );
      if (epoch !== this.epoch || !this.running) {
        w.stop();
        return;
      }
      this.watch = w;
      this.failuresInARow = 0;
    } catch (err) {
      if (epoch !== this.epoch || !this.running) return;
      this.afterWatchEnded(err);
    }
  }

  private afterWatchEnded(reason: unknown): void {
    if (isGone(reason)) {
      this.counts.gone++;
      void this.list();
      return;
    }
    this.retry(reason, 'watch', () => void this.startWatch());
  }

  private onEvents(events: readonly WatchEvent<T>[]): void {
    for (const e of events) {
      if (e.type === 'ERROR') {
        this.watch?.stop();
        this.watch = null;
        this.epoch++;
        this.afterWatchEnded(new ApiError(e.object));
        return;
      }
      const rv = e.object.metadata.resourceVersion;
      if (rv) this.rv = rv;
      if (e.type === 'BOOKMARK') continue;
      if (e.type === 'DELETED') {
        const prev = this.cache.delete(keyOf(e.object));
        const gone = prev ?? this.transform(e.object);
        this.emit((h) => h.onDelete?.(gone));
        continue;
      }
      const key = keyOf(e.object);
      const prev = this.cache.get(key);
      const obj = this.transform(e.object, prev);
      this.cache.setAt(key, obj);
      // Without a closure per event and handler: every watched object of a node host's pods comes through here.
      for (const h of this.handlers) {
        try {
          if (prev) h.onUpdate?.(prev, obj);
          else h.onAdd?.(obj);
        } catch (err) {
          this.report(err, 'handler');
        }
      }
    }
  }

  /** A new list: its differences from the cache become adds, updates and deletes. */
  private replace(items: readonly T[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      const prev = this.cache.get(key);
      const o = this.transform(item, prev);
      seen.add(key);
      this.cache.setAt(key, o);
      if (!prev) this.emit((h) => h.onAdd?.(o));
      else if (prev.metadata.resourceVersion !== o.metadata.resourceVersion) this.emit((h) => h.onUpdate?.(prev, o));
    }
    for (const key of this.cache.keys()) {
      if (seen.has(key)) continue;
      const prev = this.cache.delete(key)!;
      this.emit((h) => h.onDelete?.(prev));
    }
  }

  /** The object to cache; `prev` is the cached version it replaces (a transform may share its unchanged parts). */
  private transform(obj: T, prev?: Readonly<T>): T {
    return this.opts.transform ? this.opts.transform(obj, prev) : obj;
  }

  private retry(err: unknown, during: 'list' | 'watch', again: () => void): void {
    this.counts.failures++;
    this.report(err, during);
    if (!this.running) return;
    const delay = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** Math.min(this.failuresInARow++, 30));
    const epoch = this.epoch;
    if (this.timer !== null) this.clock.cancelTimer(this.timer);
    this.timer = this.clock.setTimer(delay, () => {
      this.timer = null;
      if (this.running && epoch === this.epoch) again();
    });
  }

  private emit(fn: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) this.call(() => fn(h));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.report(err, 'handler');
    }
  }

  private report(err: unknown, during: 'handler' | 'list' | 'watch'): void {
    if (this.opts.onError) this.opts.onError(err, during);
    else process.emitWarning(`informer ${this.resource.plural}: ${during} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
