/**
 * pods/eviction against PodDisruptionBudgets, on a real store and
 * api-server with no controllers: each test writes the budget's status as
 * the disruption controller would, then evicts, and checks what Kubernetes'
 * eviction subresource answers and what it leaves behind.
 */
import test from 'ava';
import { pods, podDisruptionBudgets } from '../../lib/api/resources/index.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../lib/api/types/policy.js';
import type { ApiClient } from '../../lib/client/client.js';
import { ApiError } from '../../lib/client/errors.js';
import { startCluster } from '../helpers/cluster.js';

const NS = 'default';

async function runningPod(api: ApiClient, name: string, ready = true, labels: Record<string, string> = { app: 'web' }): Promise<Pod> {
  const created = await api.create(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } });
  const conditions = [{ type: 'Ready', status: ready ? 'True' : 'False' } as const];
  return api.updateStatus(pods, { ...created, status: { ...created.status, phase: 'Running', conditions } });
}

async function budget(api: ApiClient, name: string, spec: PodDisruptionBudget['spec'], status?: Partial<PodDisruptionBudgetStatus>): Promise<PodDisruptionBudget> {
  const created = await api.create(podDisruptionBudgets, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: NS }, spec });
  if (!status) return created;
  const full: PodDisruptionBudgetStatus = { observedGeneration: created.metadata.generation, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...status };
  return api.updateStatus(podDisruptionBudgets, { ...created, status: full });
}

async function refusal(t: { throwsAsync: (p: Promise<unknown>, e: { instanceOf: typeof ApiError }) => Promise<ApiError | undefined> }, p: Promise<unknown>): Promise<ApiError> {
  return (await t.throwsAsync(p, { instanceOf: ApiError }))!;
}

const terminating = async (api: ApiClient, name: string): Promise<boolean> => !!(await api.get(pods, name, { namespace: NS })).metadata.deletionTimestamp;

test('a budget with a disruption to spare lets one pod go, spends it, and refuses the next with 429 and the DisruptionBudget cause', async (t) => {
  const { api } = await startCluster(t);
  await runningPod(api, 'a');
  await runningPod(api, 'b');
  await budget(api, 'web', { minAvailable: 1, selector: { matchLabels: { app: 'web' } } }, { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 });

  const ok = await api.evict('a', { namespace: NS });
  t.like(ok, { kind: 'Status', status: 'Success', code: 201 });
  t.true(await terminating(api, 'a'), 'the evicted pod is being deleted (gracefully)');
  const spent = await api.get(podDisruptionBudgets, 'web', { namespace: NS });
  t.is(spent.status!.disruptionsAllowed, 0);
  t.deepEqual(Object.keys(spent.status!.disruptedPods ?? {}), ['a'], 'the controller is told which pod is on its way out');
  t.like(spent.status!.conditions?.find((c) => c.type === 'DisruptionAllowed'), { status: 'False', reason: 'InsufficientPods' });

  const err = await refusal(t, api.evict('b', { namespace: NS }));
  t.is(err.status.code, 429);
  t.is(err.status.reason, 'TooManyRequests');
  t.is(err.status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  t.deepEqual(err.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 1 healthy pods and has 2 currently' }]);
  t.false(await terminating(api, 'b'), 'the refused pod keeps running');
});

test('a budget whose status the controller has not computed for its spec refuses with 429, retry after 10 s', async (t) => {
  const { api } = await startCluster(t);
  await runningPod(api, 'a');
  await budget(api, 'web', { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } });
  const err = await refusal(t, api.evict('a', { namespace: NS }));
  t.is(err.status.code, 429);
  t.is(err.status.details?.retryAfterSeconds, 10);
  t.deepEqual(err.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web is still being processed by the server.' }]);
  t.false(await terminating(api, 'a'));
});

test('pods that are Pending or finished cost no budget; pods no budget covers go at once', async (t) => {
  const { api } = await startCluster(t);
  await budget(api, 'web', { maxUnavailable: 0, selector: { matchLabels: { app: 'web' } } }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 });
  await api.create(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending', namespace: NS, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  t.like(await api.evict('pending', { namespace: NS }), { code: 201 });
  const done = await runningPod(api, 'done');
  await api.updateStatus(pods, { ...done, status: { ...done.status, phase: 'Succeeded' } });
  t.like(await api.evict('done', { namespace: NS }), { code: 201 });
  await runningPod(api, 'other', true, { app: 'db' });
  t.like(await api.evict('other', { namespace: NS }), { code: 201 });
  t.is((await api.get(podDisruptionBudgets, 'web', { namespace: NS })).status!.disruptionsAllowed, 0, 'nothing was spent');
});

test('an unready pod goes without spending while the budget is met (IfHealthyBudget), always with AlwaysAllow, and not otherwise', async (t) => {
  const { api } = await startCluster(t);
  await runningPod(api, 'sick', false);
  await budget(api, 'web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }, { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3 });
  t.like(await api.evict('sick', { namespace: NS }), { code: 201 });
  t.is((await api.get(podDisruptionBudgets, 'web', { namespace: NS })).status!.disruptionsAllowed, 0);

  await runningPod(api, 'sick2', false, { app: 'api' });
  await budget(api, 'api', { minAvailable: 2, selector: { matchLabels: { app: 'api' } } }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2, expectedPods: 2 });
  t.is((await refusal(t, api.evict('sick2', { namespace: NS }))).status.code, 429, 'below its budget, even an unready pod is protected');

  await runningPod(api, 'sick3', false, { app: 'batch' });
  await budget(api, 'batch', { minAvailable: 2, selector: { matchLabels: { app: 'batch' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2, expectedPods: 2 });
  t.like(await api.evict('sick3', { namespace: NS }), { code: 201 });
});

test('two budgets over one pod are refused with 500; a dry run spends nothing and deletes nothing', async (t) => {
  const { api } = await startCluster(t);
  await runningPod(api, 'a');
  const status = { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 };
  await budget(api, 'one', { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } }, status);
  t.like(await api.evict('a', { namespace: NS, dryRun: true }), { code: 201 });
  t.false(await terminating(api, 'a'));
  t.is((await api.get(podDisruptionBudgets, 'one', { namespace: NS })).status!.disruptionsAllowed, 1);

  await budget(api, 'everything', { maxUnavailable: 1, selector: {} }, status);
  const err = await refusal(t, api.evict('a', { namespace: NS }));
  t.is(err.status.code, 500);
  t.is(err.status.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  t.false(await terminating(api, 'a'));
});

test('budgets are validated as Kubernetes does: one of minAvailable and maxUnavailable, percentages up to 100%, known policies', async (t) => {
  const { api } = await startCluster(t);
  const err = await refusal(
    t,
    api.create(podDisruptionBudgets, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'bad', namespace: NS }, spec: { minAvailable: 1, maxUnavailable: '120%', unhealthyPodEvictionPolicy: 'Sometimes' as 'AlwaysAllow' } }),
  );
  t.is(err.status.code, 422);
  t.deepEqual(
    err.status.details?.causes?.map((c) => c.field),
    ['spec', 'spec.maxUnavailable', 'spec.unhealthyPodEvictionPolicy'],
  );
  t.regex(err.status.message!, /minAvailable and maxUnavailable cannot be both set/);
  t.regex(err.status.message!, /must not be greater than 100%/);
  const created = await budget(api, 'ok', { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } });
  t.is(created.metadata.generation, 1);
  const changed = await api.update(podDisruptionBudgets, { ...created, spec: { ...created.spec, minAvailable: '60%' } });
  t.is(changed.metadata.generation, 2, 'a spec change is a new generation the controller must observe');
});

test('a status write with a disruptedPods entry that is no time, a negative counter or a bad condition is refused with 422 and its field path', async (t) => {
  const { api } = await startCluster(t);
  const created = await budget(api, 'web', { minAvailable: 1, selector: { matchLabels: { app: 'web' } } });
  const bad = {
    ...created,
    status: {
      observedGeneration: 1, disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0,
      disruptedPods: { a: 'yesterday' },
      conditions: [{ type: 'DisruptionAllowed', status: 'Maybe', reason: 'X', message: '' }],
    },
  } as unknown as PodDisruptionBudget;
  const err = await refusal(t, api.updateStatus(podDisruptionBudgets, bad));
  t.is(err.status.code, 422);
  t.deepEqual(err.status.details?.causes?.map((c) => c.field), ['status.disruptionsAllowed', 'status.disruptedPods[a]', 'status.conditions[0].status', 'status.conditions[0].lastTransitionTime']);
  t.deepEqual((await api.get(podDisruptionBudgets, 'web', { namespace: NS })).status, created.status ?? {}, 'nothing was written');
});
