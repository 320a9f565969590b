/**
 * The records encoding (lib/client/records.ts, written by
 * actors/api-server/record-writer.ts) carries list items and watch events
 * to in-process callers: whatever the api-server holds must read back as
 * the same plain data, however many shapes and repeated strings it has,
 * across messages that each carry only the table entries their receiver
 * lacked.
 */
import test from 'ava';
import fc from 'fast-check';
import { plainValues } from '../helpers/plain-values.js';
import { ObjectCodec, markAfter } from '../../actors/api-server/list-encoding.js';
import type { ApiNotice } from '../../actors/api-server/messages.js';
import type { Message } from '../../lib/actor/types.js';
import { RecordWriter } from '../../actors/api-server/record-writer.js';
import { ItemsDecoder } from '../../lib/client/items-decoder.js';
import { MAX_FIXARRAY, MAX_STRUCTURES, RecordTable, T_ASCII, T_FIXARRAY, T_RECORD8 } from '../../lib/client/records.js';

/** Plain data as API objects hold it, plus what msgpack also keeps: undefined, -0, NaN, non-ASCII and long strings. */
const key = fc.oneof(fc.constantFrom('name', 'image', 'x', '1', 'constructor', 'toString', 'a.b/c', 'é'), fc.string({ maxLength: 70 }));
const value = plainValues(key, ['Running', 'TCP', 'IfNotPresent']);

test('any plain data reads back the same, through the tables as they grow', (t) => {
  const codec = new ObjectCodec();
  const decoder = new ItemsDecoder();
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 8 }), (values) => {
      const parts = values.map((v) => codec.encode({ v })!);
      // The server's own reader and an in-process receiver that says what it holds.
      for (let i = 0; i < values.length; i++) t.deepEqual(codec.decode(parts[i]!), { v: values[i] });
      const payload = codec.items(parts, decoder.known());
      t.deepEqual(
        decoder.decode(payload),
        values.map((v) => ({ v })),
      );
    }),
    { numRuns: 300 },
  );
});

test('a page of Pods with many shapes and repeated values: each message carries only the table entries its receiver lacks', (t) => {
  const codec = new ObjectCodec();
  const pod = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: `ns-${i % 3}`, labels: { app: 'web', [`k${i % 400}`]: `v${i % 7}` }, resourceVersion: String(100 + i) },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: Array.from({ length: i % 20 }, (_, p) => ({ containerPort: 8000 + p })) }], nodeName: `node-${i % 300}`, ...extra },
    status: { phase: 'Running', podIP: `10.0.${i >> 8}.${i & 255}` },
  });
  const first = Array.from({ length: 1_000 }, (_, i) => pod(i));
  const decoder = new ItemsDecoder();
  const p1 = codec.items(
    first.map((o) => codec.encode(o)!),
    decoder.known(),
  );
  t.true(p1.structures.length > 256, 'more shapes than one-byte ids');
  t.true(p1.strings.length > 256, 'more strings than one-byte ids');
  t.deepEqual(decoder.decode(p1), first);

  // New shapes and values later: the next page starts where this receiver stands.
  const later = Array.from({ length: 200 }, (_, i) => pod(5_000 + i, { [`extra${i}`]: { deep: [`z${i % 2}`] } }));
  const p2 = codec.items(
    later.map((o) => codec.encode(o)!),
    decoder.known(),
  );
  t.is(p2.stringsFrom, p1.strings.length);
  t.is(p2.structuresFrom, p1.structures.length);
  t.true(p2.structures.length >= 200);
  t.deepEqual(decoder.decode(p2), later);

  // A receiver that missed p2's entries cannot read what depends on them, and says so.
  const behind = new RecordTable('other');
  behind.learn(0, p1.strings, 0, p1.structures);
  const p3 = codec.items([codec.encode(later[0]!)!], markAfter(p2));
  t.throws(() => behind.learn(p3.stringsFrom, p3.strings, p3.structuresFrom, p3.structures), { message: /only .* are known/ });
  // A receiver of another table (a restarted server) gets everything.
  t.is(codec.items([], { table: 'gone', strings: 5, structures: 5 }).stringsFrom, 0);
});

test('strings of one object stay out of the table however often it is written or other kinds name it; strings two objects of a kind share get an id', (t) => {
  const w = new RecordWriter();
  const pod = (uid: string, name: string, ip: string, phase: string) => ({ kind: 'Pod', metadata: { uid, name }, spec: { nodeName: 'node-7' }, status: { phase, podIP: ip, podIPs: [{ ip }] } });
  // One Pod written four times as it starts, its IP twice in each version: nothing of its own is interned.
  for (const phase of ['Pending', 'Pending', 'Running', 'Running']) w.write(pod('u-1', 'web-1', '10.0.0.1', phase));
  t.false(w.strings.includes('10.0.0.1'));
  t.false(w.strings.includes('web-1'));
  t.false(w.strings.includes('u-1'));
  // A second Pod: what both hold (node, phase) gets an id; its own strings do not.
  w.write(pod('u-2', 'web-2', '10.0.0.2', 'Running'));
  t.true(w.strings.includes('node-7'));
  t.true(w.strings.includes('Running'));
  t.false(w.strings.includes('10.0.0.2'));
  // Another kind naming the Pod (its Event) does not make the Pod's name or uid shared; two Events share their reason.
  for (const n of [1, 2]) w.write({ kind: 'Event', metadata: { uid: `e-${n}` }, involvedObject: { kind: 'Pod', name: 'web-1', uid: 'u-1' }, reason: 'Scheduled' });
  t.false(w.strings.includes('web-1'));
  t.false(w.strings.includes('u-1'));
  t.true(w.strings.includes('Scheduled'));
  // A value first seen in another kind (a namespace's name, the "default" ServiceAccount) gets an id once two Pods share it.
  w.write({ kind: 'Namespace', metadata: { uid: 'ns-1', name: 'team-a' } });
  w.write({ kind: 'ServiceAccount', metadata: { uid: 'sa-1', name: 'default', namespace: 'team-a' } });
  const inTeam = (uid: string) => ({ kind: 'Pod', metadata: { uid, name: uid, namespace: 'team-a' }, spec: { serviceAccountName: 'default' } });
  w.write(inTeam('p-a'));
  t.false(w.strings.includes('team-a'));
  w.write(inTeam('p-b'));
  t.true(w.strings.includes('team-a'));
  t.true(w.strings.includes('default'));
  // Objects without a uid each count as their own: a string in two of them is shared.
  w.write({ a: 'shared-value' });
  w.write({ b: 'shared-value' });
  t.true(w.strings.includes('shared-value'));
});

test('past the structure cap objects are written with their keys, and read back the same', (t) => {
  const writer = new RecordWriter();
  const objects = Array.from({ length: MAX_STRUCTURES + 10 }, (_, i) => ({ [`k${i}`]: i, shared: 'v' }));
  const bytes = objects.map((o) => writer.write(o));
  t.is(writer.structures.length, MAX_STRUCTURES);
  const table = new RecordTable('t');
  table.learn(0, writer.strings, 0, writer.structures);
  t.deepEqual(table.readOne(bytes[0]!), objects[0]);
  t.deepEqual(table.readMany(Buffer.concat(bytes.slice(-20)), 20), objects.slice(-20));
});

test('what the encoding cannot carry is refused, not changed: own __proto__ keys, non-plain objects', (t) => {
  const codec = new ObjectCodec();
  t.is(codec.encode({ metadata: { labels: JSON.parse('{"__proto__": "x"}') as object } }), null);
  t.is(codec.encode({ at: new Date(0) }), null);
  t.is(codec.encode({ data: new Uint8Array(2) }), null);
  t.is(codec.encode({ n: 1n }), null);
  // Objects without a prototype are plain data.
  const bare = Object.assign(Object.create(null) as object, { a: 1 });
  t.deepEqual(codec.decode(codec.encode({ bare })!), { bare: { a: 1 } });
});

test('bytes cut short or with an unknown tag are an error, not a wrong object', (t) => {
  const codec = new ObjectCodec();
  const bytes = codec.encode({ name: 'a-fairly-long-name-that-is-inline', n: 1_000_000 })!;
  t.throws(() => codec.decode(bytes.subarray(0, bytes.length - 2)), { message: /end of the bytes|past the end/ });
  t.throws(() => codec.decode(Buffer.from([0xff])), { message: /unknown tag 0xff/ });
  t.throws(() => codec.decode(Buffer.concat([bytes, Buffer.from([1])])), { message: /bytes left/ });
});

test('a watch whose events this thread cannot read ends with an error and is stopped on the server; a stopped watch still teaches its table entries', async (t) => {
  const { InProcessTransport } = await import('../../lib/client/in-process.js');
  const sent: unknown[] = [];
  let watchId = '';
  const requester = {
    request: <R>(_to: string, msg: Message): Promise<R> => {
      watchId = (msg as { watchId?: string }).watchId ?? '';
      return Promise.resolve({ code: 200, body: {} } as R);
    },
    send: (_to: string, msg: unknown): void => void sent.push(msg),
  };
  const transport = new InProcessTransport(requester);
  const ended: Error[] = [];
  await transport.watch({ verb: 'watch', group: '', version: 'v1', resource: 'pods' }, { onEvents: () => t.fail('no events expected'), onEnded: (e) => ended.push(e) });
  const codec = new ObjectCodec();
  const full = codec.items([codec.encode({ kind: 'Pod', metadata: { name: 'a' } })!, codec.encode({ kind: 'Pod', metadata: { name: 'a' } })!]);
  // Entries this thread never saw (a gap): the watch ends.
  const gap = { ...full, stringsFrom: full.strings.length + 5 };
  const cut: ApiNotice = { type: 'api.watch-events', watchId, events: [], encoded: { types: ['ADDED', 'ADDED'], items: gap } };
  t.true(transport.handleNotice(cut));
  t.is(ended.length, 1);
  t.regex(ended[0]!.message, /undecodable events/);
  t.deepEqual(sent, [{ type: 'api.unwatch', watchId }]);
  // A notice for a watch that is gone is still learnt from: a later message starts after it.
  const late: ApiNotice = { type: 'api.watch-events', watchId: 'gone', events: [], encoded: { types: ['ADDED', 'ADDED'], items: full } };
  t.true(transport.handleNotice(late));
  t.deepEqual(new ItemsDecoder().known(), markAfter(full));
});

test('arrays of every length, around the one-byte lengths, read back whole: same values, no holes', (t) => {
  const codec = new ObjectCodec();
  const lengths = Array.from({ length: MAX_FIXARRAY + 6 }, (_, n) => n).concat([100, 1_000]);
  const objects = lengths.map((n) => ({ n, items: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? { i } : i % 3 === 1 ? `s${i % 5}` : [i])) }));
  const decoder = new ItemsDecoder();
  const out = decoder.decode<{ n: number; items: unknown[] }>(codec.items(objects.map((o) => codec.encode(o)!), decoder.known()));
  t.deepEqual(out, objects);
  for (const o of out) {
    t.true(Array.isArray(o.items));
    t.is(Object.keys(o.items).length, o.n, `no holes in an array of ${o.n}`);
  }
  // Each read makes new arrays and objects: a caller may change one list's objects without touching another's.
  const again = decoder.decode<{ items: unknown[] }>(codec.items([codec.encode(objects[3]!)!], decoder.known()));
  t.not(again[0]!.items, out[3]!.items);
  t.not(again[0]!.items[0], out[3]!.items[0]);
});

test('a structure whose keys include __proto__ reads back as an own key, the prototype untouched; an empty structure reads as {}', (t) => {
  // The writer never makes such a structure (it refuses own __proto__ keys), but a table is data from another thread.
  const table = new RecordTable('proto');
  table.learn(0, [], 0, [['a', '__proto__', 'b'], []]);
  const bytes = Buffer.from([T_RECORD8, 0, 1, T_FIXARRAY + 1, T_RECORD8, 1, T_ASCII + 1, 0x78]);
  const o = table.readOne(bytes) as Record<string, unknown>;
  t.is(Object.getPrototypeOf(o), Object.prototype);
  t.deepEqual(Object.keys(o), ['a', '__proto__', 'b']);
  t.true(Object.hasOwn(o, '__proto__'));
  t.deepEqual(Object.getOwnPropertyDescriptor(o, '__proto__')?.value, [{}]);
  t.is(o.a, 1);
  t.is(o.b, 'x');
  t.is(({} as Record<string, unknown>).a, undefined, 'Object.prototype not polluted');
});
