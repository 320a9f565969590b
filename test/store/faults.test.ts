import test from 'ava';
import { open } from 'lmdb';
import { DecodeError, openLmdbStore, type StoreError, type WatchEvent } from '../../lib/store/index.js';
import { HEADER_BYTES } from '../../lib/store/log-entry.js';
import { openTemp, pod, podKey, sleep, tempDir } from './helpers.js';

/** Replace the stored value of `revision` in the log with bytes msgpack cannot decode, keeping the header. */
async function corruptValue(dir: string, revision: number): Promise<void> {
  const env = open(dir, {});
  const log = env.openDB<Buffer, number>({ name: 'log', encoding: 'binary' });
  const entry = log.getBinary(revision) as Buffer;
  const keyBytes = entry.readUInt16LE(19);
  // 0x85: a map of 5 entries, then nothing: "unexpected end of data".
  await log.put(revision, Buffer.concat([entry.subarray(0, HEADER_BYTES + keyBytes), Buffer.from([0x85])]));
  await env.close();
}

test('an undecodable value is reported with its key and skipped by range and watch; get throws DecodeError', async (t) => {
  const dir = tempDir(t);
  const first = openLmdbStore({ path: dir });
  await first.write([1, 2, 3].map((i) => ({ op: 'create' as const, key: podKey('a', `p${i}`), value: pod(`p${i}`, 'a') })));
  await first.close();
  await corruptValue(dir, 2);

  const { store, errors } = openTemp(t, { path: dir });
  const listed = await store.range({ prefix: '/registry/core/pods/a/' });
  t.deepEqual(listed.items.map((i) => i.key), [podKey('a', 'p1'), podKey('a', 'p3')]);
  t.is(errors.length, 1);
  t.true(errors[0] instanceof DecodeError);
  t.is((errors[0] as DecodeError).key, podKey('a', 'p2'));
  t.regex(errors[0]?.message ?? '', /pods\/a\/p2/);

  const getErr = await t.throwsAsync(store.get(podKey('a', 'p2')));
  t.is((getErr as StoreError).code, 'DECODE');

  const seen: WatchEvent[] = [];
  await store.watch({ prefix: '', sinceRevision: 0, onEvents: (es) => seen.push(...es) });
  while (seen.length < 2) await sleep(2);
  await sleep(10);
  t.deepEqual(seen.map((e) => e.revision), [1, 3]);
  t.is(errors.length, 2);
  t.is((errors[1] as DecodeError).key, podKey('a', 'p2'));

  // The broken object can still be deleted (and overwritten): writes only need its revision.
  const del = await store.writeOne({ op: 'delete', key: podKey('a', 'p2') });
  t.like(del, { ok: true, revision: 4, value: undefined });
});

test('a malformed keys entry is reported and skipped', async (t) => {
  const dir = tempDir(t);
  const first = openLmdbStore({ path: dir });
  await first.write([{ op: 'create', key: podKey('a', 'p1'), value: pod('p1', 'a') }, { op: 'create', key: podKey('a', 'p2'), value: pod('p2', 'a') }]);
  await first.close();
  const env = open(dir, {});
  await env.openDB<Buffer, string>({ name: 'keys', encoding: 'binary' }).put(podKey('a', 'p1'), Buffer.from('junk'));
  await env.close();
  const { store, errors } = openTemp(t, { path: dir });
  const listed = await store.range({ prefix: '/registry/core/pods/a/' });
  t.deepEqual(listed.items.map((i) => i.key), [podKey('a', 'p2')]);
  t.is((errors[0] as DecodeError | undefined)?.key, podKey('a', 'p1'));
});

test('the map grows from a small initial mapSize and keeps every write', async (t) => {
  const { store } = openTemp(t, { mapSize: 64 * 1024 });
  const start = store.stats().mapSize;
  for (let b = 0; b < 10; b++)
    await store.write(Array.from({ length: 200 }, (_, i) => ({ op: 'create' as const, key: podKey('g', `p${b}-${i}`), value: pod(`p${b}-${i}`, 'g') })));
  const stats = store.stats();
  t.true(stats.mapSize > start, `map grew from ${start} to ${stats.mapSize}`);
  t.true(stats.usedBytes > 64 * 1024);
  t.is(await store.count('/registry/core/pods/g/'), 2000);
  t.is((await store.get(podKey('g', 'p9-199')))?.revision, 2000);
});

test('past maxMapSize writes fail with MAP_FULL, acknowledged data stays, deletes still work', async (t) => {
  const dir = tempDir(t);
  const store = openLmdbStore({ path: dir, maxMapSize: 1 << 20 });
  let acked = 0;
  let failure: StoreError | undefined;
  for (let b = 0; b < 100 && failure === undefined; b++) {
    try {
      const results = await store.write(Array.from({ length: 50 }, (_, i) => ({ op: 'create' as const, key: podKey('q', `p${b}-${i}`), value: pod(`p${b}-${i}`, 'q') })));
      acked += results.filter((r) => r.ok).length;
    } catch (err) {
      failure = err as StoreError;
    }
  }
  t.is(failure?.code, 'MAP_FULL');
  t.true(acked > 0);
  t.is(await store.count('/registry/core/pods/q/'), acked);
  const del = await store.writeOne({ op: 'delete', key: podKey('q', 'p0-0') });
  t.like(del, { ok: true });
  await store.close();
  const reopened = openLmdbStore({ path: dir });
  t.teardown(() => reopened.close());
  t.is(await reopened.count('/registry/core/pods/q/'), acked - 1);
  t.is(reopened.revision, acked + 1);
});
