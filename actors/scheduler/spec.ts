/** The child spec that puts the scheduler under a supervisor (start it after the api-server). */
import type { ActorChildSpec } from '../../lib/actor/supervision.js';
import { SCHEDULER_ADDRESS, type SchedulerArgs } from './messages.js';

export function schedulerChildSpec(args: SchedulerArgs = {}, options: { shutdownMs?: number } = {}): ActorChildSpec {
  return {
    id: SCHEDULER_ADDRESS,
    module: new URL('./actor.js', import.meta.url).href,
    args,
    restart: 'permanent',
    shutdownMs: options.shutdownMs ?? 5_000,
  };
}
