/**
 * encodeForStore's fast path: writes exactly the bytes the store's msgpackr
 * Packr (`useRecords: false`) would pack for a value's stamped copy (codec.ts
 * stampedCopy: `metadata.resourceVersion` set to the placeholder), without
 * building that copy, after the two-byte encoded header.
 *
 * Why: msgpackr's pack was most of a sender's cost per write (~9 µs per Pod):
 * for every object it walks keys with for-in, checks hasOwnProperty, and
 * encodes every key string again. Here each object shape (ordered key list)
 * found often enough gets a writer compiled once, with its keys' msgpack
 * bytes precomputed and literal property reads; each site (a property of a
 * shape, or the elements of an array there) remembers the last two shapes
 * seen, so the common case checks an object's keys by pointer compares (the
 * approach of lib/actor/codec-writer.ts, for plain maps instead of records).
 *
 * msgpackr 2.1's choices copied here: maps always as map16 (0xde), fixints
 * below 0x80, float64 for non-integers, undefined as fixext 1 type 0, strings
 * by its header guess. test/store/plain-writer.test.ts compares the bytes with
 * msgpackr's for random values, so an upgrade that changes them is caught.
 *
 * Anything but plain data (Dates, Maps, typed arrays, bigints, class
 * instances, an own `hasOwnProperty` or `constructor` key, a polluted
 * Object.prototype) makes `writeStamped` return null and the caller takes the
 * msgpackr path, which handles it exactly.
 */
import { PLACEHOLDER_BYTES } from './codec.js';

type Obj = Record<string, unknown>;
type ValuesWriter = (object: Obj) => void;

interface Shape {
  readonly keys: readonly string[];
  /** Each key's msgpack bytes (the first one preceded by the map16 header; a constant value follows its key's). */
  readonly keyBytes: readonly Uint8Array[];
  /** Bytes after the last value: an appended resourceVersion, or the header of an empty map. */
  readonly tail: Uint8Array | undefined;
  readonly mode: Mode;
  /** Two remembered shapes per key (see writeObject). */
  readonly cache: (Shape | undefined)[];
  uses: number;
  writeValues: ValuesWriter;
}

class NotPlainData extends Error {}

/** A shape is compiled once it is seen this often; rare shapes (label maps) stay generic. */
const compileAfter = 8;
/** Wider shapes (a ConfigMap's data) stay generic. */
const maxCompiledKeys = 64;
/** Bound on remembered shapes: user keys (labels, annotations, data) make shapes without end. */
const maxShapes = 4_096;

let buf = Buffer.allocUnsafeSlow(64 * 1024);
let view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
let pos = 0;
let safeEnd = buf.length - 16;
let writing = false;
let shapes = new Map<string, Shape>();

function grow(need: number): void {
  let size = buf.length * 2;
  while (size < pos + need + 16) size *= 2;
  const bigger = Buffer.allocUnsafeSlow(size);
  buf.copy(bigger, 0, 0, pos);
  buf = bigger;
  view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  safeEnd = size - 16;
}

function writeString(s: string): void {
  const length = s.length;
  if (pos + length * 3 + 5 > safeEnd) grow(length * 3 + 5);
  if (length < 0x20) {
    // Short ASCII, by far the most common: header known up front, one pass.
    let p = pos + 1;
    let i = 0;
    for (; i < length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[p++] = c;
    }
    if (i === length) {
      buf[pos] = 0xa0 | length;
      pos = p;
      return;
    }
  }
  // msgpackr's way: guess the header from the UTF-16 length, write, then move the bytes if the guess was wrong.
  const header = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
  let n: number;
  if (length < 0x40) {
    let p = pos + header;
    for (let i = 0; i < length; i++) {
      let c1 = s.charCodeAt(i);
      let c2: number;
      if (c1 < 0x80) buf[p++] = c1;
      else if (c1 < 0x800) {
        buf[p++] = (c1 >> 6) | 0xc0;
        buf[p++] = (c1 & 0x3f) | 0x80;
      } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
        c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
        i++;
        buf[p++] = (c1 >> 18) | 0xf0;
        buf[p++] = ((c1 >> 12) & 0x3f) | 0x80;
        buf[p++] = ((c1 >> 6) & 0x3f) | 0x80;
        buf[p++] = (c1 & 0x3f) | 0x80;
      } else if ((c1 & 0xf800) === 0xd800) {
        // A lone surrogate: U+FFFD, as msgpackr and TextEncoder write it.
        buf[p++] = 0xef;
        buf[p++] = 0xbf;
        buf[p++] = 0xbd;
      } else {
        buf[p++] = (c1 >> 12) | 0xe0;
        buf[p++] = ((c1 >> 6) & 0x3f) | 0x80;
        buf[p++] = (c1 & 0x3f) | 0x80;
      }
    }
    n = p - pos - header;
  } else {
    n = buf.write(s, pos + header);
  }
  if (n < 0x20) {
    if (header !== 1) buf.copyWithin(pos + 1, pos + header, pos + header + n);
    buf[pos] = 0xa0 | n;
    pos += 1 + n;
  } else if (n < 0x100) {
    if (header !== 2) buf.copyWithin(pos + 2, pos + header, pos + header + n);
    buf[pos] = 0xd9;
    buf[pos + 1] = n;
    pos += 2 + n;
  } else if (n < 0x10000) {
    if (header !== 3) buf.copyWithin(pos + 3, pos + header, pos + header + n);
    buf[pos] = 0xda;
    buf[pos + 1] = n >> 8;
    buf[pos + 2] = n & 0xff;
    pos += 3 + n;
  } else {
    if (header !== 5) buf.copyWithin(pos + 5, pos + header, pos + header + n);
    buf[pos] = 0xdb;
    view.setUint32(pos + 1, n);
    pos += 5 + n;
  }
}

function writeNumber(v: number): void {
  if (v >>> 0 === v) {
    if (v < 0x80) buf[pos++] = v;
    else if (v < 0x100) {
      buf[pos++] = 0xcc;
      buf[pos++] = v;
    } else if (v < 0x10000) {
      buf[pos++] = 0xcd;
      buf[pos++] = v >> 8;
      buf[pos++] = v & 0xff;
    } else {
      buf[pos++] = 0xce;
      view.setUint32(pos, v);
      pos += 4;
    }
  } else if (v >> 0 === v) {
    if (v >= -0x20) buf[pos++] = 0x100 + v;
    else if (v >= -0x80) {
      buf[pos++] = 0xd0;
      buf[pos++] = v + 0x100;
    } else if (v >= -0x8000) {
      buf[pos++] = 0xd1;
      view.setInt16(pos, v);
      pos += 2;
    } else {
      buf[pos++] = 0xd2;
      view.setInt32(pos, v);
      pos += 4;
    }
  } else {
    buf[pos++] = 0xcb;
    view.setFloat64(pos, v);
    pos += 8;
  }
}

function writeValue(v: unknown, cache: (Shape | undefined)[], slot: number): void {
  if (pos > safeEnd) grow(16);
  switch (typeof v) {
    case 'string':
      writeString(v);
      return;
    case 'number':
      writeNumber(v);
      return;
    case 'object':
      if (v === null) buf[pos++] = 0xc0;
      else if (Array.isArray(v)) writeArray(v, cache, slot);
      else writeObject(v as Obj, cache, slot);
      return;
    case 'boolean':
      buf[pos++] = v ? 0xc3 : 0xc2;
      return;
    case 'undefined':
      buf[pos++] = 0xd4;
      buf[pos++] = 0;
      buf[pos++] = 0;
      return;
    default:
      throw new NotPlainData();
  }
}

function writeArray(v: unknown[], cache: (Shape | undefined)[], slot: number): void {
  if (v.constructor !== Array) throw new NotPlainData();
  const n = v.length;
  if (n < 0x10) buf[pos++] = 0x90 | n;
  else if (n < 0x10000) {
    buf[pos++] = 0xdc;
    buf[pos++] = n >> 8;
    buf[pos++] = n & 0xff;
  } else {
    buf[pos++] = 0xdd;
    view.setUint32(pos, n);
    pos += 4;
  }
  // Elements share one site: array items are usually of one shape.
  for (let i = 0; i < n; i++) writeValue(v[i], cache, slot);
}

/** An object at a site; cache[slot] and cache[slot + 1] are the two shapes last seen there. */
function writeObject(object: Obj, cache: (Shape | undefined)[], slot: number): void {
  if (object.constructor !== Object || Object.getPrototypeOf(object) !== Object.prototype) throw new NotPlainData();
  let shape = cache[slot];
  if (shape === undefined || !hasKeys(object, shape.keys)) {
    const other = cache[slot + 1];
    cache[slot + 1] = shape;
    shape = other !== undefined && hasKeys(object, other.keys) ? other : shapeOf(object, PLAIN);
    cache[slot] = shape;
  }
  shape.writeValues(object);
}

/**
 * How a shape's values are written: PLAIN as they are; TOP is the stamped
 * value itself (its `metadata` is written as METADATA); METADATA has its
 * resourceVersion replaced by the placeholder, or appended when absent
 * (what stampedCopy does, codec.ts).
 */
const PLAIN = 0;
const TOP = 1;
const METADATA = 2;
type Mode = typeof PLAIN | typeof TOP | typeof METADATA;

function shapeOf(object: Obj, mode: Mode): Shape {
  const keys: string[] = [];
  for (const key in object) {
    if (key === 'hasOwnProperty') throw new NotPlainData(); // msgpackr's own-key check would read it
    keys.push(key);
  }
  // An unambiguous id (a join could not tell [''] from [], or ['a\0', 'b'] from ['a', '\0b']).
  const id = mode + JSON.stringify(keys);
  let shape = shapes.get(id);
  if (shape === undefined) {
    if (shapes.size >= maxShapes) forgetShapes();
    shape = newShape(keys, mode);
    shapes.set(id, shape);
  }
  return shape;
}

/** A string's msgpack bytes, as writeString writes them (lone surrogates become U+FFFD both ways). */
function stringBytes(s: string): Buffer {
  const utf8 = Buffer.from(s, 'utf8');
  const n = utf8.length;
  const head = n < 0x20 ? [0xa0 | n] : n < 0x100 ? [0xd9, n] : n < 0x10000 ? [0xda, n >> 8, n & 0xff] : [0xdb, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from(head), utf8]);
}

function newShape(keys: readonly string[], mode: Mode): Shape {
  const appendRv = mode === METADATA && !keys.includes('resourceVersion');
  const count = keys.length + (appendRv ? 1 : 0);
  if (count > 0xffff) throw new NotPlainData(); // msgpackr refuses it: let it say so
  const mapHeader = Buffer.from([0xde, count >> 8, count & 0xff]);
  const keyBytes = keys.map((key, i) => {
    const parts = [stringBytes(key)];
    if (i === 0) parts.unshift(mapHeader);
    if (mode === METADATA && key === 'resourceVersion') parts.push(PLACEHOLDER_BYTES); // its value, constant
    return Buffer.concat(parts);
  });
  let tail: Buffer | undefined;
  if (appendRv) tail = Buffer.concat([...(keys.length === 0 ? [mapHeader] : []), stringBytes('resourceVersion'), PLACEHOLDER_BYTES]);
  else if (keys.length === 0) tail = mapHeader;
  const shape: Shape = {
    keys,
    keyBytes,
    tail,
    mode,
    cache: new Array<Shape | undefined>(keys.length * 2).fill(undefined),
    uses: 0,
    writeValues: (o) => writeGeneric(shape, o),
  };
  return shape;
}

/** What a key's value is in a shape of this mode: written as usual, as metadata, or already in the key's bytes. */
function valueKind(mode: Mode, key: string): 'value' | 'metadata' | 'constant' {
  if (mode === TOP && key === 'metadata') return 'metadata';
  if (mode === METADATA && key === 'resourceVersion') return 'constant';
  return 'value';
}

/** Until a shape is common, its values are written by computed key; then it gets its own compiled writer. */
function writeGeneric(shape: Shape, object: Obj): void {
  if (++shape.uses === compileAfter && shape.keys.length <= maxCompiledKeys) shape.writeValues = compileShape(shape);
  const { keys, keyBytes, cache, mode, tail } = shape;
  for (let i = 0; i < keys.length; i++) {
    writeBytes(keyBytes[i] as Uint8Array);
    const key = keys[i] as string;
    const kind = mode === PLAIN ? 'value' : valueKind(mode, key);
    if (kind === 'value') writeValue(object[key], cache, 2 * i);
    else if (kind === 'metadata') writeMetadata(object[key]);
  }
  if (tail !== undefined) writeBytes(tail);
}

function writeBytes(b: Uint8Array): void {
  const n = b.length;
  if (pos + n > safeEnd) grow(n);
  if (n < 24) for (let i = 0; i < n; i++) buf[pos + i] = b[i] as number;
  else buf.set(b, pos);
  pos += n;
}

function compileShape({ keys, keyBytes, cache, mode, tail }: Shape): ValuesWriter {
  // One literal property read per key: monomorphic loads for objects of one hidden class.
  // Keys are embedded with JSON.stringify, which always yields a valid string literal.
  const body = keys.map((key, i) => {
    const kind = valueKind(mode, key);
    const read = `o[${JSON.stringify(key)}]`;
    if (kind === 'constant') return `b(k[${i}]);`;
    if (kind === 'metadata') return `b(k[${i}]); m(${read});`;
    return `b(k[${i}]); v = ${read}; if (typeof v === 'string') s(v); else w(v, c, ${2 * i});`;
  });
  if (tail !== undefined) body.push('b(t);');
  const make = new Function('b', 's', 'w', 'm', 'c', 'k', 't', `return function writeValues(o) { let v;\n${body.join('\n')}\n};`) as (
    b: typeof writeBytes,
    s: typeof writeString,
    w: typeof writeValue,
    m: typeof writeMetadata,
    c: (Shape | undefined)[],
    k: readonly Uint8Array[],
    t: Uint8Array | undefined,
  ) => ValuesWriter;
  return make(writeBytes, writeString, writeValue, writeMetadata, cache, keyBytes, tail);
}

/** Start again: every shape is reached from the map or the caches below (and the caches of shapes reached from them). */
function forgetShapes(): void {
  shapes = new Map();
  topCache.fill(undefined);
  metadataCache.fill(undefined);
}

/** Does the object have exactly these own enumerable keys, in this order? */
function hasKeys(object: Obj, keys: readonly string[]): boolean {
  let i = 0;
  for (const key in object) {
    if (key !== keys[i]) return false;
    i++;
  }
  return i === keys.length;
}

/** The two shapes last seen of stamped values and of their metadata. */
const topCache: (Shape | undefined)[] = [undefined, undefined];
const metadataCache: (Shape | undefined)[] = [undefined, undefined];

function isPlain(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Obj).constructor === Object && Object.getPrototypeOf(v) === Object.prototype;
}

/** A stamped value (its metadata checked plain by the caller): its shape's writer handles metadata. */
function writeTop(value: Obj): void {
  writeShaped(value, topCache, TOP);
}

function writeMetadata(metadata: unknown): void {
  if (!isPlain(metadata)) throw new NotPlainData(); // read again: a getter may not give what the caller checked
  writeShaped(metadata, metadataCache, METADATA);
}

function writeShaped(object: Obj, cache: (Shape | undefined)[], mode: Mode): void {
  let shape = cache[0];
  if (shape === undefined || !hasKeys(object, shape.keys)) {
    const other = cache[1];
    cache[1] = shape;
    shape = other !== undefined && hasKeys(object, other.keys) ? other : shapeOf(object, mode);
    cache[0] = shape;
  }
  if (pos > safeEnd) grow(16);
  shape.writeValues(object);
}

/**
 * The output: one value (writeStamped) or a run of them with framing around
 * (op-batch.ts). Between beginOutput and endOutput nothing else may use the
 * writer: a nested writeStamped (a getter that encodes) returns null.
 */
export function beginOutput(): boolean {
  if (writing) return false;
  writing = true;
  pos = 0;
  return true;
}

/** The written bytes in a buffer of their own; the writer is free again. */
export function endOutput(): Buffer {
  const out = Buffer.allocUnsafe(pos);
  buf.copy(out, 0, 0, pos);
  writing = false;
  return out;
}

export function abortOutput(): void {
  writing = false;
}

export function outPosition(): number {
  return pos;
}

/** Drop what was written after `at`. */
export function rewind(at: number): void {
  pos = at;
}

export function outU8(v: number): void {
  if (pos > safeEnd) grow(16);
  buf[pos++] = v;
}

export function outU16(v: number): void {
  if (pos > safeEnd) grow(16);
  buf.writeUInt16LE(v, pos);
  pos += 2;
}

export function outU32(v: number): void {
  if (pos > safeEnd) grow(16);
  buf.writeUInt32LE(v, pos);
  pos += 4;
}

/** Overwrite a uint32 written earlier (a length known only afterwards). */
export function patchU32(at: number, v: number): void {
  buf.writeUInt32LE(v, at);
}

export function outF64(v: number): void {
  if (pos > safeEnd) grow(16);
  buf.writeDoubleLE(v, pos);
  pos += 8;
}

/** Raw UTF-8 (no msgpack header), `bytes` long. */
export function outUtf8(s: string, bytes: number): void {
  if (pos + bytes > safeEnd) grow(bytes);
  pos += buf.write(s, pos, bytes, 'utf8');
}

export function outZeros(n: number): void {
  if (pos + n > safeEnd) grow(n);
  buf.fill(0, pos, pos + n);
  pos += n;
}

export function outBytes(b: Uint8Array): void {
  if (pos + b.length > safeEnd) grow(b.length);
  buf.set(b, pos);
  pos += b.length;
}

/** Whether the bytes written since `from` contain `needle` (the store's __proto__ check). */
export function outIncludes(from: number, needle: Buffer): boolean {
  return buf.subarray(from, pos).includes(needle);
}

/**
 * Write `value` as stampedCopy would leave it (see writeStamped) at the
 * current position; false, with nothing written, when it is not plain data
 * or not stampable (the caller then takes the msgpackr path).
 */
export function outStamped(value: unknown): boolean {
  if (!isPlain(value) || !isPlain(value['metadata'])) return false;
  // for-in also lists inherited enumerable keys; msgpackr skips them, so a polluted prototype goes to msgpackr.
  for (const _ in Object.prototype) return false;
  const start = pos;
  try {
    writeTop(value);
    return true;
  } catch {
    // Not plain data, or a getter that threw: msgpackr's path handles it (and reports what it cannot encode).
    pos = start;
    return false;
  }
}

/**
 * `header` then the msgpack of the value as stampedCopy would leave it (see
 * codec.ts), in a buffer of its own; null when the value is not plain data
 * (the caller then encodes with msgpackr). Only for values stampedCopy
 * stamps: a plain object whose `metadata` is a plain object.
 */
export function writeStamped(value: unknown, header0: number, header1: number): Buffer | null {
  if (!beginOutput()) return null;
  outU8(header0);
  outU8(header1);
  if (!outStamped(value)) {
    abortOutput();
    return null;
  }
  return endOutput();
}
