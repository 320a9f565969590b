/** The child spec that puts kube-proxy under a supervisor (start it after the api-server). */
import type { ActorChildSpec } from '../../lib/actor/supervision.js';
import { KUBE_PROXY_ADDRESS, type KubeProxyArgs } from './messages.js';

export const KUBE_PROXY_MODULE = new URL('./actor.js', import.meta.url).href;

export function kubeProxyChildSpec(args: KubeProxyArgs = {}, options: { id?: string; shutdownMs?: number } = {}): ActorChildSpec {
  return { id: options.id ?? KUBE_PROXY_ADDRESS, module: KUBE_PROXY_MODULE, args, restart: 'permanent', shutdownMs: options.shutdownMs ?? 5_000 };
}
