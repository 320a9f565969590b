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
 * whose prototype is Object.prototype, Buffers and Uint8Arrays) makes `write` return null, and the
 * caller packs that frame with msgpackr: Dates, Maps, other typed arrays, bigints,
 * class instances keep msgpackr's handling exactly.
 */

import { ByteOutput } from '../msgpack/byte-output.js';

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
  const out = new ByteOutput();
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

  /** Any value; objects and arrays go through `writeAt` with the given site cache. */
  const writeValue = (v: unknown, cache: (Shape | undefined)[], slot: number): void => {
    if (out.pos > out.safeEnd) out.grow(16);
    switch (typeof v) {
      case 'string':
        out.string(v);
        return;
      case 'number':
        out.number(v, 0x40); // 0x40..0x7f are record ids: msgpackr writes those as 0xcc
        return;
      case 'object':
        if (v === null) out.constant(null);
        else writeAt(v, cache, slot);
        return;
      case 'boolean':
      case 'undefined':
        out.constant(v);
        return;
      default:
        throw new NotPlainData();
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
      out.arrayHeader(n);
      // Elements share one site: array items are usually of one shape.
      for (let i = 0; i < n; i++) writeValue(v[i], cache, slot);
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype) {
      // Byte arrays (a store write batch, an encoded value) as msgpackr writes them without moreTypes: bin 8/16/32.
      if (proto === Buffer.prototype || proto === Uint8Array.prototype) return out.bin(v as Uint8Array);
      throw new NotPlainData();
    }
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
    if (out.pos > out.safeEnd) out.grow(16);
    if (shape.shared >= 0) {
      out.buf[out.pos++] = 0x40 + shape.shared;
      return;
    }
    if (shape.frame === frame) {
      out.buf[out.pos++] = 0x40 + shape.id;
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
    out.buf[out.pos++] = 0xd4;
    out.buf[out.pos++] = 0x72;
    out.buf[out.pos++] = 0x40 + id;
    out.arrayHeader(shape.keys.length);
    for (const key of shape.keys) out.string(key);
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
      .map((key, i) => `v = o[${JSON.stringify(key)}]; if (typeof v === 'string') u.string(v); else w(v, c, ${2 * i});`)
      .join('\n');
    const make = new Function('u', 'w', 'c', `return function writeValues(o) { let v;\n${body}\n};`) as (
      u: ByteOutput,
      w: typeof writeValue,
      c: (Shape | undefined)[],
    ) => ValuesWriter;
    return make(out, writeValue, cache);
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
      out.pos = 0;
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
      return out.copyOut(0, true);
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
