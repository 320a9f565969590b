/**
 * End to end: store + api-server + controller-manager actor, the test
 * playing the kubelets (marking pods Running and Ready through the status
 * subresource), and the real kubectl 1.32 reading the rollout.
 */
import test from 'ava';
import { deployments, pods, replicaSets } from '../../lib/api/resources/index.js';
import type { Deployment } from '../../lib/api/types/apps.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { kubeconfig } from '../api-server/helpers.js';
import { Kubectl } from '../api-server/kubectl-helpers.js';
import { startCmCluster, until } from './cluster.js';

const ready = (p: Pod): boolean => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

test('a Deployment of 10 rolls to a new image within maxUnavailable, kubectl rollout status succeeds, undo returns', async (t) => {
  const c = await startCmCluster(t);
  const kubectl = new Kubectl(32, kubeconfig(c.dir, c.url));
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 10,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } },
    },
  };
  await c.api.create(deployments, d);

  // The kubelets: every 30 ms, up to 2 pending pods become Running and Ready.
  let stopped = false;
  let minReady = Infinity;
  let measuring = false;
  let maxPods = 0;
  const kubelet = (async () => {
    while (!stopped) {
      const list = (await c.api.list(pods, { namespace: 'default' })).items.filter((p) => !p.metadata.deletionTimestamp);
      if (measuring) {
        minReady = Math.min(minReady, list.filter(ready).length);
        maxPods = Math.max(maxPods, list.length);
      }
      let n = 0;
      for (const p of list) {
        if (ready(p) || n >= 2) continue;
        n++;
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        await c.api
          .updateStatus(pods, { ...p, status: { ...p.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } })
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  })();
  t.teardown(async () => {
    stopped = true;
    await kubelet;
  });

  const rolledOut = async (image: string): Promise<boolean> => {
    const cur = await c.api.get(deployments, 'web', { namespace: 'default' });
    const s = cur.status ?? {};
    return cur.spec?.template.spec?.containers[0]?.image === image && s.observedGeneration === cur.metadata.generation && s.updatedReplicas === 10 && s.availableReplicas === 10 && s.replicas === 10;
  };
  await until(() => rolledOut('nginx:1'), 30_000, 'the first rollout');
  const first = await c.api.list(replicaSets, { namespace: 'default' });
  t.is(first.items.length, 1);
  t.regex(first.items[0]!.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  t.is((await c.api.list(pods, { namespace: 'default' })).items.length, 10);

  // Change the image; watch the rollout with kubectl meanwhile.
  measuring = true;
  const cur = await c.api.get(deployments, 'web', { namespace: 'default' });
  cur.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  await c.api.update(deployments, cur);
  const watcher = kubectl.run(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  await until(() => rolledOut('nginx:2'), 60_000, 'the rollout to nginx:2');
  measuring = false;
  const status = await watcher;
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, /deployment "web" successfully rolled out/);
  t.true(minReady >= 8, `ready pods never below 10 - maxUnavailable(25%) = 8; saw ${minReady}`);
  t.true(maxPods <= 13, `pods never above 10 + maxSurge(25%) = 13; saw ${maxPods}`);
  const rss = (await c.api.list(replicaSets, { namespace: 'default' })).items;
  const byImage = Object.fromEntries(rss.map((rs) => [rs.spec?.template?.spec?.containers[0]?.image, rs.spec?.replicas]));
  t.deepEqual(byImage, { 'nginx:1': 0, 'nginx:2': 10 });
  const again = await kubectl.run(['rollout', 'status', 'deployment/web']);
  t.is(again.stdout, 'deployment "web" successfully rolled out\n');

  // kubectl rollout undo: back to the first template, reusing its ReplicaSet.
  const undo = await kubectl.run(['rollout', 'undo', 'deployment/web']);
  t.is(undo.code, 0, undo.stderr);
  t.regex(undo.stdout, /deployment.apps\/web rolled back/);
  await until(() => rolledOut('nginx:1'), 60_000, 'the rollback');
  const after = (await c.api.list(replicaSets, { namespace: 'default' })).items;
  t.is(after.length, 2, 'the old ReplicaSet was reused');
  const v1 = after.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'nginx:1')!;
  t.is(v1.metadata.name, first.items[0]!.metadata.name);
  t.is(v1.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  t.is(v1.spec?.replicas, 10);
  const history = await kubectl.run(['rollout', 'history', 'deployment/web']);
  t.regex(history.stdout, /2\s+<none>\n3\s+<none>/);
  const done = await kubectl.run(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  t.regex(done.stdout, /successfully rolled out/);

  // The events kubectl shows.
  const ev = await kubectl.run(['get', 'events', '-o', 'json']);
  const reasons = new Set((JSON.parse(ev.stdout) as { items: { reason: string }[] }).items.map((e) => e.reason));
  for (const r of ['ScalingReplicaSet', 'SuccessfulCreate', 'SuccessfulDelete']) t.true(reasons.has(r), r);
});
