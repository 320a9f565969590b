/**
 * The disruption controller, through the fixture (preload budgets, pods and
 * their controllers, reconcile, check the status written), and end to end:
 * a Deployment behind a budget on simulated nodes, evicted one pod at a time
 * as `kubectl drain` would.
 */
import test from 'ava';
import { deployments, pods, podDisruptionBudgets, replicaSets, jobs } from '../../lib/api/resources/index.js';
import type { Deployment, ReplicaSet } from '../../lib/api/types/apps.js';
import type { OwnerReference } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from '../../lib/api/types/policy.js';
import { DisruptionController, DELETION_TIMEOUT_MS, scaledValue } from '../../actors/controller-manager/disruption.js';
import { ApiError } from '../../lib/client/errors.js';
import { EPOCH, fixture } from './fixture.js';
import { runUntil, startNodeCluster } from '../node/cluster.js';

const owner = (kind: string, name: string): OwnerReference => ({ apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, name, uid: `uid-${name}`, controller: true });

function pod(name: string, o: { ready?: boolean; owner?: OwnerReference; deleting?: boolean; labels?: Record<string, string> } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: o.labels ?? { app: 'web' }, ...(o.owner ? { ownerReferences: [o.owner] } : {}), ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const rs = (name: string, replicas: number, deployment?: string): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(deployment ? { ownerReferences: [owner('Deployment', deployment)] } : {}) },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});

const deployment = (name: string, replicas: number): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});

const pdb = (spec: PodDisruptionBudgetSpec, status?: PodDisruptionBudget['status']): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  ...(status ? { status } : {}),
});

async function setup(budget: PodDisruptionBudget, pods_: Pod[], extra: (fx: ReturnType<typeof fixture>) => void = () => undefined) {
  const fx = fixture();
  fx.api.seed(podDisruptionBudgets, budget);
  fx.api.seed(pods, ...pods_);
  extra(fx);
  const c = new DisruptionController(fx);
  await fx.sync();
  return { fx, c, status: () => fx.api.peek(podDisruptionBudgets, 'default', 'web')!.status! };
}

test('percentages round up, as intstr.GetScaledValueFromIntOrPercent with roundUp', (t) => {
  t.is(scaledValue('50%', 3), 2);
  t.is(scaledValue('10%', 1), 1);
  t.is(scaledValue('0%', 7), 0);
  t.is(scaledValue(4, 100), 4);
});

test('integer minAvailable: expected pods are the pods found; one Ready pod more than needed is one disruption', async (t) => {
  const { fx, c, status } = await setup(pdb({ minAvailable: 2 }), [pod('a'), pod('b'), pod('c'), pod('slow', { ready: false }), pod('going', { deleting: true }), pod('db', { labels: { app: 'db' } })]);
  await c.reconcile('default/web');
  t.deepEqual(fx.api.writes(), ['update-status poddisruptionbudgets web']);
  t.like(status(), { observedGeneration: 1, expectedPods: 5, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 });
  t.like(status().conditions?.[0], { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', observedGeneration: 1, message: '' });
  fx.api.actions.length = 0;
  await c.reconcile('default/web');
  t.deepEqual(fx.api.writes(), [], 'nothing changed, nothing written');
});

test('maxUnavailable as a percentage counts on the Deployment behind the ReplicaSet, not on the pods that exist', async (t) => {
  const ref = owner('ReplicaSet', 'web-1');
  const { c, status } = await setup(pdb({ maxUnavailable: '25%' }), [pod('a', { owner: ref }), pod('b', { owner: ref }), pod('c', { owner: ref })], (fx) => {
    fx.api.seed(deployments, deployment('web', 8));
    fx.api.seed(replicaSets, rs('web-1', 3, 'web'));
  });
  await c.reconcile('default/web');
  // 8 expected, 25% of 8 = 2 may be unavailable: 6 must be healthy, only 3 are.
  t.like(status(), { expectedPods: 8, desiredHealthy: 6, currentHealthy: 3, disruptionsAllowed: 0 });
  t.like(status().conditions?.[0], { status: 'False', reason: 'InsufficientPods' });
});

test('a pod an eviction was approved for stays out of the healthy count for two minutes, then the entry is dropped with a NotDeleted event', async (t) => {
  const at = new Date(EPOCH).toISOString().replace('.000Z', 'Z');
  const ref = owner('ReplicaSet', 'web-1');
  const { fx, c, status } = await setup(
    pdb({ minAvailable: 1 }, { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2, disruptedPods: { a: at, gone: at } }),
    [pod('a', { owner: ref }), pod('b', { owner: ref })],
    (fx) => fx.api.seed(replicaSets, rs('web-1', 2)),
  );
  await c.reconcile('default/web');
  t.like(status(), { currentHealthy: 1, disruptionsAllowed: 0, disruptedPods: { a: at } }, 'a still counts as going; the entry of a pod that is gone is dropped');
  t.is(c.queue.delayed, 1, 'looked at again when the entry expires');
  fx.clock.advance(DELETION_TIMEOUT_MS + 1_000);
  await c.reconcile('default/web');
  t.like(status(), { currentHealthy: 2, disruptionsAllowed: 1 });
  t.is(status().disruptedPods, undefined);
  const events = fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true }) as { reason?: string; message?: string }[];
  t.true(events.some((e) => e.reason === 'NotDeleted' && e.message === "Pod was expected by PDB default/web to be deleted but it wasn't"));
});

test('a percentage over pods whose controller has no scale fails safe: no disruptions, DisruptionAllowed False/SyncFailed', async (t) => {
  const { fx, c, status } = await setup(
    pdb({ minAvailable: '50%' }, { observedGeneration: 1, disruptionsAllowed: 3, currentHealthy: 4, desiredHealthy: 1, expectedPods: 4 }),
    [pod('a', { owner: owner('Job', 'batch') })],
    (fx) => fx.api.seed(jobs, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'batch', namespace: 'default', uid: 'uid-batch' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }),
  );
  await t.throwsAsync(c.reconcile('default/web'), { message: 'found no controllers for pod "a"' });
  t.is(status().disruptionsAllowed, 0);
  t.like(status().conditions?.[0], { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "a"' });
  const events = fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true }) as { reason?: string }[];
  t.true(events.some((e) => e.reason === 'CalculateExpectedPodCountFailed'));
});

test('end to end: a Deployment of 3 behind minAvailable 2 gives up one pod at a time, and the next once the replacement is Ready', async (t) => {
  const c = await startNodeCluster(t, 2, { sim: { startMs: 500, readyDelayMs: 1_000, stopMs: 1_000 } });
  await c.api.create(deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
  });
  await c.api.create(podDisruptionBudgets, pdb({ minAvailable: 2 }));
  const budget = () => c.api.get(podDisruptionBudgets, 'web', { namespace: 'default' });
  await runUntil(c.sup, async () => (await budget()).status?.disruptionsAllowed === 1, 'the budget to allow one disruption', 60_000);
  t.like((await budget()).status, { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3 });

  const live = async (): Promise<Pod[]> => (await c.api.list(pods, { namespace: 'default' })).items.filter((p) => !p.metadata.deletionTimestamp);
  const [first, second] = await live();
  t.like(await c.api.evict(first!.metadata.name!, { namespace: 'default' }), { code: 201 });
  const refused = await t.throwsAsync(c.api.evict(second!.metadata.name!, { namespace: 'default' }), { instanceOf: ApiError });
  t.is(refused!.status.code, 429, 'the second eviction waits for the replacement');

  await runUntil(c.sup, async () => (await budget()).status?.disruptionsAllowed === 1, 'the replacement to be Ready and the budget to allow one again', 60_000);
  t.like(await c.api.evict(second!.metadata.name!, { namespace: 'default' }), { code: 201 });
  await runUntil(c.sup, async () => (await live()).length === 3 && (await budget()).status?.currentHealthy === 3, 'three Ready pods again', 60_000);
  const names = (await live()).map((p) => p.metadata.name);
  t.false(names.includes(first!.metadata.name) || names.includes(second!.metadata.name), 'both evicted pods were replaced');
});
