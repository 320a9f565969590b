/** The injected clocks: FakeClock fires in due order; ActorClock turns timers into messages to its actor. */
import test from 'ava';
import type { Message } from '../../lib/actor/types.js';
import { ActorClock } from '../../lib/client/clock.js';
import { FakeClock } from '../../lib/client/fake-clock.js';
import { WorkQueue } from '../../lib/client/workqueue.js';

test('FakeClock fires due timers in time order, ties in the order set, including timers set by timers', (t) => {
  const clock = new FakeClock(1_000);
  const fired: string[] = [];
  clock.setTimer(20, () => fired.push('b'));
  clock.setTimer(10, () => {
    fired.push('a');
    clock.setTimer(5, () => fired.push('a+5'));
  });
  clock.setTimer(20, () => fired.push('c'));
  const cancelled = clock.setTimer(1, () => fired.push('cancelled'));
  clock.cancelTimer(cancelled);
  clock.advance(15);
  t.deepEqual(fired, ['a', 'a+5']);
  clock.advance(5);
  t.deepEqual(fired, ['a', 'a+5', 'b', 'c']);
  t.is(clock.now(), 1_020);
});

test('ActorClock schedules through the context and fires when its message comes back', (t) => {
  const sent: { delay: number; msg: Message; id: number }[] = [];
  const ctx = {
    now: () => 42,
    setTimer: (delay: number, msg: Message) => (sent.push({ delay, msg, id: sent.length + 1 }), sent.length),
    cancelTimer: () => undefined,
  };
  const clock = new ActorClock(ctx);
  const q = new WorkQueue<string>({ clock, baseDelayMs: 5 });
  q.addRateLimited('k');
  t.is(sent.length, 1);
  t.is(sent[0]!.delay, 5);
  t.is(q.length, 0);
  t.true(clock.handleTimer(sent[0]!.msg));
  t.is(q.tryGet(), 'k');
  t.false(clock.handleTimer({ type: 'other' }));
  t.is(clock.now(), 42);
});
