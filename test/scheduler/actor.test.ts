/** The scheduler actor over a real store and api-server: binds through pods/binding, explains failures, survives restarts. */
import test from 'ava';
import { schedulerChildSpec } from '../../actors/scheduler/spec.js';
import type { SchedulerArgs, SchedulerExplanation, SchedulerMessage, SchedulerStats } from '../../actors/scheduler/messages.js';
import { milliValue, mustParseQuantity } from '../../lib/api/quantity.js';
import { events, nodes, pods, priorityClasses } from '../../lib/api/resources/index.js';
import type { Node } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { ApiClient } from '../../lib/client/client.js';
import { until } from '../controller-manager/cluster.js';
import { startCluster, type HasTeardown, type TestCluster } from '../helpers/cluster.js';

async function startTestCluster(t: HasTeardown, args: SchedulerArgs = {}): Promise<TestCluster> {
  return startCluster(t, { children: [schedulerChildSpec(args)], ready: [{ to: 'scheduler', type: 'scheduler.ready' }] });
}

function node(name: string, cpu: string, memory = '8Gi', podCount = 110): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: { capacity: { cpu, memory, pods: String(podCount) }, allocatable: { cpu, memory, pods: String(podCount) } },
  };
}

function pod(name: string, cpu: string, memory = '256Mi'): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'x' } },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu, memory } } }] },
  };
}

async function allPods(api: ApiClient): Promise<Pod[]> {
  return (await api.list(pods, { namespace: 'default' })).items;
}

/** Every node's summed requests stay within its allocatable cpu, memory and pod count. */
async function assertWithinAllocatable(t: { true(v: boolean, m?: string): void }, api: ApiClient): Promise<void> {
  const ns = (await api.list(nodes)).items;
  const ps = await allPods(api);
  for (const n of ns) {
    const on = ps.filter((p) => p.spec?.nodeName === n.metadata.name);
    const q = (v: unknown): bigint => milliValue(mustParseQuantity(String(v)));
    const sum = (r: 'cpu' | 'memory'): bigint => on.reduce((s, p) => s + q(p.spec!.containers[0]!.resources!.requests![r]), 0n);
    const alloc = n.status!.allocatable!;
    t.true(sum('cpu') <= q(alloc['cpu']), `${n.metadata.name} cpu`);
    t.true(sum('memory') <= q(alloc['memory']), `${n.metadata.name} memory`);
    t.true(on.length <= Number(alloc['pods']), `${n.metadata.name} pods`);
  }
}

const stats = (c: TestCluster): Promise<SchedulerStats> => c.sup.request<SchedulerStats>('scheduler', { type: 'scheduler.stats' });

test('10 pods on 3 nodes: every pod bound through pods/binding, no node over its allocatable', async (t) => {
  const c = await startTestCluster(t);
  for (let i = 0; i < 3; i++) await c.api.create(nodes, node(`node-${i}`, '4', '4Gi'));
  await Promise.all(Array.from({ length: 10 }, (_, i) => c.api.create(pods, pod(`p-${i}`, '1', '1Gi'))));
  await until(async () => (await allPods(c.api)).every((p) => p.spec?.nodeName), 20_000, 'all bound');
  const ps = await allPods(c.api);
  t.is(ps.length, 10);
  for (const p of ps) {
    const cond = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
    t.is(cond?.status, 'True', p.metadata.name);
  }
  // Spread by LeastAllocated: no node empty, none holds more than its 4 cpus.
  t.is(new Set(ps.map((p) => p.spec!.nodeName)).size, 3);
  await assertWithinAllocatable(t, c.api);
  const s = await stats(c);
  t.is(s.bindings.ok, 10);
  t.is(s.bindings.failed, 0);
  const ex = await c.sup.request<SchedulerExplanation, SchedulerMessage>('scheduler', { type: 'scheduler.explain', namespace: 'default', name: 'p-0' });
  t.is(ex.nodes.length, 3);
  t.truthy(ex.nodeName);
});

test('a pod that fits nowhere: PodScheduled=False with the Kubernetes message and one FailedScheduling event; a node that fits gets it scheduled', async (t) => {
  const c = await startTestCluster(t);
  for (let i = 0; i < 3; i++) await c.api.create(nodes, node(`node-${i}`, '2'));
  await c.api.create(pods, pod('big', '8'));
  let big: Pod | undefined;
  await until(async () => {
    big = await c.api.get(pods, 'big', { namespace: 'default' });
    return big.status?.conditions?.some((x) => x.type === 'PodScheduled' && x.status === 'False') ?? false;
  }, 20_000, 'PodScheduled=False');
  const cond = big!.status!.conditions!.find((x) => x.type === 'PodScheduled')!;
  t.is(cond.reason, 'Unschedulable');
  t.regex(cond.message!, /^0\/3 nodes are available: 3 Insufficient cpu\. /);
  t.is(big!.spec?.nodeName, undefined);
  const failedEvents = async (): Promise<number> =>
    (await c.api.list(events, { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'big' && e.reason === 'FailedScheduling').length;
  await until(async () => (await failedEvents()) === 1, 10_000, 'FailedScheduling event');
  const ev = (await c.api.list(events, { namespace: 'default' })).items.find((e) => e.reason === 'FailedScheduling')!;
  t.is(ev.type, 'Warning');
  t.is(ev.message, cond.message);

  // A node change that does not help: retried (NodeUpdate unparks it), same message, nothing written again.
  const n0 = await c.api.get(nodes, 'node-0');
  await c.api.update(nodes, { ...n0, metadata: { ...n0.metadata, labels: { ...n0.metadata.labels, touched: 'yes' } } });
  await until(async () => (await stats(c)).attempts >= 2, 20_000, 'a second attempt');
  const s = await stats(c);
  t.is(s.conditionsWritten, 1);
  const again = await c.api.get(pods, 'big', { namespace: 'default' });
  t.is(again.metadata.resourceVersion, big!.metadata.resourceVersion, 'the status is not patched again');
  const ev2 = (await c.api.list(events, { namespace: 'default' })).items.find((e) => e.reason === 'FailedScheduling')!;
  t.is(ev2.count, 1);

  // A node that fits: the parked pod is retried and bound there.
  await c.api.create(nodes, node('large', '16'));
  await until(async () => !!(await c.api.get(pods, 'big', { namespace: 'default' })).spec?.nodeName, 20_000, 'big bound');
  t.is((await c.api.get(pods, 'big', { namespace: 'default' })).spec?.nodeName, 'large');
});

test('restarted mid-way, the scheduler rebuilds from the api-server and never rebinds a pod or overcommits a node', async (t) => {
  const c = await startTestCluster(t, { batchSize: 5 });
  for (let i = 0; i < 3; i++) await c.api.create(nodes, node(`node-${i}`, '8', '16Gi', 10));
  await Promise.all(Array.from({ length: 12 }, (_, i) => c.api.create(pods, pod(`a-${i}`, '1', '1Gi'))));
  await until(async () => (await allPods(c.api)).every((p) => p.spec?.nodeName), 20_000, 'first pods bound');
  // Killed mid-way through a stream of new pods: some bound by the old instance, some pending, some binds maybe in flight.
  for (let i = 0; i < 12; i++) {
    await c.api.create(pods, pod(`b-${i}`, '1', '1Gi'));
    if (i === 5) await c.sup.terminateChild('scheduler');
  }
  const before = new Map((await allPods(c.api)).filter((p) => p.spec?.nodeName).map((p) => [p.metadata.name!, p.spec!.nodeName!]));
  t.log(`${before.size} of 24 bound before the restart`);
  t.true(before.size < 24);
  await new Promise((r) => setTimeout(r, 200));
  t.is((await allPods(c.api)).filter((p) => p.spec?.nodeName).length, before.size, 'nothing binds while it is down');

  await c.sup.startChild(schedulerChildSpec({ batchSize: 5 }));
  await c.sup.request('scheduler', { type: 'scheduler.ready' }, { timeoutMs: 20_000 });
  await until(async () => (await allPods(c.api)).every((p) => p.spec?.nodeName), 20_000, 'all bound after restart');
  const after = await allPods(c.api);
  for (const [name, nodeName] of before) t.is(after.find((p) => p.metadata.name === name)!.spec!.nodeName, nodeName, name);
  const s = await stats(c);
  t.is(s.bindings.ok, 24 - before.size, 'the new instance bound only the pods still pending');
  t.is(s.bindings.failed, 0, 'and never tried to bind a bound one');
  await assertWithinAllocatable(t, c.api);
  // 24 cpus of requests on 3 x 8 cpus: exactly full, and the bound pods counted after the restart.
  const perNode = new Map<string, number>();
  for (const p of after) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
  t.deepEqual([...perNode.values()].sort(), [8, 8, 8]);
});

test('preemption: the lower-priority victim is deleted through the api-server, the preemptor nominated and then bound', async (t) => {
  const c = await startTestCluster(t);
  await c.api.create(priorityClasses, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
  await c.api.create(nodes, node('only', '2'));
  const low = pod('low', '2');
  low.spec!.terminationGracePeriodSeconds = 0;
  await c.api.create(pods, low);
  await until(async () => !!(await c.api.get(pods, 'low', { namespace: 'default' })).spec?.nodeName, 20_000, 'low bound');
  const high = pod('high', '2');
  high.spec!.priorityClassName = 'high';
  await c.api.create(pods, high);
  await until(async () => (await allPods(c.api)).every((p) => p.metadata.name !== 'low'), 20_000, 'victim deleted');
  await until(async () => (await c.api.get(pods, 'high', { namespace: 'default' })).spec?.nodeName === 'only', 20_000, 'preemptor bound');
  const h = await c.api.get(pods, 'high', { namespace: 'default' });
  t.is(h.status?.nominatedNodeName, 'only');
  const s = await stats(c);
  t.is(s.preemptions, 1);
  t.is(s.victimsDeleted, 1);
  const reasons = (await c.api.list(events, { namespace: 'default' })).items.map((e) => `${e.involvedObject.name}:${e.reason}`);
  t.true(reasons.includes('low:Preempted'), reasons.join(' '));
});
