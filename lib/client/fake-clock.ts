/**
 * A clock moved by hand, for tests: `advance(ms)` fires every timer that
 * falls due, in due-time order (ties in the order they were set).
 */
import type { Clock, TimerHandle } from './clock.js';

export class FakeClock implements Clock {
  private t: number;
  private next = 1;
  private readonly timers = new Map<TimerHandle, { due: number; fire: () => void }>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(delayMs: number, fire: () => void): TimerHandle {
    const id = this.next++;
    this.timers.set(id, { due: this.t + Math.max(0, delayMs), fire });
    return id;
  }

  cancelTimer(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** Move time forward by `ms`, firing due timers (including ones they set that fall within the span). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let id: TimerHandle | undefined;
      let due = Infinity;
      for (const [k, v] of this.timers) if (v.due < due || (v.due === due && id !== undefined && k < id)) [id, due] = [k, v.due];
      if (id === undefined || due > end) break;
      const timer = this.timers.get(id)!;
      this.timers.delete(id);
      this.t = due;
      timer.fire();
    }
    this.t = end;
  }
}
