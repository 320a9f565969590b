/**
 * The scheduling queue, as kube-scheduler keeps it: an active heap ordered by
 * priority then arrival; a back-off heap (1 s doubling per failed attempt up
 * to 10 s, on the injected clock); and unschedulable pods parked until a
 * cluster event that could help one of the plugins that rejected them
 * (or 5 minutes, kube's podMaxInUnschedulablePodsDuration).
 */
import type { ClusterEvent } from './framework.js';
import type { PodInfo } from './pod-info.js';

export interface QueuedPod {
  info: PodInfo;
  attempts: number;
  backoffUntil: number;
  parkedAt: number;
  rejectedBy: ReadonlySet<string>;
  where: 'active' | 'backoff' | 'parked' | 'popped';
  /** Position in its heap, for removal. */
  slot: number;
}

class Heap {
  readonly items: QueuedPod[] = [];
  constructor(private readonly less: (a: QueuedPod, b: QueuedPod) => boolean) {}
  get size(): number { return this.items.length; }
  peek(): QueuedPod | undefined { return this.items[0]; }
  push(q: QueuedPod): void { q.slot = this.items.length; this.items.push(q); this.up(q.slot); }
  pop(): QueuedPod | undefined {
    const top = this.items[0];
    if (top) this.removeAt(0);
    return top;
  }
  remove(q: QueuedPod): void { if (this.items[q.slot] === q) this.removeAt(q.slot); }
  private removeAt(i: number): void {
    const last = this.items.pop()!;
    if (i < this.items.length) { this.items[i] = last; last.slot = i; this.down(i); this.up(i); }
  }
  private up(i: number): void {
    const a = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }
  private down(i: number): void {
    const a = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
      if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
  private swap(i: number, j: number): void {
    const a = this.items;
    const t = a[i]!; a[i] = a[j]!; a[j] = t;
    a[i]!.slot = i; a[j]!.slot = j;
  }
}

const NONE: ReadonlySet<string> = new Set();

export interface QueueOptions {
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly maxParkedMs?: number;
}

export class SchedulingQueue {
  private readonly active = new Heap((a, b) => a.info.priority > b.info.priority || (a.info.priority === b.info.priority && a.info.seq < b.info.seq));
  private readonly backoff = new Heap((a, b) => a.backoffUntil < b.backoffUntil || (a.backoffUntil === b.backoffUntil && a.info.seq < b.info.seq));
  private readonly parked = new Map<string, QueuedPod>();
  private readonly byKey = new Map<string, QueuedPod>();
  private readonly initial: number;
  private readonly max: number;
  private readonly maxParked: number;
  private lastSweep = 0;

  constructor(private readonly now: () => number, opts: QueueOptions = {}) {
    this.initial = opts.initialBackoffMs ?? 1_000;
    this.max = opts.maxBackoffMs ?? 10_000;
    this.maxParked = opts.maxParkedMs ?? 300_000;
  }

  get activeCount(): number { return this.active.size; }
  get backoffCount(): number { return this.backoff.size; }
  get parkedCount(): number { return this.parked.size; }
  has(key: string): boolean { return this.byKey.has(key); }
  get(key: string): QueuedPod | undefined { return this.byKey.get(key); }

  /** A new pending pod, or an update to a queued one (an update moves a parked pod back: its spec may now fit). */
  add(info: PodInfo): void {
    const q = this.byKey.get(info.key);
    if (q) {
      q.info = info;
      if (q.where === 'parked') this.moveOut(q);
      else if (q.where === 'active') { this.active.remove(q); this.active.push(q); }
      return;
    }
    const fresh: QueuedPod = { info, attempts: 0, backoffUntil: 0, parkedAt: 0, rejectedBy: NONE, where: 'active', slot: -1 };
    this.byKey.set(info.key, fresh);
    this.active.push(fresh);
  }

  delete(key: string): void {
    const q = this.byKey.get(key);
    if (!q) return;
    this.byKey.delete(key);
    if (q.where === 'active') this.active.remove(q);
    else if (q.where === 'backoff') this.backoff.remove(q);
    else if (q.where === 'parked') this.parked.delete(key);
  }

  /** The next pod to schedule (back-off expiries and stale parked pods are moved first). */
  pop(): QueuedPod | undefined {
    this.flush();
    const q = this.active.pop();
    if (q) { q.where = 'popped'; q.attempts++; }
    return q;
  }

  /** Done with a popped pod: it was scheduled (or is gone). */
  done(q: QueuedPod): void {
    if (this.byKey.get(q.info.key) === q) this.byKey.delete(q.info.key);
  }

  backoffDuration(attempts: number): number {
    return Math.min(this.max, this.initial * 2 ** Math.max(0, attempts - 1));
  }

  /** A popped pod did not fit: park it until an event that may help one of `rejectedBy`. */
  unschedulable(q: QueuedPod, rejectedBy: ReadonlySet<string>): void {
    if (this.byKey.get(q.info.key) !== q) return;
    q.rejectedBy = rejectedBy;
    q.backoffUntil = this.now() + this.backoffDuration(q.attempts);
    q.parkedAt = this.now();
    q.where = 'parked';
    this.parked.set(q.info.key, q);
  }

  /** A pod that left the queue (it was scheduled) but whose bind failed: back, after the first back-off. */
  addAfterBackoff(info: PodInfo): void {
    if (this.byKey.has(info.key)) return; // an informer update re-queued it meanwhile: that is newer
    const q: QueuedPod = { info, attempts: 1, backoffUntil: this.now() + this.backoffDuration(1), parkedAt: 0, rejectedBy: NONE, where: 'backoff', slot: -1 };
    this.byKey.set(info.key, q);
    this.backoff.push(q);
  }

  /** A popped pod failed for another reason (bind error, preemption nominated): retry after back-off. */
  retry(q: QueuedPod): void {
    if (this.byKey.get(q.info.key) !== q) return;
    q.backoffUntil = this.now() + this.backoffDuration(q.attempts);
    q.where = 'backoff';
    this.backoff.push(q);
  }

  /** A cluster event: parked pods rejected by a plugin that cares about it go back (to back-off if still backing off). */
  onEvent(event: ClusterEvent, pluginEvents: ReadonlyMap<string, readonly ClusterEvent[]>): number {
    let moved = 0;
    for (const q of [...this.parked.values()]) {
      let relevant = q.rejectedBy.size === 0;
      for (const p of q.rejectedBy) if (pluginEvents.get(p)?.includes(event)) { relevant = true; break; }
      if (relevant) { this.moveOut(q); moved++; }
    }
    return moved;
  }

  private moveOut(q: QueuedPod): void {
    this.parked.delete(q.info.key);
    if (q.backoffUntil > this.now()) { q.where = 'backoff'; this.backoff.push(q); } else { q.where = 'active'; this.active.push(q); }
  }

  /** Time of the next back-off expiry, for the actor's timer. */
  nextBackoffAt(): number | undefined {
    return this.backoff.peek()?.backoffUntil;
  }

  flush(): void {
    const now = this.now();
    for (let top = this.backoff.peek(); top && top.backoffUntil <= now; top = this.backoff.peek()) {
      this.backoff.pop();
      top.where = 'active';
      this.active.push(top);
    }
    if (this.parked.size > 0 && now - this.lastSweep >= 30_000) {
      this.lastSweep = now;
      for (const q of [...this.parked.values()]) if (now - q.parkedAt >= this.maxParked) this.moveOut(q);
    }
  }
}
