/**
 * Time as seen by an endpoint (a host thread, or the supervisor's own
 * endpoint). Every timer in the runtime goes through one of these, so that a
 * scenario can swap wall time for virtual time.
 */
import type { TimerSet } from './control.js';
import type { Address } from './types.js';

export interface TimerService {
  now(): number;
  schedule(owner: Address, delayMs: number, fire: () => void): number;
  cancel(id: number): void;
  /** Forget every timer of an actor (it stopped or crashed). */
  cancelOwner(owner: Address): void;
}

export class RealTimers implements TimerService {
  private next = 1;
  private readonly live = new Map<number, { owner: Address; handle: NodeJS.Timeout }>();

  /** `unref`: timers do not keep the process alive (the embedding thread's request timeouts). */
  constructor(private readonly unref = false) {}

  now(): number {
    return Date.now();
  }

  schedule(owner: Address, delayMs: number, fire: () => void): number {
    const id = this.next++;
    const handle = setTimeout(() => {
      this.live.delete(id);
      fire();
    }, Math.max(0, delayMs));
    if (this.unref) handle.unref();
    this.live.set(id, { owner, handle });
    return id;
  }

  cancel(id: number): void {
    const t = this.live.get(id);
    if (!t) return;
    clearTimeout(t.handle);
    this.live.delete(id);
  }

  cancelOwner(owner: Address): void {
    for (const [id, t] of this.live) if (t.owner === owner) this.cancel(id);
  }
}

/** Where a virtual-time endpoint registers its timers: the supervisor's heap. */
export interface VirtualTimerSink {
  set(timer: TimerSet): void;
  cancel(id: number): void;
}

/**
 * Virtual time on one endpoint. The supervisor owns the heap; this side keeps
 * the callbacks and learns the time from fire orders and from incoming frames.
 */
export class VirtualTimers implements TimerService {
  private current = 0;
  private next = 1;
  private readonly live = new Map<number, { owner: Address; fire: () => void }>();
  /** Per-actor sequence: the tie-breaker after time and address. */
  private readonly seqs = new Map<Address, number>();

  constructor(private readonly sink: VirtualTimerSink) {}

  now(): number {
    return this.current;
  }

  /** Time only moves forward; a frame from a thread that saw a later time moves it here too. */
  observe(now: number): void {
    if (now > this.current) this.current = now;
  }

  schedule(owner: Address, delayMs: number, fire: () => void): number {
    const id = this.next++;
    const seq = (this.seqs.get(owner) ?? 0) + 1;
    this.seqs.set(owner, seq);
    this.live.set(id, { owner, fire });
    this.sink.set({ id, at: this.current + Math.max(0, delayMs), address: owner, seq });
    return id;
  }

  cancel(id: number): void {
    if (this.live.delete(id)) this.sink.cancel(id);
  }

  cancelOwner(owner: Address): void {
    for (const [id, t] of this.live) if (t.owner === owner) this.cancel(id);
  }

  /** The supervisor's order: time is now `now`; run these timers in this order. */
  fire(now: number, ids: readonly number[]): void {
    this.observe(now);
    for (const id of ids) {
      const t = this.live.get(id);
      if (!t) continue; // cancelled after the supervisor chose it
      this.live.delete(id);
      t.fire();
    }
  }
}
