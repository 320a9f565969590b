/**
 * The chaos run's cluster: store (keeping its whole history, so the
 * revision log can be checked from revision 1), api-server,
 * controller-manager, scheduler, and simulated nodes packed on several host
 * threads, all under the virtual clock; an in-process API client and a
 * store client on the embedding thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiAddress } from '../../../actors/api-server/messages.js';
import { apiServerChildSpec } from '../../../actors/api-server/spec.js';
import { controllerManagerChildSpec } from '../../../actors/controller-manager/spec.js';
import type { KubeletArgs } from '../../../actors/node/messages.js';
import { nodeAddress, nodeGroupSpec } from '../../../actors/node/spec.js';
import { schedulerChildSpec } from '../../../actors/scheduler/spec.js';
import { StoreClient } from '../../../actors/store/client.js';
import { storeChildSpec } from '../../../actors/store/spec.js';
import { Supervisor } from '../../../lib/actor/supervisor.js';
import type { RestartPolicy } from '../../../lib/actor/supervision.js';
import type { Message } from '../../../lib/actor/types.js';
import { nodes } from '../../../lib/api/resources/index.js';
import { ApiClient } from '../../../lib/client/client.js';
import { InProcessTransport } from '../../../lib/client/in-process.js';
import { listAll } from './invariants.js';
import type { ChaosPlan } from './plan.js';

/** Node shape: 8 cpu, 32Gi, 110 pods (the kubelet's default), pods start in about 2 s. */
export const NODE_ARGS: KubeletArgs = {
  capacity: { cpu: '8', memory: '32Gi', pods: '110' },
  sim: { pullMs: { min: 500, max: 2_000 }, startMs: 300, readyDelayMs: 1_000 },
};

/**
 * Kills come every 2-6 s of virtual time: OTP's default (1 restart in 5 s)
 * would escalate at the first two kills less than 5 s apart. This is the
 * tuning a cluster under this fault rate needs.
 */
export const CHAOS_POLICY: RestartPolicy = { strategy: 'one_for_one', intensity: 10, periodMs: 10_000 };

export interface ChaosCluster {
  readonly sup: Supervisor;
  readonly api: ApiClient;
  readonly store: StoreClient;
  /** The address used to kill node host i (its first node). */
  hostAddress(i: number): string;
  stop(): Promise<void>;
}

export async function startChaosCluster(plan: ChaosPlan): Promise<ChaosCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-chaos-'));
  const per = plan.size.nodesPerHost;
  const groups = Array.from({ length: plan.hosts }, (_, i) =>
    nodeGroupSpec(plan.nodeNames.slice(i * per, (i + 1) * per), NODE_ARGS, { id: `nodes/${i}`, firstIndex: i * per }),
  );
  const sup = await Supervisor.start({
    clock: 'virtual',
    policy: CHAOS_POLICY,
    // The full size on two shared cores: an api-server relisting 10,000 pods can go more than the
    // default 10 s without answering a ping, and a heartbeat kill then counts against the restart
    // intensity at one virtual instant (escalation). The chaos kills threads itself; it does not need
    // the heartbeat to find hung ones.
    heartbeat: { intervalMs: 1_000, timeoutMs: 120_000 },
    logLevel: 'silent',
    children: [
      // The whole history is kept (no compaction), so the check can read revisions 1..head.
      storeChildSpec({ path: join(dir, 'store'), retainRevisions: Number.MAX_SAFE_INTEGER, retainMs: Number.MAX_SAFE_INTEGER }),
      apiServerChildSpec({ port: null }),
      controllerManagerChildSpec(),
      schedulerChildSpec({ seed: plan.seed }),
      ...groups,
    ],
  });
  const transport = new InProcessTransport(sup);
  const store = new StoreClient(sup);
  const onMessage = (m: Message): void => {
    if (!transport.handleNotice(m)) store.handleNotice(m);
  };
  sup.on('message', onMessage);
  const api = new ApiClient(transport, { fieldManager: 'berth-chaos' });
  const cluster: ChaosCluster = {
    sup,
    api,
    store,
    hostAddress: (i) => nodeAddress(plan.nodeNames[i * per]!),
    async stop() {
      sup.off('message', onMessage);
      transport.close();
      await sup.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await sup.request<ApiAddress>('api-server', { type: 'api.address' }, { timeoutMs: 60_000 });
    await sup.request('controller-manager', { type: 'cm.ready' }, { timeoutMs: 60_000 });
    await sup.request('scheduler', { type: 'scheduler.ready' }, { timeoutMs: 60_000 });
    for (let i = 0; (await listAll(api, nodes)).length < plan.nodeNames.length; i++) {
      if (i > 120) throw new Error(`only some of the ${plan.nodeNames.length} nodes registered within 2 virtual minutes`);
      await sup.clock.runFor(1_000);
    }
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
