/** A real store + api-server + controller-manager actor under a Supervisor, with an in-process client. */
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import type { ControllerManagerArgs } from '../../actors/controller-manager/messages.js';
import type { Supervisor } from '../../lib/actor/supervisor.js';
import type { ApiClient } from '../../lib/client/client.js';
import { startCluster, type HasTeardown } from '../helpers/cluster.js';

export interface CmCluster {
  readonly sup: Supervisor;
  readonly api: ApiClient;
  readonly url: string;
  readonly dir: string;
}

export async function startCmCluster(t: HasTeardown, args: ControllerManagerArgs = {}): Promise<CmCluster> {
  const c = await startCluster(t, {
    port: 0,
    children: [controllerManagerChildSpec(args)],
    ready: [{ to: 'controller-manager', type: 'cm.ready' }],
  });
  return { ...c, url: c.url! };
}

/** Poll (wall time) until `check` resolves true. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
