/**
 * Value encoding: msgpackr 2 (plain maps, no records: stored bytes must stay
 * decodable forever, without a structure table that could drift), written to
 * LMDB as raw bytes (lmdb bundles msgpackr 1, so its own encoder is not used).
 *
 * Why a placeholder: encoding a Pod costs ~7 µs, the largest part of a write.
 * The revision is only known inside the group commit, so encoding there would
 * serialize it behind the commit in flight. Instead `prepareValue` runs when
 * the write arrives (overlapping the previous commit's I/O): it encodes the
 * object with `metadata.resourceVersion` set to a unique 10-character
 * placeholder and copies the bytes once, into a slab, after room for the log
 * entry header. The commit writes the header there and splices the real
 * revision string into the bytes in place, producing exactly what msgpack
 * would have produced for the real value (checked by test/store/codec.test.ts),
 * so the finished log entry needs no further allocation or copy.
 *
 * msgpackr decodes an own key `__proto__` as `__proto_`. Values whose bytes
 * contain that key (found with one memmem; rare: ConfigMap data keys can be
 * anything) are stored as JSON instead, which round-trips it as an own key.
 */
import { Packr, RESET_BUFFER_MODE } from 'msgpackr';
import { InvalidArgumentError } from './errors.js';

export const ENCODING_MSGPACK = 0;
export const ENCODING_JSON = 1;
export type Encoding = typeof ENCODING_MSGPACK | typeof ENCODING_JSON;

// copyBuffers: lmdb's getBinaryFast returns a reused buffer; binary data must not alias it.
export const packr = new Packr({ useRecords: false, copyBuffers: true });

export const RV_PLACEHOLDER = '\u0000berth-rv\u0000';
// msgpack fixstr: 0xa0 | length, then the bytes.
export const PLACEHOLDER_BYTES = Buffer.from([0xa0 | RV_PLACEHOLDER.length, ...Buffer.from(RV_PLACEHOLDER, 'latin1')]);
const PH_LEN = PLACEHOLDER_BYTES.length;
export const PROTO_KEY_BYTES = Buffer.from([0xa0 | 9, ...Buffer.from('__proto__', 'latin1')]);

/**
 * Prepared values are copied into 1 MiB slabs (bump allocation) rather than
 * one Buffer each: per-value allocations and their GC were a third of the
 * write path's time. A slab lives until every entry carved from it has been
 * committed (lmdb-js drops its reference after writing).
 */
const SLAB_BYTES = 1 << 20;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabAt = 0;
export function carve(n: number): Buffer {
  if (n > SLAB_BYTES >> 3) return Buffer.allocUnsafeSlow(n);
  if (slabAt + n > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabAt = 0;
  }
  const b = slab.subarray(slabAt, slabAt + n);
  slabAt = (slabAt + n + 7) & ~7; // keep entries 8-byte aligned
  return b;
}

/** Whether msgpackr writes the placeholder as the fixstr we splice (checked once; else always re-encode). */
export const SPLICE_OK = Buffer.from(packr.pack({ metadata: { resourceVersion: RV_PLACEHOLDER } })).includes(PLACEHOLDER_BYTES);

export interface PreparedValue {
  /**
   * What will be stored and handed back; for stampable values a copy with its
   * own `metadata`. Unknown (undefined) when `decoded` is false: the value
   * came pre-encoded (encoded.ts) and is only decoded if someone asks.
   */
  readonly object: unknown;
  readonly decoded: boolean;
  readonly stamp: boolean;
  encoding: Encoding;
  /**
   * The encoding, preceded by `reserved` bytes of free room for the log entry
   * header (carved from a slab). Undefined when the value must be encoded
   * after the revision is known.
   */
  bytes: Buffer | undefined;
  reserved: number;
  /** Offset of the placeholder in `bytes`, -1 when there is none. */
  rvAt: number;
}

type Obj = Record<string, unknown>;
function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * Shallow copy. Object.assign is ~20% faster to pack afterwards than spread
 * (it keeps the fast object shape) but assigning an own `__proto__` key sets
 * the prototype instead of copying it, so such objects take the spread path.
 */
function shallowCopy(o: Obj): Obj {
  return Object.hasOwn(o, '__proto__') ? { ...o } : Object.assign({}, o);
}

/**
 * The object as the store will encode it: for a value with an object
 * `metadata`, a two-level copy with `metadata.resourceVersion` set to the
 * placeholder (the caller's object is never mutated; the rest is shared,
 * read-only by contract).
 */
export function stampedCopy(value: unknown): { object: unknown; stamp: boolean } {
  if (!isPlainObject(value) || !isPlainObject(value['metadata'])) return { object: value, stamp: false };
  const copy = shallowCopy(value);
  const metadata = shallowCopy(value['metadata'] as Obj);
  metadata['resourceVersion'] = RV_PLACEHOLDER;
  copy['metadata'] = metadata;
  return { object: copy, stamp: true };
}

/**
 * Plain msgpack of `object`, as a view into msgpackr's reused buffer (valid
 * until the next pack: copy it out at once). Throws InvalidArgumentError.
 */
export function packView(object: unknown): Buffer {
  let packed: Uint8Array;
  try {
    packed = packr.pack(object, RESET_BUFFER_MODE);
  } catch (err) {
    throw new InvalidArgumentError(`value cannot be encoded: ${(err as Error).message}`, { cause: err });
  }
  return Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
}

/** The `__proto__` decision: msgpack bytes that contain the key (or the string) mean the value is stored as JSON. */
export function needsJson(msgpack: Buffer): boolean {
  return msgpack.includes(PROTO_KEY_BYTES);
}

/**
 * Encode now what can be encoded before the revision is known, leaving
 * `reserve` bytes in front for the entry header. Throws InvalidArgumentError.
 */
export function prepareValue(value: unknown, reserve: number): PreparedValue {
  const { object, stamp } = stampedCopy(value);
  const value0 = packView(object);
  if (needsJson(value0)) {
    if (stamp) (object as { metadata: Obj }).metadata['resourceVersion'] = '';
    checkJson(object);
    return { object, decoded: true, stamp, encoding: ENCODING_JSON, bytes: undefined, reserved: 0, rvAt: -1 };
  }
  const at = stamp && SPLICE_OK ? value0.indexOf(PLACEHOLDER_BYTES) : -1;
  if (stamp && (at < 0 || value0.indexOf(PLACEHOLDER_BYTES, at + 1) >= 0)) {
    // The user's data contains the placeholder too: encode with the real revision later.
    return { object, decoded: true, stamp, encoding: ENCODING_MSGPACK, bytes: undefined, reserved: 0, rvAt: -1 };
  }
  const bytes = carve(reserve + value0.length);
  value0.copy(bytes, reserve);
  return { object, decoded: true, stamp, encoding: ENCODING_MSGPACK, bytes, reserved: reserve, rvAt: at < 0 ? -1 : reserve + at };
}

export function checkJson(object: unknown): void {
  try {
    JSON.stringify(object);
  } catch (err) {
    throw new InvalidArgumentError(`value cannot be encoded: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Set the real resourceVersion and return a buffer holding `headerBytes` of
 * free room followed by the final encoding. In the common case this is the
 * prepared buffer itself, spliced in place (the revision string is shorter
 * than the placeholder below revision 10^10, so the tail moves left).
 */
export function entryWithValue(prep: PreparedValue, rv: string, headerBytes: number): Buffer {
  if (prep.stamp && prep.decoded) (prep.object as { metadata: Obj }).metadata['resourceVersion'] = rv;
  let bytes = prep.bytes;
  if (bytes === undefined) {
    const packed =
      prep.encoding === ENCODING_JSON
        ? Buffer.from(JSON.stringify(prep.object), 'utf8')
        : packr.pack(prep.object, RESET_BUFFER_MODE); // copied out just below
    const e = Buffer.allocUnsafe(headerBytes + packed.length);
    e.set(packed, headerBytes);
    return e;
  }
  const at = prep.rvAt;
  const rvBytes = 1 + rv.length;
  if (prep.reserved === headerBytes) {
    if (at < 0) return bytes;
    if (rvBytes <= PH_LEN) {
      bytes[at] = 0xa0 | rv.length;
      bytes.write(rv, at + 1, 'latin1');
      bytes.copyWithin(at + rvBytes, at + PH_LEN);
      return bytes.subarray(0, bytes.length - (PH_LEN - rvBytes));
    }
  }
  // Room reserved for another header size, or a longer revision string: copy into a new buffer.
  const from = prep.reserved;
  if (at < 0) {
    const e = Buffer.allocUnsafe(headerBytes + bytes.length - from);
    bytes.copy(e, headerBytes, from);
    return e;
  }
  const e = Buffer.allocUnsafe(headerBytes + bytes.length - from - PH_LEN + rvBytes);
  bytes.copy(e, headerBytes, from, at);
  let o = headerBytes + at - from;
  e[o++] = 0xa0 | rv.length;
  o += e.write(rv, o, 'latin1');
  bytes.copy(e, o, at + PH_LEN);
  return e;
}

/** Decode stored bytes; throws whatever the decoder throws (callers wrap it in DecodeError). */
export function decodeValue(encoding: number, bytes: Uint8Array): unknown {
  if (encoding === ENCODING_MSGPACK) return packr.unpack(bytes);
  if (!Buffer.isBuffer(bytes)) bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding === ENCODING_JSON) return JSON.parse((bytes as Buffer).toString('utf8'));
  throw new Error(`unknown value encoding ${encoding}`);
}

/** Marks a value that is only held as bytes so far (decoded when someone needs the object). */
export const NOT_DECODED: unique symbol = Symbol('not decoded');

/** A shallow copy with metadata.resourceVersion replaced (DELETED events carry the deletion's revision). */
export function withResourceVersion(value: unknown, rv: string): unknown {
  if (!isPlainObject(value) || !isPlainObject(value['metadata'])) return value;
  const copy = shallowCopy(value);
  const metadata = shallowCopy(value['metadata'] as Obj);
  metadata['resourceVersion'] = rv;
  copy['metadata'] = metadata;
  return copy;
}
