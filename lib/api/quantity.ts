// Kubernetes resource quantities ("500m", "1Gi", "1.5", "2e3"): parse, compare,
// convert to integer units, and format the way the api-server does.
//
// Semantics follow k8s.io/apimachinery/pkg/api/resource (quantity.go,
// suffix.go, amount.go):
// - a value is an exact decimal, rounded *up in magnitude* to the nearest
//   nano (10^-9) on parse ("0.1n" -> 1n, "3.001n" -> 4n);
// - BinarySI values ("Ki".."Ei") are capped at 2^63-1 in magnitude;
// - the format (DecimalSI, BinarySI, DecimalExponent) comes from the suffix
//   and decides the canonical form: 1.5 -> "1500m", 1.5Gi -> "1536Mi",
//   "1000m" -> "1", "1024Mi" -> "1Gi", "1000M" -> "1G", "1e3" stays "1e3";
// - BinarySI values in (-1024, 1024), or not whole, print as DecimalSI
//   (".001Ki" -> "1024m").
//
// Representation: `unscaled × 10^scale` with a bigint mantissa and a number
// exponent, like Go's inf.Dec. Bigint because milli-units of memory overflow
// 2^53 (8 PiB in milli-bytes > 9e15); an exponent because "1e2147483647" is a
// valid quantity that no eager bigint could hold. Use milliValue()/value()
// to get integer units (bigint, saturating at int64 like Go), or
// toNumber() for an approximate float. CPU in millicores and memory in bytes
// are both exact as JS numbers below 2^53 (9e15 millicores, 8 PiB).
//
// One Kubernetes quirk is kept on purpose: a string that is *already* in a
// canonical-looking shape is echoed back verbatim (Go reuses the input
// string on its fast path), so "+1" and "01" serialize as "+1" and "01",
// while "1000m" serializes as "1". `text` is what the api-server would
// return; formatQuantity() is the canonical form without the quirk.
//
// Deliberate difference: older Kubernetes releases print DecimalSI values
// above 10^18 with the suffix dropped ("1000E" -> "1", a silent corruption);
// we print exponent notation ("1e21"), as current apimachinery does.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export interface Quantity {
  /** value = unscaled × 10^scale; unscaled has no trailing zero digits (zero is 0n with scale 0). */
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
  /** The string Kubernetes serializes this quantity as (see the quirk above). */
  readonly text: string;
}

export type QuantityResult = { ok: true; quantity: Quantity } | { ok: false; error: string };

const SPLIT_RE_STRING = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** Kubernetes' messages, verbatim (ErrFormatWrong, ErrNumeric, ErrSuffix). */
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${SPLIT_RE_STRING}'`;
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT32_MAX = 2147483647;
const SUFFIX_CHARS = 'eEinumkKMGTP';

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXP = new Map<number, string>(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXP = new Map<number, string>(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e / 10, s]));

interface Scanned {
  positive: boolean;
  num: string; // integer digits, leading zeros stripped, "0" if none
  denom: string; // fraction digits, as written
  suffix: string;
}

/** Go's parseQuantityString: a permissive scanner; the suffix is checked later. */
function scan(str: string): Scanned | null {
  let pos = 0;
  const end = str.length;
  let positive = true;
  if (str[0] === '-') { positive = false; pos++; } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  const numStart = pos;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  const num = pos > numStart ? str.slice(numStart, pos) : '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    const denomStart = pos;
    while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  if (pos < end) return null; // a non-digit after the exponent sign
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(s: string): Suffix | null {
  if (Object.hasOwn(DECIMAL_SUFFIXES, s)) return { base: 10, exponent: DECIMAL_SUFFIXES[s]!, format: 'DecimalSI' };
  if (Object.hasOwn(BINARY_SUFFIXES, s)) return { base: 2, exponent: BINARY_SUFFIXES[s]!, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E')) {
    // Go: strconv.ParseInt(s[1:], 10, 64), then bounded to what an int32 scale can negate.
    if (!/^[+-]?[0-9]+$/.test(s.slice(1))) return null;
    const e = Number(s.slice(1));
    if (!Number.isFinite(e) || Math.abs(e) > INT32_MAX) return null;
    return { base: 10, exponent: e, format: 'DecimalExponent' };
  }
  return null;
}

const pow10Cache: bigint[] = [];
function pow10(n: number): bigint {
  if (n < 64) return (pow10Cache[n] ??= 10n ** BigInt(n));
  return 10n ** BigInt(n);
}

function digitCount(v: bigint): number {
  return (v < 0n ? -v : v).toString().length;
}

/** Divide a non-negative numerator by 10^k, rounding up. */
function ceilDivPow10(n: bigint, k: number): bigint {
  if (n === 0n) return 0n;
  if (k > digitCount(n) + 1) return 1n; // n < 10^k: any positive value rounds up to one unit
  const d = pow10(k);
  return (n + d - 1n) / d;
}

/** Builds a quantity from an exact value, normalizing the mantissa. */
function normalize(unscaled: bigint, scale: number): { unscaled: bigint; scale: number } {
  if (unscaled === 0n) return { unscaled: 0n, scale: 0 };
  while (unscaled % 10n === 0n) {
    unscaled /= 10n;
    scale++;
  }
  return { unscaled, scale };
}

/** Parses a quantity string (or a JSON number, which Kubernetes also accepts). The result is frozen: it may be shared. */
export function parseQuantity(input: string | number): QuantityResult {
  if (typeof input !== 'string') return parseQuantityFull(input);
  // A cluster writes the same few strings ("100m", "128Mi") on every pod, and every create, status
  // check and QoS class reads them again: parsed once, shared after.
  const known = parsedQuantities.get(input);
  if (known !== undefined) return known;
  const parsed = parseCommonQuantity(input) ?? parseQuantityFull(input);
  if (parsedQuantities.size >= PARSED_QUANTITIES_MAX) parsedQuantities.clear();
  if (parsed.ok) Object.freeze(parsed.quantity);
  parsedQuantities.set(input, Object.freeze(parsed));
  return parsed;
}

const parsedQuantities = new Map<string, QuantityResult>();
/** Bounded, so that a stream of distinct strings cannot grow it without end. */
const PARSED_QUANTITIES_MAX = 4_096;

// The fast path: what nearly every manifest writes ("250m", "2", "512Mi",
// "1Gi"): no sign, no leading zero, no fraction, no exponent, suffix one of
// '', m, Ki, Mi, Gi, and few enough digits that value × 2^exp is exact as a
// double. The result is the one parseQuantityFull gives (test/api/quantity
// checks both on a generated set); anything else returns undefined.
const FAST_BINARY_EXP: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30 };
/** Digits allowed per suffix so that every intermediate value stays below 2^53. */
const FAST_MAX_DIGITS: Record<string, number> = { '': 15, m: 15, Ki: 12, Mi: 9, Gi: 6 };

export function parseCommonQuantity(str: string): QuantityResult | undefined {
  const n = str.length;
  if (n === 0 || n > 17) return undefined;
  let end = 0;
  while (end < n) {
    const c = str.charCodeAt(end);
    if (c < 48 || c > 57) break;
    end++;
  }
  if (end === 0 || str.charCodeAt(0) === 48) return undefined; // "0" and leading zeros: the full parser
  const suffix = end === n ? '' : str.slice(end);
  const maxDigits = FAST_MAX_DIGITS[suffix];
  if (maxDigits === undefined || !Object.hasOwn(FAST_MAX_DIGITS, suffix) || end > maxDigits) return undefined;
  const digits = end === n ? str : str.slice(0, end);
  const binary = FAST_BINARY_EXP[suffix];
  if (binary === undefined) {
    // DecimalSI: unscaled × 10^scale with trailing zeros moved into the scale.
    let scale = suffix === 'm' ? -3 : 0;
    let last = end;
    while (str.charCodeAt(last - 1) === 48) {
      last--;
      scale++;
    }
    const unscaled = BigInt(Number(last === end ? digits : str.slice(0, last))); // <= 15 digits: exact
    // Go keeps the input text unless it ends in three zeros (then "1000m" -> "1").
    const text = end - last >= 3 ? formatQuantity({ unscaled, scale, format: 'DecimalSI' }) : str;
    return { ok: true, quantity: { unscaled, scale, format: 'DecimalSI', text } };
  }
  // BinarySI: value × 2^exp is a whole number (stored as nanos, normalized: trailing zeros in the scale).
  const value = Number(digits);
  const precision = 15 - end - Math.trunc((binary * 3) / 10) - 1;
  let whole = value * 2 ** binary; // exact: below 2^53
  let scale = 0;
  while (whole % 10 === 0) {
    whole /= 10;
    scale++;
  }
  let text = str;
  if (precision < 0 || (value & 7) === 0) {
    // formatQuantity's binary branch, in doubles (exact here): strip factors of 1024 into the suffix.
    let m = value * 2 ** binary;
    let e = 0;
    while (m >= 1024 && m % 1024 === 0) {
      m /= 1024;
      e++;
    }
    text = `${m}${BINARY_BY_EXP.get(e)!}`; // e >= 1: value × 2^(10k) with k >= 1 divides by 1024 at least once
  }
  return { ok: true, quantity: { unscaled: BigInt(whole), scale, format: 'BinarySI', text } };
}

/** The general parser (every form Kubernetes accepts); parseQuantity tries the fast path first. */
export function parseQuantityFull(input: string | number): QuantityResult {
  const str = typeof input === 'number' ? numberText(input) : input;
  if (str === null || str.length === 0) return { ok: false, error: ERR_FORMAT_WRONG };
  if (str === '0') return { ok: true, quantity: { unscaled: 0n, scale: 0, format: 'DecimalSI', text: '0' } };
  const s = scan(str);
  if (!s) return { ok: false, error: ERR_FORMAT_WRONG };
  const suffix = interpretSuffix(s.suffix);
  if (!suffix) return { ok: false, error: ERR_SUFFIX };

  const digits = BigInt(s.num + s.denom);
  let magnitude: { unscaled: bigint; scale: number };
  let format = suffix.format;
  if (suffix.base === 10) {
    let unscaled = digits;
    let scale = suffix.exponent - s.denom.length;
    if (scale < -9) {
      unscaled = ceilDivPow10(unscaled, -9 - scale);
      scale = -9;
    }
    magnitude = normalize(unscaled, scale);
  } else {
    // digits × 2^e / 10^len(denom), rounded up to nanos.
    const numerator = digits << BigInt(suffix.exponent);
    const d = s.denom.length;
    let nanos = d <= 9 ? numerator * pow10(9 - d) : ceilDivPow10(numerator, d - 9);
    if (nanos > INT64_MAX * pow10(9)) nanos = INT64_MAX * pow10(9); // BinarySI is capped at 2^63-1
    magnitude = normalize(nanos, -9);
    if (magnitude.unscaled !== 0n && magnitude.scale < 0 && digitCount(magnitude.unscaled) <= -magnitude.scale) {
      format = 'DecimalSI'; // 0 < |v| < 1: shown as DecimalSI to avoid rounding
    }
  }
  const unscaled = s.positive ? magnitude.unscaled : -magnitude.unscaled;
  const q = { unscaled, scale: magnitude.scale, format };
  const text = keepsOriginalText(s, suffix) ? str : formatQuantity(q);
  return { ok: true, quantity: { ...q, text } };
}

/** JSON numbers: Go sees the raw JSON text; String() is the closest JS has. */
function numberText(n: number): string | null {
  return Number.isFinite(n) ? String(n) : null;
}

/**
 * Go's ParseQuantity keeps the caller's string when its int64 fast path
 * finds the number already canonical; this reproduces those conditions.
 */
function keepsOriginalText(s: Scanned, suffix: Suffix): boolean {
  if (suffix.format === 'BinarySI') {
    if (s.denom.length > 0) return false;
    const precision = 15 - s.num.length - Math.trunc((suffix.exponent * 3) / 10) - 1;
    if (precision < 0) return false;
    const value = BigInt(s.num);
    if (value << BigInt(suffix.exponent) > INT64_MAX) return false;
    return (value & 7n) !== 0n;
  }
  if (18 - (s.num.length + s.denom.length) < 0) return false;
  const scale = suffix.exponent - s.denom.length;
  if (scale < -9) return false;
  const shifted = s.num + s.denom;
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
}

/** Parses or throws; for constants in code and tests. */
export function mustParseQuantity(input: string | number): Quantity {
  const r = parseQuantity(input);
  if (!r.ok) throw new Error(`cannot parse '${String(input)}': ${r.error}`);
  return r.quantity;
}

/** Builds a quantity from unscaled × 10^scale (e.g. millicores: scale -3). */
export function newQuantity(unscaled: bigint | number, scale: number, format: QuantityFormat = 'DecimalSI'): Quantity {
  const n = normalize(BigInt(unscaled), scale);
  const q = { unscaled: n.unscaled, scale: n.scale, format };
  return { ...q, text: formatQuantity(q) };
}

/** The canonical string (Go's Quantity.String() for a computed value). */
export function formatQuantity(q: Pick<Quantity, 'unscaled' | 'scale' | 'format'>): string {
  if (q.unscaled === 0n) return '0';
  if (q.format === 'BinarySI' && q.scale >= 0 && compareMagnitude(q, 1024n) >= 0) {
    const n = q.unscaled * pow10(q.scale);
    let m = n < 0n ? -n : n;
    let e = 0;
    while (m >= 1024n && m % 1024n === 0n) {
      m /= 1024n;
      e++;
    }
    const suffix = BINARY_BY_EXP.get(e);
    if (suffix !== undefined) return `${n < 0n ? '-' : ''}${m}${suffix}`;
    // Past Ei there is no binary suffix: fall through to an exact decimal form.
  }
  let mantissa = q.unscaled;
  let exponent = q.scale;
  const r = ((exponent % 3) + 3) % 3;
  if (r !== 0) {
    mantissa *= pow10(r);
    exponent -= r;
  }
  if (q.format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  const suffix = DECIMAL_BY_EXP.get(exponent);
  return suffix !== undefined ? `${mantissa}${suffix}` : `${mantissa}e${exponent}`;
}

/** |q| compared with a non-negative integer: -1, 0 or 1. */
function compareMagnitude(q: Pick<Quantity, 'unscaled' | 'scale'>, n: bigint): number {
  const abs = q.unscaled < 0n ? -q.unscaled : q.unscaled;
  return compareParts(abs, q.scale, n, 0);
}

function compareParts(a: bigint, as: number, b: bigint, bs: number): number {
  // Both non-negative. Decide by order of magnitude first so huge exponents never expand.
  if (a === 0n || b === 0n) return a === b ? 0 : a === 0n ? -1 : 1;
  const ao = digitCount(a) + as;
  const bo = digitCount(b) + bs;
  if (ao !== bo) return ao < bo ? -1 : 1;
  const s = Math.min(as, bs);
  const x = a * pow10(as - s);
  const y = b * pow10(bs - s);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares two quantities by value: -1, 0 or 1 (format is ignored). */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const sa = a.unscaled < 0n ? -1 : a.unscaled > 0n ? 1 : 0;
  const sb = b.unscaled < 0n ? -1 : b.unscaled > 0n ? 1 : 0;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const c = compareParts(sa < 0 ? -a.unscaled : a.unscaled, a.scale, sa < 0 ? -b.unscaled : b.unscaled, b.scale);
  return sa < 0 && c !== 0 ? -c : c;
}

/**
 * ceil(q / 10^scale) rounding away from zero, saturating at the int64 range
 * (Go's ScaledValue). scaledValue(q, -3) is MilliValue, scaledValue(q, 0) is Value.
 */
export function scaledValue(q: Quantity, scale: number): bigint {
  if (q.unscaled === 0n) return 0n;
  const negative = q.unscaled < 0n;
  const abs = negative ? -q.unscaled : q.unscaled;
  const shift = q.scale - scale;
  let r: bigint;
  if (shift >= 0) {
    r = digitCount(abs) + shift > 19 ? INT64_MAX + 1n : abs * pow10(shift);
  } else {
    r = ceilDivPow10(abs, -shift);
  }
  if (negative) return -r < INT64_MIN ? INT64_MIN : -r;
  return r > INT64_MAX ? INT64_MAX : r;
}

/** Milli-units, rounded up: "100m" -> 100n, "1" -> 1000n, "1n" -> 1n. */
export function milliValue(q: Quantity): bigint {
  return scaledValue(q, -3);
}

/** Whole units, rounded up: "1Gi" -> 1073741824n, "100m" -> 1n. */
export function value(q: Quantity): bigint {
  return scaledValue(q, 0);
}

/** An approximate float (exact for values that a double holds exactly). */
export function toNumber(q: Quantity): number {
  return Number.parseFloat(`${q.unscaled}e${q.scale}`);
}

/** The string the api-server stores for an input quantity, or the parse error. */
export function normalizeQuantity(input: string | number): { ok: true; text: string } | { ok: false; error: string } {
  const r = parseQuantity(input);
  return r.ok ? { ok: true, text: r.quantity.text } : r;
}
