/** The work queue's semantics, table-driven: each case is a script of steps against a fake clock. */
import test from 'ava';
import { FakeClock } from '../../lib/client/fake-clock.js';
import { WorkQueue } from '../../lib/client/workqueue.js';

type Step =
  | ['add', string]
  | ['addAfter', string, number]
  | ['addRateLimited', string]
  | ['forget', string]
  | ['get', string | undefined]
  | ['done', string]
  | ['advance', number]
  | ['len', number]
  | ['requeues', string, number]
  | ['shutDown'];

interface Case {
  readonly proves: string;
  readonly steps: readonly Step[];
}

const cases: readonly Case[] = [
  { proves: 'keys come out in the order they were added', steps: [['add', 'a'], ['add', 'b'], ['get', 'a'], ['get', 'b'], ['get', undefined]] },
  { proves: 'a key added twice waits once', steps: [['add', 'a'], ['add', 'a'], ['len', 1], ['get', 'a'], ['get', undefined]] },
  {
    proves: 'a key added while processing is not handed out again until done, then once',
    steps: [['add', 'a'], ['get', 'a'], ['add', 'a'], ['add', 'a'], ['len', 0], ['get', undefined], ['done', 'a'], ['len', 1], ['get', 'a'], ['done', 'a'], ['get', undefined]],
  },
  { proves: 'done without a re-add leaves nothing queued', steps: [['add', 'a'], ['get', 'a'], ['done', 'a'], ['len', 0]] },
  { proves: 'other keys proceed while one is processing', steps: [['add', 'a'], ['get', 'a'], ['add', 'b'], ['add', 'a'], ['get', 'b'], ['get', undefined]] },
  { proves: 'addAfter waits for the clock', steps: [['addAfter', 'a', 100], ['get', undefined], ['advance', 99], ['get', undefined], ['advance', 1], ['get', 'a']] },
  { proves: 'addAfter of a waiting key keeps the earlier time', steps: [['addAfter', 'a', 100], ['addAfter', 'a', 50], ['advance', 50], ['get', 'a'], ['done', 'a'], ['advance', 100], ['get', undefined]] },
  { proves: 'addAfter later than the pending time changes nothing', steps: [['addAfter', 'a', 50], ['addAfter', 'a', 500], ['advance', 50], ['get', 'a'], ['done', 'a'], ['advance', 1000], ['len', 0]] },
  { proves: 'a delayed key already queued is not queued twice', steps: [['add', 'a'], ['addAfter', 'a', 10], ['advance', 10], ['len', 1]] },
  {
    proves: 'addRateLimited backs off exponentially per key: 5, 10, 20 ms',
    steps: [
      ['addRateLimited', 'a'], ['advance', 4], ['get', undefined], ['advance', 1], ['get', 'a'], ['done', 'a'],
      ['addRateLimited', 'a'], ['advance', 9], ['get', undefined], ['advance', 1], ['get', 'a'], ['done', 'a'],
      ['addRateLimited', 'a'], ['advance', 19], ['get', undefined], ['advance', 1], ['get', 'a'], ['requeues', 'a', 3],
    ],
  },
  { proves: 'back-off is per key', steps: [['addRateLimited', 'a'], ['addRateLimited', 'a'], ['addRateLimited', 'b'], ['requeues', 'a', 2], ['requeues', 'b', 1], ['advance', 5], ['get', 'a'], ['get', 'b']] },
  {
    proves: 'forget resets the back-off',
    steps: [['addRateLimited', 'a'], ['addRateLimited', 'a'], ['addRateLimited', 'a'], ['forget', 'a'], ['requeues', 'a', 0], ['advance', 5], ['get', 'a'], ['done', 'a'], ['addRateLimited', 'a'], ['advance', 5], ['get', 'a']],
  },
  { proves: 'after shutDown, adds are ignored and queued keys drain', steps: [['add', 'a'], ['shutDown'], ['add', 'b'], ['get', 'a'], ['get', undefined], ['len', 0]] },
  { proves: 'shutDown drops delayed keys', steps: [['addAfter', 'a', 10], ['shutDown'], ['advance', 100], ['len', 0]] },
];

for (const c of cases) {
  test(c.proves, (t) => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, baseDelayMs: 5, maxDelayMs: 1_000 });
    c.steps.forEach((step, i) => {
      const where = `step ${i}: ${JSON.stringify(step)}`;
      switch (step[0]) {
        case 'add': return q.add(step[1]);
        case 'addAfter': return q.addAfter(step[1], step[2]);
        case 'addRateLimited': return q.addRateLimited(step[1]);
        case 'forget': return q.forget(step[1]);
        case 'get': return t.is(q.tryGet(), step[1], where);
        case 'done': return q.done(step[1]);
        case 'advance': return clock.advance(step[1]);
        case 'len': return t.is(q.length, step[1], where);
        case 'requeues': return t.is(q.numRequeues(step[1]), step[2], where);
        case 'shutDown': return q.shutDown();
      }
    });
  });
}

test('back-off is capped at maxDelayMs', (t) => {
  const q = new WorkQueue<string>({ clock: new FakeClock(), baseDelayMs: 5, maxDelayMs: 1_000 });
  t.deepEqual([0, 1, 2, 7, 8, 100].map((n) => q.backoff(n)), [5, 10, 20, 640, 1_000, 1_000]);
});

test('get waits for a key, and a waiting get resolves undefined on shutDown', async (t) => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>({ clock });
  const first = q.get();
  q.addAfter('a', 10);
  clock.advance(10);
  t.is(await first, 'a');
  t.is(q.inProgress, 1);
  const second = q.get();
  q.shutDown();
  t.is(await second, undefined);
});

test('concurrent workers never hold the same key at once', async (t) => {
  const q = new WorkQueue<string>({ clock: new FakeClock() });
  const holding = new Set<string>();
  let overlaps = 0;
  let processed = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await q.get();
      if (key === undefined) return;
      if (holding.has(key)) overlaps++;
      holding.add(key);
      await new Promise((r) => setImmediate(r));
      if (processed++ < 200) q.add(`k${processed % 3}`); // re-adds of keys being processed
      holding.delete(key);
      q.done(key);
    }
  };
  for (let i = 0; i < 3; i++) q.add(`k${i}`);
  const workers = Array.from({ length: 4 }, worker);
  while (processed < 200 || q.length > 0 || q.inProgress > 0) await new Promise((r) => setImmediate(r));
  q.shutDown();
  await Promise.all(workers);
  t.is(overlaps, 0);
  t.true(processed >= 200);
});
