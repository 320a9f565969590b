/**
 * Op batches (the store actor's wire form of encoded writes): what is packed
 * comes back op for op, and no byte string makes the store crash or store
 * anything it would not have stored from ops.
 */
import test from 'ava';
import fc from 'fast-check';
import { encodeForStore } from '../../lib/store/encoded.js';
import { InvalidArgumentError } from '../../lib/store/errors.js';
import { batchable, briefResults, expandBriefResults, joinSegments, packOps, releaseSegments, unpackOpBatch } from '../../lib/store/op-batch.js';
import type { WriteOp } from '../../lib/store/types.js';
import { openTemp, pod, podKey } from './helpers.js';

const ops = (): WriteOp[] => [
  { op: 'create', key: podKey('a', 'p1'), value: pod('p1', 'a') },
  { op: 'update', key: podKey('a', 'p2'), encoded: encodeForStore(pod('p2', 'a')), expectedRevision: 7 },
  { op: 'put', key: podKey('a', 'é'), value: { metadata: { name: 'é' }, at: new Date(0) } }, // not plain data: msgpackr's bytes
  { op: 'put', key: podKey('a', 'p3'), value: 'just a string', expectedRevision: 0 },
  { op: 'delete', key: podKey('a', 'p4'), expectedRevision: 3 },
  { op: 'delete', key: podKey('a', 'p5') },
];

test('packed ops come back with their values as encodeForStore encodes them', (t) => {
  const original = ops();
  const back = unpackOpBatch(joinSegments([packOps(original)]));
  t.deepEqual(
    back.map((op) => ({
      op: op.op,
      key: op.key,
      ...('expectedRevision' in op ? { expectedRevision: op.expectedRevision } : {}),
      encoded: op.op === 'delete' ? undefined : Buffer.from(op.encoded as Uint8Array),
    })),
    original.map((op) =>
      op.op === 'delete' ? { op: op.op, key: op.key, ...('expectedRevision' in op ? { expectedRevision: op.expectedRevision } : {}), encoded: undefined } : { op: op.op, key: op.key, ...('expectedRevision' in op ? { expectedRevision: op.expectedRevision } : {}), encoded: Buffer.from(op.encoded ?? encodeForStore(op.value)) },
    ),
  );
});

test('segments of several calls join into one batch, in order', (t) => {
  const a = ops().slice(0, 2);
  const b = ops().slice(4);
  const back = unpackOpBatch(joinSegments([packOps(a), packOps(b)]));
  t.deepEqual(back.map((op) => [op.op, op.key]), [...a, ...b].map((op) => [op.op, op.key]));
});

function cyclic(): unknown {
  const value: Record<string, unknown> = { metadata: {} };
  value['self'] = value;
  return { op: 'create', key: '/registry/x', value };
}

test('ops a batch cannot carry are refused by packOps and not batchable', (t) => {
  const bad: unknown[] = [
    { op: 'frobnicate', key: '/registry/x', encoded: Buffer.from([0xc1, 0, 0xc0]) },
    { op: 'update', key: '/registry/x', encoded: Buffer.from([0xc1, 0, 0xc0]), expectedRevision: '5' },
    { op: 'create', key: 42, value: 1 },
    { op: 'create', key: '/registry/x', value: 1, encoded: Buffer.from([0xc1, 0, 0xc0]) },
    cyclic(),
  ];
  for (const op of bad) {
    t.false(batchable([op as WriteOp]));
    t.throws(() => packOps([op as WriteOp]), { instanceOf: InvalidArgumentError });
  }
  t.true(batchable([{ op: 'delete', key: '/registry/x' }, { op: 'create', key: '/registry/y', encoded: Buffer.from([0xc1, 0, 0xc0]) }]));
});

test('a malformed batch is refused with INVALID_ARGUMENT naming the op and byte', (t) => {
  const good = Buffer.from(joinSegments([packOps(ops())]));
  const cases: [unknown, RegExp][] = [
    ['text', /must be bytes/],
    [Buffer.from('not a batch at all'), /bad magic/],
    [good.subarray(0, good.length - 1), /op 5 .*truncated|op 5/],
    [Buffer.concat([good, Buffer.from([0])]), /bytes after/],
    [Buffer.from([...good.subarray(0, 4), 0xff, 0xff, 0xff, 0x7f]), /claims/],
    [Buffer.from([...good.subarray(0, 4), 1, 0, 0, 0, 9, 0, 0, 0]), /op 0 at byte 8: unknown op code 9/],
    [Buffer.from([...good.subarray(0, 4), 1, 0, 0, 0, 0, 2, 0, 0]), /unknown flags/],
    [Buffer.from([...good.subarray(0, 4), 1, 0, 0, 0, 0, 1, 0, 0]), /truncated/],
  ];
  for (const [batch, message] of cases) {
    const err = t.throws(() => unpackOpBatch(batch), { instanceOf: InvalidArgumentError });
    t.regex(err?.message ?? '', message);
  }
});

test('any mangled batch is refused or gives ops the store judges; the store never crashes or stores garbage', async (t) => {
  const { store } = openTemp(t);
  const good = Buffer.from(joinSegments([packOps(ops().filter((op) => op.op !== 'update'))]));
  const mangle = fc.oneof(
    fc.record({ at: fc.nat(good.length - 1), byte: fc.nat(255) }).map(({ at, byte }) => {
      const b = Buffer.from(good);
      b[at] = byte;
      return b;
    }),
    fc.nat(good.length).map((n) => good.subarray(0, n)),
  );
  await fc.assert(
    fc.asyncProperty(mangle, async (batch) => {
      let parsed: WriteOp[];
      try {
        parsed = unpackOpBatch(batch);
      } catch (err) {
        return err instanceof InvalidArgumentError;
      }
      try {
        const results = await store.write(parsed, { brief: true });
        // Whatever landed reads back as a value (or is absent): nothing undecodable was stored.
        for (const r of results) if (r.ok && r.op !== 'delete') store.getSync(r.key);
        return true;
      } catch (err) {
        return (err as { code?: string }).code === 'INVALID_ARGUMENT';
      }
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('values from a batch are stored in place in its bytes and read back exactly, whatever the key', async (t) => {
  const { store } = openTemp(t);
  const keys = [podKey('a', 'plain'), podKey('a', 'ünïcødé-😀'), podKey('a', 'x'.repeat(300))]; // the last: room past 255 bytes, copied
  const batch = Buffer.from(joinSegments([packOps(keys.map((key, i) => ({ op: 'create', key, value: pod(`p${i}`, 'a') })))]));
  const unpacked = unpackOpBatch(batch);
  const results = await store.write(unpacked, { brief: true });
  for (let i = 0; i < keys.length; i++) {
    const r = results[i]!;
    if (!r.ok) return t.fail(`write ${i} failed`);
    const expected = { ...pod(`p${i}`, 'a'), metadata: { ...(pod(`p${i}`, 'a').metadata as object), resourceVersion: String(r.revision) } };
    t.deepEqual(store.getSync(keys[i]!)?.value, expected);
  }
  // A key whose bytes are not UTF-8 decodes longer than the room the packer left: the store copies instead.
  const odd = Buffer.from(joinSegments([packOps([{ op: 'create', key: podKey('a', 'zz'), value: pod('zz', 'a') }])]));
  const at = odd.indexOf('zz');
  odd[at] = 0xff; // one invalid byte: decoded as U+FFFD, three bytes
  const [r] = await store.write(unpackOpBatch(odd), { brief: true });
  t.true(r!.ok);
  t.like(store.getSync(podKey('a', '\ufffdz'))?.value, { metadata: { name: 'zz' } });
});

test('brief results travel as two numbers per op plus the failures, and expand back to the same results', async (t) => {
  const { store } = openTemp(t);
  await store.write([{ op: 'create', key: podKey('a', 'taken'), value: pod('taken', 'a') }]);
  const list: WriteOp[] = [
    { op: 'create', key: podKey('a', 'new'), value: pod('new', 'a') },
    { op: 'create', key: podKey('a', 'taken'), value: pod('taken', 'a') },
    { op: 'update', key: podKey('a', 'new'), value: pod('new', 'a'), expectedRevision: 99 },
    { op: 'delete', key: podKey('a', 'taken') },
  ];
  const results = await store.write(list, { brief: true });
  const compact = briefResults(results);
  t.is(compact.revisions.length, 8);
  t.is(compact.failed.length, 2);
  t.deepEqual(expandBriefResults(list, compact), results);
  t.throws(() => expandBriefResults(list.slice(1), compact), { message: /does not fit/ });
  t.throws(() => expandBriefResults(list, { revisions: compact.revisions, failed: [] }), { message: /does not fit/ });
});

test('a large batch’s buffer is reused only once released, and the batch written into it is whole', (t) => {
  const many = (tag: string): WriteOp[] => Array.from({ length: 200 }, (_, i) => ({ op: 'create', key: podKey(tag, `p${i}`), value: pod(`p${i}`, tag) }));
  const first = packOps(many('a'));
  t.true(first.bytes.length >= 64 * 1024, 'large enough to be pooled');
  const second = packOps(many('b'));
  t.not(second.bytes.buffer, first.bytes.buffer, 'not released: never handed out again');
  const before = Buffer.from(joinSegments([first]));
  releaseSegments([first]);
  releaseSegments([first]); // twice is harmless
  const third = packOps(many('c'));
  const fourth = packOps(many('d'));
  t.is(third.bytes.buffer, first.bytes.buffer, 'released: the next batch is written into it');
  t.not(fourth.bytes.buffer, first.bytes.buffer, 'released once, handed out once');
  t.deepEqual(unpackOpBatch(joinSegments([third])).map((op) => op.key), many('c').map((op) => op.key));
  t.deepEqual(unpackOpBatch(joinSegments([second])).map((op) => op.key), many('b').map((op) => op.key));
  t.is(before.length, first.bytes.length);
  // Small batches and buffers from elsewhere are not kept.
  const small = packOps(many('e').slice(0, 2));
  releaseSegments([small, { count: 1, bytes: Buffer.alloc(100_000) }]);
  t.not(packOps(many('f')).bytes.buffer, small.bytes.buffer);
});
