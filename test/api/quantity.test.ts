/** Quantities: parsing, Kubernetes' canonical strings, integer conversions. Cases from apimachinery's quantity tests. */
import test from 'ava';
import fc from 'fast-check';
import {
  ERR_FORMAT_WRONG,
  ERR_SUFFIX,
  compareQuantities,
  formatQuantity,
  milliValue,
  mustParseQuantity,
  newQuantity,
  normalizeQuantity,
  parseCommonQuantity,
  parseQuantity,
  parseQuantityFull,
  toNumber,
  value,
} from '../../lib/api/quantity.js';

/** Exact value as a decimal string, to compare without trusting formatQuantity. */
function exact(input: string): string {
  const q = mustParseQuantity(input);
  return `${q.unscaled}e${q.scale}`;
}

test('parse gives the exact value Kubernetes computes, rounded up to nanos', (t) => {
  const cases: [string, bigint, number][] = [
    ['0', 0n, 0], ['0n', 0n, 0], ['0Ki', 0n, 0], ['1', 1n, 0], ['1Ki', 1024n, 0], ['8Ki', 8192n, 0],
    ['7Mi', 7n * 1024n ** 2n, 0], ['3Ei', 3n * 1024n ** 6n, 0], ['5n', 5n, -9], ['4u', 4n, -6], ['3m', 3n, -3],
    ['50k', 5n, 4], ['40T', 4n, 13], ['1E', 1n, 18], ['1E-3', 1n, -3], ['1.3E+6', 13n, 5], ['100.035k', 100035n, 0],
    ['0.0005k', 5n, -1], ['0.5e-2', 5n, -3], ['10.035M', 10035n, 3], ['3.001n', 4n, -9], ['1.1E-9', 2n, -9],
    ['0.0000000001', 1n, -9], ['0.00000012345', 124n, -9], ['12E', 12n, 18], ['0.5Mi', 524288n, 0],
    ['.001', 1n, -3], ['.0001k', 1n, -1], ['1.', 1n, 0], ['1.G', 1n, 9], ['-1.5', -15n, -1],
  ];
  for (const [input, unscaled, scale] of cases) {
    const q = mustParseQuantity(input);
    // Normalized representation: compare the values, not the mantissa/exponent split.
    const want = newQuantity(unscaled, scale);
    t.is(compareQuantities(q, want), 0, `${input}: got ${q.unscaled}e${q.scale}`);
  }
});

test('BinarySI saturates at 2^63-1 and tiny binary values become DecimalSI', (t) => {
  t.is(value(mustParseQuantity('9Ei')), (1n << 63n) - 1n);
  t.is(value(mustParseQuantity('9223372036854775807Ki')), (1n << 63n) - 1n);
  t.is(mustParseQuantity('0.000000000001Ki').format, 'DecimalSI');
  t.is(mustParseQuantity('0.000000000001Ki').text, '2n');
});

test('canonical strings (TestQuantityParseEmit and TestQuantityString)', (t) => {
  const cases: [string, string][] = [
    ['1Ki', '1Ki'], ['1024Mi', '1Gi'], ['1000M', '1G'], ['.001Ki', '1024m'], ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'], ['.000000000001Ki', '2n'], ['1.5', '1500m'], ['1.5Gi', '1536Mi'], ['1000m', '1'],
    ['300Mi', '300Mi'], ['307200Ki', '300Mi'], ['5000m', '5'], ['0.5', '500m'], ['1000M', '1G'], ['0.001T', '1G'],
    ['1000u', '1m'], ['1.08', '1080m'], ['1080000000n', '1080m'], ['.001e12', '1e9'], ['0.001e0', '1e-3'],
    ['1000e-12', '1e-9'], ['1000E', '1e21'], ['5000E', '5e21'], ['2e3', '2e3'], ['100Ki', '100Ki'], ['1M', '1M'],
    ['0.1', '100m'], ['1024Ki', '1Mi'], ['1025Ki', '1025Ki'], ['1.1Ki', '1126400m'], ['00', '0'],
  ];
  for (const [input, want] of cases) t.is(mustParseQuantity(input).text, want, input);
  for (const [input, want] of cases) {
    const neg = mustParseQuantity(`-${input}`);
    if (neg.unscaled !== 0n) t.is(neg.text, `-${want}`, `-${input}`);
  }
});

test('strings already in canonical shape are kept verbatim, as Go does', (t) => {
  t.is(mustParseQuantity('+1').text, '+1');
  t.is(mustParseQuantity('01').text, '01');
  t.is(mustParseQuantity('1E3').text, '1E3');
  t.is(formatQuantity(mustParseQuantity('1E3')), '1e3');
  t.is(mustParseQuantity('1000e0').text, '1e3');
});

test('invalid quantities give Kubernetes\' errors', (t) => {
  const bad: [string, string][] = [
    ['', ERR_FORMAT_WRONG], ['1.1.M', ERR_FORMAT_WRONG], ['1+1.0M', ERR_FORMAT_WRONG], ['aoeu', ERR_FORMAT_WRONG],
    [' 1', ERR_FORMAT_WRONG], ['1 ', ERR_FORMAT_WRONG], ['0.1mi', ERR_SUFFIX], ['0.1am', ERR_FORMAT_WRONG],
    ['.5i', ERR_SUFFIX], ['1i', ERR_SUFFIX], ['-3.01i', ERR_SUFFIX], ['-3.01e-', ERR_SUFFIX], ['1e4294967297', ERR_SUFFIX],
  ];
  for (const [input, err] of bad) {
    const r = parseQuantity(input);
    t.false(r.ok, input);
    if (!r.ok) t.is(r.error, err, input);
  }
  t.is(ERR_FORMAT_WRONG, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
});

test('milli and whole values round up away from zero and saturate at int64', (t) => {
  t.is(milliValue(mustParseQuantity('500m')), 500n);
  t.is(milliValue(mustParseQuantity('1.5')), 1500n);
  t.is(milliValue(mustParseQuantity('1n')), 1n);
  t.is(milliValue(mustParseQuantity('-1n')), -1n);
  t.is(value(mustParseQuantity('100m')), 1n);
  t.is(value(mustParseQuantity('1Gi')), 1073741824n);
  t.is(milliValue(mustParseQuantity('1e30')), (1n << 63n) - 1n);
  t.is(milliValue(mustParseQuantity('1e2147483647')), (1n << 63n) - 1n);
  t.is(toNumber(mustParseQuantity('1.5Gi')), 1.5 * 1024 ** 3);
});

test('JSON numbers are accepted like Kubernetes accepts them', (t) => {
  t.deepEqual(normalizeQuantity(2), { ok: true, text: '2' });
  t.deepEqual(normalizeQuantity(0.5), { ok: true, text: '500m' });
  t.false(normalizeQuantity(Number.NaN).ok);
});

test('huge exponents stay cheap and exact', (t) => {
  const q = mustParseQuantity('1e2147483647');
  t.is(q.scale, 2147483647);
  t.is(formatQuantity(q), '10e2147483646');
  t.is(compareQuantities(q, mustParseQuantity('1e2147483646')), 1);
  t.is(exact('1e-2147483647'), '1e-9');
});

test('property: the canonical string parses back to the same value and is a fixed point', (t) => {
  const suffix = fc.constantFrom('', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'e3', 'e-2', 'E+5');
  const input = fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,12}$/), fc.option(fc.stringMatching(/^[0-9]{0,10}$/)), suffix).map(
    ([neg, int, frac, suf]) => `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${suf}`,
  );
  fc.assert(
    fc.property(input, (s) => {
      const q = mustParseQuantity(s);
      const canon = formatQuantity(q);
      const back = mustParseQuantity(canon);
      t.is(compareQuantities(q, back), 0, `${s} -> ${canon}`);
      t.is(formatQuantity(back), canon);
      t.is(back.text, canon, `re-parsing ${canon} keeps it`);
    }),
    { numRuns: 2000 },
  );
});

test('property: compareQuantities orders like exact rational comparison', (t) => {
  const q = fc.tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.integer({ min: -9, max: 12 }));
  fc.assert(
    fc.property(q, q, ([a, as], [b, bs]) => {
      const s = Math.min(as, bs);
      const x = a * 10n ** BigInt(as - s);
      const y = b * 10n ** BigInt(bs - s);
      t.is(compareQuantities(newQuantity(a, as), newQuantity(b, bs)), x < y ? -1 : x > y ? 1 : 0);
    }),
  );
});

test('the fast path agrees with the full parser on the common forms and declines everything else', (t) => {
  const common = fc
    .tuple(fc.stringMatching(/^[0-9]{1,16}$/), fc.constantFrom('', 'm', 'Ki', 'Mi', 'Gi', 'k', 'M', 'Ti', 'u', 'e3', '.5', 'mi'))
    .map(([d, s]) => d + s);
  const edges = fc.constantFrom('1000m', '1024Mi', '1024Ki', '8Mi', '7Gi', '999999Gi', '8388608Gi', '100', '0', '0m', '01', '1000', '123456789012345', '1048576Ki');
  fc.assert(
    fc.property(fc.oneof(common, edges, fc.string({ maxLength: 8 })), (s) => {
      const fast = parseCommonQuantity(s);
      const full = parseQuantityFull(s);
      if (fast !== undefined) t.deepEqual(fast, full, s);
      t.deepEqual(parseQuantity(s), full, s);
    }),
    { numRuns: 5_000 },
  );
  for (const s of ['250m', '2', '512Mi', '1Gi', '64Ki', '1000m', '2048Mi']) t.not(parseCommonQuantity(s), undefined, s);
  for (const s of ['0', '+1', '01', '1.5', '1e3', '1k', '1Ti', '9999999Gi', 'constructor']) t.is(parseCommonQuantity(s), undefined, s);
});
