/** own-writes.ts: the cache reads the writer's object only for an exact echo of the bytes it sent. */
import test from 'ava';
import { OwnWrites, withRv } from '../../actors/api-server/own-writes.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { ENCODED_HEADER_BYTES, encodeForStore } from '../../lib/store/encoded.js';
import { ENCODING_MSGPACK, packr } from '../../lib/store/codec.js';
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
