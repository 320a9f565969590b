/** The node lifecycle controller through the fixture: leases, grace periods, conditions, taints, zones. */
import test from 'ava';
import { leases, nodes, pods } from '../../lib/api/resources/index.js';
import type { Node } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { NodeLifecycleController, ZONES_KEY } from '../../actors/controller-manager/node-lifecycle.js';
import { EPOCH, fixture } from './fixture.js';
import { boundPod, drain, lease, node, runFor, taintKeys } from './node-lifecycle-objects.js';

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';

async function setup(nodeList: Node[], podList: Pod[] = [], settings = {}) {
  const fx = fixture();
  fx.api.seed(nodes, ...nodeList);
  fx.api.seed(leases, ...nodeList.map((n) => lease(n.metadata.name!)));
  if (podList.length > 0) fx.api.seed(pods, ...podList);
  const c = new NodeLifecycleController(fx, settings);
  await fx.sync();
  return { fx, c, peek: (name: string) => fx.api.peek(nodes, undefined, name)! };
}

async function renew(fx: ReturnType<typeof fixture>, name: string): Promise<void> {
  const l = fx.api.peek(leases, 'kube-node-lease', name)!;
  await fx.api.update(leases, { ...l, spec: { ...l.spec, renewTime: new Date(fx.clock.now()).toISOString() } });
}

/** Run `ms` in 5 s steps while the kubelets of `alive` renew their leases every step. */
async function live(fx: ReturnType<typeof fixture>, c: NodeLifecycleController, ms: number, alive: readonly string[]): Promise<void> {
  for (let t = 0; t < ms; t += 5_000) {
    for (const n of alive) await renew(fx, n);
    await runFor(fx, Math.min(5_000, ms - t), 1_000, c);
  }
}

test('a node whose lease stops being renewed goes Unknown after the 40 s grace period, with the unreachable taints and its pods not ready', async (t) => {
  const { fx, c, peek } = await setup([node('n1'), node('n2')], [boundPod('p1', 'n1'), boundPod('p2', 'n2')]);
  await runFor(fx, 30_000, 5_000, c);
  await renew(fx, 'n2');
  t.deepEqual(fx.api.writes(), ['update leases n2'], 'nothing happens within the grace period');
  await runFor(fx, 10_000 + 1, 1_000, c);
  const n1 = peek('n1');
  const ready = n1.status!.conditions!.find((x) => x.type === 'Ready')!;
  t.like(ready, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: '2025-01-01T00:00:00Z' });
  t.is(Date.parse(ready.lastTransitionTime!), Math.floor((EPOCH + 40_001) / 1000) * 1000);
  for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) t.is(n1.status!.conditions!.find((x) => x.type === type)!.status, 'Unknown', type);
  t.deepEqual(taintKeys(n1, 'NoSchedule'), [UNREACHABLE]);
  t.deepEqual(taintKeys(n1, 'NoExecute'), [UNREACHABLE]);
  t.truthy(n1.spec!.taints!.find((x) => x.effect === 'NoExecute')!.timeAdded);
  t.is(fx.api.peek(pods, 'default', 'p1')!.status!.conditions!.find((x) => x.type === 'Ready')!.status, 'False', 'MarkPodsNotReady');
  t.is(fx.api.peek(pods, 'default', 'p2')!.status!.conditions!.find((x) => x.type === 'Ready')!.status, 'True');
  t.is(peek('n2').status!.conditions!.find((x) => x.type === 'Ready')!.status, 'True', 'n2 renewed its lease at 30 s');
  t.deepEqual(peek('n2').spec?.taints ?? [], []);
  await fx.recorder.flush();
  const evs = fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true }) as unknown as { reason: string; message: string }[];
  t.true(evs.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node n1 status is now: NodeNotReady'));
  // n2 goes too, 40 s after its renewal.
  await runFor(fx, 30_000, 1_000, c);
  t.is(peek('n2').status!.conditions!.find((x) => x.type === 'Ready')!.status, 'Unknown');
});

test('Ready=False gets the not-ready taints; a node tainted unreachable swaps at once, outside the rate limit', async (t) => {
  // A Ready node in another zone, so that not every zone is disrupted.
  const { fx, c, peek } = await setup([node('a', { ready: 'False' }), node('b', { ready: 'False', taints: [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: '2025-01-01T00:00:00Z' }] }), node('h', { zone: 'zone-b' })]);
  await c.reconcile('b');
  t.deepEqual(taintKeys(peek('b'), 'NoExecute'), [NOT_READY], 'swapped without the zone pass');
  t.deepEqual(taintKeys(peek('b'), 'NoSchedule'), [NOT_READY]);
  await c.reconcile('a');
  t.deepEqual(taintKeys(peek('a'), 'NoSchedule'), [NOT_READY], 'NoSchedule at once');
  t.deepEqual(taintKeys(peek('a'), 'NoExecute'), [], 'NoExecute waits for the zone pass');
  await c.reconcile(ZONES_KEY);
  t.deepEqual(taintKeys(peek('a'), 'NoExecute'), [NOT_READY]);
});

test('when the kubelet is back (lease renewed, Ready=True) the controller removes its taints and keeps others', async (t) => {
  const foreign = { key: 'dedicated', value: 'db', effect: 'NoSchedule' as const };
  const { fx, c, peek } = await setup([node('n1', { taints: [foreign] }), node('h', { zone: 'zone-b' })]);
  await live(fx, c, 45_000, ['h']);
  t.deepEqual(taintKeys(peek('n1'), 'NoExecute'), [UNREACHABLE]);
  // The kubelet comes back: renews its lease and posts Ready.
  await renew(fx, 'n1');
  const cur = peek('n1');
  const back = structuredClone(cur);
  back.status!.conditions = node('n1', { heartbeat: fx.clock.now() }).status!.conditions;
  await fx.api.updateStatus(nodes, back);
  await drain(c);
  const n1 = peek('n1');
  t.is(n1.status!.conditions!.find((x) => x.type === 'Ready')!.status, 'True');
  t.deepEqual(n1.spec!.taints, [foreign]);
  // And it stays healthy while the lease is renewed.
  await live(fx, c, 60_000, ['n1', 'h']);
  t.is(peek('n1').status!.conditions!.find((x) => x.type === 'Ready')!.status, 'True');
});

test('conditions and spec.unschedulable become NoSchedule taints (TaintNodesByCondition); a node that never posted Ready waits the startup grace', async (t) => {
  const { fx, c, peek } = await setup([node('p', { memoryPressure: true, unschedulable: true }), node('fresh', { ready: null })]);
  await c.reconcile('p');
  t.deepEqual(taintKeys(peek('p'), 'NoSchedule'), ['node.kubernetes.io/memory-pressure', 'node.kubernetes.io/unschedulable']);
  await c.reconcile('fresh');
  t.deepEqual(taintKeys(peek('fresh'), 'NoSchedule'), [], 'a node made by hand is schedulable at first');
  await runFor(fx, 50_000, 5_000, c);
  t.is(peek('fresh').status!.conditions!.find((x) => x.type === 'Ready'), undefined, 'within the 60 s startup grace');
  await runFor(fx, 11_000, 1_000, c);
  t.like(peek('fresh').status!.conditions!.find((x) => x.type === 'Ready'), { status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
  t.deepEqual(taintKeys(peek('fresh'), 'NoSchedule'), [UNREACHABLE]);
});

test('rate limit: in a healthy zone NoExecute taints go on at 0.1 nodes/s', async (t) => {
  const list = Array.from({ length: 10 }, (_, i) => node(`n${i}`, { ready: i < 2 ? 'False' : 'True' }));
  const { fx, c, peek } = await setup(list);
  await drain(c);
  const tainted = () => ['n0', 'n1'].filter((n) => taintKeys(peek(n), 'NoExecute').length > 0);
  t.is(tainted().length, 1, 'one token at once');
  await runFor(fx, 9_000, 1_000, c);
  t.is(tainted().length, 1, 'the next one 10 s later');
  await runFor(fx, 1_100, 100, c);
  t.is(tainted().length, 2);
  t.is(c.zoneStates.get(':\u0000:zone-a'), 'Normal');
});

test('rate limit: a partially disrupted small zone stops tainting; a large one slows to 0.01/s; all zones down stops everything', async (t) => {
  // 4 nodes, 3 not ready: 75% >= 55% and more than 2: PartialDisruption; 4 <= 50 nodes: rate 0.
  const small = await setup([...['a', 'b', 'c'].map((n) => node(n, { ready: 'False' })), node('d'), node('e', { zone: 'zone-b' })]);
  await live(small.fx, small.c, 60_000, ['a', 'b', 'c', 'd', 'e']);
  t.is(small.c.zoneStates.get(':\u0000:zone-a'), 'PartialDisruption');
  for (const n of ['a', 'b', 'c']) {
    t.deepEqual(taintKeys(small.peek(n), 'NoExecute'), [], `${n}: no NoExecute taint`);
    t.deepEqual(taintKeys(small.peek(n), 'NoSchedule'), [NOT_READY], `${n}: NoSchedule still`);
  }

  // 60 nodes, 40 not ready: PartialDisruption in a large zone: one node per 100 s.
  const big = await setup(Array.from({ length: 60 }, (_, i) => node(`n${i}`, { ready: i < 40 ? 'False' : 'True' })));
  await live(big.fx, big.c, 150_000, Array.from({ length: 60 }, (_, i) => `n${i}`));
  const count = () => Array.from({ length: 40 }, (_, i) => `n${i}`).filter((n) => taintKeys(big.peek(n), 'NoExecute').length > 0).length;
  t.is(big.c.zoneStates.get(':\u0000:zone-a'), 'PartialDisruption');
  t.true(count() >= 1 && count() <= 3, `about 1 per 100 s; saw ${count()} in 150 s`);

  // Every zone fully disrupted: the control plane assumes it is the one cut off.
  const all = await setup([node('x', { ready: 'Unknown' }), node('y', { ready: 'Unknown', zone: 'zone-b', taints: [{ key: UNREACHABLE, effect: 'NoExecute' }] })]);
  await runFor(all.fx, 30_000, 5_000, all.c);
  t.deepEqual(taintKeys(all.peek('x'), 'NoExecute'), []);
  t.deepEqual(taintKeys(all.peek('y'), 'NoExecute'), [], 'existing NoExecute taints are lifted');
  t.is(all.c.tainters.get(':\u0000:zone-a')!.qps, 0);
});
