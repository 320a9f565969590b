/**
 * The shape every controller shares, as client-go's: watch handlers only
 * enqueue keys; workers take a key from a deduplicating WorkQueue (one
 * worker per key at a time), call `reconcile(key)`, and on a thrown error
 * requeue the key with its per-key exponential back-off (a success forgets
 * the key's failures). `reconcile` re-reads desired and observed state from
 * the informer caches, so it may run any number of times for a key.
 */
import type { Clock } from '../../lib/client/clock.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { keyOf } from '../../lib/client/object-cache.js';

export interface ControllerStats {
  readonly reconciles: number;
  readonly failures: number;
  readonly queued: number;
}

export interface ControllerOptions {
  readonly clock: Clock;
  /** Wraps each reconcile, e.g. the actor's ctx.track so virtual time waits for it. */
  readonly track?: <T>(work: Promise<T>) => Promise<T>;
  /** A reconcile failed (it is requeued with back-off). */
  readonly onError?: (controller: string, key: string, err: unknown) => void;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export abstract class Controller {
  abstract readonly name: string;
  readonly queue: WorkQueue<string>;
  private counts = { reconciles: 0, failures: 0 };
  private running = 0;

  constructor(protected readonly opts: ControllerOptions) {
    this.queue = new WorkQueue<string>({ clock: opts.clock, baseDelayMs: opts.baseDelayMs ?? 5, maxDelayMs: opts.maxDelayMs ?? 1000_000 });
  }

  /** Converge one key; throw to be retried with back-off. */
  abstract reconcile(key: string): Promise<void>;

  enqueue(obj: Pick<KubeObject, 'metadata'> | string): void {
    this.queue.add(typeof obj === 'string' ? obj : keyOf(obj));
  }

  enqueueAfter(obj: Pick<KubeObject, 'metadata'> | string, delayMs: number): void {
    this.queue.addAfter(typeof obj === 'string' ? obj : keyOf(obj), delayMs);
  }

  get stats(): ControllerStats {
    return { ...this.counts, queued: this.queue.length + this.queue.delayed };
  }

  /** Starts `workers` loops; they end after `stop()`. */
  run(workers: number): void {
    for (let i = 0; i < workers; i++) void this.worker();
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** Process one ready key now, if any (tests drive controllers this way). */
  async processNext(): Promise<boolean> {
    const key = this.queue.tryGet();
    if (key === undefined) return false;
    await this.process(key);
    return true;
  }

  private async worker(): Promise<void> {
    this.running++;
    try {
      for (;;) {
        const key = await this.queue.get();
        if (key === undefined) return;
        const work = this.process(key);
        await (this.opts.track ? this.opts.track(work) : work);
      }
    } finally {
      this.running--;
    }
  }

  private async process(key: string): Promise<void> {
    this.counts.reconciles++;
    try {
      await this.reconcile(key);
      this.queue.forget(key);
    } catch (err) {
      this.counts.failures++;
      this.opts.onError?.(this.name, key, err);
      this.queue.addRateLimited(key);
    } finally {
      this.queue.done(key);
    }
  }
}
