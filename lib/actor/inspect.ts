/**
 * Introspection over comlink: control-plane calls, not the data path
 * (comlink is ~7x slower than the message plane, which is fine here).
 */
import type { Remote } from 'comlink';
import type { ActorStats } from './actor-cell.js';
import { ActorDownError } from './errors.js';
import type { Address } from './types.js';

/** What each host exposes on its introspection port. */
export interface HostInspector {
  threadId(): number;
  stats(address: Address): Omit<ActorStats, 'restarts'> | null;
  /** Many at once (one round trip for a whole group of nodes). */
  statsMany(addresses: readonly Address[]): (Omit<ActorStats, 'restarts'> | null)[];
}

/** What `supervisor.inspect(address)` returns: a typed remote view of one actor. */
export interface ActorInspector {
  readonly address: Address;
  stats(): Promise<ActorStats>;
  threadId(): Promise<number>;
}

/** Where the supervisor finds an actor's host now (it changes on restart), and what only it knows. */
export interface InspectorSource {
  host(): Remote<HostInspector> | null;
  restarts(): number;
  lastError(): string | null;
}

export function actorInspector(address: Address, source: InspectorSource): ActorInspector {
  const host = (): Remote<HostInspector> => {
    const h = source.host();
    if (!h) throw new ActorDownError(address, 'not running');
    return h;
  };
  return {
    address,
    stats: async (): Promise<ActorStats> => {
      const s = await withDeadline(host().stats(address), address);
      if (!s) throw new ActorDownError(address, 'not running');
      return { ...s, restarts: source.restarts(), lastError: s.lastError ?? source.lastError() };
    },
    threadId: async () => withDeadline(host().threadId(), address),
  };
}

/** comlink never settles a call to a dead thread: give up after `ms`. */
function withDeadline<T>(work: Promise<T>, address: Address, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ActorDownError(address, 'its host did not answer')), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
