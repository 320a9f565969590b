/** store + api-server + controller-manager + scheduler + a group of simulated kubelets under the virtual clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import type { KubeletArgs } from '../../actors/node/messages.js';
import { nodeAddress, nodeGroupSpec } from '../../actors/node/spec.js';
import { schedulerChildSpec } from '../../actors/scheduler/spec.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { Supervisor } from '../../lib/actor/supervisor.js';
import type { Message } from '../../lib/actor/types.js';
import { ApiClient } from '../../lib/client/client.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import type { HasTeardown } from '../api-server/helpers.js';

export interface NodeCluster {
  readonly sup: Supervisor;
  readonly api: ApiClient;
  readonly names: readonly string[];
}

export async function startNodeCluster(t: HasTeardown, count: number, args: KubeletArgs = {}): Promise<NodeCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-node-'));
  const names = Array.from({ length: count }, (_, i) => `node-${i}`);
  const sup = await Supervisor.start({
    clock: 'virtual',
    children: [
      storeChildSpec({ path: dir }),
      apiServerChildSpec({ port: null }),
      controllerManagerChildSpec(),
      schedulerChildSpec(),
      nodeGroupSpec(names, args),
    ],
    logLevel: (process.env['BERTH_TEST_LOG'] as 'warn' | undefined) ?? 'silent',
  });
  const transport = new InProcessTransport(sup);
  const onMessage = (m: Message): void => void transport.handleNotice(m);
  sup.on('message', onMessage);
  t.teardown(async () => {
    sup.off('message', onMessage);
    transport.close();
    await sup.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await sup.request('controller-manager', { type: 'cm.ready' }, { timeoutMs: 20_000 });
  await sup.request('scheduler', { type: 'scheduler.ready' }, { timeoutMs: 20_000 });
  for (const n of names) await sup.request(nodeAddress(n), { type: 'kubelet.ready' }, { timeoutMs: 20_000 });
  return { sup, api: new ApiClient(transport, { fieldManager: 'berth-test' }), names };
}

/** Run the virtual clock for `ms`. */
export async function runFor(sup: Supervisor, ms: number): Promise<void> {
  await sup.clock.runFor(ms);
}

/** Run virtual time in steps until `check` holds; the virtual time it took. */
export async function runUntil(sup: Supervisor, check: () => Promise<boolean>, what: string, maxMs = 120_000, stepMs = 250): Promise<number> {
  const start = sup.clock.now();
  while (!(await check())) {
    if (sup.clock.now() - start > maxMs) throw new Error(`${what}: not within ${maxMs} ms of virtual time`);
    await runFor(sup, stepMs);
  }
  return sup.clock.now() - start;
}

/** Seconds between two Kubernetes times. */
export function secondsBetween(a: string | null | undefined, b: string | null | undefined): number {
  return (Date.parse(b ?? '') - Date.parse(a ?? '')) / 1000;
}
