/** The Deployment controller through the fixture: preload, reconcile(key), check the calls and objects. */
import test from 'ava';
import { deployments, pods, replicaSets } from '../../lib/api/resources/index.js';
import type { Deployment, ReplicaSet } from '../../lib/api/types/apps.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { DeploymentController } from '../../actors/controller-manager/deployment.js';
import { ReplicaSetController } from '../../actors/controller-manager/replicaset.js';
import { computeHash, resolveFenceposts, REVISION, REVISION_HISTORY } from '../../actors/controller-manager/deployment-util.js';
import { timestamp } from '../../actors/controller-manager/objects.js';
import { fixture, settle, type FakeApi } from './fixture.js';
import { deployment, ownerRef } from './objects.js';

type Fx = ReturnType<typeof fixture>;

/** An RS as the Deployment controller would have made it, with a status as if its pods ran. */
function ownedRS(d: Deployment, image: string, replicas: number, revision: number, available = replicas, createdAt = 0): ReplicaSet {
  const template = structuredClone(d.spec!.template);
  template.spec!.containers[0]!.image = image;
  const hash = computeHash(template);
  template.metadata!.labels = { ...template.metadata!.labels, 'pod-template-hash': hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: 'default',
      uid: `uid-rs-${image}`,
      labels: template.metadata!.labels,
      annotations: { [REVISION]: String(revision) },
      ownerReferences: [ownerRef('Deployment', d.metadata.name!)],
      creationTimestamp: timestamp(Date.parse('2024-12-01T00:00:00Z') + createdAt * 1000),
      generation: 1,
    },
    spec: { replicas, selector: { matchLabels: { ...d.spec!.selector.matchLabels, 'pod-template-hash': hash } }, template },
    status: { replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}

function rsOf(api: FakeApi): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rs of api.all(replicaSets)) out[rs.spec?.template?.spec?.containers[0]?.image ?? ''] = rs.spec?.replicas ?? 0;
  return out;
}

async function start(fx: Fx): Promise<DeploymentController> {
  const c = new DeploymentController(fx);
  await fx.sync();
  return c;
}

test('resolveFenceposts: surge rounds up, unavailable rounds down, never both zero', (t) => {
  const cases: [number | string, number | string, number, [number, number]][] = [
    ['25%', '25%', 10, [3, 2]],
    ['25%', '25%', 1, [1, 0]],
    ['50%', '50%', 5, [3, 2]],
    ['0%', '0%', 10, [0, 1]],
    [0, 0, 3, [0, 1]],
    [2, 1, 3, [2, 1]],
    ['10%', 0, 100, [10, 0]],
  ];
  for (const [surge, unavail, n, want] of cases) {
    t.deepEqual(resolveFenceposts(deployment('x', n, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavail } } })), want, `${surge}/${unavail} of ${n}`);
  }
});

test('pod-template-hash: stable, key order independent, changed by template and collision count', (t) => {
  const a = deployment('x', 1).spec!.template;
  const b = { spec: a.spec, metadata: a.metadata };
  t.is(computeHash(a), computeHash(b));
  t.regex(computeHash(a), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  t.not(computeHash(a), computeHash(a, 1));
  t.not(computeHash(a), computeHash({ ...a, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }));
});

test('a new Deployment gets a ReplicaSet <name>-<hash> with revision 1, scaled up within the surge', async (t) => {
  const fx = fixture();
  const d = deployment('web', 10);
  fx.api.seed(deployments, d);
  const c = await start(fx);
  await c.reconcile('default/web');
  await fx.recorder.flush();
  const [rs] = fx.api.all(replicaSets);
  const hash = computeHash(fx.api.peek(deployments, 'default', 'web')!.spec!.template);
  t.is(rs!.metadata.name, `web-${hash}`);
  t.is(rs!.spec!.replicas, 10);
  t.deepEqual(rs!.spec!.selector.matchLabels, { app: 'web', 'pod-template-hash': hash });
  t.is(rs!.spec!.template!.metadata!.labels!['pod-template-hash'], hash);
  t.like(rs!.metadata.annotations, { [REVISION]: '1', 'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13' });
  t.like(rs!.metadata.ownerReferences![0], { kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true });
  const after = fx.api.peek(deployments, 'default', 'web')!;
  t.is(after.metadata.annotations?.[REVISION], '1');
  t.is(after.status?.observedGeneration, after.metadata.generation);
  t.like(after.status?.conditions?.find((x) => x.type === 'Progressing'), { status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "web-${hash}"` });
  t.like(after.status?.conditions?.find((x) => x.type === 'Available'), { status: 'False', reason: 'MinimumReplicasUnavailable' });
  const ev = fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true })[0] as { reason?: string; message?: string };
  t.like(ev, { reason: 'ScalingReplicaSet', message: `Scaled up replica set web-${hash} from 0 to 10` });
});

test('rolling update: new RS up by maxSurge, old RS down keeping replicas - maxUnavailable available', async (t) => {
  const fx = fixture();
  const d = deployment('web', 10);
  d.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  fx.api.seed(deployments, d);
  fx.api.seed(replicaSets, ownedRS(d, 'nginx:1', 10, 1));
  const c = await start(fx);
  // One round, as Kubernetes: the new RS is created at 3 (10 + 25% surge = 13 pods at most), then
  // the old one goes to 8 (10 - 25% = 8 must stay available; the 3 new ones are not yet).
  await c.reconcile('default/web');
  t.deepEqual(rsOf(fx.api), { 'nginx:1': 8, 'nginx:2': 3 });
  await settle();
  await c.reconcile('default/web');
  t.deepEqual(rsOf(fx.api), { 'nginx:1': 8, 'nginx:2': 5 }, 'the surge allows 13 by spec; old stays at 8 until new pods are available');
  await settle();
  await c.reconcile('default/web');
  t.deepEqual(rsOf(fx.api), { 'nginx:1': 8, 'nginx:2': 5 }, 'steady until something becomes available');
  const nd = fx.api.peek(deployments, 'default', 'web')!;
  t.is(nd.metadata.annotations?.[REVISION], '2');
  t.like(nd.status, { replicas: 10, updatedReplicas: 0, availableReplicas: 10, unavailableReplicas: 3 }, "13 by spec - 10 available");
});

test('Recreate: old ReplicaSets go to zero, the new one is made only once their pods are gone', async (t) => {
  const fx = fixture();
  const d = deployment('web', 3, { strategy: { type: 'Recreate' } });
  d.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  const old = ownedRS(d, 'nginx:1', 3, 1);
  fx.api.seed(deployments, d);
  fx.api.seed(replicaSets, old);
  fx.api.seed(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: old.spec!.template!.metadata!.labels, ownerReferences: [ownerRef('ReplicaSet', old.metadata.name!, old.metadata.uid)] }, spec: { containers: [] }, status: { phase: 'Running' } } as Pod);
  const c = await start(fx);
  await c.reconcile('default/web');
  t.deepEqual(rsOf(fx.api), { 'nginx:1': 0 });
  await fx.api.updateStatus(replicaSets, { ...fx.api.peek(replicaSets, 'default', old.metadata.name!)!, status: { replicas: 0 } });
  await settle();
  await c.reconcile('default/web');
  t.deepEqual(rsOf(fx.api), { 'nginx:1': 0 }, 'a pod of the old RS still runs');
  await fx.api.delete(pods, 'p', { namespace: 'default' });
  await settle();
  await c.reconcile('default/web');
  t.deepEqual(rsOf(fx.api), { 'nginx:1': 0, 'nginx:2': 3 });
});

test('rollback: the template changing back reuses the old ReplicaSet and bumps its revision', async (t) => {
  const fx = fixture();
  const d = deployment('web', 2);
  d.metadata.annotations = { [REVISION]: '2' };
  const v1 = ownedRS(d, 'nginx:1', 0, 1, 0, 1);
  const v2 = ownedRS(d, 'nginx:2', 2, 2, 2, 2);
  // The template is back at nginx:1 (what `kubectl rollout undo` writes).
  fx.api.seed(deployments, d);
  fx.api.seed(replicaSets, v1, v2);
  const c = await start(fx);
  await c.reconcile('default/web');
  t.is(fx.api.all(replicaSets).length, 2, 'no new ReplicaSet');
  const back = fx.api.peek(replicaSets, 'default', v1.metadata.name!)!;
  t.is(back.metadata.annotations?.[REVISION], '3');
  t.is(back.metadata.annotations?.[REVISION_HISTORY], '1');
  t.is(back.spec?.replicas, 1, 'scaled up within the surge');
  t.is(fx.api.peek(deployments, 'default', 'web')!.metadata.annotations?.[REVISION], '3');
});

test('revisionHistoryLimit: the oldest empty ReplicaSets beyond the limit are deleted once complete', async (t) => {
  const fx = fixture();
  const d = deployment('web', 2, { revisionHistoryLimit: 1 });
  d.spec!.template.spec!.containers[0]!.image = 'nginx:4';
  d.metadata.annotations = { [REVISION]: '4' };
  fx.api.seed(deployments, d);
  fx.api.seed(replicaSets, ownedRS(d, 'nginx:1', 0, 1, 0, 1), ownedRS(d, 'nginx:2', 0, 2, 0, 2), ownedRS(d, 'nginx:3', 0, 3, 0, 3), ownedRS(d, 'nginx:4', 2, 4, 2, 4));
  // Complete as of the last status.
  fx.api.seed(deployments);
  await fx.api.updateStatus(deployments, { ...fx.api.peek(deployments, 'default', 'web')!, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 } });
  const c = await start(fx);
  await c.reconcile('default/web');
  t.deepEqual(fx.api.writes((a) => a.verb === 'delete').sort(), ['delete replicasets ' + ownedRS(d, 'nginx:1', 0, 1).metadata.name, 'delete replicasets ' + ownedRS(d, 'nginx:2', 0, 2).metadata.name].sort());
});

test('paused: no new ReplicaSet, Progressing=Unknown DeploymentPaused; resume continues', async (t) => {
  const fx = fixture();
  const d = deployment('web', 2, { paused: true });
  d.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  fx.api.seed(deployments, d);
  fx.api.seed(replicaSets, ownedRS(d, 'nginx:1', 2, 1));
  const c = await start(fx);
  await c.reconcile('default/web');
  t.deepEqual(rsOf(fx.api), { 'nginx:1': 2 });
  t.like(fx.api.peek(deployments, 'default', 'web')!.status?.conditions?.find((x) => x.type === 'Progressing'), { status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
  const cur = fx.api.peek(deployments, 'default', 'web')!;
  await fx.api.update(deployments, { ...cur, spec: { ...cur.spec!, paused: false } });
  await settle();
  await c.reconcile('default/web');
  t.deepEqual(rsOf(fx.api), { 'nginx:1': 2, 'nginx:2': 1 });
});

test('progressDeadlineSeconds: a rollout that stops moving gets Progressing=False ProgressDeadlineExceeded', async (t) => {
  const fx = fixture();
  const d = deployment('web', 2, { progressDeadlineSeconds: 30 });
  fx.api.seed(deployments, d);
  const c = await start(fx);
  await c.reconcile('default/web');
  await settle();
  await c.reconcile('default/web');
  t.is(c.queue.delayed, 1, 'requeued for the deadline');
  fx.clock.advance(32_000);
  await c.processNext();
  const cond = fx.api.peek(deployments, 'default', 'web')!.status?.conditions?.find((x) => x.type === 'Progressing');
  t.like(cond, { status: 'False', reason: 'ProgressDeadlineExceeded' });
  t.regex(cond!.message!, /^ReplicaSet "web-[a-z0-9]+" has timed out progressing\.$/);
});

test('scaling mid-rollout spreads the new replicas in proportion', async (t) => {
  const fx = fixture();
  const d = deployment('web', 20);
  d.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  const a = ownedRS(d, 'nginx:1', 8, 1, 8);
  const b = ownedRS(d, 'nginx:2', 5, 2, 0, 5);
  for (const rs of [a, b]) rs.metadata.annotations = { ...rs.metadata.annotations, 'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13' };
  fx.api.seed(deployments, d);
  fx.api.seed(replicaSets, a, b);
  const c = await start(fx);
  await c.reconcile('default/web');
  const sizes = rsOf(fx.api);
  t.is(sizes['nginx:1']! + sizes['nginx:2']!, 25, '20 + 25% surge');
  t.deepEqual(sizes, { 'nginx:1': 15, 'nginx:2': 10 });
});

/** RS controller + Deployment controller + a fake kubelet that makes every pod Ready. */
async function converge(fx: Fx, cs: { processNext(): Promise<boolean> }[], onRound: () => Promise<void>, rounds = 500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    let any = false;
    for (const c of cs) if (await c.processNext()) any = true;
    await settle();
    await onRound();
    await settle();
    if (!any && cs.every((c) => (c as unknown as { queue: { length: number } }).queue.length === 0)) return;
  }
}

test('a full rolling update through both controllers never drops below replicas - maxUnavailable ready', async (t) => {
  const fx = fixture();
  fx.api.seed(deployments, deployment('web', 10));
  const dc = new DeploymentController(fx);
  const rc = new ReplicaSetController(fx);
  await fx.sync();
  let minReady = Infinity;
  let maxTotal = 0;
  const kubelet = async (): Promise<void> => {
    for (const p of fx.api.all(pods)) {
      if (p.status?.phase === 'Running') continue;
      await fx.api.updateStatus(pods, { ...p, spec: { ...p.spec!, nodeName: 'n1' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: timestamp(fx.clock.now()) }] } });
      break; // one pod per round, so the rollout has many steps
    }
  };
  const watchInvariants = async (): Promise<void> => {
    await kubelet();
    const ps = fx.api.all(pods);
    const ready = ps.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    maxTotal = Math.max(maxTotal, ps.length);
    if (phase === 'rolling') minReady = Math.min(minReady, ready);
  };
  let phase = 'initial';
  await converge(fx, [dc, rc], watchInvariants);
  t.is(fx.api.all(pods).length, 10);
  const cur = fx.api.peek(deployments, 'default', 'web')!;
  t.like(cur.status, { replicas: 10, updatedReplicas: 10, availableReplicas: 10, readyReplicas: 10 });
  t.like(cur.status?.conditions?.find((c) => c.type === 'Progressing'), { reason: 'NewReplicaSetAvailable' });
  phase = 'rolling';
  maxTotal = 0;
  const next = structuredClone(cur);
  next.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  await fx.api.update(deployments, next);
  await settle();
  await converge(fx, [dc, rc], watchInvariants);
  t.true(minReady >= 8, `ready never below 10 - 2 (saw ${minReady})`);
  t.true(maxTotal <= 13, `never more than 10 + 3 pods (saw ${maxTotal})`);
  t.deepEqual(rsOf(fx.api), { 'nginx:1': 0, 'nginx:2': 10 });
  const done = fx.api.peek(deployments, 'default', 'web')!;
  t.like(done.status, { replicas: 10, updatedReplicas: 10, availableReplicas: 10, unavailableReplicas: 0, observedGeneration: done.metadata.generation });
  t.like(done.status?.conditions?.find((c) => c.type === 'Progressing'), { status: 'True', reason: 'NewReplicaSetAvailable' });
  t.like(done.status?.conditions?.find((c) => c.type === 'Available'), { status: 'True', reason: 'MinimumReplicasAvailable' });
});
