/**
 * What the supervisor knows of each actor beyond its host thread: how often
 * it was restarted and why it last failed; and the introspection built on
 * it (`supervisor.inspect`, `supervisor.actorStats`), which asks the host
 * for the live figures and adds these.
 */
import type { ActorStats } from './actor-cell.js';
import type { HostHandle } from './host-handle.js';
import { actorInspector, type ActorInspector } from './inspect.js';
import type { Address } from './types.js';

/** A host and the actors it carries, as the supervisor tracks them. */
export interface HostedActors {
  readonly host: HostHandle | null;
  readonly addresses: readonly Address[];
}

/** How long a stats scrape waits for one host. */
const STATS_TIMEOUT_MS = 5_000;

export class ActorRecords {
  private readonly restarts = new Map<Address, number>();
  private readonly lastErrors = new Map<Address, string>();

  countRestarts(addresses: readonly Address[]): void {
    for (const a of addresses) this.restarts.set(a, (this.restarts.get(a) ?? 0) + 1);
  }

  failed(address: Address, error: string): void {
    this.lastErrors.set(address, error);
  }

  /** The reason a whole child failed, for those of its actors that have no error of their own. */
  failedUnlessKnown(addresses: readonly Address[], reason: string): void {
    for (const a of addresses) if (!this.lastErrors.has(a)) this.lastErrors.set(a, reason);
  }

  /** A typed remote view of one actor, answered by its host over comlink. */
  inspect(address: Address, host: () => HostHandle | null): ActorInspector {
    return actorInspector(address, {
      host: () => {
        const h = host();
        return h && h.alive ? h.inspector : null;
      },
      restarts: () => this.restarts.get(address) ?? 0,
      lastError: () => this.lastErrors.get(address) ?? null,
    });
  }

  /** Every running actor's stats, one round trip per host, all hosts at once; a host that does not answer is left out. */
  async stats(children: Iterable<HostedActors>): Promise<ActorStats[]> {
    const perChild = [...children].map(async (child): Promise<ActorStats[]> => {
      const h = child.host;
      if (!h || !h.alive) return [];
      try {
        const all = await withTimeout(h.inspector.statsMany([...child.addresses]), STATS_TIMEOUT_MS);
        return all.filter((s) => s !== null).map((s) => ({ ...s, restarts: this.restarts.get(s.address) ?? 0, lastError: s.lastError ?? this.lastErrors.get(s.address) ?? null }));
      } catch {
        return []; // a host dying meanwhile: its actors are down, which the stats of the next scrape show
      }
    });
    return (await Promise.all(perChild)).flat();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
