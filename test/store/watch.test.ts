import test from 'ava';
import type { StoreError, WatchEvent } from '../../lib/store/index.js';
import { WatchHub, type CommitEvent } from '../../lib/store/watch-hub.js';
import { openTemp, pod, podKey, sleep } from './helpers.js';

type Seen = [WatchEvent['type'], string, number];
const brief = (e: WatchEvent): Seen => [e.type, e.key, e.revision];

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(2);
  }
}

test('watch from a past revision replays exactly the missed events in order, then continues live', async (t) => {
  const { store } = openTemp(t);
  const a = (n: string) => podKey('a', n);
  await store.writeOne({ op: 'create', key: a('p1'), value: pod('p1', 'a') }); // 1
  await store.writeOne({ op: 'create', key: a('p2'), value: pod('p2', 'a') }); // 2
  const since = store.revision;
  await store.write([
    { op: 'update', key: a('p1'), value: pod('p1', 'a', { nodeName: 'n1' }) }, // 3
    { op: 'create', key: podKey('b', 'x'), value: pod('x', 'b') }, // 4, other prefix
    { op: 'delete', key: a('p2') }, // 5
  ]);
  await store.writeOne({ op: 'create', key: a('p3'), value: pod('p3', 'a') }); // 6

  const seen: WatchEvent[] = [];
  const batches: number[] = [];
  await store.watch({
    prefix: '/registry/core/pods/a/',
    sinceRevision: since,
    onEvents: (events) => {
      batches.push(events.length);
      seen.push(...events);
    },
  });
  await until(() => seen.length >= 3);
  t.deepEqual(seen.map(brief), [
    ['MODIFIED', a('p1'), 3],
    ['DELETED', a('p2'), 5],
    ['ADDED', a('p3'), 6],
  ]);
  const deleted = seen[1] as WatchEvent;
  t.is((deleted.object as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '5');
  t.is((deleted.prevObject as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '2');

  await store.write([
    { op: 'create', key: a('p4'), value: pod('p4', 'a') }, // 7
    { op: 'create', key: podKey('b', 'y'), value: pod('y', 'b') }, // 8
    { op: 'delete', key: a('p1'), expectedRevision: 3 }, // 9
  ]);
  t.deepEqual(seen.slice(3).map(brief), [
    ['ADDED', a('p4'), 7],
    ['DELETED', a('p1'), 9],
  ], 'live events arrive when the write is acknowledged');
  t.is(batches[batches.length - 1], 2, 'one callback per commit with all its matching events');
  const live = seen[4] as WatchEvent;
  t.is((live.prevObject as { spec: { nodeName: string } }).spec.nodeName, 'n1');
});

test('replay and live writes interleave without gaps or duplicates', async (t) => {
  const { store } = openTemp(t, { replayChunk: 3 });
  for (let i = 0; i < 40; i++) await store.writeOne({ op: 'put', key: podKey('a', `p${i % 7}`), value: pod(`p${i % 7}`, 'a') });
  const revisions: number[] = [];
  await store.watch({ prefix: '', sinceRevision: 0, onEvents: (es) => es.forEach((e) => revisions.push(e.revision)) });
  // Keep writing while the replay runs in chunks of 3 revisions.
  for (let i = 0; i < 30; i++) await store.writeOne({ op: 'put', key: podKey('a', `q${i % 5}`), value: pod('q', 'a') });
  await until(() => revisions.length >= 70);
  t.deepEqual(revisions, Array.from({ length: 70 }, (_, i) => i + 1));
});

test('a group commit reaches a watcher as one callback', async (t) => {
  const { store } = openTemp(t);
  const calls: number[] = [];
  await store.watch({ prefix: '/registry/core/pods/', onEvents: (es) => calls.push(es.length) });
  await Promise.all(Array.from({ length: 50 }, (_, i) => store.writeOne({ op: 'create', key: podKey('a', `p${i}`), value: pod(`p${i}`, 'a') })));
  t.deepEqual(calls, [50]);
});

test('watching from a compacted revision fails with COMPACTED', async (t) => {
  const { store } = openTemp(t, { retainRevisions: 3 });
  for (let i = 0; i < 10; i++) await store.writeOne({ op: 'put', key: podKey('a', 'p'), value: pod('p', 'a') });
  t.true(store.compactRevision >= 6);
  const err = await t.throwsAsync(store.watch({ prefix: '', sinceRevision: 2, onEvents: () => {} }));
  t.is((err as StoreError).code, 'COMPACTED');
  const seen: number[] = [];
  await store.watch({ prefix: '', sinceRevision: store.compactRevision, onEvents: (es) => es.forEach((e) => seen.push(e.revision)) });
  await until(() => seen.length > 0 && seen[seen.length - 1] === 10);
  t.deepEqual(seen, Array.from({ length: 10 - store.compactRevision }, (_, i) => store.compactRevision + 1 + i));
});

test('explicit compact() drops history and persists', async (t) => {
  const { store } = openTemp(t);
  for (let i = 0; i < 10; i++) await store.writeOne({ op: 'put', key: podKey('a', `p${i % 3}`), value: pod('p', 'a', { nodeName: `n${i}` }) });
  await store.compact(8);
  t.is(store.compactRevision, 8);
  await t.throwsAsync(store.watch({ prefix: '', sinceRevision: 7, onEvents: () => {} }), { message: /compacted/ });
  for (let i = 0; i < 3; i++) t.truthy(await store.get(podKey('a', `p${i}`)), 'current values stay');
});

test('a throwing callback cancels only that watch and is reported', async (t) => {
  const { store } = openTemp(t);
  const failures: StoreError[] = [];
  const good: number[] = [];
  await store.watch({
    prefix: '',
    onEvents: () => {
      throw new Error('boom');
    },
    onError: (e) => failures.push(e),
  });
  await store.watch({ prefix: '', onEvents: (es) => es.forEach((e) => good.push(e.revision)) });
  await store.writeOne({ op: 'create', key: '/registry/x/a', value: 1 });
  await store.writeOne({ op: 'create', key: '/registry/x/b', value: 2 });
  t.deepEqual(good, [1, 2]);
  t.is(failures.length, 1);
  t.is(failures[0]?.code, 'WATCHER_FAILED');
  t.is(store.stats().watchers, 1);
});

test('closing the store ends watches with CLOSED', async (t) => {
  const { store } = openTemp(t);
  const errors: string[] = [];
  await store.watch({ prefix: '', onEvents: () => {}, onError: (e) => errors.push(e.code) });
  await store.close();
  t.deepEqual(errors, ['CLOSED']);
  await t.throwsAsync(store.write([{ op: 'create', key: '/x', value: 1 }]), { message: /closed/ });
});

test('fan-out: 100,000 events to each of 10 watchers in under a second', (t) => {
  const source = { revision: 0, compactRevision: 0, readEvents: () => [], readEncodedEvents: () => [] };
  const hub = new WatchHub(source, (e) => t.fail(e.message));
  const counts = new Array<number>(10).fill(0);
  for (let w = 0; w < 10; w++) {
    // Half watch everything, half one namespace (every other event).
    const prefix = w % 2 === 0 ? '' : '/registry/core/pods/even/';
    hub.add({ prefix, onEvents: (es) => (counts[w] = (counts[w] as number) + es.length) });
  }
  const commits: CommitEvent[][] = [];
  let rev = 0;
  for (let c = 0; c < 100; c++) {
    const events: CommitEvent[] = [];
    for (let i = 0; i < 1000; i++) {
      rev++;
      const ns = rev % 2 === 0 ? 'even' : 'odd';
      events.push({ type: 'ADDED', key: `/registry/core/pods/${ns}/p${rev}`, revision: rev, value: { n: rev }, encoding: 0, bytes: undefined });
    }
    commits.push(events);
  }
  const start = performance.now();
  for (const events of commits) {
    const last = (events[events.length - 1] as CommitEvent).revision;
    source.revision = last;
    hub.publish(events, last);
  }
  const ms = performance.now() - start;
  t.log(`fan-out of 100,000 events to 10 watchers: ${ms.toFixed(1)} ms`);
  t.deepEqual(counts, [100_000, 50_000, 100_000, 50_000, 100_000, 50_000, 100_000, 50_000, 100_000, 50_000]);
  t.true(ms < 1000, `took ${ms} ms`);
});
