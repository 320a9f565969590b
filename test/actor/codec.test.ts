/** The codec: separately built Packrs from the same seed read each other's frames. */
import test from 'ava';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { FrameError, createPackr, decodeFrame, encodeFrame, seedStructures } from '../../lib/actor/codec.js';

test('any plain value survives a trip between two threads\' packrs', (t) => {
  const seed = seedStructures({ structures: [['kind', 'metadata', 'spec']] });
  const writer = createPackr(seed);
  const reader = createPackr(seed);
  // Keys msgpackr treats specially (__proto__) are the upper layers' business; plain keys here.
  // -0 travels as 0, as it does through JSON, which is what Kubernetes objects are.
  const key = fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__');
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true }).filter((d) => !Object.is(d, -0)), fc.boolean(), fc.constant(null)),
    node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 5 }), fc.dictionary(key, tie('node'), { maxKeys: 5 })),
  })).node;
  fc.assert(
    fc.property(fc.array(value, { maxLength: 6 }), (bodies) => {
      const items: unknown[] = [42];
      for (const body of bodies) items.push('to', 'from', 0, { type: 't', body });
      const decoded = decodeFrame(reader, encodeFrame(writer, items));
      t.deepEqual(decoded, items);
    }),
    { numRuns: 1_000 },
  );
});

test('encodeFrame copies out of msgpackr\'s shared buffer', (t) => {
  const packr = createPackr(seedStructures());
  const a = encodeFrame(packr, [1, 'x', 'y', 0, { type: 'a' }]);
  const b = encodeFrame(packr, [2, 'x', 'y', 0, { type: 'b' }]);
  t.not(a.buffer, b.buffer);
  t.is(a.byteOffset, 0);
  t.is(a.buffer.byteLength, a.byteLength, 'the frame owns exactly its bytes, so transferring it moves nothing else');
});

test('random and truncated bytes are a FrameError, never something else', (t) => {
  const packr = createPackr(seedStructures());
  const good = encodeFrame(packr, [0, 'a', 'b', 0, { type: 'x', payload: 'y'.repeat(50) }]);
  for (let cut = 0; cut < good.byteLength; cut++) {
    const error = t.throws(() => decodeFrame(packr, good.subarray(0, cut)));
    t.true(error instanceof FrameError, `cut at ${cut}: ${String(error)}`);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        decodeFrame(packr, bytes);
      } catch (err) {
        return err instanceof FrameError;
      }
      return true; // some random bytes are a valid frame; that is fine
    }),
  );
});

test('a foreign frame that redefines shared record ids does not poison later frames', (t) => {
  const seed = seedStructures();
  const writer = createPackr(seed);
  const reader = createPackr(seed);
  const frame = [0, 'a', 'b', 1, { type: 'thread' }];
  t.deepEqual(decodeFrame(reader, encodeFrame(writer, frame)), frame);
  // A packr without the seed defines its own records from the same ids.
  t.throws(() => decodeFrame(reader, new Packr().pack({ hello: 'world' })), { instanceOf: FrameError });
  t.deepEqual(decodeFrame(reader, encodeFrame(writer, frame)), frame);
});
