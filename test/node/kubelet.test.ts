/**
 * Simulated kubelets over the real store, api-server, controller-manager and
 * scheduler, under the virtual clock: what a user of the cluster sees.
 */
import test from 'ava';
import { inCidr, parsePodCidr } from '../../actors/node/ipam.js';
import type { KubeletStats } from '../../actors/node/messages.js';
import { nodeAddress } from '../../actors/node/spec.js';
import { deployments, leases, nodes, pods } from '../../lib/api/resources/index.js';
import type { Deployment } from '../../lib/api/types/apps.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { runUntil, secondsBetween, startNodeCluster } from './cluster.js';

const sim = { pullMs: 2_000, startMs: 1_000, readyDelayMs: 3_000 };
const args = { sim, taints: [{ key: 'berth.dev/simulated', effect: 'PreferNoSchedule' as const }] };

const isReady = (p: Pod): boolean => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type);

function bare(name: string, annotation?: object, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', ...(annotation ? { annotations: { 'berth.dev/simulate': JSON.stringify(annotation) } } : {}) },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36' }], ...extra },
  };
}

test('three nodes register with capacity, labels, taints, addresses, podCIDR and Ready; their leases renew every 10 s', async (t) => {
  const c = await startNodeCluster(t, 3, args);
  const list = (await c.api.list(nodes)).items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  t.deepEqual(list.map((n) => n.metadata.name), ['node-0', 'node-1', 'node-2']);
  for (const [i, n] of list.entries()) {
    t.is(n.metadata.labels?.['kubernetes.io/hostname'], n.metadata.name);
    t.is(n.metadata.labels?.['topology.kubernetes.io/zone'], `zone-${i}`);
    t.is(n.status?.capacity?.['pods'], '110');
    t.is(n.status?.allocatable?.['cpu'], '8');
    t.deepEqual(n.spec?.taints?.map((x) => x.key), ['berth.dev/simulated']);
    t.is(n.spec?.podCIDR, `127.128.${i}.0/24`);
    t.deepEqual(n.status?.addresses, [{ type: 'InternalIP', address: `127.2.0.${i + 1}` }, { type: 'Hostname', address: n.metadata.name! }]);
    const ready = n.status?.conditions?.find((x) => x.type === 'Ready');
    t.is(ready?.status, 'True');
    t.truthy(ready?.lastHeartbeatTime);
  }
  const renewTimes = async (): Promise<number[]> =>
    (await c.api.list(leases, { namespace: 'kube-node-lease' })).items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!)).map((l) => Date.parse(l.spec!.renewTime!));
  // kubelet.ready answers once the pod informer synced; the first lease write may still be in flight: let it land.
  await c.sup.clock.runFor(0);
  const before = await renewTimes();
  t.is(before.length, 3);
  await c.sup.clock.runFor(30_000);
  const after = await renewTimes();
  for (let i = 0; i < 3; i++) t.is(after[i]! - before[i]!, 30_000, `lease ${i} renewed three times, 10 s apart`);
  // The node status heartbeat (every 60 s) moves lastHeartbeatTime on.
  await c.sup.clock.runFor(40_000);
  const n0 = await c.api.get(nodes, 'node-0');
  const hb = n0.status!.conditions!.find((x) => x.type === 'Ready')!;
  t.true(secondsBetween(hb.lastTransitionTime, hb.lastHeartbeatTime) >= 60);
});

test('a Deployment of 6 replicas reaches 6 Ready pods with the configured latencies; pod IPs are unique and inside their node\'s podCIDR', async (t) => {
  const c = await startNodeCluster(t, 3, args);
  const d: Deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 6, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  };
  await c.api.create(deployments, d);
  const ready = async (): Promise<Pod[]> => (await c.api.list(pods, { namespace: 'default' })).items.filter(isReady);
  const took = await runUntil(c.sup, async () => (await ready()).length === 6, '6 ready pods');
  t.log(`6 pods Ready after ${took / 1000} s of virtual time`);
  t.true(took >= 6_000 && took <= 8_000, `ready after ${took} ms: pull 2 s + start 1 s + readiness 3 s`);
  const ps = await ready();
  const byNode = new Map((await c.api.list(nodes)).items.map((n) => [n.metadata.name!, n]));
  for (const p of ps) {
    t.is(p.status?.phase, 'Running');
    const cs = p.status!.containerStatuses![0]!;
    t.true(cs.ready);
    t.is(cs.restartCount, 0);
    t.is(cs.image, 'nginx:1.27');
    t.regex(cs.imageID, /^nginx@sha256:[0-9a-f]{64}$/);
    t.regex(cs.containerID!, /^berth-sim:\/\/[0-9a-f]{64}$/);
    const startedAt = cs.state!.running!.startedAt;
    // Image pulls are shared per node and serialized: 2 s pull + 1 s start, within a second of rounding.
    t.true(Math.abs(secondsBetween(p.status!.startTime, startedAt) - 3) <= 1, `${p.metadata.name}: running 3 s after start`);
    t.is(secondsBetween(startedAt, cond(p, 'Ready')!.lastTransitionTime), 3, 'ready 3 s after running');
    t.is(cond(p, 'ContainersReady')!.lastTransitionTime, cond(p, 'Ready')!.lastTransitionTime);
    t.is(cond(p, 'Initialized')!.status, 'True');
    t.is(cond(p, 'PodScheduled')!.status, 'True');
    const node = byNode.get(p.spec!.nodeName!)!;
    const cidr = parsePodCidr(node.spec!.podCIDR!);
    t.true(cidr.ok && inCidr(p.status!.podIP!, cidr.value), `${p.status!.podIP} in ${node.spec!.podCIDR}`);
    t.is(p.status!.hostIP, node.status!.addresses![0]!.address);
  }
  t.is(new Set(ps.map((p) => p.status!.podIP)).size, 6, 'pod IPs are unique');
  await runUntil(c.sup, async () => (await c.api.get(deployments, 'web', { namespace: 'default' })).status?.availableReplicas === 6, 'deployment available');
  // Scaling down releases the IPs: the kubelets count what they hold.
  const cur = await c.api.get(deployments, 'web', { namespace: 'default' });
  await c.api.update(deployments, { ...cur, spec: { ...cur.spec!, replicas: 0 } });
  await runUntil(c.sup, async () => (await c.api.list(pods, { namespace: 'default' })).items.length === 0, 'pods gone after scale to 0');
  for (const n of c.names) t.is((await c.sup.request<KubeletStats>(nodeAddress(n), { type: 'kubelet.stats' })).ips, 0, `${n} released its pod IPs`);
});

test('a crash-looping container restarts with back-off 10 s, 20 s, 40 s and shows CrashLoopBackOff between runs', async (t) => {
  const c = await startNodeCluster(t, 3, args);
  await c.api.create(pods, bare('crasher', { exitAfterMs: 5_000, exitCode: 1 }));
  const gaps = new Map<number, number>();
  let sawBackOff = false;
  await runUntil(
    c.sup,
    async () => {
      const p = await c.api.get(pods, 'crasher', { namespace: 'default' });
      const cs = p.status?.containerStatuses?.[0];
      if (cs?.state?.waiting?.reason === 'CrashLoopBackOff') {
        sawBackOff = true;
        t.is(p.status?.phase, 'Running');
        t.false(cs.ready);
      }
      if (cs?.state?.running && cs.lastState?.terminated) {
        t.is(cs.lastState.terminated.exitCode, 1);
        t.is(cs.lastState.terminated.reason, 'Error');
        gaps.set(cs.restartCount, secondsBetween(cs.lastState.terminated.finishedAt, cs.state.running.startedAt));
      }
      return (cs?.restartCount ?? 0) >= 3 && !!cs?.state?.running;
    },
    'three restarts',
    200_000,
    1_000,
  );
  t.true(sawBackOff);
  // Back-off then a 1 s start: 10 + 1, 20 + 1, 40 + 1.
  t.deepEqual([gaps.get(1), gaps.get(2), gaps.get(3)], [11, 21, 41]);
});

test('deleting a pod stops it gracefully, then the kubelet deletes it; a container that ignores SIGTERM is killed at the end of the grace period', async (t) => {
  const c = await startNodeCluster(t, 3, args);
  await c.api.create(pods, bare('polite', { stopMs: 3_000 }));
  await c.api.create(pods, bare('stubborn', { ignoreSigterm: true }, { terminationGracePeriodSeconds: 8 }));
  const get = (name: string): Promise<Pod | undefined> => c.api.get(pods, name, { namespace: 'default' }).catch(() => undefined);
  await runUntil(c.sup, async () => [await get('polite'), await get('stubborn')].every((p) => p && isReady(p)), 'both running');
  await c.api.delete(pods, 'polite', { namespace: 'default' });
  await c.api.delete(pods, 'stubborn', { namespace: 'default' });
  await c.sup.clock.runFor(1_000);
  const stopping = await get('polite');
  t.truthy(stopping?.metadata.deletionTimestamp, 'still there while it stops');
  t.is(cond(stopping!, 'Ready')?.status, 'False');
  const politeGone = await runUntil(c.sup, async () => !(await get('polite')), 'polite gone', 60_000, 500);
  t.true(politeGone >= 1_500 && politeGone <= 2_500, `polite pod gone ${politeGone + 1000} ms after deletion (stop takes 3 s)`);
  t.truthy(await get('stubborn'), 'the stubborn one waits for its grace period');
  const stubbornGone = await runUntil(c.sup, async () => !(await get('stubborn')), 'stubborn gone', 60_000, 500);
  t.true(stubbornGone + 3_000 >= 7_500 && stubbornGone + 3_000 <= 8_500, 'killed at the end of its 8 s grace period');
});
