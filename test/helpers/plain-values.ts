/**
 * fast-check arbitraries of plain data as API objects hold it, plus what
 * msgpack and the records encoding also keep: undefined, -0, NaN,
 * Infinity, non-ASCII and long strings, nested arrays and maps. Shared by
 * the records encoding's property tests.
 */
import fc from 'fast-check';

/** Values of `keys` (map keys never `__proto__`) and scalars including `words`. */
export function plainValues(keys: fc.Arbitrary<string>, words: readonly string[]): fc.Arbitrary<unknown> {
  const scalar = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom(...words),
    fc.integer(),
    fc.integer({ min: -200, max: 200 }),
    fc.double(),
    fc.constantFrom(0, -0, 127, 128, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, NaN, Infinity),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  );
  return fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      scalar,
      fc.array(tie('v'), { maxLength: 20 }),
      fc.dictionary(keys.filter((k) => k !== '__proto__'), tie('v'), { maxKeys: 6, noNullPrototype: true }),
    ),
  })).v;
}
