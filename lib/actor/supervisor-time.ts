/**
 * The supervisor's time: real timers, or the virtual clock (the supervisor
 * holds the timer heap; hosts fire their timers when told), and the view of
 * it the embedder gets (`supervisor.clock`).
 */
import { MAIN_HOST, type ClockKind, type HostId, type MessageCounters } from './control.js';
import { RealTimers, VirtualTimers, type TimerService } from './timers.js';
import { VirtualClock } from './virtual-clock.js';

/** What the virtual clock needs from the supervisor. */
export interface TimeHooks {
  /** Hosts whose idle reports count. */
  hosts(): HostId[];
  /** The embedding thread's message counters, after flushing what it batched. */
  mainCounters(): MessageCounters;
  /** Tell a host to fire its timers `ids` at `now`. */
  fireOnHost(host: HostId, now: number, ids: number[]): void;
  controlSent(host: HostId): number;
}

export interface SupervisorTime {
  /** The embedding thread's own timers. */
  readonly timers: TimerService;
  readonly vclock: VirtualClock | null;
  readonly clock: SupervisorClock;
}

export function supervisorTime(kind: ClockKind | undefined, hooks: TimeHooks): SupervisorTime {
  if (kind !== 'virtual') return { timers: new RealTimers(true), vclock: null, clock: supervisorClock(null) };
  const timers: VirtualTimers = new VirtualTimers({
    set: (t) => vclock.timers(MAIN_HOST, [t], []),
    cancel: (id) => vclock.timers(MAIN_HOST, [], [id]),
  });
  const vclock: VirtualClock = new VirtualClock({
    hosts: () => hooks.hosts(),
    mainCounters: () => hooks.mainCounters(),
    fire: (host, now, ids) => {
      timers.observe(now);
      if (host === MAIN_HOST) timers.fire(now, ids);
      else hooks.fireOnHost(host, now, ids);
    },
    controlSent: (host) => hooks.controlSent(host),
  });
  return { timers, vclock, clock: supervisorClock(vclock) };
}

/** Time as the embedder sees it. Under the real clock, `runFor` just waits. */
export interface SupervisorClock {
  readonly kind: ClockKind;
  now(): number;
  runFor(ms: number): Promise<void>;
  runUntil(t: number): Promise<void>;
  /** Wait until every host is idle and no message is in flight (virtual clock), or one turn (real). */
  settle(): Promise<void>;
  /** Why virtual time is not moving (diagnostics for a run that stalls); '' under the real clock. */
  describe(): string;
}

export function supervisorClock(vclock: VirtualClock | null): SupervisorClock {
  if (vclock) {
    return {
      kind: 'virtual',
      now: () => vclock.now(),
      runFor: (ms) => vclock.runUntil(vclock.now() + ms),
      runUntil: (t) => vclock.runUntil(t),
      settle: () => vclock.settle(),
      describe: () => vclock.describe(),
    };
  }
  return {
    kind: 'real',
    now: () => Date.now(),
    runFor: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    runUntil: (t) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - Date.now()))),
    settle: () => new Promise((resolve) => setImmediate(resolve)),
    describe: () => '',
  };
}
