/** The child spec that puts the api-server actor under a supervisor (start it after the store). */
import type { ActorChildSpec } from '../../lib/actor/supervision.js';
import { API_SERVER_ADDRESS, type ApiServerArgs } from './messages.js';

export function apiServerChildSpec(args: ApiServerArgs = {}, options: { shutdownMs?: number } = {}): ActorChildSpec {
  return {
    id: API_SERVER_ADDRESS,
    module: new URL('./actor.js', import.meta.url).href,
    args,
    restart: 'permanent',
    shutdownMs: options.shutdownMs ?? 5_000,
  };
}
