// Nominated pods: the room preemption frees on a node is kept for the
// preemptor (status.nominatedNodeName) against pods of lower or equal
// priority, as kube-scheduler's addNominatedPods does, until it binds.
import test from 'ava';
import type { Pod } from '../../lib/api/types/pod.js';
import { Scheduler } from '../../actors/scheduler/scheduler.js';
import { bound, node, pod } from './helpers.js';

/** One 2-CPU node "n" full of low-priority pods; a second node too small for the big pod. */
function cluster(now: () => number): Scheduler {
  const s = new Scheduler({ now });
  s.addNode(node('n', { cpu: '2' }));
  s.addNode(node('small', { cpu: '1' }));
  s.addPod(bound(pod('low-0', { cpu: '1', priority: 0 }), 'n'));
  s.addPod(bound(pod('low-1', { cpu: '1', priority: 0 }), 'n'));
  s.addPod(bound(pod('filler', { cpu: '1', priority: 1000 }), 'small'));
  return s;
}

function pending(name: string, nominated: string): Pod {
  return { ...pod(name, { cpu: '2', priority: 100 }), status: { phase: 'Pending', nominatedNodeName: nominated } };
}

test('a nominated preemptor keeps the freed room from lower-priority pods and then binds there', (t) => {
  let now = 0;
  const s = cluster(() => now);
  s.addPod(pod('high', { cpu: '2', priority: 100 }));
  let d = s.scheduleBatch();
  t.deepEqual(d.preemptions.map((p) => [p.name, p.node, p.victims.map((v) => v.name).sort()]), [['high', 'n', ['low-0', 'low-1']]]);
  t.is(d.failures[0]?.nominatedNodeName, 'n');

  // Before the preemptor's back-off ends, a replacement of a victim arrives: n looks empty
  // (the victims stop counting at once) but its room is held for the nominee.
  s.addPod(pod('low-2', { cpu: '1', priority: 0 }));
  t.deepEqual(s.feasibleNodes(pod('low-2', { cpu: '1', priority: 0 })), []);
  d = s.scheduleBatch();
  t.deepEqual(d.bindings, [], 'the replacement did not take the nominee\'s room');
  t.true(d.failures.some((f) => f.name === 'low-2' && /Insufficient cpu/.test(f.condition.message)));
  // A pod of higher priority than the nominee does not see the reservation.
  t.deepEqual(s.feasibleNodes(pod('urgent', { cpu: '1', priority: 500 })), ['n']);

  now = 1_000; // back-off over: the nominee does not see its own reservation
  d = s.scheduleBatch();
  t.deepEqual(d.bindings.map((b) => [b.name, b.node]), [['high', 'n']]);
  t.is(s.nominator.size, 0, 'bound: the nomination is released');
});

test('a nomination read from status (a restarted scheduler) reserves the room; deleting the nominee frees it', (t) => {
  const s = cluster(() => 0);
  s.deletePod('default/low-0');
  s.deletePod('default/low-1');
  s.addPod(pending('high', 'n'));
  const low = pod('low', { cpu: '1', priority: 0 });
  t.deepEqual(s.feasibleNodes(low), []);
  // Equal priority counts too; the nominee itself sees the node free.
  t.deepEqual(s.feasibleNodes(pod('peer', { cpu: '1', priority: 100 })), []);
  t.deepEqual(s.feasibleNodes(pending('high', 'n')), ['n']);
  // An update without the name, while the status had one: the nomination was cleared.
  s.addPod({ ...pending('high', 'n'), status: { phase: 'Pending' } });
  t.deepEqual(s.feasibleNodes(low), ['n']);
  s.addPod(pending('high', 'n'));
  t.deepEqual(s.feasibleNodes(low), []);
  s.deletePod('default/high');
  t.deepEqual(s.feasibleNodes(low), ['n']);
});

test('a nominee whose preemption later finds no node loses its nomination, and says so', (t) => {
  let now = 0;
  const s = cluster(() => now);
  s.deletePod('default/low-0');
  s.deletePod('default/low-1');
  s.addPod(bound(pod('vip', { cpu: '2', priority: 1000 }), 'n')); // took n meanwhile
  s.addPod(pending('high', 'n'));
  const d = s.scheduleBatch();
  const f = d.failures.find((x) => x.name === 'high');
  t.truthy(f);
  t.is(f?.clearNomination, true);
  t.deepEqual(d.preemptions, []);
  t.is(s.nominator.size, 0);
});
