/**
 * Writes objects in the records encoding (format and reader:
 * lib/client/records.ts), growing its string and structure tables as it
 * goes. One per api-server run (list-encoding.ts).
 *
 * Which strings get a table id: one seen a second time in another object
 * of the same kind (remembered in a direct-mapped array of strings seen
 * once, with the uid and kind of the object they were seen in, bounded, so
 * a string whose slot another took meanwhile starts over; a sighting in
 * another kind, Events aside, starts the count again for that kind), up to
 * MAX_INTERNED characters, until the table is full. Names, uids, IPs and
 * resourceVersions belong to one object and stay inline, however often that
 * object is written again (a Pod is written 4-5 times as it starts, and its
 * IP stands twice in each version) and whatever other kinds name it (its
 * Events): every table entry goes to every watch, and per-object strings
 * in the table cost the api-server a send per kubelet watch (23.5 million
 * strings sent at 1/10 of k8s-max).
 * The values that make up most of a Pod (kinds, images, policies, node
 * names, label values, timestamps of one second) repeat across objects and
 * get ids.
 */
import {
  MAX_ASCII,
  MAX_FIXARRAY,
  MAX_STRINGS,
  MAX_STRUCTURES,
  T_ARRAY,
  T_ASCII,
  T_FALSE,
  T_FIXARRAY,
  T_FLOAT64,
  T_INT32,
  T_MAP,
  T_NULL,
  T_RECORD16,
  T_RECORD8,
  T_STRING_ID16,
  T_STRING_ID8,
  T_TRUE,
  T_UNDEFINED,
  T_UTF8,
} from '../../lib/client/records.js';
import { ownString } from './own-strings.js';

/** Longer strings are never given a table id. */
const MAX_INTERNED = 64;

/** Keys are any length (annotations): the table, sent whole to a new receiver, is also capped in characters. */
const MAX_STRUCTURE_CHARS = 1 << 21;
/** Slots of the front cache of string ids (a power of two, less one). */
const FRONT_MASK = 0xffff;

/**
 * The front cache's slot of a string: a hash of all of it up to 32
 * characters, else of its length, first 8 and last 16 characters (where
 * names and counters differ).
 */
function slotOf(s: string): number {
  const n = s.length;
  let h = n;
  if (n <= 32) for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  else {
    for (let i = 0; i < 8; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    for (let i = n - 16; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return (h ^ (h >>> 16)) & FRONT_MASK;
}

/** A value the encoding cannot carry: the cache then holds the object itself. */
export class Unencodable extends Error {}

/** A step of the structure index; most have one next key, checked without hashing it. */
interface ShapeNode {
  id: number;
  key: string | undefined;
  child: ShapeNode | undefined;
  more: Map<string, ShapeNode> | undefined;
}

const shapeNode = (): ShapeNode => ({ id: -1, key: undefined, child: undefined, more: undefined });

function nextNode(node: ShapeNode, k: string, grow: boolean): ShapeNode | undefined {
  if (node.key === k) return node.child;
  const found = node.more?.get(k);
  if (found || !grow) return found;
  const made = shapeNode();
  if (node.key === undefined) {
    node.key = k;
    node.child = made;
  } else (node.more ??= new Map()).set(k, made);
  return made;
}

export class RecordWriter {
  /** The string table: id -> string. */
  readonly strings: string[] = [];
  /** The structure table: id -> keys. */
  readonly structures: string[][] = [];
  private readonly stringIds = new Map<string, number>();
  /** A direct-mapped cache in front of stringIds: slot -> a string with an id, and the id. */
  private readonly front: (string | undefined)[] = new Array<string | undefined>(FRONT_MASK + 1).fill(undefined);
  private readonly frontIds = new Int32Array(FRONT_MASK + 1);
  /** Strings seen once, by the same slots, and the uid of the object each was seen in: a sighting in another object gives an id. */
  private readonly once: (string | undefined)[] = new Array<string | undefined>(FRONT_MASK + 1).fill(undefined);
  private readonly onceIn: (string | undefined)[] = new Array<string | undefined>(FRONT_MASK + 1).fill(undefined);
  private readonly onceKind: (string | undefined)[] = new Array<string | undefined>(FRONT_MASK + 1).fill(undefined);
  /** The uid and kind of the object being written (an object without a uid counts as its own). */
  private writing: string | undefined;
  private writingKind: string | undefined;
  /** Key sequences -> structure id, one Map step per key (as msgpackr's transitions). */
  private readonly shapes: ShapeNode = shapeNode();
  /** Characters of all keys in the structure table (MAX_STRUCTURE_CHARS). */
  private structureChars = 0;
  private buf = Buffer.allocUnsafeSlow(1 << 16);
  private pos = 0;

  /** `value`'s bytes (a copy of their own), or throws Unencodable. */
  write(value: unknown): Buffer {
    this.pos = 0;
    const obj = value as { kind?: unknown; metadata?: { uid?: unknown } } | null;
    const uid = obj?.metadata?.uid;
    this.writing = typeof uid === 'string' ? uid : undefined;
    this.writingKind = typeof obj?.kind === 'string' ? obj.kind : undefined;
    this.value(value);
    const out = Buffer.allocUnsafe(this.pos); // pooled: a small object shares a slab, not one backing store each
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        return this.number(v);
      case 'boolean':
        return this.byte(v ? T_TRUE : T_FALSE);
      case 'undefined':
        return this.byte(T_UNDEFINED);
      case 'object':
        if (v === null) return this.byte(T_NULL);
        if (Array.isArray(v)) return this.array(v);
        return this.object(v as Record<string, unknown>);
      default:
        throw new Unencodable(`a ${typeof v} value`);
    }
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  private number(v: number): void {
    this.room(9);
    const b = this.buf;
    if ((v | 0) === v && !Object.is(v, -0)) {
      if (v >= 0 && v < 0x80) {
        b[this.pos++] = v;
        return;
      }
      b[this.pos++] = T_INT32;
      b.writeInt32LE(v, this.pos);
      this.pos += 4;
      return;
    }
    b[this.pos++] = T_FLOAT64;
    b.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  private string(s: string): void {
    const id = this.idOf(s);
    if (id >= 0) {
      this.room(3);
      this.tableId(id, T_STRING_ID8, T_STRING_ID16);
      return;
    }
    const n = s.length;
    if (n <= MAX_ASCII) {
      this.room(n + 1);
      const b = this.buf;
      const at = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        b[at + i] = c;
      }
      if (i === n) {
        b[this.pos] = T_ASCII + n;
        this.pos = at + n;
        return;
      }
    }
    this.room(5 + n * 3);
    const len = this.buf.write(s, this.pos + 5, 'utf8');
    this.buf[this.pos] = T_UTF8;
    this.buf.writeUInt32LE(len, this.pos + 1);
    this.pos += 5 + len;
  }

  /** The string's table id, or -1 (then written inline). */
  private idOf(s: string): number {
    // Most strings of an object have an id already: a hit in the front cache costs a cheap hash
    // and one comparison, where the Map costs hashing the whole (freshly decoded) string.
    const n = s.length;
    if (n > MAX_INTERNED) return -1;
    const slot = slotOf(s);
    if (this.front[slot] === s) return this.frontIds[slot]!;
    let id = this.stringIds.get(s);
    if (id === undefined) {
      // Seen once before (in the same slot) makes twice: it gets an id. A string seen once is
      // forgotten when another takes its slot, which keeps this bounded without a sweep.
      const seenBefore = this.once[slot] === s;
      if (seenBefore && this.writing !== undefined) {
        // The same object again: still its own.
        if (this.onceIn[slot] === this.writing) return -1;
        if (this.onceKind[slot] !== this.writingKind) {
          // Another kind: an Event naming a Pod leaves the sighting to the Pod (the Pod's name stays
          // its own however many Events name it). Any other kind counts from here: a namespace's
          // name or "default" is first seen in a Namespace or ServiceAccount, then in every Pod.
          if (this.writingKind === 'Event') return -1;
          this.onceIn[slot] = this.writing;
          this.onceKind[slot] = this.writingKind;
          return -1;
        }
      }
      if (!seenBefore || this.strings.length >= MAX_STRINGS) {
        this.once[slot] = ownString(s); // not a slice keeping a whole decoded message alive
        this.onceIn[slot] = this.writing;
        this.onceKind[slot] = this.writingKind;
        return -1;
      }
      const own = this.once[slot]!; // its own copy (see above)
      this.once[slot] = undefined;
      id = this.strings.length;
      this.strings.push(own);
      this.stringIds.set(own, id);
    }
    this.front[slot] = this.strings[id]!;
    this.frontIds[slot] = id;
    return id;
  }

  private roomForStructures(): boolean {
    return this.structures.length < MAX_STRUCTURES && this.structureChars < MAX_STRUCTURE_CHARS;
  }

  private array(a: readonly unknown[]): void {
    const n = a.length;
    this.room(5);
    if (n <= MAX_FIXARRAY) this.buf[this.pos++] = T_FIXARRAY + n;
    else {
      this.buf[this.pos++] = T_ARRAY;
      this.buf.writeUInt32LE(n, this.pos);
      this.pos += 4;
    }
    for (let i = 0; i < n; i++) this.value(a[i]);
  }

  private object(o: Record<string, unknown>): void {
    const proto = Object.getPrototypeOf(o) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new Unencodable('an object that is not plain data');
    let node: ShapeNode | undefined = this.shapes;
    let n = 0;
    for (const k in o) {
      // msgpack (the store, the actor messages) cannot carry an own __proto__ key; the cache holds such objects as they are.
      if (k === '__proto__') throw new Unencodable('an own __proto__ key');
      n++;
      if (!node) continue;
      // Past the cap no node is added: unique key sets (ConfigMap data) must not grow the index forever.
      node = nextNode(node, k, this.roomForStructures());
    }
    if (node && node.id < 0 && this.roomForStructures()) {
      const keys = Object.keys(o).map(ownString);
      node.id = this.structures.length;
      this.structures.push(keys);
      for (const k of keys) this.structureChars += k.length;
    }
    const id = node ? node.id : -1;
    this.room(5);
    if (id < 0) {
      this.buf[this.pos++] = T_MAP;
      this.buf.writeUInt32LE(n, this.pos);
      this.pos += 4;
      for (const k in o) {
        this.string(k);
        this.value(o[k]);
      }
      return;
    }
    this.tableId(id, T_RECORD8, T_RECORD16);
    for (const k in o) this.value(o[k]);
  }

  /** A string or structure id: one byte after `tag8` below 256, else two after `tag16` (room for 3 made by the caller). */
  private tableId(id: number, tag8: number, tag16: number): void {
    if (id < 0x100) {
      this.buf[this.pos++] = tag8;
      this.buf[this.pos++] = id;
    } else {
      this.buf[this.pos++] = tag16;
      this.buf.writeUInt16LE(id, this.pos);
      this.pos += 2;
    }
  }
}
