/**
 * Introspection over comlink: control-plane calls, not the data path
 * (comlink is ~7x slower than the message plane, which is fine here).
 */
import type { ActorStats } from './actor-cell.js';
import type { Address } from './types.js';

/** What each host exposes on its introspection port. */
export interface HostInspector {
  threadId(): number;
  stats(address: Address): Omit<ActorStats, 'restarts'> | null;
}

/** What `supervisor.inspect(address)` returns: a typed remote view of one actor. */
export interface ActorInspector {
  readonly address: Address;
  stats(): Promise<ActorStats>;
  threadId(): Promise<number>;
}
