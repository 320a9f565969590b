/**
 * `berth demo`: what `npm start` runs until the scenario runner lands. A
 * whole small cluster on the embedded LMDB store under the virtual clock:
 * store, api-server, controller-manager, scheduler and simulated kubelets
 * packed on one host thread. A Deployment is created, rolled to a new image
 * and scaled up; the report gives the virtual time each step took and how
 * the pods spread over the nodes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import { nodeGroupSpec } from '../../actors/node/spec.js';
import { schedulerChildSpec } from '../../actors/scheduler/spec.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { Supervisor } from '../actor/supervisor.js';
import { deployments, pods } from '../api/resources/index.js';
import type { Deployment } from '../api/types/apps.js';
import { ApiClient } from '../client/client.js';
import { InProcessTransport } from '../client/in-process.js';

export interface DemoOptions {
  readonly nodes: number;
  readonly replicas: number;
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-demo-'));
  const names = Array.from({ length: options.nodes }, (_, i) => `node-${String(i).padStart(3, '0')}`);
  const wallStart = Date.now();
  const sup = await Supervisor.start({
    clock: 'virtual',
    children: [
      storeChildSpec({ path: join(dataDir, 'store') }),
      apiServerChildSpec({ port: null }),
      controllerManagerChildSpec(),
      schedulerChildSpec(),
      nodeGroupSpec(names, {
        capacity: { cpu: '4', memory: '16Gi', pods: '110' },
        sim: { pullMs: { min: 1_000, max: 3_000 }, startMs: 500, readyDelayMs: 2_000 },
      }),
    ],
    logLevel: 'silent',
  });
  let restarts = 0;
  sup.on('restart', () => restarts++);
  const transport = new InProcessTransport(sup);
  sup.on('message', (m) => transport.handleNotice(m));
  const api = new ApiClient(transport, { fieldManager: 'berth-demo' });

  /** Run virtual time in 1 s steps until `done` holds; the virtual time it took. */
  const runUntil = async (what: string, done: (d: Deployment) => boolean): Promise<number> => {
    const start = sup.clock.now();
    for (;;) {
      const d = await api.get(deployments, 'web', { namespace: 'default' });
      if (done(d)) return sup.clock.now() - start;
      if (sup.clock.now() - start > 600_000) throw new Error(`${what}: not done after 10 virtual minutes`);
      await sup.clock.runFor(1_000);
    }
  };
  const settled = (replicas: number, image: string) => (d: Deployment): boolean =>
    d.status?.observedGeneration === d.metadata.generation &&
    d.status?.updatedReplicas === replicas &&
    d.status?.readyReplicas === replicas &&
    d.status?.replicas === replicas &&
    d.spec?.template?.spec?.containers?.[0]?.image === image;

  console.log('berth demo: a small cluster on the embedded LMDB store, under the virtual clock.');
  console.log(`store, api-server, controller-manager, scheduler and ${options.nodes} simulated kubelets on one host thread`);
  console.log('(the scenario runner will replace this demo; see scenarios/ for what it will play)');

  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
      },
    },
  };
  await api.create(deployments, deployment, { namespace: 'default' });
  const created = await runUntil('create', settled(options.replicas, 'nginx:1.27'));
  console.log(`deployment web: ${options.replicas} replicas Ready in ${created / 1000} s (image pulls 1-3 s, start 0.5 s, readiness 2 s)`);

  await api.patch(deployments, 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } }, { namespace: 'default' });
  const rolled = await runUntil('rollout', settled(options.replicas, 'nginx:1.28'));
  console.log(`rolling update to nginx:1.28 (maxSurge 25%, maxUnavailable 25%): done in ${rolled / 1000} s`);

  const scaled = options.replicas * 2;
  await api.patch(deployments, 'web', 'merge', { spec: { replicas: scaled } }, { namespace: 'default' });
  const up = await runUntil('scale', settled(scaled, 'nginx:1.28'));
  console.log(`scaled to ${scaled}: done in ${up / 1000} s`);

  const list = await api.list(pods, { namespace: 'default', labelSelector: 'app=web' });
  const perNode = new Map<string, number>();
  for (const p of list.items) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const counts = [...perNode.values()];
  const running = list.items.filter((p) => p.status?.phase === 'Running').length;
  console.log(`pods: ${list.items.length} (${running} Running) on ${perNode.size} nodes, ${Math.min(...counts)}-${Math.max(...counts)} per node`);
  console.log(`store revision ${list.metadata?.resourceVersion}; actor restarts: ${restarts}, dead letters: ${sup.deadLetterCount}`);
  console.log(`${Math.round(sup.clock.now() / 1000)} s of cluster time in ${((Date.now() - wallStart) / 1000).toFixed(2)} s of wall time; every write durable in ${dataDir}.`);
  await sup.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (list.items.length !== scaled || running !== scaled) {
    console.log('FAILED: the cluster did not converge');
    process.exitCode = 1;
  }
}
