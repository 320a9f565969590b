/**
 * The fast frame writer stands in for msgpackr's pack: for plain data it
 * must write the very bytes pack writes (so any thread decodes them with
 * msgpackr, unchanged), and for anything else it must step aside.
 */
import test from 'ava';
import fc from 'fast-check';
import { plainData } from '../helpers/plain-data.js';
import { createFrameWriter } from '../../lib/actor/codec-writer.js';
import { createPackr, decodeFrame, encodeFrame, seedStructures } from '../../lib/actor/codec.js';
import { makePod } from '../../bench/fixtures/pod.js';

const seed = seedStructures({ structures: [['kind', 'metadata', 'spec']] });

/** What msgpackr writes for this value with a Packr of the same seed (copied: pack reuses its buffer). */
function packed(value: unknown): Buffer {
  return Buffer.from(createPackr(seed).pack(value));
}

function written(writer: ReturnType<typeof createFrameWriter>, value: unknown): Buffer {
  const bytes = writer.write(value);
  if (bytes === null) throw new Error('the writer refused plain data');
  return Buffer.from(bytes);
}

// Keys msgpackr treats specially (__proto__) are the upper layers' business; plain keys here.
const { key, value } = plainData({ keys: ['type', 'kind', 'metadata', 'spec', 'name', 'namespace', '0', '17'], smallInts: { min: -0x20, max: 0x80 }, bytes: true });

test('for plain data the writer writes exactly the bytes msgpackr packs', (t) => {
  const writer = createFrameWriter(seed);
  fc.assert(
    fc.property(fc.array(value, { maxLength: 8 }), (bodies) => {
      const frame: unknown[] = [Date.now()];
      for (const body of bodies) frame.push('to', 'from', 0, { type: 't', body });
      return written(writer, frame).equals(packed(frame));
    }),
    { numRuns: 1_000 },
  );
  t.pass('fc.assert throws, with a shrunk counterexample, on the first frame that differs');
});

test('strings past 64 KiB of UTF-8 and the 0x40..0x7f integers (record ids, so never fixints)', (t) => {
  const writer = createFrameWriter(seed);
  const frame = [0, 'a', 'b', 0, { type: 'big', ascii: 'a'.repeat(70_000), mixed: 'é€😀'.repeat(8_000), ints: [0x3f, 0x40, 0x7f, 0x80, 0xff, 0x100] }];
  t.deepEqual(written(writer, frame), packed(frame));
});

test('byte arrays of every bin size, as a store write batch carries them: same bytes as msgpackr, and they arrive as bytes', (t) => {
  const writer = createFrameWriter(seed);
  const sizes = [0, 1, 255, 256, 65_535, 65_536, 200_000];
  const frame = [0, 'store', 'api', 3, { type: 'store.write-batch', batches: sizes.map((n) => Buffer.alloc(n, n & 0xff)), one: new Uint8Array([1, 2, 3]) }];
  t.deepEqual(written(writer, frame), packed(frame));
  const body = (decodeFrame(createPackr(seed), written(writer, frame)) as unknown[])[4] as { batches: Uint8Array[]; one: Uint8Array };
  t.deepEqual(body.batches.map((b) => [b.length, b[0] ?? -1]), sizes.map((n) => [n, n === 0 ? -1 : n & 0xff]));
  t.deepEqual([...body.one], [1, 2, 3]);
  // Other typed arrays stay msgpackr's business.
  t.is(writer.write([0, 'a', 'b', 0, { f: new Float64Array(2) }]), null);
});

test('a frame of Pods: same bytes as msgpackr, and the receiver gets the same objects', (t) => {
  const writer = createFrameWriter(seed);
  const frame: unknown[] = [7];
  for (let i = 0; i < 300; i++) frame.push('consumer', 'producer', i, { type: 'bench.pod', payload: makePod(i) });
  // Several frames in a row: shapes defined inline in one frame are defined again in the next.
  for (let round = 0; round < 3; round++) t.deepEqual(written(writer, frame), packed(frame));
  t.deepEqual(decodeFrame(createPackr(seed), encodeFrame(createPackr(seed), frame)), frame);
});

test('more shapes in one frame than record ids: ids are reused and redefined, as msgpackr does', (t) => {
  const writer = createFrameWriter(seed);
  const frame: unknown[] = [0];
  // 100 shapes, each used three times, interleaved so that reused ids come back to earlier shapes.
  for (let round = 0; round < 3; round++) {
    for (let s = 0; s < 100; s++) frame.push('a', 'b', 0, { type: 'shape', [`k${s}`]: s, nested: { [`n${s % 40}`]: [s, { x: s }] } });
  }
  t.deepEqual(written(writer, frame), packed(frame));
  t.deepEqual(decodeFrame(createPackr(seed), written(writer, frame)), frame);
});

test('shapes without end (user label keys) keep encoding right after the writer forgets them', (t) => {
  const writer = createFrameWriter(seed);
  const known = [0, 'a', 'b', 0, { type: 'x', inner: { p: 1 } }];
  t.deepEqual(written(writer, known), packed(known));
  for (let i = 0; i < 6_000; i += 50) {
    const frame: unknown[] = [i];
    for (let j = i; j < i + 50; j++) frame.push('a', 'b', 0, { type: 'labels', labels: { [`app-${j}`]: 'x', [`tier-${j % 7}`]: 'y' } });
    t.deepEqual(written(writer, frame), packed(frame));
  }
  // A shape remembered from before, met where it was met then and somewhere new: still one definition per frame.
  const after = [1, 'a', 'b', 0, { type: 'x', inner: { p: 1 } }, 'a', 'b', 0, { type: 'y', other: { p: 2 } }];
  t.deepEqual(written(writer, after), packed(after));
});

test('wide shapes (a ConfigMap with 300 keys) written many times: same bytes', (t) => {
  const writer = createFrameWriter(seed);
  const data = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`key-${i}`, `value-${i}`]));
  const frame: unknown[] = [0];
  for (let i = 0; i < 20; i++) frame.push('a', 'b', 0, { type: 'cm', data: { ...data } });
  t.deepEqual(written(writer, frame), packed(frame));
});

test('a getter that encodes another frame while its object is written: both frames are right', (t) => {
  const packr = createPackr(seed);
  let inner: Uint8Array | undefined;
  const body = {
    type: 'sneaky',
    get payload(): string {
      inner ??= encodeFrame(packr, [1, 'c', 'd', 0, { type: 'inner', n: 5 }]);
      return 'outer';
    },
  };
  const outer = encodeFrame(packr, [0, 'a', 'b', 0, body]);
  t.deepEqual(decodeFrame(packr, outer), [0, 'a', 'b', 0, { type: 'sneaky', payload: 'outer' }]);
  t.deepEqual(decodeFrame(packr, inner!), [1, 'c', 'd', 0, { type: 'inner', n: 5 }]);
});

test('values that are not plain data go to msgpackr, which keeps their types', (t) => {
  const writer = createFrameWriter(seed);
  class Point {
    constructor(readonly x: number) {}
  }
  const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
  for (const odd of [new Date(0), new Map([['a', 1]]), new Set([1]), new Int16Array([1, 2]), new Point(1), nullProto, 10n]) {
    t.is(writer.write([0, "a", "b", 0, { type: "odd", odd }]), null, Object.prototype.toString.call(odd));
  }
  const packr = createPackr(seed);
  const frame = [0, 'a', 'b', 0, { type: 'odd', when: new Date(0), bytes: new Uint8Array([1, 2]) }];
  const decoded = decodeFrame(packr, encodeFrame(packr, frame)) as [number, string, string, number, { when: Date; bytes: Uint8Array }];
  t.true(decoded[4].when instanceof Date);
  t.deepEqual([...decoded[4].bytes], [1, 2]);
  // The writer is not left half-way: the next plain frame is right.
  t.deepEqual(written(writer, [1, 'a', 'b', 0, { type: 'plain' }]), packed([1, 'a', 'b', 0, { type: 'plain' }]));
});

test('an enumerable key added to Object.prototype does not leak into frames', (t) => {
  const writer = createFrameWriter(seed);
  const frame = [0, 'a', 'b', 0, { type: 'x', n: 1 }];
  const proto = Object.prototype as Record<string, unknown>;
  proto['polluted'] = true;
  try {
    t.is(writer.write(frame), null);
    const packr = createPackr(seed);
    t.deepEqual(Object.keys((decodeFrame(packr, encodeFrame(packr, frame))[4] as object)), ['type', 'n']);
  } finally {
    delete proto['polluted'];
  }
  t.deepEqual(written(writer, frame), packed(frame));
});

test('a seed that lists a shape twice: the same id as msgpackr picks', (t) => {
  const twice = seedStructures({ structures: [['type', 'n'], ['kind', 'metadata', 'spec']] });
  const frame = [0, 'a', 'b', 0, { type: 'x', n: 1 }];
  t.deepEqual(written(createFrameWriter(twice), frame), Buffer.from(createPackr(twice).pack(frame)));
});

test('a seed too large for one-byte record ids: frames are packed by msgpackr and still decode', (t) => {
  const big = seedStructures({ structures: Array.from({ length: 40 }, (_, i) => [`f${i}`, 'g']) });
  const frame = [0, 'a', 'b', 0, { type: 'x', f39: 1, g: 2 }, 'a', 'b', 0, { f39: 1, g: 2 }];
  t.deepEqual(decodeFrame(createPackr(big), encodeFrame(createPackr(big), frame)), frame);
  t.throws(() => createFrameWriter(big), { message: /at most 32 shared structures/ });
});

test('frames own their bytes: transferring one detaches nothing else', (t) => {
  const packr = createPackr(seed);
  const a = encodeFrame(packr, [1, 'x', 'y', 0, { type: 'a' }]);
  const b = encodeFrame(packr, [2, 'x', 'y', 0, { type: 'b' }]);
  t.not(a.buffer, b.buffer);
  t.is(a.buffer.byteLength, a.byteLength);
  structuredClone(a, { transfer: [a.buffer as ArrayBuffer] });
  t.deepEqual(decodeFrame(packr, b), [2, 'x', 'y', 0, { type: 'b' }]);
});
