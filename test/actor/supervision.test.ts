/** The restart decision and the sliding restart window: pure functions, table-driven. */
import test from 'ava';
import { childrenToRestart, recordRestart, shouldRestart, validateChildSpecs, type RestartType } from '../../lib/actor/supervision.js';

const order = ['a', 'b', 'c', 'd'];
const permanent = (): RestartType => 'permanent';

test('one_for_one restarts only the failed child', (t) => {
  t.deepEqual(childrenToRestart('one_for_one', order, 'b', permanent, 'crash'), ['b']);
});

test('one_for_all restarts every child, in start order', (t) => {
  t.deepEqual(childrenToRestart('one_for_all', order, 'c', permanent, 'crash'), ['a', 'b', 'c', 'd']);
});

test('rest_for_one restarts the failed child and those started after it', (t) => {
  t.deepEqual(childrenToRestart('rest_for_one', order, 'b', permanent, 'crash'), ['b', 'c', 'd']);
});

test('temporary siblings are not restarted with the others', (t) => {
  const restartOf = (id: string): RestartType => (id === 'c' ? 'temporary' : 'permanent');
  t.deepEqual(childrenToRestart('one_for_all', order, 'a', restartOf, 'crash'), ['a', 'b', 'd']);
});

test('a child that is not to be restarted takes no sibling down', (t) => {
  const restartOf = (id: string): RestartType => (id === 'b' ? 'temporary' : 'permanent');
  t.deepEqual(childrenToRestart('one_for_all', order, 'b', restartOf, 'crash'), []);
  const transient = (id: string): RestartType => (id === 'b' ? 'transient' : 'permanent');
  t.deepEqual(childrenToRestart('rest_for_one', order, 'b', transient, 'normal'), []);
  t.deepEqual(childrenToRestart('rest_for_one', order, 'b', transient, 'crash'), ['b', 'c', 'd']);
});

test('restart types follow OTP', (t) => {
  const table: [RestartType, 'crash' | 'normal' | 'shutdown', boolean][] = [
    ['permanent', 'crash', true],
    ['permanent', 'normal', true],
    ['permanent', 'shutdown', false],
    ['transient', 'crash', true],
    ['transient', 'normal', false],
    ['temporary', 'crash', false],
  ];
  for (const [type, reason, expected] of table) t.is(shouldRestart(type, reason), expected, `${type} after ${reason}`);
});

test('intensity counts restarts within the period only', (t) => {
  const policy = { strategy: 'one_for_one' as const, intensity: 2, periodMs: 1_000 };
  let w = recordRestart([], 0, policy);
  t.false(w.exceeded);
  w = recordRestart(w.window, 500, policy);
  t.false(w.exceeded);
  w = recordRestart(w.window, 900, policy);
  t.true(w.exceeded, 'three restarts within one period exceed an intensity of 2');
  const later = recordRestart([0, 500], 1_600, policy);
  t.false(later.exceeded, 'old restarts slide out of the window');
  t.deepEqual(later.window, [1_600]);
});

test('child specs are validated before anything starts', (t) => {
  t.throws(() => validateChildSpecs([{ id: 'a', module: 'x' }, { id: 'a', module: 'y' }]), { message: /duplicate child id "a"/ });
  t.throws(() => validateChildSpecs([{ id: 'g', group: [{ address: 'a', module: 'm' }] }, { id: 'a', module: 'm' }]), {
    message: /duplicate actor address "a"/,
  });
  t.throws(() => validateChildSpecs([{ id: 'supervisor', module: 'm' }]), { message: /reserved/ });
  t.notThrows(() => validateChildSpecs([{ id: 'a', module: 'm' }, { id: 'g', group: [{ address: 'node/n1', module: 'm' }] }]));
});
