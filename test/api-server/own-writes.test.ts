/** own-writes.ts: the cache reads the writer's object only for an exact echo of the bytes it sent. */
import test from 'ava';
import { OwnWrites, withRv } from '../../actors/api-server/own-writes.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { ENCODED_HEADER_BYTES, encodeForStore } from '../../lib/store/encoded.js';
import { ENCODING_MSGPACK, packr, PLACEHOLDER_BYTES, RV_PLACEHOLDER } from '../../lib/store/codec.js';
import type { EncodedWatchEvent } from '../../lib/store/types.js';

const obj = (name: string, extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: 'b', ...extra } }) as unknown as KubeObject;

/** What the store sends for a stored object: its msgpack with the real resourceVersion. */
function stored(o: KubeObject, revision: number, key = '/registry/core/configmaps/default/x'): EncodedWatchEvent {
  return { type: 'ADDED', key, revision, encoding: ENCODING_MSGPACK, encoded: Uint8Array.prototype.slice.call(packr.pack(withRv(o, String(revision)))) };
}

test('an exact echo (the sent bytes with its resourceVersion) is claimed; other bytes, keys and released writes are not', (t) => {
  const own = new OwnWrites();
  const o = obj('x');
  const w = own.register('/registry/core/configmaps/default/x', encodeForStore(o), o);
  t.truthy(w);
  const got = own.claim(stored(o, 1234));
  t.is(got, o);
  t.is(own.claim(stored(obj('x', { a: 'c' }), 1234)), undefined, 'different content');
  t.is(own.claim(stored(o, 1234, '/registry/core/configmaps/default/y')), undefined, 'different key');
  t.is(own.claim({ ...stored(o, 1234), type: 'DELETED' }), undefined, 'deletes are decoded');
  own.release(w);
  t.is(own.size, 0);
  t.is(own.claim(stored(o, 1234)), undefined, 'released');
});

test('values stored as JSON or holding strings msgpack cannot carry exactly are not registered', (t) => {
  const own = new OwnWrites();
  const proto = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p","labels":{"__proto__":"x"}}}') as KubeObject;
  t.is(own.register('k', encodeForStore(proto), proto), undefined);
  const surrogate = obj('s', { a: '\ud800' });
  t.is(own.register('k', encodeForStore(surrogate), surrogate), undefined);
  const enc = encodeForStore(obj('ok'));
  t.true(enc.length > ENCODED_HEADER_BYTES);
});

test('the encoder reports where the placeholder went (generic and compiled shapes, resourceVersion present or appended), and the echo is claimed even when a value holds the placeholder text', (t) => {
  const own = new OwnWrites();
  // A user string equal to the placeholder text sits before metadata: a search would find it first.
  const withDecoy = (i: number, rv?: string): KubeObject =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', aaa: RV_PLACEHOLDER, metadata: { name: `d${i}`, namespace: 'default', ...(rv === undefined ? {} : { resourceVersion: rv }), labels: { x: RV_PLACEHOLDER } }, data: { a: RV_PLACEHOLDER } }) as unknown as KubeObject;
  // Past the writer's compile threshold (8 uses of a shape), both forms are exercised.
  for (let i = 0; i < 20; i++) {
    for (const rv of [undefined, '17']) {
      const o = withDecoy(i, rv);
      const where = { at: -1 };
      const enc = Buffer.from(encodeForStore(o, where));
      t.true(where.at >= ENCODED_HEADER_BYTES, `reported (${i}, ${rv})`);
      t.deepEqual(enc.subarray(where.at, where.at + PLACEHOLDER_BYTES.length), PLACEHOLDER_BYTES);
      t.true(enc.indexOf(PLACEHOLDER_BYTES, ENCODED_HEADER_BYTES) < where.at, 'the decoy comes first');
      const key = `/registry/core/configmaps/default/d${i}-${rv ?? ''}`;
      const w = own.register(key, enc, o, where.at);
      t.truthy(w);
      t.is(own.register(key, enc, o), undefined, 'searching alone refuses the ambiguous bytes');
      t.is(own.claim(stored(o, 5000 + i, key)), o);
      own.release(w);
    }
  }
  // A wrong offset is not trusted: the bytes are searched instead.
  const plain = obj('plain');
  const enc = encodeForStore(plain);
  const w = own.register('/registry/core/configmaps/default/plain', enc, plain, ENCODED_HEADER_BYTES);
  t.truthy(w);
  t.is(own.claim(stored(plain, 77, '/registry/core/configmaps/default/plain')), plain);
  // The msgpackr path (a __proto__ key) reports no offset.
  const where = { at: 5 };
  encodeForStore(JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p","labels":{"__proto__":"x"}}}'), where);
  t.is(where.at, -1);
});

test('several writes of one key in flight: each echo finds its own write, whichever is released first', (t) => {
  const own = new OwnWrites();
  const key = '/registry/core/configmaps/default/x';
  const [a, b, c] = [obj('x', { v: '1' }), obj('x', { v: '2' }), obj('x', { v: '3' })];
  const wa = own.register(key, encodeForStore(a), a);
  const wb = own.register(key, encodeForStore(b), b);
  const wc = own.register(key, encodeForStore(c), c);
  t.is(own.size, 1);
  t.is(own.claim(stored(b, 11, key)), b);
  t.is(own.claim(stored(a, 10, key)), a);
  own.release(wa);
  t.is(own.claim(stored(a, 10, key)), undefined, 'released');
  t.is(own.claim(stored(c, 12, key)), c);
  own.release(wc);
  t.is(own.claim(stored(b, 11, key)), b, 'the last one left');
  own.release(wb);
  own.release(wb);
  t.is(own.size, 0);
  t.is(own.claim(stored(b, 11, key)), undefined);
});
