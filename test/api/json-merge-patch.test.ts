/** JSON Patch (RFC 6902 appendix A cases) and JSON Merge Patch (RFC 7386 appendix A cases). */
import test from 'ava';
import { applyJsonPatch, formatPointer, parsePointer } from '../../lib/api/patch/json-patch.js';
import { applyMergePatch } from '../../lib/api/patch/merge-patch.js';
import type { JsonValue } from '../../lib/api/patch/json-value.js';

const ok = (doc: JsonValue, patch: unknown): JsonValue => {
  const r = applyJsonPatch(doc, patch);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

test('RFC 6902 appendix A: the successful cases', (t) => {
  t.deepEqual(ok({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), { foo: 'bar', baz: 'qux' });
  t.deepEqual(ok({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), { foo: ['bar', 'qux', 'baz'] });
  t.deepEqual(ok({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }]), { foo: 'bar' });
  t.deepEqual(ok({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), { foo: ['bar', 'baz'] });
  t.deepEqual(ok({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]), { baz: 'boo', foo: 'bar' });
  t.deepEqual(
    ok({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }]),
    { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  );
  t.deepEqual(ok({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }]), { foo: ['all', 'cows', 'eat', 'grass'] });
  t.deepEqual(ok({ baz: 'qux', foo: ['a', 2, 'c'] }, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }]), { baz: 'qux', foo: ['a', 2, 'c'] });
  t.deepEqual(ok({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }]), { foo: 'bar', child: { grandchild: {} } });
  t.deepEqual(ok({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }]), { foo: ['bar', ['abc', 'def']] });
  t.deepEqual(ok({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }]), { '/': 9, '~1': 10 });
  t.deepEqual(ok({ a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }]), { a: { b: 1 }, c: { b: 1 } });
  t.deepEqual(ok({ a: 1 }, [{ op: 'replace', path: '', value: [1] }]), [1]);
});

test('RFC 6902 appendix A: the failing cases, all-or-nothing', (t) => {
  const doc = { foo: 'bar', q: { bar: 2 } };
  t.like(applyJsonPatch(doc, [{ op: 'add', path: '/baz/bat', value: 'qux' }]), { ok: false, kind: 'failed', error: 'add operation does not apply: doc is missing path: "/baz/bat": missing value' });
  t.like(applyJsonPatch(doc, [{ op: 'test', path: '/foo', value: 'baz' }]), { ok: false, kind: 'failed', error: 'testing value /foo failed: test failed' });
  t.like(applyJsonPatch({ '/': 9 }, [{ op: 'test', path: '/~01', value: '10' }]), { ok: false, kind: 'failed' });
  t.like(applyJsonPatch({ foo: [1] }, [{ op: 'add', path: '/foo/2', value: 1 }]), { ok: false, kind: 'failed', error: 'Unable to access invalid index: 2: invalid index referenced' });
  t.like(applyJsonPatch({ foo: [1] }, [{ op: 'remove', path: '/foo/01' }]), { ok: false, kind: 'failed' });
  t.like(applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }]), { ok: false, error: 'Unable to remove nonexistent key: nope: missing value' });
  t.like(applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }]), { ok: false, error: 'replace operation does not apply: doc is missing key: /nope: missing value' });
  t.like(applyJsonPatch(doc, [{ op: 'move', from: '/q', path: '/q/x' }]), { ok: false, kind: 'failed' });
  t.like(applyJsonPatch(doc, [{ op: 'frob', path: '/x' }]), { ok: false, kind: 'malformed', error: 'Unexpected kind: frob' });
  t.like(applyJsonPatch(doc, [{ op: 'add', path: 'x', value: 1 }]), { ok: false, kind: 'malformed' });
  t.like(applyJsonPatch(doc, { op: 'add' }), { ok: false, kind: 'malformed' });
  t.like(applyJsonPatch(doc, [{ op: 'add', path: '/a', value: 1 }, { op: 'remove', path: '/zzz' }]), { ok: false });
  t.deepEqual(doc, { foo: 'bar', q: { bar: 2 } }, 'the input document is untouched');
  t.like(applyJsonPatch({}, new Array(3).fill({ op: 'test', path: '', value: {} }), 2), { ok: false, kind: 'malformed', error: 'The allowed maximum operations in a JSON patch is 2, got 3' });
});

test('JSON pointers escape ~ and /', (t) => {
  t.deepEqual(parsePointer('/a~1b/c~0d/'), ['a/b', 'c~d', '']);
  t.is(parsePointer('/a~2'), null);
  t.is(parsePointer('a'), null);
  t.is(formatPointer(['a/b', 'c~d']), '/a~1b/c~0d');
});

test('RFC 7386 appendix A', (t) => {
  const cases: [JsonValue, JsonValue, JsonValue][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) t.deepEqual(applyMergePatch(target, patch), want, JSON.stringify([target, patch]));
});

test('kubectl scale sends a merge patch to /scale', (t) => {
  const scale = { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web' }, spec: { replicas: 3 }, status: { replicas: 3, selector: 'app=web' } };
  t.deepEqual(applyMergePatch(scale, { spec: { replicas: 5 } }), { ...scale, spec: { replicas: 5 } });
  t.is(scale.spec.replicas, 3);
});

test('merge patch: the target is never changed, what the patch leaves alone is shared, and "__proto__" stays a key', (t) => {
  const target = { metadata: { name: 'web', labels: { a: '1' } }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'c' }] } } } };
  const before = structuredClone(target);
  const out = applyMergePatch(target, JSON.parse('{"metadata":{"labels":{"a":null,"__proto__":"x"}},"spec":{"replicas":5}}')) as typeof target;
  t.deepEqual(target, before);
  t.deepEqual(out.metadata.labels, JSON.parse('{"__proto__":"x"}'));
  t.is(Object.getPrototypeOf(out.metadata.labels), Object.prototype);
  t.is(out.spec.replicas, 5);
  t.is(out.spec.template, target.spec.template, 'untouched: shared');
  t.not(out.spec, target.spec);
});
