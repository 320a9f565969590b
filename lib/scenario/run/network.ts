/**
 * Addresses for a run with process nodes. Their pods bind real loopback
 * addresses (the node's podCIDR) and kube-proxy real ClusterIP listeners,
 * so two Berth clusters on one machine (a `berth up`, another run, tests in
 * parallel) must not use the same ones. Simulated runs keep the defaults:
 * nothing of theirs is bound. A run takes one of NETWORK_SLOTS slots, chosen
 * from the process id, the thread and a counter: a /24 of ClusterIPs above
 * the allocator's usual first addresses, and node indexes (hence podCIDRs
 * and InternalIPs) far above those of `berth up` and the tests.
 */
import { threadId } from 'node:worker_threads';

export const NETWORK_SLOTS = 192;
/** Process nodes per slot before the next slot's podCIDRs. */
export const NODES_PER_SLOT = 64;
const FIRST_SLOT = 64;
const FIRST_NODE_INDEX = 16_384;

export interface RunNetwork {
  /** The api-server's service range for the run. */
  readonly serviceCidr: string;
  /** The index of the first process node (podCIDR 127.128.0.0/9 + index * 256). */
  readonly firstNodeIndex: number;
}

let taken = 0;

export function runNetwork(): RunNetwork {
  const slot = (process.pid * 7 + threadId * 31 + taken++) % NETWORK_SLOTS;
  return { serviceCidr: `127.1.${FIRST_SLOT + slot}.0/24`, firstNodeIndex: FIRST_NODE_INDEX + slot * NODES_PER_SLOT };
}
