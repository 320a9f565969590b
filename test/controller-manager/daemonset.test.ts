/** The DaemonSet controller, through the fixture: preload nodes, pods and the DaemonSet, reconcile(key), check the API calls. */
import test from 'ava';
import { daemonSets, nodes, pods } from '../../lib/api/resources/index.js';
import type { DaemonSet, DaemonSetSpec } from '../../lib/api/types/apps.js';
import type { Node, Taint } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { DaemonSetController } from '../../actors/controller-manager/daemonset.js';
import { computeHash } from '../../actors/controller-manager/deployment-util.js';
import { fixture, settle } from './fixture.js';
import { runUntil, startNodeCluster } from '../node/cluster.js';
import { ownerRef, pod } from './objects.js';

function ds(spec: Partial<DaemonSetSpec> = {}, podSpec: Partial<NonNullable<DaemonSetSpec['template']['spec']>> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'uid-agent', generation: 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }], ...podSpec } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      ...spec,
    },
  };
}

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: taints.length > 0 ? { taints } : {} };
}

const DS_OWNER = ownerRef('DaemonSet', 'agent');

function daemonPod(name: string, nodeName: string, o: { hash?: string; ready?: boolean; phase?: 'Running' | 'Failed'; createdAt?: number } = {}): Pod {
  const p = pod(name, { labels: { app: 'agent', 'controller-revision-hash': o.hash ?? 'old' }, owner: DS_OWNER, node: nodeName, ready: o.ready ?? true, phase: o.phase, createdAt: o.createdAt });
  return p;
}

async function setup(d: DaemonSet, ns: Node[], ps: Pod[] = []) {
  const fx = fixture();
  fx.api.seed(daemonSets, d);
  fx.api.seed(nodes, ...ns);
  if (ps.length > 0) fx.api.seed(pods, ...ps);
  const c = new DaemonSetController(fx);
  await fx.sync();
  return { fx, c, status: () => fx.api.peek(daemonSets, 'default', 'agent')!.status! };
}

const created = (fx: ReturnType<typeof fixture>) => fx.api.actions.filter((a) => a.verb === 'create' && a.resource === 'pods').map((a) => a.object as Pod);
const deleted = (fx: ReturnType<typeof fixture>) => fx.api.actions.filter((a) => a.verb === 'delete' && a.resource === 'pods').map((a) => a.name).sort();

test('one pod per node that matches the nodeSelector and whose taints it tolerates, placed by node affinity on metadata.name', async (t) => {
  const d = ds({}, { nodeSelector: { role: 'worker' } });
  const { fx, c } = await setup(d, [
    node('a', { role: 'worker' }),
    node('b', { role: 'worker' }, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]),
    node('c'),
    node('d', { role: 'worker' }, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]),
  ]);
  await c.reconcile('default/agent');
  await fx.recorder.flush();
  const ps = created(fx);
  const targets = ps.map((p) => p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms);
  t.deepEqual(targets, [
    [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }],
    [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }],
  ], 'not on c (selector) nor d (untolerated NoSchedule taint); b\'s not-ready taint is tolerated');
  const hash = computeHash(d.spec!.template);
  for (const p of ps) {
    t.falsy(p.spec?.nodeName, 'the scheduler binds it');
    t.is(p.metadata.generateName, 'agent-');
    t.deepEqual(p.metadata.labels, { app: 'agent', 'controller-revision-hash': hash, 'pod-template-generation': '1' });
    t.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'uid-agent', controller: true, blockOwnerDeletion: true }]);
    t.deepEqual(p.spec?.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  }
  const evs = fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true }) as { reason?: string }[];
  t.is(evs.filter((e) => e.reason === 'SuccessfulCreate').length, 2);
  await settle();
  await c.reconcile('default/agent');
  t.is(created(fx).length, 2, 'the pods were seen: none created twice');
});

test('hostNetwork daemon pods also tolerate network-unavailable; a template toleration of the same key is replaced', async (t) => {
  const { fx, c } = await setup(ds({}, { hostNetwork: true, tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }, { key: 'dedicated', operator: 'Exists' }] }), [node('a')]);
  await c.reconcile('default/agent');
  const tol = created(fx)[0]!.spec!.tolerations!;
  t.deepEqual(tol.map((x) => x.key), ['dedicated', 'node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable', 'node.kubernetes.io/disk-pressure', 'node.kubernetes.io/memory-pressure', 'node.kubernetes.io/pid-pressure', 'node.kubernetes.io/unschedulable', 'node.kubernetes.io/network-unavailable']);
  t.is(tol.find((x) => x.key === 'node.kubernetes.io/not-ready')!.tolerationSeconds, undefined, 'no tolerationSeconds: daemon pods are never evicted for it');
});

test('status counts desired, current, misscheduled, ready, available and updated pods; misscheduled pods are deleted', async (t) => {
  const d = ds({}, { nodeSelector: { role: 'worker' } });
  const hash = computeHash(d.spec!.template);
  const { fx, c, status } = await setup(d, [node('a', { role: 'worker' }), node('b', { role: 'worker' }), node('c'), node('e', { role: 'worker' })], [
    daemonPod('agent-a', 'a', { hash }),
    daemonPod('agent-b', 'b', { hash, ready: false }),
    daemonPod('agent-c', 'c', { hash }),
  ]);
  await c.reconcile('default/agent');
  t.deepEqual(deleted(fx), ['agent-c']);
  t.is(created(fx).length, 0, 'deletes first; node e gets its pod in the next round');
  t.deepEqual(status(), {
    desiredNumberScheduled: 3,
    currentNumberScheduled: 2,
    numberMisscheduled: 1,
    numberReady: 1,
    numberAvailable: 1,
    numberUnavailable: 2,
    updatedNumberScheduled: 2,
    observedGeneration: 1,
  });
  await settle();
  await c.reconcile('default/agent');
  t.deepEqual(created(fx).map((p) => p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchFields?.[0]?.values), [['e']]);
});

test('an untolerated NoExecute taint removes the pod; a NoSchedule one lets it stay but places no new one', async (t) => {
  const d = ds();
  const hash = computeHash(d.spec!.template);
  const { fx, c, status } = await setup(d, [
    node('a', {}, [{ key: 'evict', effect: 'NoExecute' }]),
    node('b', {}, [{ key: 'cordoned', effect: 'NoSchedule' }]),
    node('c', {}, [{ key: 'cordoned', effect: 'NoSchedule' }]),
  ], [daemonPod('agent-a', 'a', { hash }), daemonPod('agent-b', 'b', { hash })]);
  await c.reconcile('default/agent');
  t.deepEqual(deleted(fx), ['agent-a']);
  t.is(created(fx).length, 0, 'c gets nothing');
  t.like(status(), { desiredNumberScheduled: 0, numberMisscheduled: 2 });
});

test('a failed daemon pod is replaced, and of two pods on one node the newer goes', async (t) => {
  const d = ds();
  const hash = computeHash(d.spec!.template);
  const { fx, c } = await setup(d, [node('a'), node('b')], [
    daemonPod('agent-a1', 'a', { hash, createdAt: Date.parse('2024-12-31T00:00:00Z') }),
    daemonPod('agent-a2', 'a', { hash }),
    daemonPod('agent-b', 'b', { hash, phase: 'Failed', ready: false }),
  ]);
  await c.reconcile('default/agent');
  await fx.recorder.flush();
  t.deepEqual(deleted(fx), ['agent-a2', 'agent-b']);
  const evs = fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true }) as { reason?: string }[];
  t.true(evs.some((e) => e.reason === 'FailedDaemonPod'));
  await settle();
  await c.reconcile('default/agent');
  t.is(created(fx).length, 1, 'b gets a new pod');
});

test('RollingUpdate: old pods are replaced at most maxUnavailable at a time; unavailable old pods go at once', async (t) => {
  const nodesList = ['a', 'b', 'c', 'd'].map((n) => node(n));
  const oldPods = () => ['a', 'b', 'c', 'd'].map((n) => daemonPod(`agent-${n}`, n, { hash: 'old' }));
  const one = await setup(ds(), nodesList, oldPods());
  await one.c.reconcile('default/agent');
  t.deepEqual(deleted(one.fx), ['agent-a'], 'maxUnavailable 1');
  t.like(one.status(), { updatedNumberScheduled: 0, numberAvailable: 4 });

  const half = await setup(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } } }), nodesList, oldPods());
  await half.c.reconcile('default/agent');
  t.deepEqual(deleted(half.fx), ['agent-a', 'agent-b'], '50% of 4');

  const d = ds();
  const hash = computeHash(d.spec!.template);
  const busy = await setup(d, nodesList, [daemonPod('agent-a', 'a', { hash, ready: false }), daemonPod('agent-b', 'b', { ready: false }), daemonPod('agent-c', 'c'), daemonPod('agent-d', 'd')]);
  await busy.c.reconcile('default/agent');
  t.deepEqual(deleted(busy.fx), ['agent-b'], 'a new pod is not available yet: only the unavailable old pod goes');
});

test('RollingUpdate with maxSurge: the new pod starts beside the old one, which goes once the new one is available', async (t) => {
  const d = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
  const hash = computeHash(d.spec!.template);
  const nodesList = ['a', 'b', 'c'].map((n) => node(n));
  const start = await setup(d, nodesList, ['a', 'b', 'c'].map((n) => daemonPod(`agent-${n}`, n)));
  await start.c.reconcile('default/agent');
  t.deepEqual(start.fx.api.writes((a) => a.resource === 'pods' && a.verb === 'delete'), [], 'nothing deleted: no capacity lost');
  t.deepEqual(created(start.fx).map((p) => p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchFields?.[0]?.values?.[0]), ['a'], 'one node at a time (maxSurge 1)');

  const starting = await setup(d, nodesList, [...['a', 'b', 'c'].map((n) => daemonPod(`agent-${n}`, n)), daemonPod('agent-a2', 'a', { hash, ready: false })]);
  await starting.c.reconcile('default/agent');
  t.deepEqual(starting.fx.api.writes((a) => a.resource === 'pods'), [], 'the surge pod is not available yet: wait');

  const up = await setup(d, nodesList, [...['a', 'b', 'c'].map((n) => daemonPod(`agent-${n}`, n)), daemonPod('agent-a2', 'a', { hash })]);
  await up.c.reconcile('default/agent');
  t.deepEqual(deleted(up.fx), ['agent-a'], 'the old pod beside an available new one goes');
});

test('a node that joins (or loses a taint) makes every DaemonSet reconsider: it gets its pod', async (t) => {
  const { fx, c } = await setup(ds(), [node('a')], [daemonPod('agent-a', 'a', { hash: computeHash(ds().spec!.template) })]);
  const drain = (): string[] => {
    const out: string[] = [];
    for (let k = c.queue.tryGet(); k !== undefined; k = c.queue.tryGet()) {
      out.push(k);
      c.queue.done(k);
    }
    return out;
  };
  drain();
  fx.api.seed(nodes, node('b'));
  await settle();
  t.deepEqual(drain(), ['default/agent']);
  await c.reconcile('default/agent');
  t.is(created(fx).length, 1);
  await settle();
  drain(); // the new pod's own event
  const b = fx.api.peek(nodes, undefined, 'b')!;
  await fx.api.update(nodes, { ...b, status: { conditions: [] } });
  await settle();
  t.deepEqual(drain(), [], 'a status-only change of a node is no reason');
});

test('OnDelete: old pods stay until deleted by someone; their replacements get the new template', async (t) => {
  const d = ds({ updateStrategy: { type: 'OnDelete' } });
  const hash = computeHash(d.spec!.template);
  const { fx, c, status } = await setup(d, [node('a'), node('b')], [daemonPod('agent-a', 'a'), daemonPod('agent-b', 'b')]);
  await c.reconcile('default/agent');
  t.deepEqual(fx.api.writes((a) => a.resource === 'pods'), []);
  t.like(status(), { updatedNumberScheduled: 0, currentNumberScheduled: 2 });
  await fx.api.delete(pods, 'agent-a', { namespace: 'default' });
  await settle();
  await c.reconcile('default/agent');
  const made = created(fx);
  t.is(made.length, 1);
  t.is(made[0]!.metadata.labels?.['controller-revision-hash'], hash);
});

test('end to end on simulated nodes: the default scheduler binds one daemon pod to each node, an image change rolls one node at a time', async (t) => {
  const c = await startNodeCluster(t, 3, { sim: { startMs: 1_000, readyDelayMs: 2_000 } });
  const d = ds();
  delete d.metadata.uid;
  await c.api.create(daemonSets, d);
  const status = async () => (await c.api.get(daemonSets, 'agent', { namespace: 'default' })).status;
  await runUntil(c.sup, async () => (await status())?.numberReady === 3, '3 ready daemon pods', 60_000, 500);
  const ps = (await c.api.list(pods, { namespace: 'default' })).items;
  t.deepEqual(ps.map((p) => p.spec?.nodeName).sort(), c.names, 'one on each node');
  t.like(await status(), { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberAvailable: 3, updatedNumberScheduled: 3, numberMisscheduled: 0 });

  const cur = await c.api.get(daemonSets, 'agent', { namespace: 'default' });
  cur.spec!.template.spec!.containers[0]!.image = 'agent:2';
  await c.api.update(daemonSets, cur);
  let minAvailable = 3;
  await runUntil(c.sup, async () => {
    const s = await status();
    const live = (await c.api.list(pods, { namespace: 'default' })).items.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
    minAvailable = Math.min(minAvailable, live.length);
    return s?.updatedNumberScheduled === 3 && s.numberAvailable === 3 && s.observedGeneration === cur.metadata.generation! + 1;
  }, 'rolled to agent:2', 120_000, 250);
  t.true(minAvailable >= 2, `maxUnavailable 1: at least 2 of 3 ready throughout (saw ${minAvailable})`);
  const after = (await c.api.list(pods, { namespace: 'default' })).items.filter((p) => !p.metadata.deletionTimestamp);
  t.deepEqual(after.map((p) => p.spec?.containers[0]?.image), ['agent:2', 'agent:2', 'agent:2']);
  t.deepEqual(after.map((p) => p.spec?.nodeName).sort(), c.names);
});
