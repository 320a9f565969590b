/** The garbage collector: fixture cases (reconcile a key, check the calls), then the real api-server's propagation policies. */
import test from 'ava';
import { deployments, pods, replicaSets } from '../../lib/api/resources/index.js';
import type { ReplicaSet } from '../../lib/api/types/apps.js';
import { GarbageCollector } from '../../actors/controller-manager/garbage-collector.js';
import { fixture, settle } from './fixture.js';
import { deployment, ownerRef, pod, rs } from './objects.js';
import { startCmCluster, until } from './cluster.js';
import { kubeconfig } from '../api-server/helpers.js';
import { Kubectl } from '../api-server/kubectl-helpers.js';

function owned(r: ReplicaSet, owner: string, block = true): ReplicaSet {
  r.metadata.ownerReferences = [{ ...ownerRef('Deployment', owner), blockOwnerDeletion: block }];
  return r;
}

test('a dependent whose only owner is gone is deleted (Background)', async (t) => {
  const fx = fixture();
  fx.api.seed(replicaSets, owned(rs('web-1', 1), 'web'));
  const gc = new GarbageCollector(fx);
  await fx.sync();
  await gc.reconcile('replicasets|default/web-1');
  t.deepEqual(fx.api.actions.map((a) => [a.verb, a.name, a.propagationPolicy]), [['delete', 'web-1', 'Background']]);
});

test('a dangling reference beside a live owner is removed, the object kept', async (t) => {
  const fx = fixture();
  const r = owned(rs('web-1', 1), 'web');
  r.metadata.ownerReferences!.push({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'other', uid: 'uid-other' });
  fx.api.seed(deployments, { ...deployment('other', 1), metadata: { ...deployment('other', 1).metadata, uid: 'uid-other' } });
  fx.api.seed(replicaSets, r);
  const gc = new GarbageCollector(fx);
  await fx.sync();
  await gc.reconcile('replicasets|default/web-1');
  t.deepEqual(fx.api.writes(), ['update replicasets web-1']);
  t.deepEqual(fx.api.peek(replicaSets, 'default', 'web-1')!.metadata.ownerReferences!.map((x) => x.name), ['other']);
});

test('an owner found neither in the cache nor by a live read with the same uid is dangling; a live one is not', async (t) => {
  const fx = fixture();
  fx.api.seed(pods, pod('p', { owner: ownerRef('ReplicaSet', 'web-1', 'uid-old') }));
  fx.api.seed(replicaSets, rs('web-1', 1, { uid: 'uid-new' }));
  const gc = new GarbageCollector(fx);
  await fx.sync();
  await gc.reconcile('pods|default/p');
  t.deepEqual(fx.api.writes(), ['delete pods p'], 'same name, different uid: the owner is gone');
});

test('status updates queue nothing; an update that points a pod at a missing owner queues it, and it is deleted', async (t) => {
  const fx = fixture();
  fx.api.seed(replicaSets, rs('web-1', 1, { uid: 'uid-web-1' }));
  fx.api.seed(pods, pod('p', { owner: ownerRef('ReplicaSet', 'web-1', 'uid-web-1') }));
  const gc = new GarbageCollector(fx);
  await fx.sync();
  while (await gc.processNext());
  for (const phase of ['Running', 'Succeeded'] as const) await fx.api.updateStatus(pods, { ...structuredClone(fx.api.peek(pods, 'default', 'p')!), status: { phase } });
  await settle();
  t.is(gc.queue.length, 0, 'a status write says nothing about owners');
  await fx.api.update(pods, { ...structuredClone(fx.api.peek(pods, 'default', 'p')!), metadata: { ...fx.api.peek(pods, 'default', 'p')!.metadata, ownerReferences: [ownerRef('ReplicaSet', 'gone', 'uid-gone')] } });
  await settle();
  t.is(gc.queue.length, 1);
  fx.api.actions.length = 0;
  while (await gc.processNext());
  t.deepEqual(fx.api.writes(), ['delete pods p']);
});

test('orphan finalizer: references to the owner are removed from dependents, then the finalizer', async (t) => {
  const fx = fixture();
  const d = deployment('web', 1);
  d.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
  d.metadata.finalizers = ['orphan'];
  fx.api.seed(deployments, d);
  fx.api.seed(replicaSets, owned(rs('web-1', 1), 'web'));
  const gc = new GarbageCollector(fx);
  await fx.sync();
  await gc.reconcile('deployments|default/web');
  t.deepEqual(fx.api.writes(), ['update replicasets web-1', 'update deployments web']);
  t.is(fx.api.peek(replicaSets, 'default', 'web-1')!.metadata.ownerReferences, undefined);
  t.is(fx.api.peek(deployments, 'default', 'web'), undefined, 'the last finalizer went, so did the object');
});

test('foregroundDeletion: dependents deleted (Foreground when they block), the owner waits for the blocking ones', async (t) => {
  const fx = fixture();
  const d = deployment('web', 1);
  d.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
  d.metadata.finalizers = ['foregroundDeletion'];
  fx.api.seed(deployments, d);
  const blocking = owned(rs('web-1', 1), 'web');
  blocking.metadata.finalizers = ['example.com/hold'];
  fx.api.seed(replicaSets, blocking, owned(rs('web-2', 1), 'web', false));
  const gc = new GarbageCollector(fx);
  await fx.sync();
  await gc.reconcile('deployments|default/web');
  t.deepEqual(fx.api.actions.map((a) => [a.verb, a.name, a.propagationPolicy]), [
    ['delete', 'web-1', 'Foreground'],
    ['delete', 'web-2', 'Background'],
  ]);
  t.truthy(fx.api.peek(deployments, 'default', 'web'), 'web-1 (blocking) is still there');
  // The blocking dependent goes; the owner is requeued and finishes.
  const held = fx.api.peek(replicaSets, 'default', 'web-1')!;
  await fx.api.update(replicaSets, { ...held, metadata: { ...held.metadata, finalizers: ['foregroundDeletion'] } });
  await settle();
  while (await gc.processNext()) await settle();
  t.is(fx.api.peek(replicaSets, 'default', 'web-1'), undefined);
  t.is(fx.api.peek(deployments, 'default', 'web'), undefined);
});

test('propagation policies end to end: Background, Foreground and Orphan (kubectl --cascade)', async (t) => {
  const c = await startCmCluster(t);
  const kubectl = new Kubectl(32, kubeconfig(c.dir, c.url));
  const make = async (name: string): Promise<void> => {
    await c.api.create(deployments, deployment(name, 2));
    await until(async () => (await c.api.list(pods, { namespace: 'default', labelSelector: `app=${name}` })).items.length === 2, 20_000, `${name}'s pods`);
  };
  const count = async (r: typeof pods | typeof replicaSets, name: string): Promise<number> => (await c.api.list(r as typeof pods, { namespace: 'default', labelSelector: `app=${name}` })).items.length;

  await make('bg');
  t.is((await kubectl.run(['delete', 'deployment', 'bg'])).code, 0);
  await until(async () => (await count(replicaSets, 'bg')) === 0 && (await count(pods, 'bg')) === 0, 20_000, 'background collection');
  t.pass();

  await make('fg');
  const res = await c.api.delete(deployments, 'fg', { namespace: 'default', propagationPolicy: 'Foreground' });
  t.deepEqual((res as { metadata: { finalizers?: string[] } }).metadata.finalizers, ['foregroundDeletion'], 'the api-server set the finalizer');
  await until(async () => !(await c.api.list(deployments, { namespace: 'default' })).items.some((x) => x.metadata.name === 'fg'), 20_000, 'foreground deletion');
  t.is(await count(pods, 'fg'), 0);
  t.is(await count(replicaSets, 'fg'), 0);

  await make('or');
  t.is((await kubectl.run(['delete', 'deployment', 'or', '--cascade=orphan'])).code, 0);
  await until(async () => !(await c.api.list(deployments, { namespace: 'default' })).items.some((x) => x.metadata.name === 'or'), 20_000, 'orphan deletion');
  const [left] = (await c.api.list(replicaSets, { namespace: 'default', labelSelector: 'app=or' })).items;
  t.truthy(left, 'the ReplicaSet stays');
  t.is(left!.metadata.ownerReferences, undefined, 'without its owner reference');
  t.is(await count(pods, 'or'), 2);
});
