/**
 * Time for informers and work queues, injected so they run the same under
 * wall time, under the actor runtime's virtual clock, and in tests.
 *
 * - `realClock`: Date.now and setTimeout.
 * - `ActorClock`: an actor's context (ctx.now, ctx.setTimer); the timer
 *   fires as a `client.timer` message to the actor, which hands every
 *   message to `handleTimer` first, so virtual time drives it.
 * - `FakeClock` (fake-clock.ts): advanced by hand in tests.
 */
import type { ActorContext, Message } from '../actor/types.js';

export type TimerHandle = number;

export interface Clock {
  /** Milliseconds. */
  now(): number;
  /** Call `fire` after `delayMs` of this clock's time. */
  setTimer(delayMs: number, fire: () => void): TimerHandle;
  cancelTimer(handle: TimerHandle): void;
}

class RealClock implements Clock {
  private next = 1;
  private readonly live = new Map<TimerHandle, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fire: () => void): TimerHandle {
    const id = this.next++;
    this.live.set(
      id,
      setTimeout(() => {
        this.live.delete(id);
        fire();
      }, Math.max(0, delayMs)),
    );
    return id;
  }

  cancelTimer(handle: TimerHandle): void {
    clearTimeout(this.live.get(handle));
    this.live.delete(handle);
  }
}

export const realClock: Clock = new RealClock();

/** The message an ActorClock timer delivers to its actor. */
export interface ClientTimerMessage extends Message {
  readonly type: 'client.timer';
  readonly id: number;
}

export class ActorClock implements Clock {
  private next = 1;
  /** Our id -> [the context's timer id, callback]. */
  private readonly live = new Map<number, { timer: number; fire: () => void }>();

  constructor(private readonly ctx: Pick<ActorContext, 'now' | 'setTimer' | 'cancelTimer'>) {}

  now(): number {
    return this.ctx.now();
  }

  setTimer(delayMs: number, fire: () => void): TimerHandle {
    const id = this.next++;
    const timer = this.ctx.setTimer<ClientTimerMessage>(Math.max(0, delayMs), { type: 'client.timer', id });
    this.live.set(id, { timer, fire });
    return id;
  }

  cancelTimer(handle: TimerHandle): void {
    const t = this.live.get(handle);
    if (!t) return;
    this.live.delete(handle);
    this.ctx.cancelTimer(t.timer);
  }

  /** Give every message the actor receives here first; true when it was one of our timers. */
  handleTimer(msg: Message): boolean {
    if (msg.type !== 'client.timer') return false;
    const id = (msg as ClientTimerMessage).id;
    const t = this.live.get(id);
    if (t) {
      this.live.delete(id);
      t.fire();
    }
    return true;
  }
}
