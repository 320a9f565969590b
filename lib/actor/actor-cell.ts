/**
 * One actor inside a host: its spec, behavior, mailbox and counters.
 * The host drives it; the cell itself only holds state.
 */
import { Mailbox } from './mailbox.js';
import type { ActorBehavior, ActorSpec, Address } from './types.js';

export type CellState = 'starting' | 'running' | 'stopping' | 'stopped' | 'crashed';

/** What `supervisor.inspect(address)` reports. */
export interface ActorStats {
  readonly address: Address;
  readonly state: CellState;
  readonly threadId: number;
  readonly mailboxDepth: number;
  readonly handled: number;
  /** Restarts seen by the supervisor, in place or with a new host thread. */
  readonly restarts: number;
  readonly lastError: string | null;
}

export class ActorCell {
  state: CellState = 'starting';
  behavior: ActorBehavior | null = null;
  readonly mailbox = new Mailbox();
  /** A handler is running (sync or awaiting): the mailbox waits. */
  busy = false;
  /** In the host's run queue already. */
  queued = false;
  /** The promise of the handler in progress, so that a stop can wait for it. */
  current: Promise<void> | null = null;
  handled = 0;
  lastError: string | null = null;

  constructor(readonly spec: ActorSpec) {}

  get address(): Address {
    return this.spec.address;
  }
}
