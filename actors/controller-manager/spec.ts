/**
 * The child spec that puts the controller-manager under a supervisor (start
 * it after the api-server). `id` (also its address) lets a second replica
 * run beside the first, e.g. `controllerManagerChildSpec({ leaderElection: {} }, { id: 'controller-manager-b' })`.
 */
import type { ActorChildSpec } from '../../lib/actor/supervision.js';
import { CONTROLLER_MANAGER_ADDRESS, type ControllerManagerArgs } from './messages.js';

export function controllerManagerChildSpec(args: ControllerManagerArgs = {}, options: { shutdownMs?: number; id?: string } = {}): ActorChildSpec {
  return {
    id: options.id ?? CONTROLLER_MANAGER_ADDRESS,
    module: new URL('./actor.js', import.meta.url).href,
    args,
    restart: 'permanent',
    shutdownMs: options.shutdownMs ?? 5_000,
  };
}
