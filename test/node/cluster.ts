/** store + api-server + controller-manager + scheduler + a group of simulated kubelets under the virtual clock. */
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import type { KubeletArgs } from '../../actors/node/messages.js';
import { nodeAddress, nodeGroupSpec } from '../../actors/node/spec.js';
import { schedulerChildSpec } from '../../actors/scheduler/spec.js';
import type { Supervisor } from '../../lib/actor/supervisor.js';
import type { ApiClient } from '../../lib/client/client.js';
import { startCluster, type HasTeardown } from '../helpers/cluster.js';

export interface NodeCluster {
  readonly sup: Supervisor;
  readonly api: ApiClient;
  readonly names: readonly string[];
}

export async function startNodeCluster(t: HasTeardown, count: number, args: KubeletArgs = {}): Promise<NodeCluster> {
  const names = Array.from({ length: count }, (_, i) => `node-${i}`);
  const { sup, api } = await startCluster(t, {
    clock: 'virtual',
    children: [controllerManagerChildSpec(), schedulerChildSpec(), nodeGroupSpec(names, args)],
    ready: [
      { to: 'controller-manager', type: 'cm.ready' },
      { to: 'scheduler', type: 'scheduler.ready' },
      ...names.map((n) => ({ to: nodeAddress(n), type: 'kubelet.ready' })),
    ],
  });
  return { sup, api, names };
}

/** Run virtual time in steps until `check` holds; the virtual time it took. */
export async function runUntil(sup: Supervisor, check: () => Promise<boolean>, what: string, maxMs = 120_000, stepMs = 250): Promise<number> {
  const start = sup.clock.now();
  while (!(await check())) {
    if (sup.clock.now() - start > maxMs) throw new Error(`${what}: not within ${maxMs} ms of virtual time`);
    await sup.clock.runFor(stepMs);
  }
  return sup.clock.now() - start;
}

/** Seconds between two Kubernetes times. */
export function secondsBetween(a: string | null | undefined, b: string | null | undefined): number {
  return (Date.parse(b ?? '') - Date.parse(a ?? '')) / 1000;
}
