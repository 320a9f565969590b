/**
 * The embedding API: `Supervisor.start({ nodes, clock, ... })` gives a whole
 * cluster that an embedder drives with apply and waitFor, inspects, and stops.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { Supervisor, deployments, pods, nodes, WaitTimeoutError, type Deployment, type Pod } from '../../lib/index.js';

const web = (replicas: number): string => `
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources: { requests: { cpu: 500m } }
`;

const ready = (n: number) => (d: Deployment | undefined): boolean => d?.status?.readyReplicas === n && d.status.replicas === n && d.status.observedGeneration === d.metadata.generation;

test('a virtual-clock cluster runs a Deployment applied as YAML, updates it on a second apply, and stops', async (t) => {
  const cluster = await Supervisor.start({
    clock: 'virtual',
    nodes: [{ name: 'pool', count: 3, capacity: { cpu: '2', memory: '8Gi', pods: '110' }, zones: ['a', 'b'], labels: { tier: 'web' } }],
    logLevel: 'silent',
  });
  t.teardown(() => cluster.stop());
  t.deepEqual(cluster.nodeNames, ['pool-000', 'pool-001', 'pool-002']);
  const nodeList = await cluster.client.list(nodes);
  t.deepEqual(nodeList.items.map((n) => n.metadata.labels?.['topology.kubernetes.io/zone']).sort(), ['a', 'a', 'b']);
  t.true(nodeList.items.every((n) => n.metadata.labels?.tier === 'web'));

  const applied = await cluster.apply(web(3));
  t.deepEqual(applied.map((o) => o.kind), ['Namespace', 'Deployment']);
  const start = cluster.clock.now();
  const d = await cluster.waitFor({ resource: deployments, name: 'web', namespace: 'shop' }, ready(3), { timeout: 120_000 });
  t.is(d.status?.readyReplicas, 3);
  t.true(cluster.clock.now() > start, 'waitFor advanced virtual time');

  // Apply again: an update, not a conflict; the Deployment scales to 5 (2 cpu per node fits 4 pods each).
  await cluster.apply(web(5));
  const running = await cluster.waitFor({ resource: pods, namespace: 'shop', labelSelector: 'app=web' }, (items: readonly Pod[]) => items.filter((p) => p.status?.phase === 'Running').length === 5, { timeout: 120_000 });
  t.is(new Set(running.map((p) => p.spec?.nodeName)).size > 1, true, 'pods spread over more than one node');

  // A predicate over the client, returning a value.
  const count = await cluster.waitFor(async (c) => (await c.list(pods, { namespace: 'shop' })).items.length);
  t.true(count >= 5);

  const stats = await cluster.inspect('scheduler').stats();
  t.true(stats.handled > 0);
  t.is(stats.state, 'running');
  const metrics = await cluster.metrics();
  t.regex(metrics, /berth_actor_messages_handled_total\{actor="scheduler",thread="\d+"\} [1-9]\d*/);
  t.regex(metrics, /berth_actor_messages_handled_total\{actor="node\/pool-000",thread="\d+"\} [1-9]\d*/);

  await t.throwsAsync(cluster.waitFor({ resource: deployments, name: 'web', namespace: 'shop' }, ready(50), { timeout: 5_000 }), { instanceOf: WaitTimeoutError });

  // web was scaled to 5 only, so ask with a pod that cannot fit: 3 cpu on 2-cpu nodes.
  await cluster.apply(`apiVersion: v1
kind: Pod
metadata: { name: big, namespace: shop }
spec:
  containers: [{ name: big, image: x, resources: { requests: { cpu: "3" } } }]
`);
  const why = await cluster.waitFor(async () => (await cluster.explain('big', 'shop').catch(() => undefined))?.unschedulableMessage, { timeout: 60_000 });
  t.regex(why, /^0\/3 nodes are available: 3 Insufficient cpu/);
  const explained = await cluster.explain('big', 'shop');
  t.is(explained.nodes.length, 3);
  t.true(explained.nodes.every((n) => !n.feasible && n.plugins.some((p) => p.plugin === 'NodeResourcesFit' && p.verdict === 'fail')));

  const dir = cluster.dataDir;
  await cluster.stop();
  t.false(existsSync(dir), 'the temporary data directory is removed');
});

test('apply rejects bad input before writing anything, naming where', async (t) => {
  const cluster = await Supervisor.start({ clock: 'virtual', logLevel: 'silent', scheduler: false, controllers: false });
  t.teardown(() => cluster.stop());
  const e1 = await t.throwsAsync(cluster.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n---\nkind: [oops\n'));
  t.regex(e1.message, /^apply: line 6:1: Flow sequence/);
  const e2 = await t.throwsAsync(cluster.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok' } }, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]));
  t.regex(e2.message, /objects\[1\]: no resource serves example.com\/v1 Widget/);
  await t.throwsAsync(cluster.client.get({ group: '', version: 'v1', plural: 'configmaps', namespaced: true }, 'ok', { namespace: 'default' }), { message: /not found/ });
  await t.throwsAsync(Supervisor.start({ nodes: -1 }), { message: /nodes\[0\]\.count/ });
});

test('the low-level form still gives a bare supervisor', async (t) => {
  const sup = await Supervisor.start({ children: [{ id: 'echo', module: new URL('../fixtures/actors/echo.js', import.meta.url).href }], logLevel: 'silent' });
  t.teardown(() => sup.stop());
  t.true(sup instanceof Supervisor);
  const all = await sup.actorStats();
  t.deepEqual(all.map((s) => s.address), ['echo']);
});
