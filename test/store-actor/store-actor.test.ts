/** The store actor on a real worker thread: batch API, group commit, watch, bad input. */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreClient } from '../../actors/store/client.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { RemoteError } from '../../lib/actor/errors.js';
import { Supervisor } from '../../lib/actor/supervisor.js';
import type { Message } from '../../lib/actor/types.js';
import { StoreError } from '../../lib/store/errors.js';
import type { WatchEvent } from '../../lib/store/types.js';

async function startStore(t: import('ava').ExecutionContext): Promise<{ sup: Supervisor; store: StoreClient; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-store-actor-'));
  const sup = await Supervisor.start({ children: [storeChildSpec({ path: dir })], logLevel: 'silent' });
  const store = new StoreClient(sup);
  sup.on('message', (m: Message) => store.handleNotice(m));
  t.teardown(async () => {
    await sup.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { sup, store, dir };
}

const pod = (name: string, extra: Record<string, unknown> = {}): { kind: string; metadata: { name: string; namespace: string } } & Record<string, unknown> => ({
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  ...extra,
});
const key = (name: string): string => `/registry/core/pods/default/${name}`;

test('one message carries many ops and one reply carries their results, with resourceVersions', async (t) => {
  const { store } = await startStore(t);
  const results = await store.write([
    { op: 'create', key: key('a'), value: pod('a') },
    { op: 'create', key: key('b'), value: pod('b') },
    { op: 'create', key: key('a'), value: pod('a') },
  ]);
  const [r0, r1] = results;
  if (!r0!.ok || !r1!.ok) return t.fail('creates failed');
  t.is(r1!.revision, r0!.revision + 1);
  t.like(results[2], { ok: false, code: 'ALREADY_EXISTS' });
  const a = await store.get(key('a'));
  t.is((a?.value as { metadata: { resourceVersion: string } }).metadata.resourceVersion, String(a!.revision));
  const list = await store.range({ prefix: '/registry/core/pods/default/' });
  t.deepEqual(list.items.map((i) => i.key), [key('a'), key('b')]);
});

test('a stale resourceVersion fails with CONFLICT and returns the current object', async (t) => {
  const { store } = await startStore(t);
  const [created] = await store.write([{ op: 'create', key: key('web'), value: pod('web', { spec: { v: 1 } }) }]);
  const rev = created!.ok ? created!.revision : -1;
  await store.write([{ op: 'update', key: key('web'), value: pod('web', { spec: { v: 2 } }), expectedRevision: rev }]);
  const [stale] = await store.write([{ op: 'update', key: key('web'), value: pod('web', { spec: { v: 3 } }), expectedRevision: rev }]);
  t.like(stale, { ok: false, code: 'CONFLICT' });
  t.deepEqual(!stale!.ok && (stale!.current?.value as { spec: unknown }).spec, { v: 2 });
});

test('writes sent in separate messages share group commits', async (t) => {
  const { store } = await startStore(t);
  const before = await store.stats();
  const messages = 200;
  await Promise.all(
    Array.from({ length: messages }, (_, i) => store.write([{ op: 'create', key: key(`p${i}`), value: pod(`p${i}`) }])),
  );
  const after = await store.stats();
  t.is(after.writes - before.writes, messages);
  t.true(after.commits - before.commits < messages / 4, `${after.commits - before.commits} commits for ${messages} messages`);
});

test('a watcher gets the missed events from a past revision, then live ones, as store.events messages', async (t) => {
  const { store } = await startStore(t);
  const [first] = await store.write([{ op: 'create', key: key('w1'), value: pod('w1') }]);
  const since = first!.ok ? first!.revision : 0;
  await store.write([
    { op: 'create', key: key('w2'), value: pod('w2') },
    { op: 'delete', key: key('w1') },
  ]);
  const seen: WatchEvent[] = [];
  await store.watch('pods', '/registry/core/pods/', since, { onEvents: (events) => seen.push(...events) });
  await store.write([{ op: 'create', key: key('w3'), value: pod('w3') }]);
  const deadline = Date.now() + 5_000;
  while (seen.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  t.deepEqual(
    seen.map((e) => [e.type, e.key]),
    [
      ['ADDED', key('w2')],
      ['DELETED', key('w1')],
      ['ADDED', key('w3')],
    ],
  );
  t.deepEqual(seen.map((e) => e.revision), [since + 1, since + 2, since + 3]);
});

test('watching from a compacted revision fails with COMPACTED', async (t) => {
  const { store } = await startStore(t);
  for (let i = 0; i < 5; i++) await store.write([{ op: 'create', key: key(`c${i}`), value: pod(`c${i}`) }]);
  const stats = await store.stats();
  await store.compact(stats.revision - 1);
  const err = await t.throwsAsync(store.watch('old', '/registry/', 1, { onEvents: () => undefined }));
  t.true(err instanceof StoreError);
  t.is((err as StoreError).code, 'COMPACTED');
});

test('malformed requests get INVALID_ARGUMENT and the store keeps serving', async (t) => {
  const { sup, store } = await startStore(t);
  const bad: Message[] = [
    { type: 'store.write', ops: 'nope' } as Message,
    { type: 'store.write', ops: [{ op: 'upsert', key: 'x', value: 1 }] } as Message,
    { type: 'store.write', ops: [{ op: 'create', key: 42, value: 1 }] } as Message,
    { type: 'store.get' } as Message,
    { type: 'store.launch' } as Message,
  ];
  for (const msg of bad) {
    const err = await t.throwsAsync(sup.request('store', msg));
    t.true(err instanceof RemoteError, String(err));
    t.is((err as RemoteError).code, 'INVALID_ARGUMENT');
  }
  const [result] = await store.write([{ op: 'create', key: key('fine'), value: pod('fine') }]);
  t.true(result!.ok);
  t.is((await sup.inspect('store').stats()).restarts, 0);
});
