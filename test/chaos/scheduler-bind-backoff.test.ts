/**
 * Found by the chaos run at 10,000 pods: binds that kept failing (409, the
 * scheduler's informer behind the api-server after restarts) were retried
 * at once, cycle after cycle, at one virtual instant: the scheduler never
 * went idle and the virtual clock stood still. A failed bind now goes back
 * to the queue after the back-off, as kube-scheduler's failure handler does.
 */
import test from 'ava';
import { Scheduler } from '../../actors/scheduler/scheduler.js';
import { node, pod } from '../scheduler/helpers.js';

test('a failed bind is retried after the back-off, not in the same instant', (t) => {
  let now = 0;
  const s = new Scheduler({ now: () => now });
  s.addNode(node('node-0'));
  s.addPod(pod('web-0', { cpu: '100m' }));
  const first = s.scheduleBatch();
  t.deepEqual(first.bindings.map((b) => `${b.name}@${b.node}`), ['web-0@node-0']);
  s.bindFailed(first.bindings[0]!.key);
  t.deepEqual(s.scheduleBatch().bindings, [], 'not again at the same instant');
  now += 999;
  t.deepEqual(s.scheduleBatch().bindings, [], 'not before the 1 s back-off');
  now += 1;
  t.deepEqual(s.scheduleBatch().bindings.map((b) => `${b.name}@${b.node}`), ['web-0@node-0'], 'after it');
});

test('a pod bound meanwhile (the informer caught up) leaves the back-off queue', (t) => {
  let now = 0;
  const s = new Scheduler({ now: () => now });
  s.addNode(node('node-0'));
  const p = pod('web-0', { cpu: '100m' });
  s.addPod(p);
  s.bindFailed(s.scheduleBatch().bindings[0]!.key);
  s.updatePod({ ...p, spec: { ...p.spec!, nodeName: 'node-0' } });
  now += 10_000;
  t.deepEqual(s.scheduleBatch().bindings, []);
  t.is(s.queue.backoffCount + s.queue.activeCount, 0);
});
