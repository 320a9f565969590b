/**
 * Node failure end to end, under the virtual clock: store + api-server +
 * controller-manager + scheduler + 20 simulated kubelets. Two nodes go down
 * (`kubelet.fail`); after the 40 s grace period their nodes are Ready=Unknown
 * and tainted unreachable, and after the pods' default 300 s toleration the
 * taint manager deletes their pods, which the ReplicaSet replaces on healthy
 * nodes. Then the nodes come back (`kubelet.recover`).
 */
import test from 'ava';
import { nodeAddress } from '../../actors/node/spec.js';
import { deployments, nodes, pods } from '../../lib/api/resources/index.js';
import type { Deployment } from '../../lib/api/types/apps.js';
import type { Node } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { runUntil, startNodeCluster } from '../node/cluster.js';

const REPLICAS = 40;
const isReady = (p: Pod): boolean => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const readyOf = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready');
const noExecute = (n: Node) => (n.spec?.taints ?? []).filter((x) => x.effect === 'NoExecute').map((x) => x.key);

function deployment(name: string, replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
  };
}

test('two of 20 nodes fail: after grace + toleration every replica runs on a healthy node, none lost or doubled; on recovery taints go and the stranded pods are finalized', async (t) => {
  const c = await startNodeCluster(t, 20, { sim: { startMs: 500, readyDelayMs: 500 } });
  await c.api.create(deployments, deployment('web', REPLICAS));
  const list = async (): Promise<Pod[]> => (await c.api.list(pods, { namespace: 'default' })).items;
  const active = (ps: Pod[]) => ps.filter((p) => !p.metadata.deletionTimestamp);
  await runUntil(c.sup, async () => active(await list()).filter(isReady).length === REPLICAS, 'the first rollout', 60_000);

  // The two nodes with the most pods go down.
  const perNode = new Map<string, number>();
  for (const p of await list()) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
  const failed = [...perNode].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([n]) => n);
  const stranded = (await list()).filter((p) => failed.includes(p.spec!.nodeName!)).map((p) => p.metadata.name!);
  t.true(stranded.length >= 2);
  const failedAt = c.sup.clock.now();
  for (const n of failed) t.true(await c.sup.request(nodeAddress(n), { type: 'kubelet.fail' }));

  // Within the grace period nothing happens.
  await c.sup.clock.runFor(35_000);
  for (const n of failed) t.is(readyOf(await c.api.get(nodes, n))?.status, 'True', `${n} within the grace period`);

  // Past it: Unknown and the unreachable taint; the pods there are marked not ready.
  await runUntil(c.sup, async () => {
    for (const n of failed) if (!noExecute(await c.api.get(nodes, n)).includes('node.kubernetes.io/unreachable')) return false;
    return true;
  }, 'the unreachable taints', 30_000, 1_000);
  t.true(c.sup.clock.now() - failedAt >= 40_000, 'not before the 40 s grace period');
  t.log(`unreachable taints ${Math.round((c.sup.clock.now() - failedAt) / 1000)} s of virtual time after the failure`);
  for (const n of failed) {
    const node = await c.api.get(nodes, n);
    t.like(readyOf(node), { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
  }
  const onFailed = (await list()).filter((p) => failed.includes(p.spec!.nodeName!));
  t.true(onFailed.every((p) => !isReady(p)), 'MarkPodsNotReady');
  t.true(onFailed.every((p) => !p.metadata.deletionTimestamp), 'the default 300 s toleration holds them');

  // After the toleration: replaced on healthy nodes; the old ones stay Terminating (no kubelet to confirm).
  await runUntil(
    c.sup,
    async () => {
      const ps = active(await list());
      return ps.length === REPLICAS && ps.every((p) => isReady(p) && p.status?.phase === 'Running' && !failed.includes(p.spec?.nodeName ?? ''));
    },
    'the replacements',
    400_000,
    5_000,
  );
  t.true(c.sup.clock.now() - failedAt >= 340_000, 'not before grace + toleration');
  t.log(`${stranded.length} stranded pods replaced ${Math.round((c.sup.clock.now() - failedAt) / 1000)} s of virtual time after the failure`);
  const after = await list();
  const live = active(after);
  t.is(live.length, REPLICAS);
  t.is(new Set(live.map((p) => p.metadata.name)).size, REPLICAS, 'unique');
  const terminating = after.filter((p) => p.metadata.deletionTimestamp);
  t.deepEqual(terminating.map((p) => p.metadata.name).sort(), [...stranded].sort(), 'exactly the stranded pods are Terminating');
  for (const p of terminating) t.like(p.status?.conditions?.find((x) => x.type === 'DisruptionTarget'), { status: 'True', reason: 'DeletionByTaintManager' });
  for (const n of failed) t.like(readyOf(await c.api.get(nodes, n)), { status: 'Unknown' });
  // A steady state: nothing more is created meanwhile.
  await c.sup.clock.runFor(60_000);
  t.is(active(await list()).length, REPLICAS);

  // The nodes come back: Ready, taints gone, the stranded pods finalized by their kubelets.
  for (const n of failed) t.true(await c.sup.request(nodeAddress(n), { type: 'kubelet.recover' }));
  await runUntil(
    c.sup,
    async () => {
      for (const n of failed) {
        const node = await c.api.get(nodes, n);
        if (readyOf(node)?.status !== 'True' || (node.spec?.taints ?? []).length > 0) return false;
      }
      return (await list()).every((p) => !p.metadata.deletionTimestamp);
    },
    'the recovery',
    60_000,
    1_000,
  );
  const final = await list();
  t.is(final.length, REPLICAS);
  const d = await c.api.get(deployments, 'web', { namespace: 'default' });
  t.like(d.status, { replicas: REPLICAS, readyReplicas: REPLICAS, availableReplicas: REPLICAS });
});

test('a partitioned kubelet keeps its pods running; on recovery it reports again and the controller lifts its taint', async (t) => {
  const c = await startNodeCluster(t, 4, { sim: { startMs: 500 } });
  await c.api.create(deployments, deployment('web', 8));
  const list = async (): Promise<Pod[]> => (await c.api.list(pods, { namespace: 'default' })).items;
  await runUntil(c.sup, async () => (await list()).filter(isReady).length === 8, 'the rollout', 60_000);
  const victim = 'node-1';
  const mine = (await list()).filter((p) => p.spec?.nodeName === victim).map((p) => p.metadata.name!).sort();
  t.true(mine.length > 0);
  t.true(await c.sup.request(nodeAddress(victim), { type: 'kubelet.partition' }));
  await runUntil(c.sup, async () => noExecute(await c.api.get(nodes, victim)).includes('node.kubernetes.io/unreachable'), 'the taint', 60_000, 1_000);
  const stats = await c.sup.request<{ running: number }>(nodeAddress(victim), { type: 'kubelet.stats' });
  t.is(stats.running, mine.length, 'its pods still run locally');
  t.true(await c.sup.request(nodeAddress(victim), { type: 'kubelet.recover' }));
  await runUntil(
    c.sup,
    async () => {
      const n = await c.api.get(nodes, victim);
      const ps = (await list()).filter((p) => p.spec?.nodeName === victim);
      return readyOf(n)?.status === 'True' && noExecute(n).length === 0 && ps.length === mine.length && ps.every(isReady);
    },
    'the recovery',
    30_000,
    1_000,
  );
  // Same pods, never restarted: they ran on through the partition.
  const ps = (await list()).filter((p) => p.spec?.nodeName === victim);
  t.deepEqual(ps.map((p) => p.metadata.name!).sort(), mine);
  t.true(ps.every((p) => (p.status?.containerStatuses ?? []).every((s) => s.restartCount === 0)));
});

test('a node that fails and comes back before the toleration runs out restarts its pods, counting one restart each', async (t) => {
  const c = await startNodeCluster(t, 4, { sim: { startMs: 500 } });
  await c.api.create(deployments, deployment('web', 8));
  const list = async (): Promise<Pod[]> => (await c.api.list(pods, { namespace: 'default' })).items;
  await runUntil(c.sup, async () => (await list()).filter(isReady).length === 8, 'the rollout', 60_000);
  const victim = 'node-2';
  const mine = (await list()).filter((p) => p.spec?.nodeName === victim).map((p) => p.metadata.name!).sort();
  t.true(mine.length > 0);
  t.true(await c.sup.request(nodeAddress(victim), { type: 'kubelet.fail' }));
  const stats = await c.sup.request<{ pods: number; ips: number }>(nodeAddress(victim), { type: 'kubelet.stats' });
  t.like(stats, { pods: 0, ips: 0 }, 'containers and IPs lost');
  await runUntil(c.sup, async () => readyOf(await c.api.get(nodes, victim))?.status === 'Unknown', 'Unknown', 60_000, 1_000);
  t.true(await c.sup.request(nodeAddress(victim), { type: 'kubelet.recover' }));
  await runUntil(
    c.sup,
    async () => {
      const n = await c.api.get(nodes, victim);
      const ps = (await list()).filter((p) => p.spec?.nodeName === victim);
      return readyOf(n)?.status === 'True' && (n.spec?.taints ?? []).length === 0 && ps.length === mine.length && ps.every(isReady);
    },
    'the reboot',
    30_000,
    1_000,
  );
  const ps = (await list()).filter((p) => p.spec?.nodeName === victim);
  t.deepEqual(ps.map((p) => p.metadata.name!).sort(), mine, 'the same pods, not replaced');
  for (const p of ps) {
    const s = p.status!.containerStatuses![0]!;
    t.is(s.restartCount, 1);
    t.like(s.lastState?.terminated, { exitCode: 137, reason: 'ContainerStatusUnknown' });
    t.truthy(s.state?.running);
  }
  t.is((await list()).filter((p) => !p.metadata.deletionTimestamp).length, 8);
});
