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
import { ByteOutput } from '../msgpack/byte-output.js';
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
  /** Whether an object (not null) is plain and has exactly these keys in this order; compiled with the writer. */
  matches: (object: Obj) => boolean;
  writeValues: ValuesWriter;
}

class NotPlainData extends Error {}

/** A shape is compiled once it is seen this often; rare shapes (label maps) stay generic. */
const compileAfter = 8;
/** Wider shapes (a ConfigMap's data) stay generic. */
const maxCompiledKeys = 64;
/** Bound on remembered shapes: user keys (labels, annotations, data) make shapes without end. */
const maxShapes = 4_096;

const out = new ByteOutput();
let writing = false;
/**
 * Where the last stamped metadata's placeholder was written (an offset in
 * `out`), set by METADATA shapes as they write it: a sender that recognizes
 * its write's echo by the placeholder's position (actors/api-server/own-writes.ts)
 * then need not search the bytes for it.
 */
const placeholder = { at: -1 };
const PH = PLACEHOLDER_BYTES.length;
let shapes = new Map<string, Shape>();

function writeValue(v: unknown, cache: (Shape | undefined)[], slot: number): void {
  if (out.pos > out.safeEnd) out.grow(16);
  switch (typeof v) {
    case 'string':
      out.string(v);
      return;
    case 'number':
      out.number(v, 0x80);
      return;
    case 'object':
      if (v === null) out.constant(null);
      else if (Array.isArray(v)) writeArray(v, cache, slot);
      else writeObject(v as Obj, cache, slot);
      return;
    case 'boolean':
    case 'undefined':
      out.constant(v);
      return;
    default:
      throw new NotPlainData();
  }
}

function writeArray(v: unknown[], cache: (Shape | undefined)[], slot: number): void {
  if (v.constructor !== Array) throw new NotPlainData();
  const n = v.length;
  out.arrayHeader(n);
  // Elements share one site: array items are usually of one shape.
  for (let i = 0; i < n; i++) writeValue(v[i], cache, slot);
}

/** An object at a site; cache[slot] and cache[slot + 1] are the two shapes last seen there. */
function writeObject(object: Obj, cache: (Shape | undefined)[], slot: number): void {
  let shape = cache[slot];
  if (shape === undefined || !shape.matches(object)) {
    if (!isPlainObject(object)) throw new NotPlainData();
    const other = cache[slot + 1];
    cache[slot + 1] = shape;
    shape = other !== undefined && other.matches(object) ? other : shapeOf(object, PLAIN);
    cache[slot] = shape;
  }
  shape.writeValues(object);
}

/** An object (not null) whose prototype is Object.prototype, with no own `constructor` that says otherwise. */
function isPlainObject(object: Obj): boolean {
  return object.constructor === Object && Object.getPrototypeOf(object) === Object.prototype;
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

/** A string's msgpack bytes, as ByteOutput.string writes them (lone surrogates become U+FFFD both ways). */
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
    matches: (o) => isPlainObject(o) && hasKeys(o, keys),
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
  if (++shape.uses === compileAfter && shape.keys.length <= maxCompiledKeys) {
    shape.matches = compileMatches(shape.keys);
    shape.writeValues = compileShape(shape);
  }
  const { keys, keyBytes, cache, mode, tail } = shape;
  for (let i = 0; i < keys.length; i++) {
    out.bytes(keyBytes[i] as Uint8Array);
    const key = keys[i] as string;
    const kind = mode === PLAIN ? 'value' : valueKind(mode, key);
    if (kind === 'value') writeValue(object[key], cache, 2 * i);
    else if (kind === 'metadata') writeMetadata(object[key]);
    else placeholder.at = out.pos - PH;
  }
  if (tail !== undefined) {
    out.bytes(tail);
    if (mode === METADATA) placeholder.at = out.pos - PH;
  }
}

function compileShape({ keys, keyBytes, cache, mode, tail }: Shape): ValuesWriter {
  // One literal property read per key: monomorphic loads for objects of one hidden class.
  // Keys are embedded with JSON.stringify, which always yields a valid string literal.
  const body = keys.map((key, i) => {
    const kind = valueKind(mode, key);
    const read = `o[${JSON.stringify(key)}]`;
    const keyCode = constantCode(keyBytes[i] as Uint8Array, `k[${i}]`);
    if (kind === 'constant') return `${keyCode} r.at = u.pos - ${PH};`;
    if (kind === 'metadata') return `${keyCode} m(${read});`;
    // A value shared between objects and frozen (marked with markConstant) is copied as the bytes written the first time.
    if (CONSTANT_KEYS.has(key)) return `${keyCode} v = ${read}; if (typeof v === 'object' && v !== null && F.has(v)) x(v, c, ${2 * i}); else w(v, c, ${2 * i});`;
    // A nested plain object of the shape last seen here is written by that shape's writer directly.
    return `${keyCode} v = ${read}; if (typeof v === 'string') u.string(v); else if (typeof v === 'object' && v !== null && (s = c[${2 * i}]) !== undefined && s.matches(v)) s.writeValues(v); else w(v, c, ${2 * i});`;
  });
  if (tail !== undefined) body.push(constantCode(tail, 't') + (mode === METADATA ? ` r.at = u.pos - ${PH};` : ''));
  const make = new Function('u', 'w', 'm', 'c', 'k', 't', 'r', 'F', 'x', `return function writeValues(o) { let v, p, d, s;\n${body.join('\n')}\n};`) as (
    u: ByteOutput,
    w: typeof writeValue,
    m: typeof writeMetadata,
    c: (Shape | undefined)[],
    k: readonly Uint8Array[],
    t: Uint8Array | undefined,
    r: { at: number },
    F: WeakMap<object, Buffer | null>,
    x: typeof writeConstant,
  ) => ValuesWriter;
  return make(out, writeValue, writeMetadata, cache, keyBytes, tail, placeholder, constants, writeConstant);
}

/**
 * A shape's own key check: its for-in and property loads see objects of one
 * hidden class (a shared check sees them all and goes megamorphic).
 */
function compileMatches(keys: readonly string[]): (object: Obj) => boolean {
  const check = new Function(
    'K',
    `return function matches(o) {
      if (o.constructor !== Object || Object.getPrototypeOf(o) !== Object.prototype) return false;
      let i = 0;
      for (const key in o) { if (key !== K[i]) return false; i++; }
      return i === ${keys.length};
    };`,
  ) as (k: readonly string[]) => (object: Obj) => boolean;
  return check(keys);
}

/**
 * Values shared between many objects and never changed: managedFields'
 * fieldsV1 sets, which every Pod of one template shares (frozen,
 * actors/api-server/fields-v1-cache.ts), ~1 KB of nested maps each. Their
 * bytes are kept once written and copied after that. Only the values of
 * these keys are looked up (in compiled writers), so other values pay nothing.
 */
const CONSTANT_KEYS: ReadonlySet<string> = new Set(['fieldsV1']);
/** A marked value: its bytes once written, null until then. Weak: a value no longer shared goes with its bytes. */
const constants = new WeakMap<object, Buffer | null>();

/**
 * Mark `value` as constant: plain data (as writeStamped takes), deep-frozen,
 * without accessors, so that every write of it gives the same bytes. Its
 * bytes are then kept when it is first written as a `fieldsV1` value.
 */
export function markConstant(value: object): void {
  if (!constants.has(value)) constants.set(value, null);
}

/** A marked value at a constant key's site: its bytes, written (and kept) the first time. */
function writeConstant(v: object, cache: (Shape | undefined)[], slot: number): void {
  const bytes = constants.get(v);
  if (bytes) {
    out.bytes(bytes);
    return;
  }
  const start = out.pos;
  writeValue(v, cache, slot);
  const kept = Buffer.allocUnsafeSlow(out.pos - start); // not from Node's pool: kept as long as the value is
  out.buf.copy(kept, 0, start, out.pos);
  constants.set(v, kept);
}

/** Constants up to this long are written by stores of literal numbers; longer ones are copied from `source`. */
const maxLiteralBytes = 48;

/**
 * Code that writes constant bytes (a key, with the map header before the
 * first one): big-endian stores of literal numbers through the DataView,
 * four bytes at a time. Copying a key's bytes one by one from a Buffer was
 * a third of the writer's time (~30 ns a key against ~8 here).
 */
function constantCode(bytes: Uint8Array, source: string): string {
  const n = bytes.length;
  if (n > maxLiteralBytes) return `u.bytes(${source});`;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, n);
  let code = `p = u.pos; if (p + ${n} > u.safeEnd) u.grow(${n}); d = u.view;`;
  let i = 0;
  for (; i + 4 <= n; i += 4) code += ` d.setUint32(p + ${i}, ${b.readUInt32BE(i)});`;
  if (i + 2 <= n) {
    code += ` d.setUint16(p + ${i}, ${b.readUInt16BE(i)});`;
    i += 2;
  }
  if (i < n) code += ` d.setUint8(p + ${i}, ${b[i]});`;
  return `${code} u.pos = p + ${n};`;
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
  if (shape === undefined || !shape.matches(object)) {
    const other = cache[1];
    cache[1] = shape;
    shape = other !== undefined && other.matches(object) ? other : shapeOf(object, mode);
    cache[0] = shape;
  }
  if (out.pos > out.safeEnd) out.grow(16);
  shape.writeValues(object);
}

/**
 * The output: one value (writeStamped) or a run of them with framing around
 * (op-batch.ts). Between beginOutput and endOutput nothing else may use the
 * writer: a nested writeStamped (a getter that encodes) returns null.
 */
export function beginOutput(): ByteOutput | null {
  if (writing) return null;
  writing = true;
  out.pos = 0;
  return out;
}

/** The written bytes in a buffer of their own; the writer is free again. */
export function endOutput(): Buffer {
  writing = false;
  return out.copyOut(0, false);
}

/**
 * Bytes of one value (writeStamped) are carved from a slab of their own
 * instead of Node's Buffer pool: its 8 KiB pools hold three Pods with
 * managedFields (~2.3 KB) and every new pool is an ArrayBuffer the garbage
 * collector must track and free. A slab is shared by the values carved from
 * it and lives while any of them does (they are short-lived: a write in
 * flight); values larger than a quarter of it get their own buffer.
 */
const SLAB_BYTES = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(0);
let slabAt = 0;

function endOutputCarved(): Buffer {
  writing = false;
  const n = out.pos;
  if (n > SLAB_BYTES >> 2) return out.copyOut(0, false);
  if (slabAt + n > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabAt = 0;
  }
  const bytes = slab.subarray(slabAt, slabAt + n);
  out.buf.copy(bytes, 0, 0, n);
  slabAt = (slabAt + n + 7) & ~7; // 8-byte aligned, as Node's pool leaves its buffers
  return bytes;
}

export function abortOutput(): void {
  writing = false;
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
  const start = out.pos;
  try {
    writeTop(value);
    return true;
  } catch {
    // Not plain data, or a getter that threw: msgpackr's path handles it (and reports what it cannot encode).
    out.pos = start;
    return false;
  }
}

/**
 * `header` then the msgpack of the value as stampedCopy would leave it (see
 * codec.ts), in a buffer of its own; null when the value is not plain data
 * (the caller then encodes with msgpackr). Only for values stampedCopy
 * stamps: a plain object whose `metadata` is a plain object.
 */
export function writeStamped(value: unknown, header0: number, header1: number, where?: PlaceholderAt): Buffer | null {
  const output = beginOutput();
  if (!output) return null;
  output.u8(header0);
  output.u8(header1);
  placeholder.at = -1;
  if (!outStamped(value)) {
    abortOutput();
    return null;
  }
  if (where) where.at = placeholder.at;
  return endOutputCarved();
}

/** Out-parameter of writeStamped: the offset of the resourceVersion placeholder in the returned bytes. */
export interface PlaceholderAt {
  at: number;
}
