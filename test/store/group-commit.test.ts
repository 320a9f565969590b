import test from 'ava';
import type { WriteResult } from '../../lib/store/index.js';
import { openTemp, pod, podKey } from './helpers.js';

const revisionOf = (r: WriteResult[]): number => (r[0]?.ok ? r[0].revision : -1);

test('writes issued in the same event-loop turn commit in one LMDB transaction', async (t) => {
  const { store } = openTemp(t);
  const before = store.stats();
  const calls = Array.from({ length: 100 }, (_, i) => store.write([{ op: 'create', key: podKey('a', `p${i}`), value: pod(`p${i}`, 'a') }]));
  const results = await Promise.all(calls);
  const after = store.stats();
  t.is(after.commits - before.commits, 1, 'one group commit');
  t.is(after.lastTxnId - before.lastTxnId, 1, 'one LMDB transaction');
  t.is(after.largestCommit, 100);
  t.deepEqual(results.map(revisionOf), Array.from({ length: 100 }, (_, i) => i + 1), 'revisions in call order');
});

test('writes arriving while a commit is in flight form the next single commit', async (t) => {
  const { store } = openTemp(t);
  const order: string[] = [];
  const before = store.stats();
  const first = store.write([{ op: 'create', key: podKey('a', 'first'), value: pod('first', 'a') }]).then((r) => {
    order.push('first');
    return r;
  });
  // The group runner's setImmediate was queued first: by the time this one runs, "first" is issued and committing.
  const later = await new Promise<Promise<WriteResult[]>[]>((resolve) =>
    setImmediate(() => {
      t.is(store.stats().revision, 0, 'first is not acknowledged yet');
      resolve(
        ['b', 'c', 'd'].map((n) =>
          store.write([{ op: 'create', key: podKey('a', n), value: pod(n, 'a') }]).then((r) => {
            order.push(n);
            return r;
          }),
        ),
      );
    }),
  );
  const all = await Promise.all([first, ...later]);
  const after = store.stats();
  t.is(after.commits - before.commits, 2);
  t.is(after.lastTxnId - before.lastTxnId, 2);
  t.deepEqual(all.map(revisionOf), [1, 2, 3, 4]);
  t.deepEqual(order, ['first', 'b', 'c', 'd'], 'acknowledged in commit order');
});

test('an acknowledged write is visible and published: revision and reads agree at acknowledgement', async (t) => {
  const { store } = openTemp(t);
  const checks: boolean[] = [];
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      store.write([{ op: 'create', key: podKey('a', `p${i}`), value: pod(`p${i}`, 'a') }]).then((r) => {
        const rev = revisionOf(r);
        checks.push(store.revision >= rev && store.getSync(podKey('a', `p${i}`))?.revision === rev);
      }),
    ),
  );
  t.deepEqual(checks, new Array(20).fill(true));
});

test('condition failures alone commit nothing but are answered in order', async (t) => {
  const { store } = openTemp(t);
  await store.writeOne({ op: 'create', key: podKey('a', 'p'), value: pod('p', 'a') });
  const before = store.stats();
  const r = await store.writeOne({ op: 'create', key: podKey('a', 'p'), value: pod('p', 'a') });
  t.like(r, { ok: false, code: 'ALREADY_EXISTS' });
  t.is(store.stats().commits, before.commits);
  t.is(store.stats().conditionFailures, 1);
});
