/**
 * `berth demo`: what `npm start` runs until the scenario runner lands. A
 * small cluster on the embedded LMDB store under the virtual clock: the
 * store, the api-server, and simulated nodes packed on one host thread that
 * register and renew their Leases (what kubelets do); half way, the node host
 * thread is killed and the supervisor restarts it; the report reads the
 * cluster back through the api-server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { Supervisor } from '../actor/supervisor.js';
import { leases, nodes } from '../api/resources/index.js';
import { ApiClient } from '../client/client.js';
import { InProcessTransport } from '../client/in-process.js';

export interface DemoOptions {
  readonly nodes: number;
  readonly minutes: number;
}

const heartbeatMs = 10_000;
const graceMs = 40_000;

export async function runDemo(options: DemoOptions): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-demo-'));
  const module = new URL('./demo-actors.js', import.meta.url).href;
  const group = Array.from({ length: options.nodes }, (_, i) => ({
    address: `node/node-${String(i).padStart(4, '0')}`,
    module,
    export: 'demoNode',
    args: { heartbeatMs, slots: 10 },
  }));
  const wallStart = Date.now();
  const sup = await Supervisor.start({
    clock: 'virtual',
    children: [storeChildSpec({ path: join(dataDir, 'store') }), apiServerChildSpec({ port: null }), { id: 'nodes', group }],
    logLevel: 'silent',
  });
  const transport = new InProcessTransport(sup);
  sup.on('message', (m) => transport.handleNotice(m));
  const api = new ApiClient(transport);
  const restarts: string[] = [];
  sup.on('restart', (e: { child: string; reason: string }) => restarts.push(`${e.child}: ${e.reason.split('\n')[0]}`));
  const durationMs = options.minutes * 60_000;

  const report = async (): Promise<string> => {
    const now = sup.clock.now();
    const nodeList = await api.list(nodes);
    const leaseList = await api.list(leases, { namespace: 'kube-node-lease' });
    const stale = leaseList.items.filter((l) => now - Date.parse(l.spec?.renewTime ?? '1970-01-01T00:00:00Z') > graceMs).length;
    return `nodes=${nodeList.items.length}  leases=${leaseList.items.length}  stale leases=${stale}  store revision=${leaseList.metadata?.resourceVersion}`;
  };

  console.log('berth demo: a small cluster on the embedded LMDB store, under the virtual clock.');
  console.log(`store + api-server + ${options.nodes} simulated nodes on one host thread, registering and renewing Leases every ${heartbeatMs / 1000} s`);
  console.log('(the scheduler, controllers and real kubelets are not built yet; the scenario runner will replace this demo)');
  await sup.clock.runFor(durationMs / 2);
  console.log(`t=${fmt(sup.clock.now())}  ${await report()}`);
  console.log(`t=${fmt(sup.clock.now())}  killing the node host thread (as a native crash would)`);
  sup.send(group[0]!.address, { type: 'node.crash' });
  await sup.clock.settle();
  await sup.clock.runFor(durationMs / 2);
  const end = await report();
  console.log(`t=${fmt(sup.clock.now())}  ${end}`);
  console.log(`restarts: ${restarts.length ? restarts.join('; ') : 'none'}`);
  console.log(`dead letters: ${sup.deadLetterCount}`);
  console.log(`${fmt(durationMs)} of cluster time in ${((Date.now() - wallStart) / 1000).toFixed(2)} s of wall time; every write durable in ${dataDir}.`);
  await sup.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (!end.includes(`nodes=${options.nodes}  leases=${options.nodes}  stale leases=0`)) {
    console.log('FAILED: some nodes did not come back');
    process.exitCode = 1;
  }
}

function fmt(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
