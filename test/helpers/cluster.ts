/**
 * A real control plane under a Supervisor for tests: the store in a temp
 * directory, the api-server, whatever other children a test adds, and an
 * in-process client. Everything is stopped and removed at teardown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiAddress, ApiServerArgs } from '../../actors/api-server/messages.js';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { Supervisor, type SupervisorOptions } from '../../lib/actor/supervisor.js';
import type { ChildSpec } from '../../lib/actor/supervision.js';
import type { Message } from '../../lib/actor/types.js';
import { ApiClient } from '../../lib/client/client.js';
import { InProcessTransport } from '../../lib/client/in-process.js';

export interface HasTeardown {
  teardown(fn: () => void | Promise<void>): void;
}

export interface ClusterOptions {
  /** Children started after the store and the api-server (controller-manager, scheduler, nodes...). */
  readonly children?: readonly ChildSpec[];
  /** api-server port: 0 for a free one, null for no HTTP (default). */
  readonly port?: number | null;
  /** Requests to send, in order, before the cluster counts as ready (e.g. `{ to: 'scheduler', type: 'scheduler.ready' }`). */
  readonly ready?: readonly { readonly to: string; readonly type: string }[];
  readonly clock?: SupervisorOptions['clock'];
  /** More api-server args (e.g. `defaultFieldValidation`). */
  readonly apiServer?: ApiServerArgs;
  /** The in-process client's field manager; default berth-test. */
  readonly fieldManager?: string;
}

export interface TestCluster {
  readonly sup: Supervisor;
  readonly api: ApiClient;
  /** The api-server's URL, when it serves HTTP. */
  readonly url: string | null;
  readonly dir: string;
}

export async function startCluster(t: HasTeardown, options: ClusterOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-test-'));
  const sup = await Supervisor.start({
    clock: options.clock,
    children: [storeChildSpec({ path: dir }), apiServerChildSpec({ ...options.apiServer, port: options.port ?? null }), ...(options.children ?? [])],
    logLevel: 'silent',
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
  const address = await sup.request<ApiAddress>('api-server', { type: 'api.address' }, { timeoutMs: 20_000 });
  for (const r of options.ready ?? []) await sup.request(r.to, { type: r.type }, { timeoutMs: 20_000 });
  return { sup, api: new ApiClient(transport, { fieldManager: options.fieldManager ?? 'berth-test' }), url: address.url, dir };
}
