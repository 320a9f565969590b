/** The child spec that puts the store actor under a supervisor. */
import type { ActorChildSpec } from '../../lib/actor/supervision.js';
import { STORE_ADDRESS, type StoreActorArgs } from './messages.js';

export function storeChildSpec(args: StoreActorArgs, options: { shutdownMs?: number } = {}): ActorChildSpec {
  return {
    id: STORE_ADDRESS,
    module: new URL('./actor.js', import.meta.url).href,
    args,
    restart: 'permanent',
    // Closing waits for in-flight commits; give it time before the thread is cut.
    shutdownMs: options.shutdownMs ?? 10_000,
  };
}
