/** Writes of one turn reach the store as one call; a malformed op fails only its own writer. */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreClient } from '../../actors/store/client.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { MERGE_BELOW, WriteCoalescer } from '../../actors/store/write-coalescer.js';
import { Supervisor } from '../../lib/actor/supervisor.js';
import { StoreError } from '../../lib/store/errors.js';
import type { WriteOp, WriteResult } from '../../lib/store/types.js';

const create = (key: string): WriteOp => ({ op: 'create', key, value: { metadata: { name: key } } });

test('writes made in one turn are sent as one call, in order, and each writer gets its own results', async (t) => {
  const calls: WriteOp[][] = [];
  const c = new WriteCoalescer(async (ops) => {
    calls.push(ops);
    return ops.map((op, i): WriteResult => ({ ok: true, op: op.op, key: op.key, revision: 10 + i, value: undefined, prevRevision: 0 }));
  });
  const [a, b, cc] = await Promise.all([c.write([create('/a')], true), c.write([create('/b1'), create('/b2')], true), c.write([create('/c')], true)]);
  t.is(calls.length, 1);
  t.deepEqual(calls[0]!.map((op) => op.key), ['/a', '/b1', '/b2', '/c']);
  t.deepEqual(a.map((r) => r.key), ['/a']);
  t.deepEqual(b.map((r) => r.key), ['/b1', '/b2']);
  t.deepEqual(cc.map((r) => (r.ok ? r.revision : -1)), [13]);
  // The next turn is a call of its own.
  await c.write([create('/d')], true);
  t.is(calls.length, 2);
});

test('a large call travels alone (its own reply); the small calls around it merge, and the order is kept', async (t) => {
  const calls: string[][] = [];
  const c = new WriteCoalescer(async (ops) => {
    calls.push(ops.map((op) => op.key));
    return ops.map((op, i): WriteResult => ({ ok: true, op: op.op, key: op.key, revision: i + 1, value: undefined, prevRevision: 0 }));
  });
  const big = (name: string): WriteOp[] => Array.from({ length: MERGE_BELOW }, (_, i) => create(`/${name}${i}`));
  const results = await Promise.all([c.write([create('/a')], true), c.write([create('/b')], true), c.write(big('L'), true), c.write(big('M'), true), c.write([create('/c')], true)]);
  t.deepEqual(calls.map((keys) => [keys[0], keys.length]), [['/a', 2], ['/L0', MERGE_BELOW], ['/M0', MERGE_BELOW], ['/c', 1]]);
  t.deepEqual(results.map((r) => r.length), [1, 1, MERGE_BELOW, MERGE_BELOW, 1]);
  t.is(results[1]![0]!.key, '/b');
});

test('a failure other than a malformed op reaches every merged writer as it is', async (t) => {
  const c = new WriteCoalescer(async () => {
    throw new StoreError('MAP_FULL', 'full');
  });
  const results = await Promise.allSettled([c.write([create('/a')], true), c.write([create('/b')], true)]);
  t.deepEqual(results.map((r) => (r.status === 'rejected' ? (r.reason as StoreError).code : 'ok')), ['MAP_FULL', 'MAP_FULL']);
});

test('through the store actor: a malformed op merged with good ones fails alone; the good writes land', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-coalesce-'));
  const sup = await Supervisor.start({ children: [storeChildSpec({ path: dir })], logLevel: 'silent' });
  t.teardown(async () => {
    await sup.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = new StoreClient(sup);
  const outcomes = await Promise.allSettled([
    store.write([create('/registry/pods/default/good-1')]),
    store.write([{ op: 'create', key: 'not a key', value: {} }]),
    store.write([create('/registry/pods/default/good-2')]),
  ]);
  t.is(outcomes[0]!.status, 'fulfilled');
  t.is(outcomes[2]!.status, 'fulfilled');
  t.is(outcomes[1]!.status, 'rejected');
  t.is(((outcomes[1] as PromiseRejectedResult).reason as StoreError).code, 'INVALID_ARGUMENT');
  t.truthy(await store.get('/registry/pods/default/good-1'));
  t.truthy(await store.get('/registry/pods/default/good-2'));

  // The same with encoded values merged into one op batch: a malformed value fails only its writer.
  const encoded = await Promise.allSettled([
    store.writeEncoded([create('/registry/pods/default/enc-1')]),
    store.write([{ op: 'create', key: '/registry/pods/default/bad', encoded: Buffer.from([0xc1, 0, 0x91]) }]),
    store.writeEncoded([create('/registry/pods/default/enc-2')]),
  ]);
  t.deepEqual(encoded.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
  t.is(((encoded[1] as PromiseRejectedResult).reason as StoreError).code, 'INVALID_ARGUMENT');
  t.like((encoded[0] as PromiseFulfilledResult<WriteResult[]>).value, [{ ok: true, key: '/registry/pods/default/enc-1', value: undefined }]);
  t.truthy(await store.get('/registry/pods/default/enc-2'));
  t.is(await store.get('/registry/pods/default/bad'), undefined);
});
