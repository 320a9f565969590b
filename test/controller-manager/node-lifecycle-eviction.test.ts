/** Taint-based eviction and the pod garbage collector, through the fixture. */
import test from 'ava';
import { nodes, pods } from '../../lib/api/resources/index.js';
import type { Node, Taint } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { TaintEvictionController } from '../../actors/controller-manager/node-lifecycle-eviction.js';
import { tolerationMs } from '../../actors/controller-manager/node-lifecycle-taints.js';
import { PodGcController } from '../../actors/controller-manager/pod-gc.js';
import { fixture } from './fixture.js';
import { boundPod, drain, node, runFor } from './node-lifecycle-objects.js';

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2025-01-01T00:00:00Z' };

async function setup(nodeList: Node[], podList: Pod[]) {
  const fx = fixture();
  fx.api.seed(nodes, ...nodeList);
  fx.api.seed(pods, ...podList);
  const c = new TaintEvictionController(fx);
  await fx.sync();
  return { fx, c, gone: (name: string) => !fx.api.peek(pods, 'default', name) };
}

test('a pod that does not tolerate a NoExecute taint is deleted at once, marked DisruptionTarget, with an event', async (t) => {
  const { fx, c } = await setup([node('n1', { ready: 'Unknown', taints: [unreachable] })], [boundPod('intolerant', 'n1', [])]);
  await drain(c);
  t.deepEqual(fx.api.writes(), ['update-status pods intolerant', 'delete pods intolerant']);
  const status = fx.api.actions[0]!.object as Pod;
  t.like(status.status!.conditions!.find((x) => x.type === 'DisruptionTarget'), { status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });
  await fx.recorder.flush();
  const evs = fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true }) as unknown as { reason: string; message: string }[];
  t.true(evs.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/intolerant'));
});

test('pods with tolerationSeconds are deleted when it runs out; without tolerationSeconds never; untainted nodes keep theirs', async (t) => {
  const forever = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' as const, effect: 'NoExecute' as const }];
  const short = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' as const, effect: 'NoExecute' as const, tolerationSeconds: 60 }];
  const { fx, c, gone } = await setup(
    [node('n1', { ready: 'Unknown', taints: [unreachable] }), node('n2')],
    [boundPod('default-300', 'n1'), boundPod('short-60', 'n1', short), boundPod('forever', 'n1', forever), boundPod('healthy', 'n2', [])],
  );
  await runFor(fx, 59_000, 1_000, c);
  t.deepEqual(fx.api.writes(), [], 'nothing within 59 s');
  await runFor(fx, 2_000, 1_000, c);
  t.true(gone('short-60'));
  await runFor(fx, 238_000, 1_000, c);
  t.false(gone('default-300'), 'not before 300 s');
  await runFor(fx, 2_000, 1_000, c);
  t.true(gone('default-300'));
  await runFor(fx, 3_600_000, 60_000, c);
  t.false(gone('forever'));
  t.false(gone('healthy'));
});

test('the eviction is cancelled when the taint goes before the toleration runs out', async (t) => {
  const { fx, c, gone } = await setup([node('n1', { ready: 'Unknown', taints: [unreachable] })], [boundPod('p', 'n1')]);
  await runFor(fx, 200_000, 10_000, c);
  t.is(c.pending, 1);
  const n = structuredClone(fx.api.peek(nodes, undefined, 'n1')!);
  n.spec!.taints = [];
  await fx.api.update(nodes, n);
  await runFor(fx, 200_000, 10_000, c);
  t.false(gone('p'));
  t.is(c.pending, 0);
  await fx.recorder.flush();
  const evs = fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true }) as unknown as { reason: string; message: string }[];
  t.true(evs.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Cancelling deletion of Pod default/p'));
});

test('toleration matching table (GetMatchingTolerations + getMinTolerationTime)', (t) => {
  const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
  const custom: Taint = { key: 'team', value: 'a', effect: 'NoExecute' };
  const p = (tolerations: NonNullable<Pod['spec']>['tolerations']): Pod => ({ ...boundPod('x', 'n', tolerations) });
  t.is(tolerationMs(p([]), []), Infinity, 'no taints');
  t.is(tolerationMs(p([]), [unreachable]), 0, 'not tolerated');
  t.is(tolerationMs(p([{ operator: 'Exists' }]), [unreachable, custom]), Infinity, 'wildcard toleration, no seconds');
  t.is(tolerationMs(p([{ key: 'team', operator: 'Equal', value: 'b', effect: 'NoExecute' }]), [custom]), 0, 'wrong value');
  t.is(tolerationMs(p([{ key: 'team', value: 'a', effect: 'NoExecute', tolerationSeconds: 30 }, { operator: 'Exists', tolerationSeconds: 90 }]), [custom, notReady]), 30_000, 'least seconds');
  t.is(tolerationMs(p([{ operator: 'Exists', tolerationSeconds: 0 }]), [custom]), 0, 'zero seconds: at once');
  t.is(tolerationMs(p([{ operator: 'Exists', effect: 'NoSchedule' }]), [custom]), 0, 'another effect does not match');
});

test('pod GC: pods bound to a node that no longer exists are marked Failed and force-deleted after the 40 s quarantine', async (t) => {
  const fx = fixture();
  fx.api.seed(nodes, node('alive'));
  fx.api.seed(pods, boundPod('orphan', 'vanished'), boundPod('fine', 'alive'), { ...boundPod('unscheduled-deleting', ''), spec: { containers: [{ name: 'c' }] }, metadata: { name: 'unscheduled-deleting', namespace: 'default', deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: [] } });
  const c = new PodGcController(fx);
  await fx.sync();
  await drain(c);
  t.deepEqual(fx.api.writes(), ['delete pods unscheduled-deleting'], 'unscheduled terminating pods go at once');
  await runFor(fx, 39_000, 1_000, c);
  t.truthy(fx.api.peek(pods, 'default', 'orphan'), 'quarantine');
  await runFor(fx, 2_000, 1_000, c);
  t.deepEqual(fx.api.writes().slice(1), ['update-status pods orphan', 'delete pods orphan']);
  const marked = fx.api.actions.find((a) => a.verb === 'update-status')!.object as Pod;
  t.is(marked.status!.phase, 'Failed');
  t.like(marked.status!.conditions!.find((x) => x.type === 'DisruptionTarget'), { reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
  t.truthy(fx.api.peek(pods, 'default', 'fine'));
});
