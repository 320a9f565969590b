import test from 'ava';
import type { WriteResult } from '../../lib/store/index.js';
import { openTemp, pod, podKey } from './helpers.js';

function ok(t: { true(v: boolean, m?: string): void }, r: WriteResult | undefined): asserts r is Extract<WriteResult, { ok: true }> {
  t.true(r !== undefined && r.ok, `expected success, got ${JSON.stringify(r)}`);
}

test('create twice: the second fails with ALREADY_EXISTS and returns the current object', async (t) => {
  const { store } = openTemp(t);
  const key = podKey('a', 'p1');
  const first = await store.writeOne({ op: 'create', key, value: pod('p1', 'a') });
  ok(t, first);
  t.is(first.revision, 1);
  t.is(first.prevRevision, 0);
  t.is((first.value as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '1');

  const second = await store.writeOne({ op: 'create', key, value: pod('p1', 'a', { nodeName: 'other' }) });
  t.false(second.ok);
  if (second.ok) return;
  t.is(second.code, 'ALREADY_EXISTS');
  t.is(second.current?.revision, 1);
  t.deepEqual(second.current?.value, first.value);
  t.is(store.revision, 1, 'a failed condition takes no revision');
});

test('update with a stale resourceVersion fails with CONFLICT and returns the current object', async (t) => {
  const { store } = openTemp(t);
  const key = podKey('a', 'p1');
  const created = await store.writeOne({ op: 'create', key, value: pod('p1', 'a') });
  ok(t, created);
  const updated = await store.writeOne({ op: 'update', key, value: pod('p1', 'a', { nodeName: 'n1' }), expectedRevision: 1 });
  ok(t, updated);
  t.is(updated.revision, 2);
  t.is(updated.prevRevision, 1);

  const stale = await store.writeOne({ op: 'update', key, value: pod('p1', 'a', { nodeName: 'n2' }), expectedRevision: 1 });
  t.false(stale.ok);
  if (stale.ok) return;
  t.is(stale.code, 'CONFLICT');
  t.is(stale.current?.revision, 2);
  t.is((stale.current?.value as { spec: { nodeName: string } }).spec.nodeName, 'n1');
  t.is((await store.get(key))?.revision, 2);
});

test('update and delete of a missing key fail with NOT_FOUND; unconditional update succeeds', async (t) => {
  const { store } = openTemp(t);
  const key = podKey('a', 'p1');
  const [u, d] = await store.write([
    { op: 'update', key, value: pod('p1') },
    { op: 'delete', key },
  ]);
  t.like(u, { ok: false, code: 'NOT_FOUND' });
  t.like(d, { ok: false, code: 'NOT_FOUND' });
  t.is((u as { current?: unknown }).current, undefined);

  await store.writeOne({ op: 'create', key, value: pod('p1') });
  const blind = await store.writeOne({ op: 'update', key, value: pod('p1', 'default', { nodeName: 'x' }) });
  t.like(blind, { ok: true, revision: 2, prevRevision: 1 });
});

test('delete with a stale resourceVersion fails; a matching one returns the last state', async (t) => {
  const { store } = openTemp(t);
  const key = podKey('a', 'p1');
  await store.writeOne({ op: 'create', key, value: pod('p1', 'a') });
  await store.writeOne({ op: 'update', key, value: pod('p1', 'a', { nodeName: 'n1' }) });
  const stale = await store.writeOne({ op: 'delete', key, expectedRevision: 1 });
  t.like(stale, { ok: false, code: 'CONFLICT', current: { revision: 2 } });
  const del = await store.writeOne({ op: 'delete', key, expectedRevision: 2 });
  ok(t, del);
  t.is(del.revision, 3);
  t.is(del.prevRevision, 2);
  t.is((del.value as { spec: { nodeName: string } }).spec.nodeName, 'n1');
  t.is(await store.get(key), undefined);
});

test('put upserts; put with expectedRevision 0 creates only if absent', async (t) => {
  const { store } = openTemp(t);
  const key = '/registry/coordination.k8s.io/leases/kube-system/lock';
  const a = await store.writeOne({ op: 'put', key, value: { metadata: { name: 'lock' }, holder: 'a' } });
  t.like(a, { ok: true, revision: 1, prevRevision: 0 });
  const b = await store.writeOne({ op: 'put', key, value: { metadata: { name: 'lock' }, holder: 'b' } });
  t.like(b, { ok: true, revision: 2, prevRevision: 1 });
  const c = await store.writeOne({ op: 'put', key, value: { metadata: { name: 'lock' }, holder: 'c' }, expectedRevision: 0 });
  t.like(c, { ok: false, code: 'CONFLICT', current: { revision: 2 } });
  const other = '/registry/coordination.k8s.io/leases/kube-system/other';
  const d = await store.writeOne({ op: 'put', key: other, value: { metadata: { name: 'other' } }, expectedRevision: 0 });
  t.like(d, { ok: true, revision: 3 });
});

test('a batch returns one result per op, and later ops see earlier ones of the same batch', async (t) => {
  const { store } = openTemp(t);
  const k1 = podKey('a', 'p1');
  const k2 = podKey('a', 'p2');
  const results = await store.write([
    { op: 'create', key: k1, value: pod('p1', 'a') }, // rev 1
    { op: 'create', key: k1, value: pod('p1', 'a') }, // exists now
    { op: 'update', key: k1, value: pod('p1', 'a', { nodeName: 'n' }), expectedRevision: 1 }, // rev 2
    { op: 'create', key: k2, value: pod('p2', 'a') }, // rev 3
    { op: 'delete', key: k2, expectedRevision: 3 }, // rev 4
    { op: 'delete', key: k2 }, // gone
    { op: 'create', key: k2, value: 'plain string value' }, // rev 5, not an object: no stamping
  ]);
  t.deepEqual(
    results.map((r) => (r.ok ? r.revision : r.code)),
    [1, 'ALREADY_EXISTS', 2, 3, 4, 'NOT_FOUND', 5],
  );
  const current = (results[1] as { current?: { revision: number } }).current;
  t.is(current?.revision, 1, 'the conflict reports the state inside the batch');
  t.is((await store.get(k1))?.revision, 2);
  t.deepEqual(await store.get(k2), { key: k2, value: 'plain string value', revision: 5 });
  t.is(store.stats().commits, 1);
});

test('the caller’s object is not mutated; the stored copy carries resourceVersion', async (t) => {
  const { store } = openTemp(t);
  const value = pod('p1');
  const before = JSON.stringify(value);
  const r = await store.writeOne({ op: 'create', key: podKey('default', 'p1'), value });
  t.is(JSON.stringify(value), before);
  ok(t, r);
  t.not(r.value, value);
  t.is((r.value as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '1');
  const got = await store.get(podKey('default', 'p1'));
  t.deepEqual(got?.value, r.value);
});

test('invalid input is rejected before anything is queued', async (t) => {
  const { store } = openTemp(t);
  await t.throwsAsync(store.write([{ op: 'create', key: 'no-slash', value: 1 }]), { instanceOf: Error, message: /key must/ });
  await t.throwsAsync(
    store.write([
      { op: 'create', key: '/ok', value: 1 },
      { op: 'update', key: '/ok', value: 1, expectedRevision: -1 },
    ]),
    { message: /expectedRevision/ },
  );
  const err = await t.throwsAsync(store.write([{ op: 'create', key: '/fn', value: { f: 10n ** 30n } }]));
  t.is((err as { code?: string }).code, 'INVALID_ARGUMENT');
  t.is(store.revision, 0);
  t.is(await store.get('/ok'), undefined);
});
