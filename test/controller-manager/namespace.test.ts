/** The namespace controller, through the fixture (plus a stand-in for namespaces/finalize). */
import test from 'ava';
import type { ApiRequest, ApiResponse } from '../../actors/api-server/messages.js';
import { ApiError } from '../../lib/client/errors.js';
import { configMaps, deployments, namespaces, pods, secrets } from '../../lib/api/resources/index.js';
import type { Namespace } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { NamespaceController } from '../../actors/controller-manager/namespace.js';
import { EPOCH, fixture } from './fixture.js';
import { drain, runFor } from './node-lifecycle-objects.js';
import { runUntil, startNodeCluster } from '../node/cluster.js';

const SPEC_FINALIZERS_PENDING = 'test/spec-finalizers-pending';

function ns(name: string, deleting: boolean): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    // The fake api removes a deleting object once it has no metadata finalizers; this stand-in keeps
    // the namespace until finalize, as the api-server does while spec.finalizers is not empty.
    metadata: { name, finalizers: [SPEC_FINALIZERS_PENDING], ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: deleting ? 'Terminating' : 'Active' },
  };
}

async function setup() {
  const fx = fixture();
  fx.api.seed(namespaces, ns('team', true), ns('other', false));
  fx.api.seed(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'team' }, data: { a: '1' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'other' } });
  fx.api.seed(secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team' } });
  // A pod in graceful termination (its kubelet has 30 s to confirm): the namespace waits for it.
  const lingering: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'team', finalizers: ['example.com/kubelet'], deletionTimestamp: new Date(EPOCH + 30_000).toISOString(), deletionGracePeriodSeconds: 30 },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
  };
  fx.api.seed(pods, lingering);
  const finalizes: ApiRequest[] = [];
  // The api-server's namespaces/finalize: spec.finalizers from the body; a deleting namespace without any goes.
  const transport = {
    async call(req: ApiRequest): Promise<ApiResponse> {
      finalizes.push(req);
      const cur = fx.api.peek(namespaces, undefined, req.name!);
      if (!cur) return { code: 404, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 404, reason: 'NotFound', message: 'not found' } };
      const next = { ...structuredClone(cur), spec: { finalizers: (req.body as Namespace).spec?.finalizers ?? [] } };
      if (next.spec.finalizers.length === 0) next.metadata.finalizers = [];
      await fx.api.update(namespaces, next);
      return { code: 200, body: next };
    },
  };
  Object.assign(fx.api, { transport });
  const c = new NamespaceController(fx);
  await fx.sync();
  return { fx, c, finalizes };
}

test('a deleting namespace is emptied, reports what remains in its conditions, and is finalized once empty', async (t) => {
  const { fx, c, finalizes } = await setup();
  await drain(c);
  const deletes = fx.api.writes((a) => a.verb === 'delete').sort();
  t.deepEqual(deletes, ['delete configmaps cfg', 'delete secrets s'], 'everything in it, nothing elsewhere; the pod was already deleting');
  t.truthy(fx.api.peek(configMaps, 'other', 'cfg'));
  const team = fx.api.peek(namespaces, undefined, 'team')!;
  const cond = (type: string) => team.status!.conditions!.find((x) => x.type === type);
  t.like(cond('NamespaceContentRemaining'), { status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: pods has 1 resource instances' });
  t.like(cond('NamespaceFinalizersRemaining'), { status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/kubelet in 1 resource instances' });
  t.like(cond('NamespaceDeletionContentFailure'), { status: 'False', reason: 'ContentDeleted' });
  t.like(cond('NamespaceDeletionDiscoveryFailure'), { status: 'False', reason: 'ResourcesDiscovered' });
  t.is(team.status!.phase, 'Terminating');
  t.deepEqual(finalizes, [], 'not finalized while content remains');

  // The pod's kubelet confirms; the controller looks again after half the grace period + 1 s.
  const p = structuredClone(fx.api.peek(pods, 'team', 'p')!);
  p.metadata.finalizers = [];
  await fx.api.update(pods, p);
  await runFor(fx, 16_000, 1_000, c);
  t.is(finalizes.length, 1);
  t.deepEqual((finalizes[0]!.body as Namespace).spec?.finalizers, []);
  t.is(finalizes[0]!.subresource, 'finalize');
  t.is(fx.api.peek(namespaces, undefined, 'team'), undefined, 'gone');
  t.truthy(fx.api.peek(namespaces, undefined, 'other'));
});

test('a failed delete is reported in NamespaceDeletionContentFailure and retried', async (t) => {
  const { fx, c } = await setup();
  fx.api.fail = (a) => (a.verb === 'delete' && a.resource === 'secrets' ? new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: 'etcd is sad' }) : undefined);
  await c.reconcile('team');
  const cond = fx.api.peek(namespaces, undefined, 'team')!.status!.conditions!.find((x) => x.type === 'NamespaceDeletionContentFailure');
  t.like(cond, { status: 'True', reason: 'ContentDeletionFailed' });
  t.regex(cond!.message!, /^Failed to delete all resource types, 1 remaining: secrets "s": etcd is sad$/);
  fx.api.fail = undefined;
  await c.reconcile('team');
  t.is(fx.api.peek(secrets, 'team', 's'), undefined);
});

test('end to end: deleting a namespace with a running Deployment removes its pods (confirmed by the kubelets), everything else, then the namespace', async (t) => {
  const c = await startNodeCluster(t, 2, { sim: { startMs: 500, stopMs: 2_000 } });
  await c.api.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  await c.api.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'team' } });
  await c.api.create(deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'team' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
  });
  const running = async () => (await c.api.list(pods, { namespace: 'team' })).items.filter((p) => p.status?.phase === 'Running').length;
  await runUntil(c.sup, async () => (await running()) === 3, 'the pods', 60_000);
  const created = await c.api.get(namespaces, 'team');
  t.deepEqual(created.spec?.finalizers, ['kubernetes']);
  await c.api.delete(namespaces, 'team');
  const terminating = await c.api.get(namespaces, 'team');
  t.is(terminating.status?.phase, 'Terminating');
  await t.throwsAsync(c.api.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'team' } }), { message: /being terminated/ });
  const gone = async (): Promise<boolean> => c.api.get(namespaces, 'team').then(() => false, () => true);
  await runUntil(c.sup, gone, 'the namespace to go', 60_000, 500);
  for (const r of [pods, configMaps, deployments]) t.deepEqual((await c.api.list(r, { namespace: 'team' })).items, [], r.plural);
  t.truthy(await c.api.get(namespaces, 'default'));
});
