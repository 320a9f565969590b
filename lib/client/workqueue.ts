/**
 * A deduplicating work queue, as client-go's: controllers enqueue keys
 * ("namespace/name"), workers `get` a key, reconcile, and call `done`.
 *
 * - A key waits in the queue at most once, however often it is added.
 * - A key is never handed to two workers at once: added while being
 *   processed, it is queued again only when `done` is called.
 * - `addRateLimited` re-adds after a per-key exponential back-off
 *   (base * 2^failures, capped); `forget` resets the key's failures.
 * - `addAfter` re-adds after a delay; a key already waiting keeps the
 *   earlier of the two times.
 * - `shutDown`: adds are ignored, waiting timers dropped, and `get` hands
 *   out what is queued, then resolves undefined.
 *
 * Time comes from an injected Clock, so back-off follows virtual time.
 */
import { realClock, type Clock, type TimerHandle } from './clock.js';

export interface WorkQueueOptions {
  readonly clock?: Clock;
  /** First back-off of addRateLimited; default 5 ms. */
  readonly baseDelayMs?: number;
  /** Cap of the back-off; default 5 minutes. */
  readonly maxDelayMs?: number;
}

export class WorkQueue<K = string> {
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  /** Keys ready for a worker, in order. */
  private queue: K[] = [];
  private head = 0;
  /** Keys that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { due: number; timer: TimerHandle }>();
  private readonly failures = new Map<K, number>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private closed = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 5 * 60_000;
  }

  add(key: K): void {
    if (this.closed || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again by done()
    this.push(key);
  }

  addAfter(key: K, delayMs: number): void {
    if (this.closed) return;
    if (delayMs <= 0) return this.add(key);
    const due = this.clock.now() + delayMs;
    const w = this.waiting.get(key);
    if (w && w.due <= due) return;
    if (w) this.clock.cancelTimer(w.timer);
    const timer = this.clock.setTimer(delayMs, () => {
      this.waiting.delete(key);
      this.add(key);
    });
    this.waiting.set(key, { due, timer });
  }

  /** Re-add after the key's back-off, and count a failure. */
  addRateLimited(key: K): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, this.backoff(n));
  }

  /** The key succeeded: its next failure starts the back-off from the base again. */
  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The back-off of the `failures`-th failure (0-based). */
  backoff(failures: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures, 52));
  }

  /** The next key, once one is ready; undefined after shutDown when nothing is left. The caller must call done(key). */
  get(): Promise<K | undefined> {
    const key = this.tryGet();
    if (key !== undefined || this.closed) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** The next key if one is ready now; undefined otherwise. */
  tryGet(): K | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.take(key);
    return key;
  }

  /** Processing of `key` finished; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  /** Keys ready for a worker. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keys handed out and not yet done. */
  get inProgress(): number {
    return this.processing.size;
  }

  /** Keys waiting for a delay or back-off. */
  get delayed(): number {
    return this.waiting.size;
  }

  get shuttingDown(): boolean {
    return this.closed;
  }

  shutDown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiting.values()) this.clock.cancelTimer(w.timer);
    this.waiting.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }

  private push(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      this.take(key);
      getter(key);
    } else this.queue.push(key);
  }

  private take(key: K): void {
    this.dirty.delete(key);
    this.processing.add(key);
  }
}
