/** Pre-encoded writes (encodeForStore): same bytes as the object path, no decoding, bad bytes refused. */
import test from 'ava';
import fc from 'fast-check';
import { entryWithValue, prepareValue } from '../../lib/store/codec.js';
import { decodeForStore, decodeWatchEvent, encodeForStore, prepareEncoded } from '../../lib/store/encoded.js';
import { StoreError, type EncodedWatchEvent, type WatchEvent } from '../../lib/store/index.js';
import { openTemp, pod, podKey, sleep } from './helpers.js';

test('encodeForStore gives exactly the stored bytes of the object path, for any value', (t) => {
  const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'resourceVersion', 'metadata', '\u0000berth-rv\u0000'));
  const json = fc.jsonValue({ maxDepth: 3 });
  const metadata = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
  const value = fc.oneof(
    fc.record({ apiVersion: fc.string(), metadata, spec: json }),
    fc.dictionary(key, json, { maxKeys: 5 }),
    json,
  );
  const rev = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
  fc.assert(
    fc.property(value, rev, fc.integer({ min: 0, max: 200 }), (v, r, header) => {
      const rv = String(r);
      const viaObject = entryWithValue(prepareValue(v, header), rv, header).subarray(header);
      const prep = prepareEncoded(encodeForStore(v), header);
      const viaBytes = entryWithValue(prep, rv, header).subarray(header);
      t.deepEqual(viaBytes, viaObject);
      t.is(prep.encoding, prepareValue(v, header).encoding);
    }),
    { numRuns: 400 },
  );
});

test('encodeForStore does not mutate the caller and decodeForStore reads it back', (t) => {
  const value = pod('p1', 'a');
  const before = JSON.stringify(value);
  const bytes = encodeForStore(value);
  t.is(JSON.stringify(value), before);
  t.like(decodeForStore(bytes), { metadata: { name: 'p1', resourceVersion: '\u0000berth-rv\u0000' } });
});

test('encoded writes read back equal to the object with its resourceVersion, in every path', async (t) => {
  const { store } = openTemp(t);
  const seen: WatchEvent[] = [];
  const raw: EncodedWatchEvent[] = [];
  await store.watch({ prefix: '', onEvents: (es) => seen.push(...es) });
  await store.watchEncoded({ prefix: '', onEvents: (es) => raw.push(...es) });
  const p1 = pod('p1', 'a');
  const p2 = pod('p2', 'a', { nodeName: 'n1' });
  const [c1, c2] = await store.write([
    { op: 'create', key: podKey('a', 'p1'), encoded: encodeForStore(p1) },
    { op: 'put', key: podKey('a', 'p2'), encoded: encodeForStore(p2) },
  ]);
  if (!c1?.ok || !c2?.ok) return t.fail('writes failed');
  const withRv = (v: Record<string, unknown>, rev: number) => ({ ...v, metadata: { ...(v['metadata'] as object), resourceVersion: String(rev) } });
  t.deepEqual(c1.value, withRv(p1, c1.revision), 'a full result decodes the stored bytes');
  t.deepEqual((await store.get(podKey('a', 'p1')))?.value, withRv(p1, c1.revision));
  t.deepEqual(store.rangeSync({ prefix: podKey('a', '') }).items.map((i) => i.value), [withRv(p1, c1.revision), withRv(p2, c2.revision)]);

  // Brief: no value, nothing decoded. Conflicts still carry the current object.
  const p1b = pod('p1', 'a', { nodeName: 'n2' });
  const [u, stale] = await store.write(
    [
      { op: 'update', key: podKey('a', 'p1'), encoded: encodeForStore(p1b), expectedRevision: c1.revision },
      { op: 'update', key: podKey('a', 'p1'), encoded: encodeForStore(p1), expectedRevision: c1.revision },
    ],
    { brief: true },
  );
  if (!u?.ok) return t.fail('update failed');
  t.is(u.value, undefined);
  t.like(stale, { ok: false, code: 'CONFLICT' });
  t.deepEqual(!stale!.ok && stale!.current?.value, withRv(p1b, u.revision), 'the in-group overlay gives the current object');
  const [d] = await store.write([{ op: 'delete', key: podKey('a', 'p1') }]);
  t.deepEqual(d!.ok && d!.value, withRv(p1b, u.revision));

  while (seen.length < 4 || raw.length < 4) await sleep(2);
  t.deepEqual(seen.map((e) => [e.type, e.revision]), [['ADDED', c1.revision], ['ADDED', c2.revision], ['MODIFIED', u.revision], ['DELETED', u.revision + 1]]);
  t.deepEqual(seen[0]!.object, withRv(p1, c1.revision), 'in-process watchers get objects');
  t.deepEqual(seen[3]!.object, withRv(p1b, u.revision + 1));
  t.deepEqual(seen[3]!.prevObject, withRv(p1b, u.revision));
  t.deepEqual(raw.map(decodeWatchEvent), seen, 'encoded watchers get the same events as bytes');

  // Replay of the encoded kind gives the same, read from the log.
  const replayed: EncodedWatchEvent[] = [];
  await store.watchEncoded({ prefix: '', sinceRevision: 0, onEvents: (es) => replayed.push(...es) });
  while (replayed.length < 4) await sleep(2);
  t.deepEqual(replayed.map(decodeWatchEvent), seen);
});

test('a value with a __proto__ key round-trips through the encoded path (stored as JSON)', async (t) => {
  const { store } = openTemp(t);
  const cm = JSON.parse('{"kind":"ConfigMap","metadata":{"name":"cm"},"data":{"__proto__":"kept","x":"y"}}');
  const bytes = encodeForStore(cm);
  t.is(bytes[1], 1, 'JSON encoding');
  const raw: EncodedWatchEvent[] = [];
  await store.watchEncoded({ prefix: '', onEvents: (es) => raw.push(...es) });
  const [r] = await store.write([{ op: 'create', key: '/registry/core/configmaps/a/cm', encoded: bytes }], { brief: true });
  t.true(r!.ok);
  const got = (await store.get('/registry/core/configmaps/a/cm'))?.value as { metadata: Record<string, string>; data: object };
  t.deepEqual(Object.keys(got.data), ['__proto__', 'x']);
  t.is(Object.getOwnPropertyDescriptor(got.data, '__proto__')?.value, 'kept');
  t.is(got.metadata['resourceVersion'], '1');
  while (raw.length < 1) await sleep(2);
  const ev = decodeWatchEvent(raw[0]!);
  t.is(Object.getOwnPropertyDescriptor((ev.object as { data: object }).data, '__proto__')?.value, 'kept');
});

test('malformed encoded values are refused with INVALID_ARGUMENT and nothing is written', async (t) => {
  const { store } = openTemp(t);
  const good = Buffer.from(encodeForStore(pod('p', 'a')));
  const almostProto = Buffer.from(encodeForStore({ metadata: { name: 'p' }, data: { __proto_X: 1 } }));
  const patched = (b: Buffer, from: string, to: string): Buffer => {
    const at = b.indexOf(from, 0, 'latin1');
    const out = Buffer.from(b);
    out.write(to, at, 'latin1');
    return out;
  };
  const cases: [string, unknown][] = [
    ['not bytes', 'hello'],
    ['an object', { 0: 0xc1 }],
    ['plain msgpack without the mark', good.subarray(2)],
    ['empty', Buffer.alloc(0)],
    ['mark only', Buffer.from([0xc1, 0])],
    ['unknown encoding', Buffer.from([0xc1, 7, 0x90])],
    ['truncated', good.subarray(0, good.length - 5)],
    ['trailing bytes', Buffer.concat([good, Buffer.from([0x01])])],
    ['never-used type byte', Buffer.from([0xc1, 0, 0x91, 0xc1])],
    ['array claiming more items than bytes', Buffer.from([0xc1, 0, 0xdd, 0xff, 0xff, 0xff, 0xff])],
    ['unsupported extension', Buffer.from([0xc1, 0, 0xd4, 0x42, 0x00])],
    ['a records extension', Buffer.from([0xc1, 0, 0xd4, 0x72, 0x40])],
    ['metadata without the placeholder', patched(good, 'resourceVersion', 'resourceVersioN')],
    ['resourceVersion not the placeholder', patched(good, '\u0000berth-rv\u0000', '\u0000berth-rv\u0001')],
    ['__proto__ in msgpack', patched(almostProto, '__proto_X', '__proto__')],
    ['bad JSON', Buffer.concat([Buffer.from([0xc1, 1]), Buffer.from('{"a":')])],
    ['nested too deep', Buffer.concat([Buffer.from([0xc1, 0]), Buffer.alloc(600, 0x91), Buffer.from([0x01])])],
  ];
  const before = store.revision;
  for (const [name, encoded] of cases) {
    const err = await t.throwsAsync(store.write([{ op: 'create', key: podKey('a', 'ok'), value: pod('ok', 'a') }, { op: 'create', key: podKey('a', 'p'), encoded: encoded as Uint8Array }]), undefined, name);
    t.true(err instanceof StoreError && err.code === 'INVALID_ARGUMENT', `${name}: ${String(err)}`);
  }
  await t.throwsAsync(store.write([{ op: 'create', key: podKey('a', 'p'), value: 1, encoded: good } as never]), { message: /not both/ });
  t.is(store.revision, before, 'the whole call was refused');
  const [ok] = await store.write([{ op: 'create', key: podKey('a', 'p'), encoded: good }]);
  t.true(ok!.ok, 'the store keeps serving');
});

test('the store’s check of encoded bytes refuses every truncation and never fails any other way on corrupt bytes', (t) => {
  const good = Buffer.from(encodeForStore(pod('p', 'a', { spec: { list: [1, -1, 0x1234, 'x'.repeat(40), { a: null, b: true }], big: 2 ** 40, half: 0.5 } })));
  for (let end = 2; end < good.length; end++) {
    const error = t.throws(() => prepareEncoded(good.subarray(0, end), 30), undefined, `prefix of ${end} bytes`);
    t.true(error instanceof StoreError && error.code === 'INVALID_ARGUMENT', `prefix of ${end} bytes: ${String(error)}`);
  }
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(good.length - 3), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
      const bad = Buffer.from(good);
      for (const [at, byte] of edits) bad[2 + at] = byte;
      try {
        prepareEncoded(bad, 30);
      } catch (err) {
        if (!(err instanceof StoreError && err.code === 'INVALID_ARGUMENT')) throw err;
      }
    }),
    { numRuns: 2_000 },
  );
  t.pass('fc.assert throws on the first corruption that fails another way');
});
