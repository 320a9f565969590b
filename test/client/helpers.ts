/** Clients over both transports against one store + api-server (see test/api-server/helpers.ts). */
import type { Message } from '../../lib/actor/types.js';
import { ApiClient } from '../../lib/client/client.js';
import { HttpTransport } from '../../lib/client/http.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import type { ApiServerArgs } from '../../actors/api-server/messages.js';
import { startCluster, type Cluster, type HasTeardown } from '../api-server/helpers.js';

export interface Clients {
  readonly cluster: Cluster;
  readonly inProcess: ApiClient;
  /** Null when the api-server runs without HTTP (port: null). */
  readonly http: ApiClient | null;
}

export async function startClients(t: HasTeardown, args: ApiServerArgs = {}): Promise<Clients> {
  const cluster = await startCluster(t, args);
  const transport = new InProcessTransport(cluster.sup);
  const onMessage = (m: Message): void => void transport.handleNotice(m);
  cluster.sup.on('message', onMessage);
  const http = args.port === null ? null : new HttpTransport({ server: cluster.url, maxSockets: 4 });
  t.teardown(() => {
    cluster.sup.off('message', onMessage);
    transport.close();
    http?.close();
  });
  return { cluster, inProcess: new ApiClient(transport, { fieldManager: 'berth-test' }), http: http && new ApiClient(http, { fieldManager: 'berth-test' }) };
}

/** Poll `check` until it holds (wall time; the cluster runs on the real clock). */
export async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
