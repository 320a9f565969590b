/** What an embedder passes to Supervisor.start, and the clock it gets back. */
import type { ClockKind, Routing } from './control.js';
import type { HeartbeatOptions } from './host-handle.js';
import type { ChildSpec, RestartPolicy } from './supervision.js';
import type { LogLevel } from './types.js';
import type { VirtualClock } from './virtual-clock.js';

export interface SupervisorOptions {
  readonly children?: readonly ChildSpec[];
  readonly policy?: Partial<RestartPolicy>;
  /** `virtual`: discrete-event time driven by `clock.runFor`; default `real`. */
  readonly clock?: ClockKind;
  /** How frames travel between hosts: a direct MessagePort per pair (default), or through the supervisor. */
  readonly routing?: Routing;
  /** Batch messages per destination per event-loop turn (default true). */
  readonly batch?: boolean;
  /** Extra msgpack shapes shared by every thread (see codec.ts). */
  readonly structures?: readonly (readonly string[])[];
  /** A message (and, when batched, a frame's share) larger than this is rejected. Default 16 MiB. */
  readonly maxMessageBytes?: number;
  readonly heartbeat?: Partial<HeartbeatOptions>;
  readonly logLevel?: LogLevel;
  /** How many dead letters to keep for `deadLetters`. Default 1,000. */
  readonly deadLetterLimit?: number;
}

/** Time as the embedder sees it. Under the real clock, `runFor` just waits. */
export interface SupervisorClock {
  readonly kind: ClockKind;
  now(): number;
  runFor(ms: number): Promise<void>;
  runUntil(t: number): Promise<void>;
  /** Wait until every host is idle and no message is in flight (virtual clock), or one turn (real). */
  settle(): Promise<void>;
}

export function supervisorClock(vclock: VirtualClock | null): SupervisorClock {
  if (vclock) {
    return {
      kind: 'virtual',
      now: () => vclock.now(),
      runFor: (ms) => vclock.runUntil(vclock.now() + ms),
      runUntil: (t) => vclock.runUntil(t),
      settle: () => vclock.settle(),
    };
  }
  return {
    kind: 'real',
    now: () => Date.now(),
    runFor: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    runUntil: (t) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - Date.now()))),
    settle: () => new Promise((resolve) => setImmediate(resolve)),
  };
}
