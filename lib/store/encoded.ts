/**
 * Pre-encoded values: the write path's encoding, done by the sender.
 *
 * Encoding a Pod is the largest part of a write, and through the store actor
 * the store thread would also have to decode it from the message first. So a
 * sender (the api-server, a benchmark) calls `encodeForStore(value)` on its
 * own thread and sends `{ op, key, encoded }`; the store copies those bytes
 * into its log entry and splices the revision in, as it does for values it
 * encoded itself (codec.ts), and never builds the object.
 *
 * Format: [0xc1, encoding, ...value]. 0xc1 is the one byte msgpack never
 * uses, so plain msgpack sent by mistake is refused. The value is exactly
 * what prepareValue would produce: plain msgpack with the resourceVersion
 * placeholder in place, or, when the msgpack would contain a `__proto__` key
 * (msgpackr renames it on decode), JSON.
 *
 * The store trusts nothing in it: `prepareEncoded` walks the msgpack without
 * building objects (well-formed, one value, nesting at most MAX_DEPTH, only
 * the timestamp and undefined extensions that plain msgpackr writes), finds
 * `metadata.resourceVersion` by structure and requires the placeholder there
 * when the value has an object `metadata`. Anything else is INVALID_ARGUMENT.
 * JSON values (rare) are parsed and take the ordinary path. Values that came
 * in an op batch (op-batch.ts) with room before them are used in place: the
 * log entry's header is written into the batch's bytes, nothing is copied.
 *
 * encodeForStore writes plain data with the compiled writer of
 * plain-writer.ts (msgpackr's exact bytes, without building the stamped
 * copy); anything else goes through msgpackr as before.
 */
import {
  carve,
  decodeValue,
  packr,
  ENCODING_JSON,
  ENCODING_MSGPACK,
  checkJson,
  needsJson,
  packView,
  PLACEHOLDER_BYTES,
  PROTO_KEY_BYTES,
  prepareValue,
  type PreparedValue,
  SPLICE_OK,
  stampedCopy,
  withResourceVersion,
} from './codec.js';
import { Packr } from 'msgpackr';
import { InvalidArgumentError } from './errors.js';
import { writeStamped, type PlaceholderAt } from './plain-writer.js';
import type { EncodedWatchEvent, WatchEvent } from './types.js';

export type { PlaceholderAt } from './plain-writer.js';
export const ENCODED_MARK = 0xc1;
export const ENCODED_HEADER_BYTES = 2;
/** Deepest nesting accepted in an encoded value (msgpackr decodes recursively). */
export const MAX_DEPTH = 512;

/**
 * Encode `value` as the store would store it, on the caller's thread. Send
 * the result as a write op's `encoded` (the caller's object is not mutated).
 * Throws InvalidArgumentError for a value that cannot be encoded.
 * `where.at`, when given, is set to the offset of the resourceVersion
 * placeholder in the returned bytes when the fast writer knows it (the one
 * the store splices: metadata.resourceVersion), else to -1.
 */
export function encodeForStore(value: unknown, where?: PlaceholderAt): Uint8Array {
  if (where) where.at = -1;
  if (SPLICE_OK) {
    // Plain data with a metadata map (every API object): the compiled writer, same bytes (plain-writer.ts).
    const fast = writeStamped(value, ENCODED_MARK, ENCODING_MSGPACK, where);
    if (fast !== null && !fast.includes(PROTO_KEY_BYTES, ENCODED_HEADER_BYTES)) return fast;
    if (where) where.at = -1;
  }
  return encodeWithMsgpackr(value);
}

/** encodeForStore without the fast writer: msgpackr (or JSON), for what plain-writer.ts does not take. */
export function encodeWithMsgpackr(value: unknown): Uint8Array {
  const { object, stamp } = stampedCopy(value);
  const packed = packView(object);
  if (!needsJson(packed) && SPLICE_OK) {
    const out = Buffer.allocUnsafe(ENCODED_HEADER_BYTES + packed.length);
    out[0] = ENCODED_MARK;
    out[1] = ENCODING_MSGPACK;
    packed.copy(out, ENCODED_HEADER_BYTES);
    return out;
  }
  if (stamp) (object as { metadata: Record<string, unknown> }).metadata['resourceVersion'] = '';
  checkJson(object);
  const json = Buffer.from(JSON.stringify(object), 'utf8');
  const out = Buffer.allocUnsafe(ENCODED_HEADER_BYTES + json.length);
  out[0] = ENCODED_MARK;
  out[1] = ENCODING_JSON;
  json.copy(out, ENCODED_HEADER_BYTES);
  return out;
}

/**
 * Check and copy an `encoded` op value, like prepareValue does for objects.
 * `room`: free bytes before `encoded` in its buffer that may be overwritten
 * (an op from a batch the store owns, op-batch.ts); when they (with the
 * 2-byte mark) cover `reserve`, the value is used in place, not copied.
 * Throws InvalidArgumentError.
 */
export function prepareEncoded(encoded: unknown, reserve: number, room = 0): PreparedValue {
  if (!(encoded instanceof Uint8Array)) throw new InvalidArgumentError('encoded must be bytes (from encodeForStore)');
  const b = Buffer.isBuffer(encoded) ? encoded : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  if (b.length <= ENCODED_HEADER_BYTES || b[0] !== ENCODED_MARK)
    throw new InvalidArgumentError('encoded value was not produced by encodeForStore');
  const body = b.subarray(ENCODED_HEADER_BYTES);
  if (b[1] === ENCODING_JSON) {
    let object: unknown;
    try {
      object = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new InvalidArgumentError(`encoded JSON value is malformed: ${(err as Error).message}`, { cause: err });
    }
    return prepareValue(object, reserve); // rare (values with __proto__ keys): the ordinary path decides again
  }
  if (b[1] !== ENCODING_MSGPACK) throw new InvalidArgumentError(`unknown encoding ${b[1]} in encoded value`);
  if (needsJson(body)) throw new InvalidArgumentError('encoded msgpack value contains __proto__: encodeForStore stores it as JSON');
  const at = scanMsgpack(body);
  let bytes: Buffer;
  if (room + ENCODED_HEADER_BYTES >= reserve) {
    bytes = Buffer.from(body.buffer, body.byteOffset - reserve, reserve + body.length);
  } else {
    bytes = carve(reserve + body.length);
    body.copy(bytes, reserve);
  }
  return {
    object: undefined,
    decoded: false,
    stamp: at >= 0,
    encoding: ENCODING_MSGPACK,
    bytes,
    reserved: reserve,
    rvAt: at < 0 ? -1 : reserve + at,
  };
}

const METADATA = Buffer.from('metadata', 'latin1');
const RESOURCE_VERSION = Buffer.from('resourceVersion', 'latin1');

class Malformed extends InvalidArgumentError {
  constructor(why: string, at: number) {
    super(`encoded msgpack value is malformed: ${why} at byte ${at}`);
  }
}

/**
 * Validate one msgpack value filling `b` and return the offset of the
 * resourceVersion placeholder (-1 when the value has no object `metadata`).
 */
export function scanMsgpack(b: Buffer): number {
  const n = b.length;
  let rvAt = -1;
  let pos = 0;
  const top = b[0] as number;
  const topMap = mapHeader(b, 0);
  if (topMap !== undefined) {
    pos = topMap.start;
    let sawMetadata = false;
    for (let i = 0; i < topMap.count; i++) {
      const isMetadata = strEquals(b, pos, METADATA);
      pos = skip(b, pos, 1);
      if (isMetadata) {
        if (sawMetadata) throw new Malformed('duplicate metadata key', pos);
        sawMetadata = true;
        const meta = mapHeader(b, pos);
        if (meta !== undefined) {
          rvAt = findResourceVersion(b, meta.start, meta.count);
          if (rvAt < 0) throw new InvalidArgumentError('encoded value has metadata without the resourceVersion placeholder (use encodeForStore)');
        }
      }
      pos = skip(b, pos, 1);
    }
  } else if (top === undefined) throw new Malformed('empty value', 0);
  else pos = skip(b, 0, 1);
  if (pos !== n) throw new Malformed('bytes after the value', pos);
  return rvAt;
}

/** Within metadata's entries: the offset of the placeholder value of resourceVersion, else -1. Skips past the map. */
function findResourceVersion(b: Buffer, start: number, count: number): number {
  let pos = start;
  let found = -1;
  for (let i = 0; i < count; i++) {
    const isRv = strEquals(b, pos, RESOURCE_VERSION);
    pos = skip(b, pos, 1);
    if (isRv) {
      if (found >= 0) throw new Malformed('duplicate resourceVersion key', pos);
      if (!bytesAt(b, pos, PLACEHOLDER_BYTES))
        throw new InvalidArgumentError('encoded value has a resourceVersion other than the placeholder (use encodeForStore)');
      found = pos;
    }
    pos = skip(b, pos, 1);
  }
  return found;
}

function mapHeader(b: Buffer, pos: number): { count: number; start: number } | undefined {
  const t = b[pos];
  if (t === undefined) return undefined;
  if (t >= 0x80 && t <= 0x8f) return { count: t & 0x0f, start: pos + 1 };
  if (t === 0xde) return pos + 3 <= b.length ? { count: b.readUInt16BE(pos + 1), start: pos + 3 } : undefined;
  if (t === 0xdf) return pos + 5 <= b.length ? { count: b.readUInt32BE(pos + 1), start: pos + 5 } : undefined;
  return undefined;
}

/** Whether the item at pos is a string equal to `s` (ASCII). */
function strEquals(b: Buffer, pos: number, s: Buffer): boolean {
  const t = b[pos] as number;
  let at: number;
  let len: number;
  if (t >= 0xa0 && t <= 0xbf) {
    len = t & 0x1f;
    at = pos + 1;
  } else if (t === 0xd9 && pos + 1 < b.length) {
    len = b[pos + 1] as number;
    at = pos + 2;
  } else return false;
  return len === s.length && bytesAt(b, at, s);
}

/** Whether `s` is at `at` in `b`. A loop, not Buffer.compare: for a dozen bytes a native call costs more than it saves. */
function bytesAt(b: Buffer, at: number, s: Buffer): boolean {
  const len = s.length;
  if (at + len > b.length) return false;
  for (let i = 0; i < len; i++) if (b[at + i] !== s[i]) return false;
  return true;
}

/**
 * Skip `items` consecutive msgpack items starting at pos; returns the offset
 * after them. Iterative: a stack of remaining item counts per open container.
 */
const stack = new Float64Array(MAX_DEPTH + 1); // remaining items per open container (shared: skip never re-enters)

function skip(b: Buffer, pos: number, items: number): number {
  const n = b.length;
  let depth = 0;
  stack[0] = items;
  while (depth >= 0) {
    if (stack[depth] === 0) {
      depth--;
      continue;
    }
    stack[depth]--;
    if (pos >= n) throw new Malformed('truncated', pos);
    const t = b[pos] as number;
    // The forms msgpackr writes for API objects first, without the switch (~130 items a Pod):
    // short strings, small ints and constants, map16 (every map), str8, small arrays.
    if (t >= 0xa0 && t <= 0xbf) {
      pos += 1 + (t & 0x1f);
      if (pos > n) throw new Malformed('truncated', pos);
      continue;
    }
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) {
      pos++;
      continue;
    }
    let children = 0;
    if (t === 0xde) {
      if (pos + 3 > n) throw new Malformed('truncated', pos);
      children = 2 * (((b[pos + 1] as number) << 8) | (b[pos + 2] as number));
      pos += 3;
    } else if (t === 0xd9) {
      if (pos + 2 > n) throw new Malformed('truncated', pos);
      pos += 2 + (b[pos + 1] as number);
      if (pos > n) throw new Malformed('truncated', pos);
      continue;
    } else if (t <= 0x8f) {
      children = 2 * (t & 0x0f);
      pos++;
    } else if (t <= 0x9f) {
      children = t & 0x0f;
      pos++;
    } else {
      let len = 0; // payload bytes after the header
      let head = 1;
      switch (t) {
        case 0xc4: head = 2; len = need(b, pos, 2) && b[pos + 1]!; break; // prettier-ignore
        case 0xc5: case 0xda: head = 3; len = need(b, pos, 3) && b.readUInt16BE(pos + 1); break; // prettier-ignore
        case 0xc6: case 0xdb: head = 5; len = need(b, pos, 5) && b.readUInt32BE(pos + 1); break; // prettier-ignore
        case 0xca: len = 4; break; // prettier-ignore
        case 0xcb: len = 8; break; // prettier-ignore
        case 0xcc: case 0xd0: len = 1; break; // prettier-ignore
        case 0xcd: case 0xd1: len = 2; break; // prettier-ignore
        case 0xce: case 0xd2: len = 4; break; // prettier-ignore
        case 0xcf: case 0xd3: len = 8; break; // prettier-ignore
        case 0xdc: head = 3; children = need(b, pos, 3) && b.readUInt16BE(pos + 1); break; // prettier-ignore
        case 0xdd: head = 5; children = need(b, pos, 5) && b.readUInt32BE(pos + 1); break; // prettier-ignore
        case 0xdf: head = 5; children = 2 * (need(b, pos, 5) && b.readUInt32BE(pos + 1)); break; // prettier-ignore
        // Extensions: only what plain msgpackr writes (undefined, Date as timestamp).
        case 0xd4: // fixext 1: undefined is d4 00 00
          need(b, pos, 3);
          if (b[pos + 1] !== 0 || b[pos + 2] !== 0) throw new Malformed('unsupported extension', pos);
          head = 3;
          break;
        case 0xd6: // timestamp 32
        case 0xd7: // timestamp 64
          need(b, pos, 2);
          if (b[pos + 1] !== 0xff) throw new Malformed('unsupported extension', pos);
          head = 2;
          len = t === 0xd6 ? 4 : 8;
          break;
        case 0xc7: // ext 8: timestamp 96
          need(b, pos, 3);
          if (b[pos + 1] !== 12 || b[pos + 2] !== 0xff) throw new Malformed('unsupported extension', pos);
          head = 3;
          len = 12;
          break;
        default:
          throw new Malformed(`unsupported type byte 0x${t.toString(16)}`, pos);
      }
      pos += head + len;
      if (pos > n) throw new Malformed('truncated', pos);
    }
    if (children > 0) {
      if (children > n - pos) throw new Malformed('container larger than the value', pos);
      if (depth >= MAX_DEPTH) throw new Malformed(`nested deeper than ${MAX_DEPTH}`, pos);
      stack[++depth] = children;
    }
  }
  return pos;
}

/** Throws unless `bytes` bytes are available at pos; returns 1 so it can guard a length read with &&. */
function need(b: Buffer, pos: number, bytes: number): 1 {
  if (pos + bytes > b.length) throw new Malformed('truncated', pos);
  return 1;
}

/**
 * Decode an event received as bytes (on the watcher's thread) into the event
 * an in-process watcher would have got. Throws what the decoder throws.
 */
export function decodeWatchEvent(e: EncodedWatchEvent): WatchEvent {
  const value = e.encoded === undefined ? undefined : decodeValue(e.encoding, e.encoded);
  if (e.type !== 'DELETED') return { type: e.type, key: e.key, revision: e.revision, object: value };
  return { type: 'DELETED', key: e.key, revision: e.revision, object: withResourceVersion(value, String(e.revision)), prevObject: value };
}

/** Decode what encodeForStore produced (resourceVersion still the placeholder, or '' for JSON). */
export function decodeForStore(encoded: Uint8Array): unknown {
  if (encoded.length <= ENCODED_HEADER_BYTES || encoded[0] !== ENCODED_MARK) throw new InvalidArgumentError('not produced by encodeForStore');
  return decodeValue(encoded[1] as number, encoded.subarray(ENCODED_HEADER_BYTES));
}

// Event batches: one plain-msgpack blob per commit (or chunk), shared by every
// watcher that gets the same events, so a commit is packed once, not once per watcher.
const batchUnpackr = new Packr({ useRecords: false }); // no copyBuffers: values are views into the batch

/** Pack events into one batch (a copy the caller owns). */
export function packWatchEvents(events: readonly EncodedWatchEvent[]): Uint8Array {
  return Uint8Array.prototype.slice.call(packr.pack(events));
}

/** Unpack a batch from packWatchEvents; throws InvalidArgumentError when it is not one. */
export function unpackWatchEvents(batch: Uint8Array): EncodedWatchEvent[] {
  let events: unknown;
  try {
    events = batchUnpackr.unpack(batch);
  } catch (err) {
    throw new InvalidArgumentError(`undecodable event batch: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(events)) throw new InvalidArgumentError('event batch is not an array');
  return events as EncodedWatchEvent[];
}
