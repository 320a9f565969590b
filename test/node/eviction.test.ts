/**
 * Node-pressure eviction on a simulated node, under the virtual clock: the
 * pods' memory comes from the simulate annotation; when memory.available
 * falls below the hard threshold the kubelet reports MemoryPressure, the node
 * lifecycle controller taints the node memory-pressure:NoSchedule, and the
 * kubelet evicts one pod per 10 s in Kubernetes' order until the threshold
 * holds again; evicted pods stay Failed with reason Evicted. The condition
 * and the taint go 5 minutes after the pressure did.
 */
import test from 'ava';
import { nodeSettings } from '../../actors/node/settings.js';
import { bytesText, evictionMessage, rank, resolveThresholds, type Candidate } from '../../actors/node/eviction.js';
import { nodes, pods, priorityClasses } from '../../lib/api/resources/index.js';
import type { Node } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { PodRec } from '../../actors/node/pod-state.js';
import { isNotFound } from '../../lib/client/errors.js';
import { runUntil, startNodeCluster } from './cluster.js';

function pod(name: string, memory: string, opts: { request?: string; priorityClassName?: string; nodeName?: string } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', annotations: { 'berth.dev/simulate': JSON.stringify({ memory }) } },
    spec: {
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      ...(opts.priorityClassName ? { priorityClassName: opts.priorityClassName } : {}),
      containers: [{ name: 'main', image: 'busybox:1.36', ...(opts.request ? { resources: { requests: { memory: opts.request } } } : {}) }],
    },
  };
}

const memoryPressure = (n: Node) => n.status?.conditions?.find((c) => c.type === 'MemoryPressure');
const tainted = (n: Node) => !!n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/memory-pressure' && t.effect === 'NoSchedule');

test('rank: pods over their request first (BestEffort included), then lower priority, then the larger excess; critical pods never', (t) => {
  const c = (name: string, usage: number, request: number, priority = 0): Candidate => ({ rec: { name } as PodRec, pod: undefined, usage, request, priority });
  const order = rank([
    c('within-low', 500, 600, 0),
    c('over-high', 900, 100, 1000),
    c('besteffort-small', 100, 0, 0),
    c('burstable-big', 800, 200, 0),
    c('critical', 5000, 0, 2_000_000_000),
  ]).map((x) => x.rec.name);
  t.deepEqual(order, ['burstable-big', 'besteffort-small', 'over-high', 'within-low']);
});

test('thresholds: memory.available 100Mi and nodefs.available 10% by default; bad ones are named', (t) => {
  const [memory, disk] = resolveThresholds({ memory: '2Gi', 'ephemeral-storage': '100Gi' });
  t.is(memory!.bytes, 100 * 1024 * 1024);
  t.is(memory!.text, '100Mi');
  t.is(disk!.bytes, 10 * 1024 ** 3);
  t.is(disk!.text, '10Gi');
  t.throws(() => resolveThresholds({ memory: '1Gi' }, { 'memory.available': 'lots' }), { message: /evictionHard memory.available<lots/ });
  t.throws(() => nodeSettings('n1', { evictionHard: { 'nodefs.available': '5x' } }), { message: /^node n1: evictionHard nodefs.available<5x: / });
  t.is(bytesText(50 * 1024 * 1024), '50Mi');
  const rec = { sim: { memory: '300Mi' }, stopped: false, containers: [{ name: 'main', stage: 'running' }] } as unknown as PodRec;
  const msg = evictionMessage(memory!, 50 * 1024 * 1024, pod('p', '300Mi', { request: '100Mi' }), rec);
  t.is(msg, 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container main was using 300Mi, request is 100Mi, has larger consumption of memory. ');
});

test('memory pressure: MemoryPressure and the NoSchedule taint; BestEffort evicted first, then a pod over its request despite its priority; the pod within its request stays; all clears 5 min later', async (t) => {
  // 1650Mi of memory; evict while less than 400Mi is available.
  const c = await startNodeCluster(t, 1, {
    capacity: { cpu: '8', memory: '1650Mi', pods: '110', 'ephemeral-storage': '100Gi' },
    evictionHard: { 'memory.available': '400Mi' },
  });
  const node = c.names[0]!;
  await c.api.create(priorityClasses, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
  await c.api.create(pods, pod('within', '600Mi', { request: '800Mi', nodeName: node }));
  await c.api.create(pods, pod('over', '700Mi', { request: '200Mi', priorityClassName: 'high', nodeName: node }));
  await c.api.create(pods, pod('besteffort', '300Mi', { nodeName: node }));
  const get = (name: string) => c.api.get(pods, name, { namespace: 'default' });

  // 1600Mi used, 50Mi available: pressure.
  await runUntil(c.sup, async () => (await c.api.get(nodes, node)).status?.conditions?.find((x) => x.type === 'MemoryPressure')?.status === 'True', 'MemoryPressure', 30_000);
  const n1 = await c.api.get(nodes, node);
  t.is(memoryPressure(n1)?.reason, 'KubeletHasInsufficientMemory');
  t.is(memoryPressure(n1)?.message, 'kubelet has insufficient memory available');
  await runUntil(c.sup, async () => tainted(await c.api.get(nodes, node)), 'memory-pressure taint', 10_000);

  const first = await runUntil(c.sup, async () => (await get('besteffort')).status?.phase === 'Failed', 'besteffort evicted', 30_000);
  t.true(first <= 30_000);
  const be = await get('besteffort');
  t.is(be.status?.reason, 'Evicted');
  t.is(be.status?.message, 'The node was low on resource: memory. Threshold quantity: 400Mi, available: 50Mi. Container main was using 300Mi, request is 0, has larger consumption of memory. ');
  const dt = be.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
  t.is(dt?.status, 'True');
  t.is(dt?.reason, 'TerminationByKubelet');
  t.is((await get('over')).status?.phase, 'Running', 'one pod per eviction period');

  // 350Mi available: still under 400Mi; the next period takes the pod over its request, priority notwithstanding.
  await runUntil(c.sup, async () => (await get('over')).status?.phase === 'Failed', 'over evicted', 30_000);
  const over = await get('over');
  t.is(over.status?.message, 'The node was low on resource: memory. Threshold quantity: 400Mi, available: 350Mi. Container main was using 700Mi, request is 200Mi, has larger consumption of memory. ');
  t.true(Date.parse(dt!.lastTransitionTime!) < Date.parse(over.status!.conditions!.find((x) => x.type === 'DisruptionTarget')!.lastTransitionTime!));

  // 1050Mi available: no more evictions; the pod within its request runs on; the evicted stay in the API, Failed.
  await c.sup.clock.runFor(60_000);
  t.is((await get('within')).status?.phase, 'Running');
  t.deepEqual((await c.api.list(pods, { namespace: 'default' })).items.map((p) => `${p.metadata.name}=${p.status?.phase}`).sort(), ['besteffort=Failed', 'over=Failed', 'within=Running']);
  // Still tainted (the pressure transition period): a new pod waits.
  const n2 = await c.api.get(nodes, node);
  t.is(memoryPressure(n2)?.status, 'True');
  t.true(tainted(n2));
  await c.api.create(pods, pod('newcomer', '100Mi'));
  await c.sup.clock.runFor(5_000);
  t.falsy((await get('newcomer')).spec?.nodeName, 'not scheduled onto a node with memory pressure');
  // Bound past the scheduler, the kubelet itself turns a BestEffort pod away under memory pressure; a Burstable one runs.
  await c.api.create(pods, pod('turned-away', '10Mi', { nodeName: node }));
  await c.api.create(pods, pod('burstable', '10Mi', { nodeName: node, request: '10Mi' }));
  await runUntil(c.sup, async () => (await get('turned-away')).status?.phase === 'Failed' && (await get('burstable')).status?.phase === 'Running', 'admission', 10_000);
  const away = await get('turned-away');
  t.is(away.status?.reason, 'Evicted');
  t.is(away.status?.message, 'The node had condition: [MemoryPressure]. ');
  t.falsy(away.status?.conditions?.find((x) => x.type === 'DisruptionTarget'));
  t.falsy(away.status?.containerStatuses?.[0]?.state?.running);

  // Five minutes after the threshold was last met: no pressure, no taint, and the newcomer runs.
  await runUntil(c.sup, async () => memoryPressure(await c.api.get(nodes, node))?.status === 'False', 'MemoryPressure False', 360_000, 5_000);
  const n3 = await c.api.get(nodes, node);
  t.is(memoryPressure(n3)?.reason, 'KubeletHasSufficientMemory');
  await runUntil(c.sup, async () => (await get('newcomer')).status?.phase === 'Running', 'newcomer running', 30_000);
  t.false(tainted(await c.api.get(nodes, node)));
  // An evicted pod stays until someone deletes it; then the kubelet finishes the deletion (its containers are long gone).
  await c.api.delete(pods, 'besteffort', { namespace: 'default' });
  await runUntil(c.sup, async () => (await get('besteffort').then(() => false, (err: unknown) => isNotFound(err))), 'evicted pod deleted', 10_000);
});

test('disk pressure: ephemeral storage over nodefs.available 10% sets DiskPressure and the disk-pressure taint, and evicts the pod over its ephemeral-storage request', async (t) => {
  const c = await startNodeCluster(t, 1, { capacity: { cpu: '8', memory: '8Gi', pods: '110', 'ephemeral-storage': '10Gi' } });
  const node = c.names[0]!;
  const withStorage = (name: string, used: string, request?: string): Pod => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', annotations: { 'berth.dev/simulate': JSON.stringify({ ephemeralStorage: used }) } },
    spec: { nodeName: node, containers: [{ name: 'main', image: 'busybox:1.36', ...(request ? { resources: { requests: { 'ephemeral-storage': request } } } : {}) }] },
  });
  await c.api.create(pods, withStorage('logs', '5Gi', '6Gi'));
  await c.api.create(pods, withStorage('scratch', '4608Mi', '1Gi'));
  const get = (name: string) => c.api.get(pods, name, { namespace: 'default' });
  await runUntil(c.sup, async () => (await get('scratch')).status?.phase === 'Failed', 'scratch evicted', 30_000);
  const n = await c.api.get(nodes, node);
  const disk = n.status?.conditions?.find((x) => x.type === 'DiskPressure');
  t.is(disk?.status, 'True');
  t.is(disk?.reason, 'KubeletHasDiskPressure');
  await runUntil(c.sup, async () => !!(await c.api.get(nodes, node)).spec?.taints?.some((x) => x.key === 'node.kubernetes.io/disk-pressure'), 'disk-pressure taint', 10_000);
  t.is((await get('scratch')).status?.message, 'The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 512Mi. Container main was using 4608Mi, request is 1Gi, has larger consumption of ephemeral-storage. ');
  await c.sup.clock.runFor(30_000);
  t.is((await get('logs')).status?.phase, 'Running', 'within its request, and the threshold holds again');
});
