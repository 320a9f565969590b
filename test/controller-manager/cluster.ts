/** A real store + api-server + controller-manager actor under a Supervisor, with an in-process client. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import type { ApiAddress } from '../../actors/api-server/messages.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import type { ControllerManagerArgs } from '../../actors/controller-manager/messages.js';
import { Supervisor } from '../../lib/actor/supervisor.js';
import type { Message } from '../../lib/actor/types.js';
import { ApiClient } from '../../lib/client/client.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import type { HasTeardown } from '../api-server/helpers.js';

export interface CmCluster {
  readonly sup: Supervisor;
  readonly api: ApiClient;
  readonly url: string;
  readonly dir: string;
}

export async function startCmCluster(t: HasTeardown, args: ControllerManagerArgs = {}): Promise<CmCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cm-'));
  const sup = await Supervisor.start({
    children: [storeChildSpec({ path: dir }), apiServerChildSpec({ port: 0 }), controllerManagerChildSpec(args)],
    logLevel: 'silent',
  });
  const address = await sup.request<ApiAddress>('api-server', { type: 'api.address' }, { timeoutMs: 20_000 });
  await sup.request('controller-manager', { type: 'cm.ready' }, { timeoutMs: 20_000 });
  const transport = new InProcessTransport(sup);
  const onMessage = (m: Message): void => void transport.handleNotice(m);
  sup.on('message', onMessage);
  t.teardown(async () => {
    sup.off('message', onMessage);
    transport.close();
    await sup.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { sup, api: new ApiClient(transport, { fieldManager: 'berth-test' }), url: address.url!, dir };
}

/** Poll (wall time) until `check` resolves true. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
