/**
 * Child specs for kubelets: one node on its own host thread, or many nodes
 * packed on one host thread (a group), each at `node/<name>`. In a group,
 * node i gets `index: firstIndex + i`, which picks its InternalIP and podCIDR.
 */
import type { ActorChildSpec, GroupChildSpec, RestartPolicy } from '../../lib/actor/supervision.js';
import { NODE_ADDRESS_PREFIX, type KubeletArgs } from './messages.js';

const MODULE = new URL('./actor.js', import.meta.url).href;

export function nodeAddress(name: string): string {
  return `${NODE_ADDRESS_PREFIX}${name}`;
}

export function nodeChildSpec(name: string, args: KubeletArgs = {}, options: { shutdownMs?: number } = {}): ActorChildSpec {
  return { id: nodeAddress(name), module: MODULE, args: { ...args, nodeName: name }, restart: 'permanent', shutdownMs: options.shutdownMs ?? 5_000 };
}

export interface NodeGroupOptions {
  /** Default `nodes`. */
  readonly id?: string;
  /** The index of the first node (so that two groups get distinct podCIDRs); default 0. */
  readonly firstIndex?: number;
  readonly policy?: Partial<RestartPolicy>;
  readonly shutdownMs?: number;
}

export function nodeGroupSpec(names: readonly string[], args: KubeletArgs = {}, options: NodeGroupOptions = {}): GroupChildSpec {
  const first = options.firstIndex ?? 0;
  return {
    id: options.id ?? 'nodes',
    group: names.map((name, i) => ({ address: nodeAddress(name), module: MODULE, args: { ...args, nodeName: name, index: first + i } })),
    restart: 'permanent',
    ...(options.policy ? { policy: options.policy } : {}),
    shutdownMs: options.shutdownMs ?? 5_000,
  };
}
