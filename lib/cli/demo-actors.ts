/**
 * The actors of `berth demo`: simulated nodes that do what a kubelet does
 * first and most often, through the real api-server and store: register
 * their Node object, then renew their Lease in kube-node-lease every 10 s.
 * A stand-in for issue 7's kubelet until it lands.
 */
import { defineActor } from '../actor/types.js';
import { leases, nodes } from '../api/resources/index.js';
import type { Lease } from '../api/types/cluster.js';
import type { Node } from '../api/types/core.js';
import { ApiClient } from '../client/client.js';
import { isNotFound } from '../client/errors.js';
import { InProcessTransport } from '../client/in-process.js';

export interface DemoNodeArgs {
  readonly heartbeatMs: number;
  /** Heartbeat phases are spread over this many slots per period, so many nodes renew in the same commit. */
  readonly slots: number;
}

type NodeMessage = { type: 'node.heartbeat' } | { type: 'node.crash' };

export const demoNode = defineActor<NodeMessage, DemoNodeArgs>(async (ctx, args) => {
  const transport = new InProcessTransport(ctx);
  const api = new ApiClient(transport, { fieldManager: 'berth-demo-kubelet' });
  const name = ctx.self.slice(ctx.self.indexOf('/') + 1);
  // Level-triggered: after a restart the Node may already exist, which is fine.
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${hash(name) % 3}` } },
    status: { capacity: { cpu: '8', memory: '32Gi', pods: '110' }, allocatable: { cpu: '8', memory: '32Gi', pods: '110' } },
  };
  await api.create(nodes, node).catch((err: unknown) => {
    if ((err as { status?: { reason?: string } }).status?.reason !== 'AlreadyExists') throw err;
  });
  const slot = hash(name) % args.slots;
  ctx.setTimer((slot * args.heartbeatMs) / args.slots, { type: 'node.heartbeat' });
  return {
    async receive(msg) {
      if (transport.handleNotice(msg)) return;
      if (msg.type === 'node.crash') process.exit(1); // the whole node host thread dies
      await renewLease(api, name, new Date(ctx.now()).toISOString());
      ctx.setTimer(args.heartbeatMs, { type: 'node.heartbeat' });
    },
  };
});

async function renewLease(api: ApiClient, name: string, now: string): Promise<void> {
  const namespace = 'kube-node-lease';
  try {
    const lease = await api.get(leases, name, { namespace });
    await api.update(leases, { ...lease, spec: { ...lease.spec, renewTime: now } }, { namespace });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now },
    };
    await api.create(leases, lease, { namespace });
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
