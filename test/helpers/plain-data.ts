/**
 * fast-check arbitraries of plain data (what the compiled msgpack writers
 * handle): strings of every UTF-8 and header form, integers around the
 * format boundaries, doubles, booleans, null, undefined, nested arrays and
 * objects (with `bytes`, Uint8Arrays and Buffers of bin 8 and 16 sizes too). Keys never include `__proto__` (the layers above handle it).
 */
import fc from 'fast-check';

export function plainData(options: { keys: readonly string[]; smallInts: { min: number; max: number }; excludeKeys?: readonly string[]; bytes?: boolean }) {
  const excluded = new Set(['__proto__', ...(options.excludeKeys ?? [])]);
  const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...options.keys)).filter((k) => !excluded.has(k));
  const leaf = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 80 }), // lone surrogates, astral planes, 2- and 3-byte UTF-8
    fc.string({ minLength: 20, maxLength: 400, unit: fc.constantFrom('a', 'é', '€', '😀') }), // every string header size but the largest
    fc.integer(),
    fc.integer(options.smallInts),
    fc.maxSafeInteger(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    ...(options.bytes ? [fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))] : []),
  );
  const value = fc.letrec((tie) => ({
    leaf,
    node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 20 }), fc.dictionary(key, tie('node'), { maxKeys: 6, noNullPrototype: true })),
  })).node;
  return { key, value };
}
