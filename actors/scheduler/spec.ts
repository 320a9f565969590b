/** The child spec that puts the scheduler under a supervisor (start it after the api-server); `id` (its address) for a second replica. */
import type { ActorChildSpec } from '../../lib/actor/supervision.js';
import { SCHEDULER_ADDRESS, type SchedulerArgs } from './messages.js';

export function schedulerChildSpec(args: SchedulerArgs = {}, options: { shutdownMs?: number; id?: string } = {}): ActorChildSpec {
  return {
    id: options.id ?? SCHEDULER_ADDRESS,
    module: new URL('./actor.js', import.meta.url).href,
    args,
    restart: 'permanent',
    shutdownMs: options.shutdownMs ?? 5_000,
  };
}
