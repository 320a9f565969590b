/**
 * The watch cache keeps objects as bytes (cached-object.ts): what a reader
 * gets back must be exactly what was stored, whichever way it entered (the
 * store's msgpack, its JSON for objects with a `__proto__` key, the initial
 * listing), read here and as an in-process caller decodes it;
 * selections must see the same labels and fields without decoding; deleted
 * objects carry the deletion's resourceVersion.
 */
import test from 'ava';
import { WatchCache, type CacheEvent } from '../../actors/api-server/cache.js';
import { OwnWrites } from '../../actors/api-server/own-writes.js';
import { selection } from '../../actors/api-server/selection.js';
import { pods, storagePrefix } from '../../lib/api/resources/index.js';
import { ItemsDecoder } from '../../lib/client/items-decoder.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { ENCODING_JSON, ENCODING_MSGPACK, packr } from '../../lib/store/codec.js';
import { encodeForStore } from '../../lib/store/encoded.js';
import type { EncodedWatchEvent } from '../../lib/store/types.js';

const bucket = storagePrefix(pods);
const key = (ns: string, name: string): string => `${bucket}${ns}/${name}`;

function pod(ns: string, name: string, rv: number, extra: { labels?: Record<string, string>; nodeName?: string; port?: number } = {}): KubeObject {
  const p: KubeObject & { spec: unknown; status: unknown } = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, resourceVersion: String(rv), uid: `uid-${name}`, ...(extra.labels ? { labels: extra.labels } : {}) },
    // Ports 64..127 are the msgpack fixints a records decoder could mistake for record ids.
    spec: { ...(extra.nodeName ? { nodeName: extra.nodeName } : {}), containers: [{ name: 'c', image: 'i', ports: [{ containerPort: extra.port ?? 80 }] }] },
    status: { phase: 'Pending' },
  };
  return p;
}

/** An event as the store's watch delivers it: the value's plain msgpack (or JSON), resourceVersion in place. */
function stored(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, revision: number, json = false): EncodedWatchEvent {
  const k = key(obj.metadata.namespace!, obj.metadata.name!);
  const encoded = json ? Buffer.from(JSON.stringify(obj)) : Buffer.from(packr.pack(obj));
  return { type, key: k, revision, encoding: json ? ENCODING_JSON : ENCODING_MSGPACK, encoded };
}

function feed(cache: WatchCache, events: EncodedWatchEvent[]): void {
  cache.applyEncoded(events, new OwnWrites(), (k, _rev, err) => {
    throw new Error(`${k}: ${err.message}`);
  });
}

test('objects read back exactly as stored, here and as an in-process caller decodes them', (t) => {
  const cache = new WatchCache(100);
  const objects = Array.from({ length: 40 }, (_, i) => pod('default', `p${i}`, i + 1, { labels: { app: i % 2 ? 'web' : 'db' }, port: 60 + i }));
  feed(cache, objects.map((o, i) => stored('ADDED', o, i + 1)));
  t.is(cache.size, 40);
  for (const o of objects) t.deepEqual(cache.get(key('default', o.metadata.name!)), o);
  t.deepEqual(cache.list(bucket), [...objects].sort((a, b) => (key('default', a.metadata.name!) < key('default', b.metadata.name!) ? -1 : 1)));

  // What an in-process caller decodes (lib/client/items-decoder.ts does the same).
  const items = cache.items(bucket);
  const parts = items.map((c) => c.encoded(cache.codec)!);
  const payload = cache.codec.items(parts);
  const decoded = new ItemsDecoder().decode(payload);
  t.deepEqual(decoded, cache.list(bucket));
  t.deepEqual(decoded, [...objects].sort((a, b) => (key('default', a.metadata.name!) < key('default', b.metadata.name!) ? -1 : 1)));
});

test('selections filter on labels and fields without decoding; the nodeName trigger follows the cached fields', (t) => {
  const cache = new WatchCache(100);
  feed(cache, [
    stored('ADDED', pod('a', 'x', 1, { labels: { app: 'web' }, nodeName: 'n1' }), 1),
    stored('ADDED', pod('a', 'y', 2, { labels: { app: 'db' } }), 2),
    stored('ADDED', pod('b', 'z', 3, { labels: { app: 'web' }, nodeName: 'n2' }), 3),
  ]);
  const names = (ns: string | undefined, query: Record<string, string>): string[] => {
    const sel = selection(pods, ns, query);
    if ('code' in sel) throw new Error(String(sel.message));
    return cache
      .items(sel.bucket, sel.prefix)
      .filter((c) => sel.matchesCached(c))
      .map((c) => cache.objectOf(c).metadata.name!);
  };
  t.deepEqual(names(undefined, { labelSelector: 'app=web' }), ['x', 'z']);
  t.deepEqual(names('a', { labelSelector: 'app in (web,db)' }), ['x', 'y']);
  t.deepEqual(names(undefined, { fieldSelector: 'spec.nodeName=n2' }), ['z']);
  t.deepEqual(names(undefined, { fieldSelector: 'spec.nodeName=,metadata.namespace=a' }), ['y']);

  const seen: string[] = [];
  cache.addWatcher({ bucket, trigger: 'n1', onEvents: (events) => seen.push(...events.map((e) => `${e.type} ${e.key.split('/').pop()}`)) });
  // y is bound to n1, x moves off it: both concern the n1 watcher, before or after.
  feed(cache, [stored('MODIFIED', pod('a', 'y', 4, { labels: { app: 'db' }, nodeName: 'n1' }), 4), stored('MODIFIED', pod('a', 'x', 5, { labels: { app: 'web' }, nodeName: 'n3' }), 5)]);
  t.deepEqual(seen, ['MODIFIED y', 'MODIFIED x']);
});

test('events carry the previous state; a deleted object has the deletion resourceVersion, as decoded and as bytes', (t) => {
  const cache = new WatchCache(100);
  const events: CacheEvent[] = [];
  cache.addWatcher({ bucket, onEvents: (e) => events.push(...e) });
  const v1 = pod('default', 'p', 1, { labels: { v: '1' } });
  const v2 = pod('default', 'p', 2, { labels: { v: '2' } });
  feed(cache, [stored('ADDED', v1, 1)]);
  feed(cache, [stored('MODIFIED', v2, 2)]);
  feed(cache, [stored('DELETED', v2, 3)]);
  t.deepEqual(
    events.map((e) => e.type),
    ['ADDED', 'MODIFIED', 'DELETED'],
  );
  t.deepEqual(cache.objectOf(events[1]!.prev!), v1);
  t.deepEqual(events[1]!.prev!.labels, { v: '1' });
  const gone = { ...v2, metadata: { ...v2.metadata, resourceVersion: '3' } };
  t.deepEqual(events[2]!.item.object(cache.codec), gone);
  t.deepEqual(cache.objectOf(events[2]!.prev!), v2);
  const bytes = events[2]!.item.encoded(cache.codec)!;
  const payload = cache.codec.items([bytes]);
  t.deepEqual(new ItemsDecoder().decode(payload), [gone]);
  t.is(cache.get(key('default', 'p')), undefined);
  t.false(cache.has(key('default', 'p')));
  t.is(cache.size, 0);
  // The window replays the same events to a watch that resumes.
  const replay = cache.eventsSince(bucket, 1);
  t.not(replay, 'expired');
  t.deepEqual(
    (replay as CacheEvent[]).map((e) => [e.type, cache.objectOf(e.item).metadata.resourceVersion]),
    [
      ['MODIFIED', '2'],
      ['DELETED', '3'],
    ],
  );
});

test('an object with a __proto__ key (stored as JSON, and in the initial listing) stays a plain key and is never sent as bytes', (t) => {
  const cache = new WatchCache(100);
  const labels = JSON.parse('{"__proto__": "x", "app": "web"}') as Record<string, string>;
  const o = pod('default', 'proto', 1, { labels });
  feed(cache, [stored('ADDED', o, 1, true)]);
  const back = cache.get(key('default', 'proto'))!;
  t.true(Object.hasOwn(back.metadata.labels!, '__proto__'));
  t.is(back.metadata.labels!['__proto__'], 'x');
  t.is(Object.getPrototypeOf(back.metadata.labels), Object.prototype);
  t.is(cache.items(bucket)[0]!.encoded(cache.codec), null);
  const sel = selection(pods, undefined, { labelSelector: 'app=web' });
  if ('code' in sel) throw new Error('selector');
  t.true(sel.matchesCached(cache.items(bucket)[0]!));

  const loaded = new WatchCache(100);
  loaded.load(
    [
      { key: key('default', 'proto'), value: o, revision: 1 },
      { key: key('default', 'plain'), value: pod('default', 'plain', 2), revision: 2 },
    ],
    2,
  );
  t.deepEqual(loaded.get(key('default', 'proto')), o);
  t.true(Object.hasOwn(loaded.get(key('default', 'proto'))!.metadata.labels!, '__proto__'));
  t.deepEqual(loaded.get(key('default', 'plain')), pod('default', 'plain', 2));
});

test("the echo of the server's own write reads back with its resourceVersion, whether the bucket is watched or not", (t) => {
  for (const watched of [false, true]) {
    const cache = new WatchCache(100);
    const events: CacheEvent[] = [];
    if (watched) cache.addWatcher({ bucket, onEvents: (e) => events.push(...e) });
    const own = new OwnWrites();
    const sent = pod('default', 'mine', 0, { labels: { app: 'web' }, nodeName: 'n1' });
    const { resourceVersion: _rv, ...meta } = sent.metadata;
    const written = { ...sent, metadata: meta };
    const k = key('default', 'mine');
    t.truthy(own.register(k, encodeForStore(written), written));
    const echo = { ...stored('ADDED', { ...written, metadata: { ...meta, resourceVersion: '7' } }, 7) };
    t.is(own.claim(echo), written, 'the echo is recognized');
    cache.applyEncoded([echo], own, (_k, _r, err) => t.fail(err.message));
    const expected = { ...written, metadata: { ...meta, resourceVersion: '7' } };
    t.deepEqual(cache.get(k), expected);
    t.deepEqual(cache.items(bucket)[0]!.fields?.['spec.nodeName'], 'n1');
    const payload = cache.codec.items([cache.items(bucket)[0]!.encoded(cache.codec)!]);
    t.deepEqual(new ItemsDecoder().decode(payload), [expected]);
    if (watched) t.deepEqual(cache.objectOf(events[0]!.item), expected);
  }
});
