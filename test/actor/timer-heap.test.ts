/** The virtual clock's heap orders by time, then address, then sequence, whatever the insertion order. */
import test from 'ava';
import fc from 'fast-check';
import { TimerHeap, compareTimers, type TimerEntry } from '../../lib/actor/timer-heap.js';

const entry = fc.record({
  at: fc.integer({ min: 0, max: 50 }),
  address: fc.constantFrom('a', 'b', 'node/n1', 'node/n2'),
  seq: fc.integer({ min: 0, max: 1_000 }),
  host: fc.constantFrom('h1', 'h2'),
  id: fc.integer({ min: 1, max: 1_000_000 }),
});

test('pops in (time, address, sequence) order', (t) => {
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 200 }), (entries) => {
      const unique = [...new Map(entries.map((e) => [`${e.host}/${e.id}`, e])).values()];
      const heap = new TimerHeap();
      for (const e of unique) heap.push(e);
      const popped: TimerEntry[] = [];
      for (let e = heap.pop(); e; e = heap.pop()) popped.push(e);
      const expected = [...unique].sort(compareTimers);
      t.deepEqual(popped.map((e) => [e.at, e.address, e.seq]), expected.map((e) => [e.at, e.address, e.seq]));
    }),
  );
});

test('cancelled timers never surface; a dead host takes its timers with it', (t) => {
  const heap = new TimerHeap();
  heap.push({ at: 5, address: 'a', seq: 1, host: 'h1', id: 1 });
  heap.push({ at: 3, address: 'b', seq: 1, host: 'h1', id: 2 });
  heap.push({ at: 4, address: 'c', seq: 1, host: 'h2', id: 1 });
  heap.cancel('h1', 2);
  t.is(heap.pop()?.address, 'c');
  heap.cancelHost('h1');
  t.is(heap.pop(), undefined);
});
