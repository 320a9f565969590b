/**
 * The fast path of frame encoding: a msgpack writer that produces the same
 * bytes msgpackr's `pack` would for the frame's Packr (same shared ids, same
 * inline record definitions, same number and string forms), so the receiving
 * side keeps decoding with msgpackr, unchanged.
 *
 * Why it exists: a profile of a Pod burst put ~80% of the sending thread in
 * msgpackr's pack, which finds each object's record by walking a tree of
 * key -> next dictionaries, one lookup per key, then reads every value by a
 * computed key. Here each shape (ordered key list) gets a writer compiled
 * once with literal property reads, and each property of a shape remembers
 * the last two shapes seen in it, so the common case checks an object's keys
 * by plain comparison instead of dictionary lookups. A frame of 1,024 Pods
 * takes ~40% less CPU than with msgpackr's pack (bench/actor-messaging.ts prints both).
 * It copies msgpackr 2.1's choices (32 own record ids, fixints below 0x40,
 * float64, undefined as fixext 0); test/actor/codec-writer.test.ts checks the
 * bytes against msgpackr's, so an upgrade that changes them is caught there.
 *
 * Anything but plain data (null, booleans, numbers, strings, arrays, objects
 * whose prototype is Object.prototype) makes `write` return null, and the
 * caller packs that frame with msgpackr: Dates, Maps, typed arrays, bigints,
 * class instances keep msgpackr's handling exactly.
 */

/** Plain-data writer for one shape: writes the values, in key order, after the record header. */
type ValuesWriter = (object: Record<string, unknown>) => void;

interface Shape {
  readonly keys: readonly string[];
  /** Index in the shared (seeded) structures, or -1 for a shape defined inline once per frame. */
  readonly shared: number;
  /** The frame in which this shape's inline definition was last written, and the id it got. */
  frame: number;
  id: number;
  writeValues: ValuesWriter;
  /** Writes so far through the generic writer; compiled after `compileAfter` of them. */
  uses: number;
  /** Two remembered shapes per key, for the objects found under that key (see writeAt). */
  readonly cache: (Shape | undefined)[];
}

/** One node of the key-sequence tree: the next key's node, and the shape that ends here. */
interface ShapeNode {
  readonly next: Map<string, ShapeNode>;
  shape: Shape | undefined;
}

/** msgpackr's one-byte record ids: 0x40 + index, 64 of them; the seed takes the first ones. */
const recordIds = 64;
/** Past this many shared structures msgpackr writes two-byte record ids, which this writer does not. */
const maxSeed = 32;
/** msgpackr's default count of own (inline) record ids when structures are shared. */
const ownIdsDefault = 32;
/** A shape is compiled once it is seen this often; rare shapes (label maps) stay generic. */
const compileAfter = 8;
/** Wider shapes (a ConfigMap's data) stay generic: compiling them would cost more than it saves. */
const maxCompiledKeys = 256;
/**
 * Bound on the key tree (~100 bytes a node): user keys (labels, annotations,
 * ConfigMap data) make shapes without end; past this, at the next frame, the
 * tree starts again from the seed.
 */
const maxTreeNodes = 8_192;

class NotPlainData extends Error {}

export interface FrameWriter {
  /** The frame's bytes in a buffer of their own (safe to transfer), or null when msgpackr must pack it. */
  write(value: unknown): Uint8Array | null;
}

/** Can this writer stand in for a Packr built from `seed`? */
export function writerSupports(seed: readonly (readonly string[])[]): boolean {
  return seed.length <= maxSeed;
}

export function createFrameWriter(seed: readonly (readonly string[])[]): FrameWriter {
  if (!writerSupports(seed)) throw new Error(`the frame writer supports at most ${maxSeed} shared structures, got ${seed.length}`);
  let buf = Buffer.allocUnsafeSlow(64 * 1024);
  let view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  /** Past this, a value may not fit: grow first. Strings check their own worst case. */
  let safeEnd = buf.length - 16;
  let frame = 0;
  let writing = false;
  const firstOwnId = seed.length;
  const ownIds = Math.min(ownIdsDefault, recordIds - seed.length);
  /** Which shape holds each own id in the current frame (so a reused id is redefined). */
  const ownerOfId: (Shape | undefined)[] = new Array<Shape | undefined>(recordIds).fill(undefined);
  let nextOwn = 0;
  /** The key tree that finds every remembered shape, and its size. */
  let treeNodes = 0;
  let root: ShapeNode = { next: new Map(), shape: undefined };
  /** Caches for values that sit directly in arrays outside any shape (the frame itself). */
  const topCache: (Shape | undefined)[] = [undefined, undefined];

  const grow = (need: number): void => {
    let size = buf.length * 2;
    while (size < pos + need + 16) size *= 2;
    const bigger = Buffer.allocUnsafeSlow(size);
    buf.copy(bigger, 0, 0, pos);
    buf = bigger;
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    safeEnd = size - 16;
  };

  const writeString = (s: string): void => {
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
    // msgpackr's way: guess the header from the UTF-16 length, write, then move the bytes if the guess was short.
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
  };

  const writeNumber = (v: number): void => {
    if (v >>> 0 === v) {
      // Below 0x40 as a fixint; 0x40..0x7f are record ids, so those take 0xcc (as msgpackr does).
      if (v < 0x40) buf[pos++] = v;
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
  };

  /** Any value; objects and arrays go through `writeAt` with the given site cache. */
  const writeValue = (v: unknown, cache: (Shape | undefined)[], slot: number): void => {
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
        else writeAt(v, cache, slot);
        return;
      case 'boolean':
        buf[pos++] = v ? 0xc3 : 0xc2;
        return;
      case 'undefined':
        // msgpackr's undefined: fixext 1, type 0.
        buf[pos++] = 0xd4;
        buf[pos++] = 0;
        buf[pos++] = 0;
        return;
      default:
        throw new NotPlainData();
    }
  };

  const writeArrayHeader = (n: number): void => {
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
  };

  /**
   * An array or object found at one site (a property of a shape, or the
   * elements of an array there). cache[slot] and cache[slot + 1] are the two
   * shapes last seen at that site: checking an object against them is a walk
   * over its keys with string comparisons (keys are internalized, so these
   * are pointer compares), much cheaper than a lookup per key.
   */
  const writeAt = (v: object, cache: (Shape | undefined)[], slot: number): void => {
    if (Array.isArray(v)) {
      const n = v.length;
      writeArrayHeader(n);
      // Elements share one site: array items are usually of one shape.
      for (let i = 0; i < n; i++) writeValue(v[i], cache, slot);
      return;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype) throw new NotPlainData();
    const object = v as Record<string, unknown>;
    let shape = cache[slot];
    if (shape === undefined || !hasKeys(object, shape.keys)) {
      const other = cache[slot + 1];
      if (other !== undefined && hasKeys(object, other.keys)) {
        cache[slot + 1] = shape;
        shape = other;
      } else {
        cache[slot + 1] = shape;
        shape = shapeOf(object);
      }
      cache[slot] = shape;
    }
    writeRecordHeader(shape);
    shape.writeValues(object);
  };

  const writeRecordHeader = (shape: Shape): void => {
    if (pos > safeEnd) grow(16);
    if (shape.shared >= 0) {
      buf[pos++] = 0x40 + shape.shared;
      return;
    }
    if (shape.frame === frame) {
      buf[pos++] = 0x40 + shape.id;
      return;
    }
    // First use in this frame: define it inline (fixext 1, type 'r', id, then the keys),
    // cycling through the own ids as msgpackr does; a shape whose id is taken over is redefined on its next use.
    const id = firstOwnId + (nextOwn++ % ownIds);
    const previous = ownerOfId[id];
    if (previous !== undefined && previous.frame === frame && previous.id === id) previous.frame = 0;
    ownerOfId[id] = shape;
    shape.frame = frame;
    shape.id = id;
    buf[pos++] = 0xd4;
    buf[pos++] = 0x72;
    buf[pos++] = 0x40 + id;
    writeArrayHeader(shape.keys.length);
    for (const key of shape.keys) writeString(key);
  };

  /** The shape of an object not found in the site cache: walk the key tree (msgpackr's way), adding to it. */
  const shapeOf = (object: Record<string, unknown>): Shape => {
    let node = root;
    for (const key in object) {
      let next = node.next.get(key);
      if (next === undefined) {
        next = { next: new Map(), shape: undefined };
        node.next.set(key, next);
        treeNodes++;
      }
      node = next;
    }
    node.shape ??= newShape(Object.keys(object), -1);
    return node.shape;
  };

  const newShape = (keys: readonly string[], shared: number): Shape => {
    const cache = new Array<Shape | undefined>(keys.length * 2).fill(undefined);
    const shape: Shape = { keys, shared, frame: 0, id: 0, uses: 0, cache, writeValues: (o) => writeGeneric(shape, o) };
    return shape;
  };

  /** Until a shape is common, its values are written by computed key; then it gets its own compiled writer. */
  const writeGeneric = (shape: Shape, object: Record<string, unknown>): void => {
    if (++shape.uses === compileAfter && shape.keys.length <= maxCompiledKeys) shape.writeValues = compileShape(shape);
    const { keys, cache } = shape;
    for (let i = 0; i < keys.length; i++) writeValue(object[keys[i]!], cache, 2 * i);
  };

  const compileShape = ({ keys, cache }: Shape): ValuesWriter => {
    // One literal property read per key: monomorphic loads for objects of one hidden class.
    // Keys are embedded with JSON.stringify, which always yields a valid string literal.
    const body = keys
      .map((key, i) => `v = o[${JSON.stringify(key)}]; if (typeof v === 'string') s(v); else w(v, c, ${2 * i});`)
      .join('\n');
    const make = new Function('s', 'w', 'c', `return function writeValues(o) { let v;\n${body}\n};`) as (
      s: typeof writeString,
      w: typeof writeValue,
      c: (Shape | undefined)[],
    ) => ValuesWriter;
    return make(writeString, writeValue, cache);
  };

  /**
   * Start again from the seed. Every shape is reached from the tree or from
   * the top cache, so emptying that one too leaves the old shapes unreachable:
   * one key sequence never has two Shape objects (which would define it twice in a frame).
   */
  const forgetShapes = (): void => {
    topCache.fill(undefined);
    root = seededRoot();
  };

  const seededRoot = (): ShapeNode => {
    const fresh: ShapeNode = { next: new Map(), shape: undefined };
    treeNodes = 0;
    seed.forEach((keys, index) => {
      let node = fresh;
      for (const key of keys) {
        let next = node.next.get(key);
        if (next === undefined) {
          next = { next: new Map(), shape: undefined };
          node.next.set(key, next);
        }
        node = next;
      }
      // Of two identical seed shapes, msgpackr uses the later one's id.
      node.shape = newShape([...keys], index);
    });
    return fresh;
  };
  root = seededRoot();

  return {
    write(value: unknown): Uint8Array | null {
      // A getter that sends while its object is being written lands here again: msgpackr copes with that, this writer does not.
      if (writing) return null;
      // for-in also lists inherited enumerable keys; msgpackr skips them, so a polluted prototype goes to msgpackr.
      for (const _ in Object.prototype) return null;
      if (treeNodes > maxTreeNodes) forgetShapes();
      frame++;
      nextOwn = 0;
      pos = 0;
      writing = true;
      try {
        writeValue(value, topCache, 0);
      } catch (err) {
        if (err instanceof NotPlainData) return null;
        throw err;
      } finally {
        writing = false;
      }
      // A copy the size of the frame, so a transfer moves only its bytes; not zero-filled first (slice would be).
      const out = Buffer.allocUnsafeSlow(pos);
      buf.copy(out, 0, 0, pos);
      return out;
    },
  };
}

/** Does the object have exactly these own enumerable keys, in this order? */
function hasKeys(object: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  for (const key in object) {
    if (key !== keys[i]) return false;
    i++;
  }
  return i === keys.length;
}
