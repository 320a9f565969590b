import test from 'ava';
import type { KeyValue, LmdbStore, WriteOp } from '../../lib/store/index.js';
import { openTemp, pod, podKey, rng } from './helpers.js';

/** What the test believes is stored: key -> { revision, nodeName } after each revision. */
type Model = Map<string, { revision: number; nodeName: string }>;

function nodeNameOf(kv: KeyValue): string {
  return (kv.value as { spec: { nodeName: string } }).spec.nodeName;
}

function summary(items: KeyValue[]): [string, number, string][] {
  return items.map((kv) => [kv.key, kv.revision, nodeNameOf(kv)]);
}

function modelSummary(model: Model, prefix: string): [string, number, string][] {
  return [...model.entries()]
    .filter(([k]) => k.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => [k, v.revision, v.nodeName]);
}

/** Apply ops through the store and mirror them into the model. */
async function apply(store: LmdbStore, model: Model, ops: WriteOp[]): Promise<void> {
  const results = await store.write(ops);
  results.forEach((r) => {
    if (!r.ok) return;
    if (r.op === 'delete') model.delete(r.key);
    else model.set(r.key, { revision: r.revision, nodeName: (r.value as { spec: { nodeName: string } }).spec.nodeName });
  });
}

function randomOps(next: () => number, ns: string, count: number, step: number): WriteOp[] {
  const ops: WriteOp[] = [];
  for (let i = 0; i < count; i++) {
    const name = `p${String(Math.floor(next() * 150)).padStart(3, '0')}`;
    const key = podKey(ns, name);
    const roll = next();
    const value = pod(name, ns, { nodeName: `n${step}-${i}` });
    if (roll < 0.45) ops.push({ op: 'put', key, value });
    else if (roll < 0.7) ops.push({ op: 'create', key, value });
    else ops.push({ op: 'delete', key });
  }
  return ops;
}

test('pagination is consistent at the first page’s revision while writes continue', async (t) => {
  const { store } = openTemp(t);
  const model: Model = new Map();
  const next = rng(7);
  const prefix = '/registry/core/pods/a/';
  await apply(
    store,
    model,
    Array.from({ length: 100 }, (_, i) => ({ op: 'create' as const, key: podKey('a', `p${String(i * 1.5 | 0).padStart(3, '0')}`), value: pod(`p${i}`, 'a', { nodeName: 'init' }) })),
  );
  // Noise in neighbouring prefixes must not leak in.
  await apply(store, model, [
    { op: 'create', key: podKey('a-other', 'x'), value: pod('x', 'a-other') },
    { op: 'create', key: podKey('b', 'x'), value: pod('x', 'b') },
  ]);
  const snapshot = modelSummary(model, prefix);
  const first = await store.range({ prefix, limit: 7 });
  t.is(first.revision, store.revision);
  const pages = [first];
  let step = 0;
  while (pages[pages.length - 1]?.continue) {
    // Writes between pages: updates, deletes and creates before and after the cursor.
    await apply(store, model, randomOps(next, 'a', 12, step++));
    const page = await store.range({ prefix, limit: 7, continue: pages[pages.length - 1]?.continue as string });
    t.is(page.revision, first.revision, 'every page is at the first page’s revision');
    t.true(page.items.length <= 7);
    pages.push(page);
  }
  t.true(pages.length > 10);
  t.deepEqual(summary(pages.flatMap((p) => p.items)), snapshot);
  // A fresh list sees the writes.
  const now = await store.range({ prefix });
  t.deepEqual(summary(now.items), modelSummary(model, prefix));
  t.is(now.continue, undefined);
});

test('range at any retained revision equals the model at that revision, across compaction', async (t) => {
  const { store } = openTemp(t, { retainRevisions: 60 });
  const model: Model = new Map();
  const history = new Map<number, [string, number, string][]>();
  const next = rng(42);
  const prefix = '/registry/core/pods/r/';
  for (let step = 0; step < 40; step++) {
    await apply(store, model, randomOps(next, 'r', 8, step));
    history.set(store.revision, modelSummary(model, prefix));
  }
  t.true(store.compactRevision > 0, 'the window forced compaction');
  let checked = 0;
  for (const [rev, expected] of history) {
    if (rev < store.compactRevision) {
      const err = await t.throwsAsync(store.range({ prefix, revision: rev }));
      t.is((err as { code?: string }).code, 'COMPACTED');
      continue;
    }
    const all = await store.range({ prefix, revision: rev });
    t.deepEqual(summary(all.items), expected, `at revision ${rev}`);
    // And paged, at that revision.
    const items: KeyValue[] = [];
    let page = await store.range({ prefix, revision: rev, limit: 5 });
    items.push(...page.items);
    while (page.continue) {
      page = await store.range({ prefix, limit: 5, continue: page.continue });
      items.push(...page.items);
    }
    t.deepEqual(summary(items), expected);
    checked++;
  }
  t.true(checked > 3);
  // Current values survive compaction even when written long before the window.
  for (const [key, v] of model) t.is((await store.get(key))?.revision, v.revision);
});

test('a continue token older than the window fails with COMPACTED', async (t) => {
  const { store } = openTemp(t, { retainRevisions: 5 });
  const prefix = '/registry/core/pods/c/';
  await store.write(Array.from({ length: 10 }, (_, i) => ({ op: 'create' as const, key: podKey('c', `p${i}`), value: pod(`p${i}`, 'c') })));
  const page = await store.range({ prefix, limit: 3 });
  t.truthy(page.continue);
  for (let i = 0; i < 10; i++) await store.writeOne({ op: 'update', key: podKey('c', 'p0'), value: pod('p0', 'c', { nodeName: `n${i}` }) });
  const err = await t.throwsAsync(store.range({ prefix, limit: 3, continue: page.continue as string }));
  t.is((err as { code?: string }).code, 'COMPACTED');
  t.is((err as { requested?: number }).requested, page.revision);
});

test('bad tokens and revisions are typed errors', async (t) => {
  const { store } = openTemp(t);
  await store.writeOne({ op: 'create', key: podKey('a', 'p'), value: pod('p', 'a') });
  await store.writeOne({ op: 'create', key: podKey('a', 'q'), value: pod('q', 'a') });
  const page = await store.range({ prefix: '/registry/core/pods/a/', limit: 1 });
  t.truthy(page.continue);
  const other = await t.throwsAsync(store.range({ prefix: '/registry/core/pods/b/', continue: page.continue as string }));
  t.is((other as { code?: string }).code, 'INVALID_CONTINUE');
  const junk = await t.throwsAsync(store.range({ prefix: '/registry/core/pods/a/', continue: 'not-a-token' }));
  t.is((junk as { code?: string }).code, 'INVALID_CONTINUE');
  const future = await t.throwsAsync(store.range({ prefix: '/registry/', revision: 99 }));
  t.is((future as { code?: string }).code, 'FUTURE_REVISION');
});

test('count and cluster-scoped keys', async (t) => {
  const { store } = openTemp(t);
  await store.write([
    { op: 'create', key: '/registry/core/nodes/n1', value: { metadata: { name: 'n1' } } },
    { op: 'create', key: '/registry/core/nodes/n2', value: { metadata: { name: 'n2' } } },
    { op: 'create', key: podKey('a', 'p'), value: pod('p', 'a') },
  ]);
  t.is(await store.count('/registry/core/nodes/'), 2);
  t.is(await store.count('/registry/'), 3);
  const nodes = await store.range({ prefix: '/registry/core/nodes/' });
  t.deepEqual(
    nodes.items.map((i) => i.key),
    ['/registry/core/nodes/n1', '/registry/core/nodes/n2'],
  );
});
