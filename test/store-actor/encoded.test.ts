/** The store actor's byte paths: encoded writes, events as bytes decoded by the watcher actor, bad bytes refused. */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreClient, encodeOps } from '../../actors/store/client.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { RemoteError } from '../../lib/actor/errors.js';
import { Supervisor } from '../../lib/actor/supervisor.js';
import { encodeForStore } from '../../lib/store/encoded.js';
import { joinSegments, packOps, type BriefResults } from '../../lib/store/op-batch.js';
import type { WatchEvent, WriteOp } from '../../lib/store/types.js';

const watcherModule = new URL('../fixtures/store-actor/watcher.js', import.meta.url).href;

async function start(t: import('ava').ExecutionContext): Promise<{ sup: Supervisor; store: StoreClient }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-store-enc-'));
  const sup = await Supervisor.start({
    children: [
      storeChildSpec({ path: dir }),
      { id: 'watchers', group: ['watcher/1', 'watcher/2'].map((address) => ({ address, module: watcherModule })) },
    ],
    logLevel: 'silent',
  });
  t.teardown(async () => {
    await sup.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { sup, store: new StoreClient(sup) };
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({ kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion: '77' }, spec: { v: 1 }, ...extra });
const key = (name: string): string => `/registry/core/pods/default/${name}`;

async function eventsOf(sup: Supervisor, watcher: string, count: number): Promise<WatchEvent[]> {
  const msg = { type: 'probe.events', count };
  const reply = await sup.request<{ json: string; decodeErrors: string[] }>(watcher, msg, { timeoutMs: 10_000 });
  if (reply.decodeErrors.length > 0) throw new Error(reply.decodeErrors.join('; '));
  return JSON.parse(reply.json) as WatchEvent[];
}

test('encoded writes are stored with their revision; watcher actors get decodable events', async (t) => {
  const { sup, store } = await start(t);
  await sup.request('watcher/1', { type: 'probe.watch', prefix: '/registry/core/pods/' });
  const results = await store.writeEncoded([
    { op: 'create', key: key('a'), value: pod('a') },
    { op: 'create', key: key('b'), value: pod('b') },
  ]);
  const [a, b] = results;
  if (!a?.ok || !b?.ok) return t.fail('creates failed');
  t.is(a.value, undefined, 'brief: no value back');
  t.deepEqual((await store.get(key('a')))?.value, { ...pod('a'), metadata: { ...pod('a').metadata, resourceVersion: String(a.revision) } });
  const [u] = await store.write(encodeOps([{ op: 'update', key: key('a'), value: pod('a', { spec: { v: 2 } }), expectedRevision: a.revision }]));
  if (!u?.ok) return t.fail('update failed');
  t.deepEqual((u.value as { spec: unknown }).spec, { v: 2 }, 'a full reply decodes the stored value');
  await store.write([{ op: 'delete', key: key('b') }]);

  const events = await eventsOf(sup, 'watcher/1', 4);
  t.deepEqual(
    events.map((e) => [e.type, e.key, e.revision]),
    [
      ['ADDED', key('a'), a.revision],
      ['ADDED', key('b'), b.revision],
      ['MODIFIED', key('a'), u.revision],
      ['DELETED', key('b'), u.revision + 1],
    ],
  );
  t.like(events[2]!.object, { metadata: { name: 'a', resourceVersion: String(u.revision) }, spec: { v: 2 } });
  t.like(events[3]!.object, { metadata: { name: 'b', resourceVersion: String(u.revision + 1) } });
  t.like(events[3]!.prevObject, { metadata: { name: 'b', resourceVersion: String(b.revision) } });

  // A second watcher replays the same events from the log, as bytes too.
  await sup.request('watcher/2', { type: 'probe.watch', prefix: '/registry/core/pods/', sinceRevision: a.revision - 1 });
  t.deepEqual(await eventsOf(sup, 'watcher/2', 4), events);
});

test('a __proto__ key reaches a watcher actor intact through the encoded path', async (t) => {
  const { sup, store } = await start(t);
  await sup.request('watcher/1', { type: 'probe.watch', prefix: '/registry/core/configmaps/' });
  const cm = JSON.parse('{"kind":"ConfigMap","metadata":{"name":"cm"},"data":{"__proto__":"kept"}}');
  const [r] = await store.writeEncoded([{ op: 'create', key: '/registry/core/configmaps/default/cm', value: cm }]);
  t.true(r!.ok);
  const [event] = await eventsOf(sup, 'watcher/1', 1);
  const data = (event!.object as { data: object }).data;
  t.is(Object.getOwnPropertyDescriptor(data, '__proto__')?.value, 'kept');
  t.like(event!.object, { metadata: { resourceVersion: String(r!.ok && r!.revision) } });
});

test('malformed encoded values get INVALID_ARGUMENT, never a crash', async (t) => {
  const { sup, store } = await start(t);
  const good = Buffer.from(encodeForStore(pod('x')));
  const bad: unknown[] = [
    'text',
    42,
    good.subarray(2), // plain msgpack, no mark
    good.subarray(0, good.length - 3), // truncated
    Buffer.from([0xc1, 0, 0xdd, 0xff, 0xff, 0xff, 0xff]),
    Buffer.from([0xc1, 9, 0x90]),
  ];
  for (const encoded of bad) {
    const err = await t.throwsAsync(sup.request('store', { type: 'store.write', ops: [{ op: 'create', key: key('x'), encoded }], brief: true }));
    t.true(err instanceof RemoteError, String(err));
    t.is((err as RemoteError).code, 'INVALID_ARGUMENT', String(err));
  }
  const both = await t.throwsAsync(sup.request('store', { type: 'store.write', ops: [{ op: 'create', key: key('x'), value: 1, encoded: good }] }));
  t.is((both as RemoteError).code, 'INVALID_ARGUMENT');
  const [ok] = await store.write([{ op: 'create', key: key('x'), encoded: good }]);
  t.true(ok!.ok);
  t.is((await sup.inspect('store').stats()).restarts, 0);
  t.is((await store.stats()).writes, 1);
});

test('op batches: malformed batches and malformed values in them get INVALID_ARGUMENT; the store keeps serving', async (t) => {
  const { sup, store } = await start(t);
  const good = Buffer.from(joinSegments([packOps([{ op: 'create', key: key('x'), value: pod('x') }])]));
  const valueAt = good.length - Buffer.from(encodeForStore(pod('x'))).length;
  const badValue = Buffer.from(good);
  badValue[valueAt] = 0x90; // not the encoded mark
  const truncatedValue = Buffer.from(good);
  truncatedValue[good.length - 1] = 0xdd; // the value's last item now claims 2^32 elements
  for (const batch of ['text', Buffer.from('garbage'), good.subarray(0, good.length - 5), badValue, truncatedValue]) {
    const err = await t.throwsAsync(sup.request('store', { type: 'store.write-batch', batch, brief: true }));
    t.is((err as RemoteError).code, 'INVALID_ARGUMENT', String(err));
  }
  const reply = (await sup.request('store', { type: 'store.write-batch', batch: good, brief: true })) as BriefResults;
  const [revision, prevRevision] = reply.revisions;
  t.deepEqual(reply, { revisions: [revision, 0], failed: [] }, 'brief: two numbers per op');
  t.is(prevRevision, 0);
  t.deepEqual((await store.get(key('x')))?.value, { ...pod('x'), metadata: { ...pod('x').metadata, resourceVersion: String(revision) } });
  // Again: a failed op comes back whole, in order.
  const again = (await sup.request('store', { type: 'store.write-batch', batch: good, brief: true })) as BriefResults;
  t.deepEqual(again.revisions, [0, 0]);
  t.like(again.failed, [{ ok: false, code: 'ALREADY_EXISTS', key: key('x') }]);
  t.is((await sup.inspect('store').stats()).restarts, 0);
});

test('writeEncoded of many calls: large calls travel alone and are acknowledged as their group commits', async (t) => {
  const { store } = await start(t);
  const call = (c: number): WriteOp[] => Array.from({ length: 600 }, (_, i) => ({ op: 'create', key: key(`c${c}-${i}`), value: pod(`c${c}-${i}`) }));
  const before = await store.stats();
  const acked: number[] = [];
  const results = await Promise.all([0, 1, 2, 3].map((c) => store.writeEncoded(call(c)).then((r) => (acked.push(c), r))));
  const after = await store.stats();
  t.true(results.every((rs) => rs.length === 600 && rs.every((r) => r.ok)));
  t.deepEqual(acked, [0, 1, 2, 3], 'acknowledged in order');
  t.true(after.commits - before.commits >= 2, `4 x 600 ops in groups of at most 1,000 ops: ${after.commits - before.commits} commits`);
  t.true(after.largestCommit <= 1_000);
  const revisions = results.flat().map((r) => (r.ok ? r.revision : 0));
  t.deepEqual(revisions, revisions.map((_, i) => revisions[0]! + i), 'one revision each, in call order');
});
