/**
 * client-go's per-object spam filter (EventSourceObjectSpamFilter): each
 * source and involved object gets a token bucket, 25 events at once and
 * then one every 5 minutes; events past it are not written.
 *
 * Without it a ReplicaSet scaled to 10,000 pods records 10,000
 * SuccessfulCreate events about one object, and even folded into one
 * combined Event each is a patch the api-server has to serve while it is
 * busiest. Kubernetes writes the first 25 and drops the rest, so do we.
 */

export interface SpamFilterOptions {
  /** Events at once per source and object; client-go: 25. */
  readonly burst?: number;
  /** Refill, events per second; client-go: 1/300. */
  readonly perSecond?: number;
  /** Buckets remembered (least recently used dropped); client-go: 4096. */
  readonly cacheSize?: number;
}

interface Bucket {
  tokens: number;
  /** Clock reading (ms) when `tokens` was last brought up to date. */
  at: number;
}

export class EventSpamFilter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly perMs: number;
  private readonly cacheSize: number;

  constructor(opts: SpamFilterOptions = {}) {
    this.burst = opts.burst ?? 25;
    this.perMs = (opts.perSecond ?? 1 / 300) / 1_000;
    this.cacheSize = opts.cacheSize ?? 4_096;
  }

  /** Whether an event with this spam key (source and involved object) at `now` is dropped. */
  skip(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    if (b === undefined) b = { tokens: this.burst, at: now };
    else {
      this.buckets.delete(key); // re-inserted below: the map's order is the LRU order
      b.tokens = Math.min(this.burst, b.tokens + Math.max(0, now - b.at) * this.perMs);
      b.at = now;
    }
    this.buckets.set(key, b);
    if (this.buckets.size > this.cacheSize) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  }
}
