import test from 'ava';
import { openLmdbStore, type WatchEvent } from '../../lib/store/index.js';
import { openTemp, pod, podKey, sleep, tempDir } from './helpers.js';

test('revisions, values and the event log survive a restart', async (t) => {
  const dir = tempDir(t);
  const first = openLmdbStore({ path: dir });
  await first.write([
    { op: 'create', key: podKey('a', 'p1'), value: pod('p1', 'a') },
    { op: 'create', key: podKey('a', 'p2'), value: pod('p2', 'a') },
  ]);
  await first.writeOne({ op: 'delete', key: podKey('a', 'p2') });
  await first.close();

  const { store } = openTemp(t, { path: dir });
  t.is(store.revision, 3);
  t.is((await store.get(podKey('a', 'p1')))?.revision, 1);
  const next = await store.writeOne({ op: 'create', key: podKey('a', 'p3'), value: pod('p3', 'a') });
  t.like(next, { ok: true, revision: 4 });
  const seen: WatchEvent[] = [];
  await store.watch({ prefix: '', sinceRevision: 0, onEvents: (es) => seen.push(...es) });
  while (seen.length < 4) await sleep(2);
  t.deepEqual(
    seen.map((e) => [e.type, e.revision]),
    [
      ['ADDED', 1],
      ['ADDED', 2],
      ['DELETED', 3],
      ['ADDED', 4],
    ],
  );
});

test('the time window compacts by the injected clock, and compaction persists', async (t) => {
  const dir = tempDir(t);
  let now = 1_000_000;
  const store = openLmdbStore({ path: dir, retainMs: 1000, retainRevisions: 1_000_000, now: () => now });
  for (let i = 0; i < 5; i++) await store.writeOne({ op: 'put', key: podKey('a', `p${i}`), value: pod('p', 'a') });
  t.is(store.compactRevision, 0);
  now += 5000; // everything so far is outside the window now
  await store.writeOne({ op: 'put', key: podKey('a', 'p0'), value: pod('p', 'a', { nodeName: 'late' }) });
  t.is(store.compactRevision, 5);
  await t.throwsAsync(store.watch({ prefix: '', sinceRevision: 4, onEvents: () => {} }), { message: /compacted/ });
  await store.close();

  const { store: reopened } = openTemp(t, { path: dir, retainMs: 1000, now: () => now });
  t.is(reopened.compactRevision, 5);
  t.is(reopened.revision, 6);
  const all = await reopened.range({ prefix: '/registry/core/pods/a/' });
  t.deepEqual(
    all.items.map((i) => [i.key, i.revision]),
    [
      [podKey('a', 'p0'), 6],
      [podKey('a', 'p1'), 2],
      [podKey('a', 'p2'), 3],
      [podKey('a', 'p3'), 4],
      [podKey('a', 'p4'), 5],
    ],
  );
});
