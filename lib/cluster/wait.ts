/**
 * `cluster.waitFor`: level-triggered polling of a condition. Under the
 * virtual clock nothing happens unless time moves, so each miss advances
 * the clock by `interval` (timers due meanwhile fire: kubelets start pods,
 * controllers resync); under the real clock each miss sleeps `interval`.
 * The deadline is clock time, so a virtual minute costs what its events cost.
 */
import type { SupervisorClock } from '../actor/supervisor-time.js';

export class WaitTimeoutError extends Error {
  constructor(readonly timeoutMs: number, readonly what: string) {
    super(`waitFor: ${what} did not hold within ${timeoutMs} ms of clock time`);
    this.name = 'WaitTimeoutError';
  }
}

export interface PollOptions {
  readonly timeout: number;
  readonly interval: number;
  readonly what: string;
}

/** One runner of the virtual clock at a time: concurrent waits take turns moving it. */
export class ClockGate {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly clock: SupervisorClock) {}

  advance(ms: number): Promise<void> {
    const run = this.tail.then(() => this.clock.runFor(ms));
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** Until `check` gives something truthy, which is returned. */
export async function poll<R>(clock: SupervisorClock, gate: ClockGate, check: () => Promise<R | null | undefined | false>, o: PollOptions): Promise<R> {
  const start = clock.now();
  for (;;) {
    const r = await check();
    if (r) return r;
    if (clock.now() - start >= o.timeout) throw new WaitTimeoutError(o.timeout, o.what);
    const step = Math.min(o.interval, Math.max(1, start + o.timeout - clock.now()));
    if (clock.kind === 'virtual') await gate.advance(step);
    else await new Promise((resolve) => setTimeout(resolve, step));
  }
}
