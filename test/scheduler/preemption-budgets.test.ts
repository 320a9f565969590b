// Preemption and PodDisruptionBudgets, as DefaultPreemption weighs them:
// victims whose budget has no disruption left are the last chosen on a
// node, and the node that breaks the fewest budgets wins.
import test from 'ava';
import type { PodDisruptionBudget } from '../../lib/api/types/policy.js';
import { Scheduler } from '../../actors/scheduler/scheduler.js';
import { bound, node, pod } from './helpers.js';

function budget(name: string, app: string, allowed: number, disruptedPods: string[] = []): PodDisruptionBudget {
  const at = '2025-01-01T00:00:00Z';
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'default', generation: 1 },
    spec: { minAvailable: 1, selector: { matchLabels: { app } } },
    status: { observedGeneration: 1, disruptionsAllowed: allowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptedPods: Object.fromEntries(disruptedPods.map((p) => [p, at])) },
  };
}

function preemptOnce(s: Scheduler): [string, string, string[]][] {
  s.addPod(pod('high', { cpu: '2', priority: 100 }));
  return s.scheduleBatch().preemptions.map((p) => [p.name, p.node, p.victims.map((v) => v.name).sort()]);
}

/** One 4-CPU node: a protected pod of priority 0 and an unprotected one of priority 10, 2 CPU each. */
function oneNode(): Scheduler {
  const s = new Scheduler({ now: () => 0 });
  s.addNode(node('n', { cpu: '4' }));
  s.addPod(bound(pod('guarded', { cpu: '2', priority: 0, labels: { app: 'db' } }), 'n'));
  s.addPod(bound(pod('plain', { cpu: '2', priority: 10, labels: { app: 'web' } }), 'n'));
  return s;
}

test('without a budget the least important pod goes', (t) => {
  t.deepEqual(preemptOnce(oneNode()), [['high', 'n', ['guarded']]]);
});

test('a budget with no disruption left keeps its pod: the more important, unprotected pod goes instead', (t) => {
  const s = oneNode();
  s.budgets.set(budget('db', 'db', 0));
  t.deepEqual(preemptOnce(s), [['high', 'n', ['plain']]]);
});

test('a budget with a disruption to spare, or whose pod is already counted as disrupted, does not protect it', (t) => {
  const spare = oneNode();
  spare.budgets.set(budget('db', 'db', 1));
  t.deepEqual(preemptOnce(spare), [['high', 'n', ['guarded']]]);
  const counted = oneNode();
  counted.budgets.set(budget('db', 'db', 0, ['guarded']));
  t.deepEqual(preemptOnce(counted), [['high', 'n', ['guarded']]]);
});

test('the node whose victims break no budget wins over the tie-break order; a deleted budget protects nothing', (t) => {
  const s = new Scheduler({ now: () => 0 });
  s.addNode(node('a', { cpu: '2' }));
  s.addNode(node('b', { cpu: '2' }));
  s.addPod(bound(pod('on-a', { cpu: '2', priority: 0, labels: { app: 'db' } }), 'a'));
  s.addPod(bound(pod('on-b', { cpu: '2', priority: 0, labels: { app: 'web' } }), 'b'));
  const plain = new Scheduler({ now: () => 0 });
  plain.addNode(node('a', { cpu: '2' }));
  plain.addNode(node('b', { cpu: '2' }));
  plain.addPod(bound(pod('on-a', { cpu: '2', priority: 0, labels: { app: 'db' } }), 'a'));
  plain.addPod(bound(pod('on-b', { cpu: '2', priority: 0, labels: { app: 'web' } }), 'b'));
  const first = preemptOnce(plain)[0]!;
  // Protect whichever pod the tie-break would take: the other node must be chosen.
  const protectedApp = first[1] === 'a' ? 'db' : 'web';
  s.budgets.set(budget('guard', protectedApp, 0));
  const chosen = preemptOnce(s)[0]!;
  t.not(chosen[1], first[1]);
  t.deepEqual(chosen[2], [first[1] === 'a' ? 'on-b' : 'on-a']);
  s.budgets.delete('default', 'guard');
  t.is(s.budgets.size, 0);
});
