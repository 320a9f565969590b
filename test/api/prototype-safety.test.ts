/** User data with keys like "__proto__" and "constructor" stays plain data in every patch and pollutes nothing. */
import test from 'ava';
import { applyJsonPatch } from '../../lib/api/patch/json-patch.js';
import { applyMergePatch } from '../../lib/api/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../lib/api/patch/strategic.js';
import { deepClone, type JsonObject } from '../../lib/api/patch/json-value.js';
import { podSchema } from '../../lib/api/patch/metadata.js';

type Data = Record<string, unknown>;

const body = (json: string): Data => JSON.parse(json) as Data;

function labelsOf(v: unknown): Data {
  return ((v as Data).metadata as Data).labels as Data;
}

function assertClean(t: import('ava').ExecutionContext, labels: Data): void {
  t.is(Object.getPrototypeOf(labels), Object.prototype, 'labels keep the ordinary prototype');
  t.true(Object.hasOwn(labels, '__proto__'), '__proto__ is an own key');
  t.deepEqual(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value, { polluted: 'yes' });
  t.is((labels as { polluted?: unknown }).polluted, undefined);
  t.is(({} as { polluted?: unknown }).polluted, undefined, 'Object.prototype untouched');
}

const live = (): Data => body('{"metadata":{"name":"p","labels":{"app":"web"}}}');
const patchWithProto = '{"metadata":{"labels":{"__proto__":{"polluted":"yes"}}}}';

test('merge patch', (t) => {
  const out = applyMergePatch(live(), body(patchWithProto));
  assertClean(t, labelsOf(out));
  t.is(labelsOf(out).app, 'web');
});

test('strategic merge patch', (t) => {
  const r = applyStrategicMergePatch(live(), body(patchWithProto), podSchema);
  t.true(r.ok);
  if (r.ok) assertClean(t, labelsOf(r.value));
  const fresh = applyStrategicMergePatch({ metadata: {} }, body(patchWithProto), podSchema);
  t.true(fresh.ok);
  if (fresh.ok) assertClean(t, labelsOf(fresh.value));
});

test('JSON patch', (t) => {
  const r = applyJsonPatch(live(), [{ op: 'add', path: '/metadata/labels/__proto__', value: { polluted: 'yes' } }]);
  t.true(r.ok);
  if (r.ok) assertClean(t, labelsOf(r.value));
  t.like(applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }]), { ok: false });
  t.like(applyJsonPatch({}, [{ op: 'replace', path: '/constructor/prototype', value: 1 }]), { ok: false });
  t.is(({} as { polluted?: unknown }).polluted, undefined);
});

test('existing __proto__ keys survive copying and patching', (t) => {
  const withProto = { metadata: { labels: body('{"__proto__":{"polluted":"yes"}}') } };
  assertClean(t, labelsOf(deepClone(withProto as JsonObject)));
  assertClean(t, labelsOf(applyMergePatch(withProto, { metadata: { labels: { other: 'x' } } })));
  const r = applyStrategicMergePatch(withProto, { metadata: { labels: { other: 'x' } } }, podSchema);
  t.true(r.ok && Object.hasOwn(labelsOf(r.value), '__proto__'));
});

test('constructor and toString are ordinary keys: read only when own, deleted only when present', (t) => {
  const r = applyStrategicMergePatch({ data: {} }, { data: { constructor: 'c', toString: null } });
  t.deepEqual(r, { ok: true, value: { data: { constructor: 'c' } } });
  const m = applyMergePatch({ data: { constructor: 'old' } }, { data: { constructor: { x: 1 } } });
  t.deepEqual(m, { data: { constructor: { x: 1 } } });
  const merged = applyStrategicMergePatch({ spec: { constructor: { a: 1 } } }, { spec: { constructor: { b: 2 } } });
  t.deepEqual(merged, { ok: true, value: { spec: { constructor: { a: 1, b: 2 } } } });
  const del = applyStrategicMergePatch({ m: { a: 1 } }, { '$setElementOrder/constructor': [], '$deleteFromPrimitiveList/constructor': ['x'], m: { $retainKeys: ['a', 'constructor'] } });
  t.deepEqual(del, { ok: true, value: { m: { a: 1 } } });
});
