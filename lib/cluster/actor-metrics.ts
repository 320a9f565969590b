/**
 * Every actor's counters in the Prometheus text format: messages handled,
 * mailbox depth, restarts, and whether it runs, labelled by actor address
 * and host thread. The supervisor gathers the stats from all threads; the
 * api-server's /metrics and `cluster.metrics()` render them with this.
 */
import type { ActorStats } from '../actor/actor-cell.js';

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderActorMetrics(stats: readonly ActorStats[]): string {
  const rows = [...stats].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const l = (s: ActorStats): string => `actor="${label(s.address)}",thread="${s.threadId}"`;
  const out: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', help: string, value: (s: ActorStats) => number): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of rows) out.push(`${name}{${l(s)}} ${value(s)}`);
  };
  family('berth_actor_messages_handled_total', 'counter', 'Messages an actor has handled since its last (re)start.', (s) => s.handled);
  family('berth_actor_mailbox_depth', 'gauge', 'Messages waiting in the actor\'s mailbox.', (s) => s.mailboxDepth);
  family('berth_actor_restarts_total', 'counter', 'Restarts of the actor seen by the supervisor (in place or on a new thread).', (s) => s.restarts);
  family('berth_actor_up', 'gauge', '1 when the actor is running, else 0.', (s) => (s.state === 'running' ? 1 : 0));
  return out.join('\n') + '\n';
}
