import test from 'ava';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { decodeValue, entryWithValue, prepareValue } from '../../lib/store/codec.js';
import { compareKeys, objectKey, prefixEnd, resourcePrefix } from '../../lib/store/index.js';
import { openTemp } from './helpers.js';

const reference = new Packr({ useRecords: false });

test('the spliced revision gives exactly the bytes of encoding the final object', (t) => {
  const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'resourceVersion', 'name'));
  const metadata = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
  const value = fc.record({ apiVersion: fc.string(), metadata, spec: fc.jsonValue({ maxDepth: 3 }) });
  const rev = fc.oneof(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
  const header = fc.integer({ min: 0, max: 300 });
  fc.assert(
    fc.property(value, rev, header, fc.boolean(), (v, r, h, sameHeader) => {
      const prep = prepareValue(v, h);
      const rv = String(r);
      const headerBytes = sameHeader ? h : h + 3; // also the copy path
      const entry = entryWithValue(prep, rv, headerBytes);
      const final = { ...v, metadata: { ...v.metadata, resourceVersion: rv } };
      const got = entry.subarray(headerBytes);
      if (prep.encoding === 0) t.deepEqual(got, Buffer.from(reference.pack(final)));
      else t.true(JSON.stringify(final).includes('__proto__'), 'JSON only for values that mention __proto__');
      t.deepEqual(decodeValue(prep.encoding, got), JSON.parse(JSON.stringify(final)));
      t.deepEqual(prep.object, final, 'the stored copy is the final object');
    }),
    { numRuns: 500 },
  );
});

test('values whose data contains the placeholder or __proto__ keys round-trip', async (t) => {
  const { store } = openTemp(t);
  const tricky = JSON.parse('{"metadata":{"name":"cm","note":"\\u0000berth-rv\\u0000"},"data":{"__proto__":"kept","x":"y"}}');
  const r = await store.writeOne({ op: 'create', key: '/registry/core/configmaps/a/cm', value: tricky });
  t.true(r.ok);
  const got = (await store.get('/registry/core/configmaps/a/cm'))?.value as { metadata: Record<string, string>; data: Record<string, string> };
  t.deepEqual(Object.keys(got.data), ['__proto__', 'x']);
  t.is(Object.getOwnPropertyDescriptor(got.data, '__proto__')?.value, 'kept');
  t.is(got.metadata['note'], '\u0000berth-rv\u0000');
  t.is(got.metadata['resourceVersion'], '1');
  const twice = JSON.parse('{"metadata":{"name":"p","a":"\\u0000berth-rv\\u0000"}}');
  await store.writeOne({ op: 'create', key: '/registry/core/configmaps/a/p', value: twice });
  t.like((await store.get('/registry/core/configmaps/a/p'))?.value, { metadata: { a: '\u0000berth-rv\u0000', resourceVersion: '2' } });
});

test('key helpers', (t) => {
  t.is(objectKey('', 'pods', 'ns', 'p'), '/registry/core/pods/ns/p');
  t.is(objectKey('apps', 'deployments', 'ns', 'd'), '/registry/apps/deployments/ns/d');
  t.is(objectKey('', 'nodes', undefined, 'n1'), '/registry/core/nodes/n1');
  t.is(resourcePrefix('', 'pods'), '/registry/core/pods/');
  t.is(resourcePrefix('', 'pods', 'ns'), '/registry/core/pods/ns/');
  t.is(prefixEnd('/registry/core/pods/'), '/registry/core/pods0');
  t.is(prefixEnd(''), undefined);
  const utf8 = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const [a, b] of [
    ['a', 'b'],
    ['ab', 'a'],
    ['\uffff', '\u{10000}'],
    ['\ue000', '\ud800\udc00'],
    ['x', 'x'],
  ] as const)
    t.is(Math.sign(compareKeys(a, b)), utf8(a, b), `${a} vs ${b}`);
});
