/**
 * Controller expectations, as Kubernetes' ControllerExpectations: after a
 * controller creates or deletes pods it expects to see those adds and
 * deletes in its informer before it acts again on the same key, so a cache
 * that lags behind its own writes never makes it create or delete twice.
 * Expectations expire after `ttlMs` (default 5 minutes) in case a watch
 * event is lost.
 */
import type { Clock } from '../../lib/client/clock.js';

interface Expectation {
  add: number;
  del: Set<string>;
  at: number;
}

export class Expectations {
  private readonly items = new Map<string, Expectation>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  /** True when nothing is outstanding for `key` (or what is outstanding has expired). */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del.size === 0) return true;
    return this.clock.now() - e.at > this.ttlMs;
  }

  expectCreations(key: string, n: number): void {
    this.items.set(key, { add: n, del: new Set(), at: this.clock.now() });
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.items.set(key, { add: 0, del: new Set(podKeys), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e && e.add > 0) e.add--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.items.get(key)?.del.delete(podKey);
  }

  delete(key: string): void {
    this.items.delete(key);
  }
}
