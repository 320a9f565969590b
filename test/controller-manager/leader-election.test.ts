/**
 * Replicated control plane under the virtual clock on the real store and
 * api-server: of two controller-managers (and of two schedulers) only the
 * holder of the Lease acts; when it goes, the other takes over within the
 * lease duration and the cluster converges without duplicates.
 */
import test from 'ava';
import type { ControllerManagerStats } from '../../actors/controller-manager/messages.js';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import type { SchedulerStats } from '../../actors/scheduler/messages.js';
import { nodeAddress, nodeGroupSpec } from '../../actors/node/spec.js';
import { schedulerChildSpec } from '../../actors/scheduler/spec.js';
import { leases, pods, replicaSets } from '../../lib/api/resources/index.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { startCluster } from '../helpers/cluster.js';
import { runUntil } from '../node/cluster.js';
import { rs } from './objects.js';

const live = (ps: Pod[]): Pod[] => ps.filter((p) => !p.metadata.deletionTimestamp);

test('two controller-managers: only the leader reconciles; killed without releasing, the other takes over within the lease duration', async (t) => {
  const election = { releaseOnStop: false };
  const c = await startCluster(t, {
    clock: 'virtual',
    children: [
      controllerManagerChildSpec({ leaderElection: { ...election, identity: 'cm-a' } }, { id: 'cm-a' }),
      controllerManagerChildSpec({ leaderElection: { ...election, identity: 'cm-b' } }, { id: 'cm-b' }),
    ],
    ready: [{ to: 'cm-a', type: 'cm.ready' }, { to: 'cm-b', type: 'cm.ready' }],
  });
  const stats = (id: string) => c.sup.request<ControllerManagerStats>(id, { type: 'cm.stats' });
  const podCount = async (): Promise<number> => live((await c.api.list(pods, { namespace: 'default' })).items).length;
  const holder = async (): Promise<string | undefined> => (await c.api.get(leases, 'kube-controller-manager', { namespace: 'kube-system' })).spec?.holderIdentity;
  const rsObj = rs('web', 20);
  delete rsObj.metadata.uid;
  await c.api.create(replicaSets, rsObj);
  await runUntil(c.sup, async () => (await podCount()) === 20, '20 pods', 30_000, 500);
  await c.sup.clock.runFor(20_000);
  t.is(await podCount(), 20, 'exactly 20: no duplicates after 20 s more');
  const leader = (await holder()) ?? '';
  t.true(leader === 'cm-a' || leader === 'cm-b');
  const standby = leader === 'cm-a' ? 'cm-b' : 'cm-a';
  const [ls, ss] = [await stats(leader), await stats(standby)];
  t.true(ls.leader!.state === 'leader' && ss.leader!.state === 'candidate');
  t.true((ls.controllers['replicaset']?.reconciles ?? 0) > 0, 'the leader reconciled');
  t.deepEqual(ss.controllers, {}, 'the standby ran no controller');
  t.is(ss.leader!.holder, leader);

  // The leader dies without releasing the Lease; meanwhile the ReplicaSet is scaled.
  await c.sup.terminateChild(leader);
  const killedAt = c.sup.clock.now();
  const cur = await c.api.get(replicaSets, 'web', { namespace: 'default' });
  cur.spec!.replicas = 30;
  await c.api.update(replicaSets, cur);
  const tookOver = await runUntil(c.sup, async () => (await holder()) === standby, 'takeover', 40_000, 250);
  t.true(tookOver <= 15_000 + 2 * 2_000 * 2.2 + 1_000, `took over in ${tookOver} ms: within the 15 s lease duration and a retry`);
  t.true(tookOver >= 15_000 - 2_000, `not before the lease could expire (${tookOver} ms)`);
  await runUntil(c.sup, async () => (await podCount()) === 30, '30 pods', 30_000, 500);
  await c.sup.clock.runFor(10_000);
  t.is(await podCount(), 30, 'converged to exactly 30');
  const after = await stats(standby);
  t.is(after.leader!.state, 'leader');
  t.true((after.controllers['replicaset']?.reconciles ?? 0) > 0);
  const l = await c.api.get(leases, 'kube-controller-manager', { namespace: 'kube-system' });
  t.is(l.spec?.leaseTransitions, 1);
  t.log(`takeover ${tookOver} ms of virtual time after the leader was killed at ${killedAt}`);
});

test('two schedulers: only the leader binds; after a clean stop (Lease released) the other schedules at once', async (t) => {
  const names = ['node-0', 'node-1'];
  const c = await startCluster(t, {
    clock: 'virtual',
    children: [
      schedulerChildSpec({ leaderElection: { identity: 'sched-a' } }, { id: 'sched-a' }),
      schedulerChildSpec({ leaderElection: { identity: 'sched-b' } }, { id: 'sched-b' }),
      nodeGroupSpec(names),
    ],
    ready: [{ to: 'sched-a', type: 'scheduler.ready' }, { to: 'sched-b', type: 'scheduler.ready' }, ...names.map((n) => ({ to: nodeAddress(n), type: 'kubelet.ready' }))],
  });
  const stats = (id: string) => c.sup.request<SchedulerStats>(id, { type: 'scheduler.stats' });
  const bare = (name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
  const bound = async (): Promise<number> => (await c.api.list(pods, { namespace: 'default' })).items.filter((p) => p.spec?.nodeName).length;
  for (let i = 0; i < 10; i++) await c.api.create(pods, bare(`p-${i}`));
  await runUntil(c.sup, async () => (await bound()) === 10, '10 bound', 30_000, 250);
  const holder = (await c.api.get(leases, 'kube-scheduler', { namespace: 'kube-system' })).spec?.holderIdentity;
  const [leader, standby] = holder === 'sched-a' ? ['sched-a', 'sched-b'] : ['sched-b', 'sched-a'];
  const [ls, ss] = [await stats(leader), await stats(standby)];
  t.is(ls.scheduled, 10);
  t.is(ls.bindings.failed, 0);
  t.is(ss.scheduled + ss.attempts + ss.bindings.ok + ss.bindings.failed, 0, 'the standby did nothing');
  t.is(ss.leader!.holder, leader);

  await c.sup.terminateChild(leader);
  const l = await c.api.get(leases, 'kube-scheduler', { namespace: 'kube-system' });
  t.falsy(l.spec?.holderIdentity, 'released on a clean stop');
  for (let i = 10; i < 15; i++) await c.api.create(pods, bare(`p-${i}`));
  const took = await runUntil(c.sup, async () => (await bound()) === 15, '15 bound', 30_000, 250);
  t.true(took <= 2_000 * 2.2 + 1_000, `the standby took over without waiting out the lease (${took} ms)`);
  const after = await stats(standby);
  t.is(after.scheduled, 5);
  t.is(after.bindings.failed, 0, 'no pod bound twice');
});
