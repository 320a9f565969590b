/**
 * encodeForStore's fast writer must write exactly what msgpackr packs for the
 * stamped copy (the store splices the revision into those bytes and readers
 * decode them with msgpackr), and step aside for anything but plain data.
 */
import test from 'ava';
import fc from 'fast-check';
import { plainData } from '../helpers/plain-data.js';
import { packr, stampedCopy } from '../../lib/store/codec.js';
import { encodeWithMsgpackr } from '../../lib/store/encoded.js';
import { markConstant, writeStamped } from '../../lib/store/plain-writer.js';
import { makePod } from '../../bench/fixtures/pod.js';

/** What the msgpackr path stores for `value`: [0xc1, 0, ...msgpack of the stamped copy]. */
function viaMsgpackr(value: unknown): Buffer {
  return Buffer.concat([Buffer.from([0xc1, 0]), Buffer.from(packr.pack(stampedCopy(value).object))]);
}

function viaWriter(value: unknown): Buffer {
  const out = writeStamped(value, 0xc1, 0);
  if (out === null) throw new Error('the writer refused plain data');
  return out;
}

// __proto__ keys are the caller's business (encodeForStore stores those values as JSON).
const { key, value } = plainData({ keys: ['metadata', 'resourceVersion', 'name', '0', '17', 'constructor'], smallInts: { min: -0x81, max: 0x101 }, excludeKeys: ['hasOwnProperty'] });
const object = fc.record(
  { kind: fc.string(), metadata: fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true }), spec: value, status: value },
  { requiredKeys: ['metadata'], noNullPrototype: true },
);

function hasOwnConstructor(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (!Array.isArray(v) && Object.hasOwn(v, 'constructor')) return true;
  return Object.values(v).some(hasOwnConstructor);
}

test('for plain data the writer writes exactly the bytes of the msgpackr path', (t) => {
  // Objects of few shapes, many times over: the writer compiles a shape after a few uses.
  fc.assert(
    fc.property(fc.array(object, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 12 }), (objects, times) => {
      for (let i = 0; i < times; i++)
        for (const o of objects) {
          const written = writeStamped(o, 0xc1, 0);
          // Refusing is allowed only for an own `constructor` key (msgpackr's class check reads it); then msgpackr writes it.
          if (written === null ? !hasOwnConstructor(o) : !written.equals(viaMsgpackr(o))) return false;
        }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass('fc.assert throws, with a shrunk counterexample, on the first value that differs');
});

test('Pods, strings past 64 KiB, wide maps and the integer edges match msgpackr', (t) => {
  for (let i = 0; i < 50; i++) t.deepEqual(viaWriter(makePod(i)), viaMsgpackr(makePod(i)));
  const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
  const odd = {
    metadata: { name: 'x', labels: wide },
    big: 'a'.repeat(70_000),
    mixed: 'é€😀'.repeat(8_000),
    ints: [0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 2 ** 32 - 1, 2 ** 32, -1, -32, -33, -128, -129, -32768, -32769, 2 ** 31 - 1, -(2 ** 31), 0.5, -0, NaN, Infinity],
    empty: {},
    emptyArray: [],
    long: Array.from({ length: 70_000 }, (_, i) => i & 1),
  };
  t.deepEqual(viaWriter(odd), viaMsgpackr(odd));
});

test('metadata gets the placeholder in place, or appended when absent; the caller is not mutated', (t) => {
  const withRv = { kind: 'Pod', metadata: { name: 'a', resourceVersion: '5', uid: 'u' } };
  const without = { kind: 'Pod', metadata: { name: 'a' }, spec: {} };
  t.deepEqual(viaWriter(withRv), viaMsgpackr(withRv));
  t.deepEqual(viaWriter(without), viaMsgpackr(without));
  t.is(withRv.metadata.resourceVersion, '5');
  t.false('resourceVersion' in without.metadata);
});

test('anything but plain data is left to msgpackr (which gives the same bytes as before)', (t) => {
  class Thing {
    x = 1;
  }
  const refused: unknown[] = [
    { metadata: { name: 'a', at: new Date(0) } },
    { metadata: { name: 'a' }, m: new Map([[1, 2]]) },
    { metadata: { name: 'a' }, b: Buffer.from('x') },
    { metadata: { name: 'a' }, t: new Thing() },
    { metadata: { name: 'a' }, n: 10n },
    { metadata: { name: 'a' }, f: () => 1 },
    { metadata: { name: 'a' }, hasOwnProperty: 1 },
    { metadata: Object.assign(Object.create(null) as object, { name: 'a' }) },
    { metadata: new Thing() },
    'not an object',
    [{ metadata: {} }],
  ];
  for (const v of refused) t.is(writeStamped(v, 0xc1, 0), null, JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x)));
  // A getter that throws: refused here, reported by the msgpackr path.
  const throwing = { metadata: { name: 'a' }, get spec(): unknown {
    throw new Error('boom');
  } };
  t.is(writeStamped(throwing, 0xc1, 0), null);
  t.throws(() => encodeWithMsgpackr(throwing), { message: /boom/ });
});

test('a polluted Object.prototype sends every value to msgpackr', (t) => {
  const proto = Object.prototype as Record<string, unknown>;
  proto['polluted'] = 1;
  try {
    t.is(writeStamped({ metadata: { name: 'a' } }, 0xc1, 0), null);
  } finally {
    delete proto['polluted'];
  }
  t.not(writeStamped({ metadata: { name: 'a' } }, 0xc1, 0), null);
});

test('after a shape is compiled, a nested object of another shape, order or kind at the same place is still written exactly', (t) => {
  class Thing {
    a = 1;
    b = 2;
  }
  const withNested = (nested: unknown): Record<string, unknown> => ({ kind: 'X', metadata: { name: 'n' }, spec: { nested, after: 'tail' } });
  // Often enough that the shapes of the top, spec and nested maps are compiled (plain-writer.ts compileAfter).
  for (let i = 0; i < 20; i++) t.deepEqual(viaWriter(withNested({ a: i, b: 'x' })), viaMsgpackr(withNested({ a: i, b: 'x' })));
  const others: [string, unknown][] = [
    ['an extra key', { a: 1, b: 'x', c: 3 }],
    ['a missing key', { a: 1 }],
    ['keys in another order', { b: 'x', a: 1 }],
    ['an array', [1, 'x']],
    ['an empty map', {}],
    ['null', null],
    ['a number', 7],
    ['undefined', undefined],
    ['a key set to undefined', { a: undefined, b: 'x' }],
  ];
  for (const [what, nested] of others) t.deepEqual(viaWriter(withNested(nested)), viaMsgpackr(withNested(nested)), what);
  // Not plain data at a compiled place: refused here (msgpackr's path writes it), whatever its keys.
  const refused: [string, unknown][] = [
    ['a class instance with the same keys', new Thing()],
    ['a null-prototype map with the same keys', Object.assign(Object.create(null) as object, { a: 1, b: 'x' })],
    ['an own constructor key', { a: 1, b: 'x', constructor: 1 }],
    ['a Date', new Date(0)],
  ];
  for (const [what, nested] of refused) t.is(writeStamped(withNested(nested), 0xc1, 0), null, what);
  // And the compiled path is still right afterwards.
  t.deepEqual(viaWriter(withNested({ a: 2, b: 'y' })), viaMsgpackr(withNested({ a: 2, b: 'y' })));
});

test('a value marked constant (a shared, frozen fieldsV1) is written as msgpackr packs it, every time, among values that change', (t) => {
  const deepFreeze = <T extends object>(o: T): T => {
    for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v);
    return Object.freeze(o);
  };
  const shared = deepFreeze({ 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } });
  const other = deepFreeze({ 'f:spec': { 'f:replicas': {} } });
  markConstant(shared);
  markConstant(other);
  // Past the compile threshold, alternating marked values, an unmarked one and a non-object at the same site.
  for (let i = 0; i < 40; i++) {
    const fieldsV1 = i % 5 === 4 ? { 'f:x': { [`f:${i}`]: {} } } : i % 7 === 6 ? 'not a map' : i % 2 === 0 ? shared : other;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p-${i}`, labels: { app: 'web' }, managedFields: [{ manager: 'm', operation: 'Update', apiVersion: 'v1', time: `t${i}`, fieldsType: 'FieldsV1', fieldsV1 }] },
      spec: { containers: [{ name: 'web', image: `img:${i}` }] },
    };
    t.deepEqual(viaWriter(pod), viaMsgpackr(pod), `pod ${i}`);
  }
});
