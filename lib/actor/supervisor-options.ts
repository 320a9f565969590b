/** What an embedder passes to Supervisor.start, and the clock it gets back. */
import type { ClockKind, Routing } from './control.js';
import type { HeartbeatOptions } from './host-handle.js';
import type { ChildSpec, RestartPolicy } from './supervision.js';
import type { LogLevel } from './types.js';

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
