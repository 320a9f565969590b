/** The ReplicaSet controller, through the fixture: preload, reconcile(key), check the API calls. */
import test from 'ava';
import { pods, replicaSets } from '../../lib/api/resources/index.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { ReplicaSetController } from '../../actors/controller-manager/replicaset.js';
import { OwnerSlowStart, slowStart } from '../../actors/controller-manager/slow-start.js';
import { rankForDeletion } from '../../actors/controller-manager/pods.js';
import { ApiError } from '../../lib/client/errors.js';
import { EPOCH, fixture, settle } from './fixture.js';
import { ownerRef, pod, rs } from './objects.js';

async function setup(...seed: (() => void)[]) {
  const fx = fixture();
  for (const s of seed) s();
  const c = new ReplicaSetController(fx);
  return { fx, c };
}

test('creates the missing pods from the template, owned by the ReplicaSet, with events and status', async (t) => {
  const fx = fixture();
  fx.api.seed(replicaSets, rs('web', 3));
  const c = new ReplicaSetController(fx);
  await fx.sync();
  await c.reconcile('default/web');
  await fx.recorder.flush();
  const created = fx.api.actions.filter((a) => a.verb === 'create' && a.resource === 'pods').map((a) => a.object as Pod);
  t.is(created.length, 3);
  for (const p of created) {
    t.is(p.metadata.generateName, 'web-');
    t.deepEqual(p.metadata.labels, { app: 'web' });
    t.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    t.is(p.spec?.containers[0]?.image, 'nginx:1');
  }
  const evs = fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true });
  t.is(evs.filter((e) => (e as { reason?: string }).reason === 'SuccessfulCreate').length, 3);
  t.regex((evs[0] as { message?: string }).message ?? '', /^Created pod: web-/);
  // Status was computed before the informer saw the new pods: the next round counts them.
  await settle();
  await c.reconcile('default/web');
  const status = fx.api.peek(replicaSets, 'default', 'web')!.status!;
  t.like(status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 });
});

test('slow start: creates go out in batches of 1, 2, 4, ... and stop at the first failing batch', async (t) => {
  const sizes: number[] = [];
  const r = await slowStart(10, async (n) => {
    sizes.push(n);
    return { ok: n };
  });
  t.deepEqual(sizes, [1, 2, 4, 3]);
  t.deepEqual(r.created, { ok: 10, attempted: 10 });
  const sizes2: number[] = [];
  const r2 = await slowStart(10, async (n) => {
    sizes2.push(n);
    return n === 2 ? { ok: 1, error: new Error('quota') } : { ok: n };
  });
  t.deepEqual(sizes2, [1, 2]);
  t.deepEqual(r2.created, { ok: 2, attempted: 3 });
});

test('slow start per owner: a healthy owner resumes where it left off, a failure starts it again from 1', async (t) => {
  const ramp = new OwnerSlowStart(500);
  const run = async (owner: string, count: number, fail?: (n: number) => boolean): Promise<number[]> => {
    const sizes: number[] = [];
    await ramp.run(owner, count, async (n) => {
      sizes.push(n);
      return fail?.(n) ? { ok: 0, error: new Error('quota') } : { ok: n };
    });
    return sizes;
  };
  t.deepEqual(await run('a', 12), [1, 2, 4, 5], 'the first sync starts at 1');
  t.deepEqual(await run('a', 30), [10, 20], 'the next resumes at the size slow start would have tried next');
  t.deepEqual(await run('b', 3), [1, 2], 'owners are counted apart');
  t.deepEqual(await run('a', 30, () => true), [30], 'a failing batch ends the sync');
  t.deepEqual(await run('a', 3), [1, 2], 'and the owner starts again from 1');
  ramp.forget('b');
  t.deepEqual(await run('b', 3), [1, 2]);
});

test('slow start sends a large batch as concurrent calls of at most 125 creates', async (t) => {
  const ramp = new OwnerSlowStart(500);
  // 1, 2, ... 128, 45; then 256, 244: earned the whole burst.
  await ramp.run('big', 300, async (n) => ({ ok: n }));
  await ramp.run('big', 500, async (n) => ({ ok: n }));
  let inFlight = 0;
  let most = 0;
  const sizes: number[] = [];
  const r = await ramp.run('big', 500, async (n) => {
    sizes.push(n);
    most = Math.max(most, ++inFlight);
    await new Promise((res) => setImmediate(res));
    inFlight--;
    return { ok: n };
  });
  t.deepEqual(sizes, [125, 125, 125, 125], 'one batch of 500, in four calls');
  t.is(most, 4);
  t.deepEqual(r.created, { ok: 500, attempted: 500 });
});

test('a failed create is reported (FailedCreate, ReplicaFailure condition) and thrown for a retry', async (t) => {
  const fx = fixture();
  fx.api.seed(replicaSets, rs('web', 2));
  const c = new ReplicaSetController(fx);
  await fx.sync();
  fx.api.fail = (a) => (a.verb === 'create' && a.resource === 'pods' ? new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden', message: 'exceeded quota' }) : undefined);
  await t.throwsAsync(c.reconcile('default/web'), { message: 'exceeded quota' });
  await fx.recorder.flush();
  t.is(fx.api.writes((a) => a.resource === 'pods').length, 1, 'slow start stops after the first failed batch');
  const cond = fx.api.peek(replicaSets, 'default', 'web')!.status!.conditions![0]!;
  t.like(cond, { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' });
  t.true(c.expectations.satisfied('default/web'), 'failed creates are not expected');
});

test('expectations: while creates are outstanding (not yet seen by the informer) no more are made; they expire', async (t) => {
  const fx = fixture();
  fx.api.seed(replicaSets, rs('web', 2));
  const c = new ReplicaSetController(fx);
  await fx.sync();
  c.expectations.expectCreations('default/web', 2);
  await c.reconcile('default/web');
  t.deepEqual(fx.api.writes((a) => a.resource === 'pods'), []);
  fx.clock.advance(5 * 60_000 + 1);
  await c.reconcile('default/web');
  t.is(fx.api.writes((a) => a.verb === 'create' && a.resource === 'pods').length, 2);
});

test('deletes the surplus in Kubernetes order: unscheduled, then not ready, then newest', async (t) => {
  const fx = fixture();
  const own = ownerRef('ReplicaSet', 'web');
  fx.api.seed(replicaSets, rs('web', 2));
  fx.api.seed(
    pods,
    pod('old-ready', { owner: own, labels: { app: 'web' }, node: 'n1', ready: true, createdAt: EPOCH - 100_000 }),
    pod('new-ready', { owner: own, labels: { app: 'web' }, node: 'n2', ready: true, createdAt: EPOCH - 50_000, readySince: EPOCH - 40_000 }),
    pod('not-ready', { owner: own, labels: { app: 'web' }, node: 'n3', phase: 'Running', ready: false }),
    pod('unscheduled', { owner: own, labels: { app: 'web' } }),
  );
  const c = new ReplicaSetController(fx);
  await fx.sync();
  await c.reconcile('default/web');
  t.deepEqual(fx.api.writes((a) => a.resource === 'pods'), ['delete pods unscheduled', 'delete pods not-ready']);
  await fx.recorder.flush();
  t.true(fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true }).some((e) => (e as { message?: string }).message === 'Deleted pod: unscheduled'));
});

test('deletion ranking table', (t) => {
  const cases: [string, Pod[], string[]][] = [
    ['unassigned first', [pod('a', { node: 'n', ready: true }), pod('b')], ['b', 'a']],
    ['Pending < Unknown < Running', [pod('r', { node: 'n', phase: 'Running' }), pod('u', { node: 'n', phase: 'Unknown' }), pod('p', { node: 'n', phase: 'Pending' })], ['p', 'u', 'r']],
    ['not ready first', [pod('r', { node: 'n', ready: true }), pod('nr', { node: 'n', phase: 'Running', ready: false })], ['nr', 'r']],
    ['doubled up on a node first', [pod('alone', { node: 'a', ready: true }), pod('d1', { node: 'b', ready: true }), pod('d2', { node: 'b', ready: true })], ['d1', 'd2', 'alone']],
    ['ready more recently first', [pod('early', { node: 'a', ready: true, readySince: EPOCH - 9000 }), pod('late', { node: 'b', ready: true, readySince: EPOCH })], ['late', 'early']],
    ['more restarts first', [pod('calm', { node: 'a', ready: true }), pod('flappy', { node: 'b', ready: true, restarts: 4 })], ['flappy', 'calm']],
    ['newest first', [pod('older', { node: 'a', phase: 'Running', createdAt: EPOCH - 5000 }), pod('newer', { node: 'b', phase: 'Running', createdAt: EPOCH })], ['newer', 'older']],
  ];
  for (const [what, ps, order] of cases) t.deepEqual(rankForDeletion(ps, ps).map((p) => p.metadata.name), order, what);
});

test('adopts matching orphans, releases owned pods that no longer match, ignores pods of other owners', async (t) => {
  const fx = fixture();
  fx.api.seed(replicaSets, rs('web', 2));
  fx.api.seed(
    pods,
    pod('orphan', { labels: { app: 'web' } }),
    pod('strayed', { owner: ownerRef('ReplicaSet', 'web'), labels: { app: 'other' } }),
    pod('foreign', { owner: ownerRef('ReplicaSet', 'x'), labels: { app: 'web' } }),
  );
  const c = new ReplicaSetController(fx);
  await fx.sync();
  await c.reconcile('default/web');
  const w = fx.api.writes((a) => a.resource === 'pods');
  t.true(w.includes('update pods orphan'));
  t.true(w.includes('update pods strayed'));
  t.is(w.filter((x) => x.startsWith('create')).length, 1, 'one adopted, one created');
  t.is(fx.api.peek(pods, 'default', 'orphan')!.metadata.ownerReferences![0]!.uid, 'uid-web');
  t.is(fx.api.peek(pods, 'default', 'strayed')!.metadata.ownerReferences, undefined);
  t.is(fx.api.peek(pods, 'default', 'foreign')!.metadata.ownerReferences![0]!.uid, 'uid-x');
});

test('status counts ready and available pods (minReadySeconds) and requeues until they are available', async (t) => {
  const fx = fixture();
  const own = ownerRef('ReplicaSet', 'web');
  fx.api.seed(replicaSets, rs('web', 2, { minReadySeconds: 10 }));
  fx.api.seed(
    pods,
    pod('a', { owner: own, node: 'n', ready: true, readySince: EPOCH - 60_000 }),
    pod('b', { owner: own, node: 'n', ready: true, readySince: EPOCH - 2_000 }),
  );
  const c = new ReplicaSetController(fx);
  await fx.sync();
  await c.reconcile('default/web');
  t.like(fx.api.peek(replicaSets, 'default', 'web')!.status, { replicas: 2, readyReplicas: 2, availableReplicas: 1 });
  t.is(c.queue.delayed, 1, 'requeued for when b becomes available');
  fx.clock.advance(10_000);
  await c.processNext();
  t.like(fx.api.peek(replicaSets, 'default', 'web')!.status, { availableReplicas: 2 });
});

test('a ReplicaSet being deleted gets no new pods; a missing one is fine', async (t) => {
  const fx = fixture();
  const r = rs('web', 3);
  r.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
  r.metadata.finalizers = ['foregroundDeletion'];
  fx.api.seed(replicaSets, r);
  const c = new ReplicaSetController(fx);
  await fx.sync();
  await c.reconcile('default/web');
  await c.reconcile('default/nope');
  t.deepEqual(fx.api.writes((a) => a.resource === 'pods'), []);
});

test('pod events map to the owner key; runs to convergence through the queue', async (t) => {
  const { fx, c } = await setup();
  fx.api.seed(replicaSets, rs('web', 5));
  await fx.sync();
  for (let i = 0; i < 20 && (await c.processNext()); i++) await settle();
  t.is(fx.api.all(pods).length, 5);
  t.like(fx.api.peek(replicaSets, 'default', 'web')!.status, { replicas: 5 });
  await fx.api.delete(pods, fx.api.all(pods)[0]!.metadata.name!, { namespace: 'default' });
  await settle();
  t.is(c.queue.length, 1);
  while (await c.processNext()) await settle();
  t.is(fx.api.all(pods).length, 5);
});

test('status follows pod events between rounds: readiness, a finished pod, a template-label change', async (t) => {
  const fx = fixture();
  const own = ownerRef('ReplicaSet', 'web');
  fx.api.seed(replicaSets, rs('web', 3));
  fx.api.seed(
    pods,
    pod('a', { owner: own, node: 'n', ready: true }),
    pod('b', { owner: own, node: 'n', phase: 'Running', ready: false }),
    pod('c', { owner: own, node: 'n', phase: 'Running', ready: false }),
    pod('other-ns', { owner: own, node: 'n', ready: true }),
    pod('bare', { labels: { app: 'other' }, node: 'n', ready: true }), // an orphan no set of ours can adopt
  );
  // A pod of the same owner uid in another namespace is not the set's.
  const stray = fx.api.peek(pods, 'default', 'other-ns')!;
  await fx.api.delete(pods, 'other-ns', { namespace: 'default' });
  fx.api.seed(pods, { ...stray, metadata: { ...stray.metadata, namespace: 'elsewhere', resourceVersion: undefined } });
  const c = new ReplicaSetController(fx);
  await fx.sync();
  const status = () => fx.api.peek(replicaSets, 'default', 'web')!.status;
  await c.reconcile('default/web');
  t.like(status(), { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 1, availableReplicas: 1 });

  const b = fx.api.peek(pods, 'default', 'b')!;
  await fx.api.updateStatus(pods, { ...b, status: { ...b.status, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] } }, { namespace: 'default' });
  await settle();
  await c.reconcile('default/web');
  t.like(status(), { replicas: 3, readyReplicas: 2, availableReplicas: 2 });

  const cc = fx.api.peek(pods, 'default', 'c')!;
  await fx.api.updateStatus(pods, { ...cc, status: { ...cc.status, phase: 'Succeeded' } }, { namespace: 'default' });
  await settle();
  await c.reconcile('default/web');
  t.like(status(), { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2 }, 'a finished pod no longer counts');
  t.is(fx.api.writes((a) => a.verb === 'create' && a.resource === 'pods').length, 1, 'and is replaced');

  const r = fx.api.peek(replicaSets, 'default', 'web')!;
  const labels = { app: 'web', tier: 'front' };
  await fx.api.update(replicaSets, { ...r, spec: { ...r.spec!, template: { ...r.spec!.template, metadata: { labels } } } }, { namespace: 'default' });
  await settle();
  await c.reconcile('default/web');
  t.like(status(), { fullyLabeledReplicas: 0 }, 'template labels the pods lack');
  t.is(fx.api.peek(pods, 'default', 'bare')!.metadata.ownerReferences, undefined);
});
