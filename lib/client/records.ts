/**
 * The records encoding of API objects, as the api-server's watch cache keeps
 * them and sends them to in-process callers (writer:
 * actors/api-server/record-writer.ts), and its reader.
 *
 * Built for decoding 150,000 Pods fast into plain objects on the caller's
 * thread. Two tables, kept by the writer and shipped to readers as they
 * grow, do most of the work:
 * - structures: an object's key list is written once in the table; the
 *   object is its structure's id then its values, and reads back through a
 *   function compiled per structure that returns one object literal (every
 *   such object gets the same hidden class);
 * - strings: a value or key seen more than once gets an id; the reader
 *   holds it once, so a list of Pods shares one 'Running', one image name...
 *   instead of allocating them per Pod (a Pod's ~45 strings are mostly
 *   such values: fewer allocations is less GC, the larger part of a list).
 *
 * Both tables only grow (up to their caps; later shapes and values are
 * written inline), so bytes written earlier stay readable with any later
 * copy. Tags (one byte, then the payload; integers little-endian):
 *
 *   0x00-0x7f  integer 0-127           0xc7 id8 / 0xc8 id16   string from the table
 *   0x80-0xbf  ASCII string of 0-63 bytes                     0xc9 u32 n     UTF-8 string of n bytes
 *   0xc0 null, 0xc1 undefined, 0xc2 false, 0xc3 true          0xc4 float64, 0xc5 int32
 *   0xca id8 / 0xcb id16  object of that structure, then its values in order
 *   0xcc u32 n  object of n (key, value) pairs (past the structure cap)
 *   0xcd u32 n  array of n values       0xd0-0xdf  array of 0-15 values
 */

export const T_NULL = 0xc0;
export const T_UNDEFINED = 0xc1;
export const T_FALSE = 0xc2;
export const T_TRUE = 0xc3;
export const T_FLOAT64 = 0xc4;
export const T_INT32 = 0xc5;
export const T_STRING_ID8 = 0xc7;
export const T_STRING_ID16 = 0xc8;
export const T_UTF8 = 0xc9;
export const T_RECORD8 = 0xca;
export const T_RECORD16 = 0xcb;
export const T_MAP = 0xcc;
export const T_ARRAY = 0xcd;
export const T_FIXARRAY = 0xd0;
export const T_ASCII = 0x80;
export const MAX_ASCII = 63;
export const MAX_FIXARRAY = 15;

/**
 * Table caps: ids fit two bytes, and a whole table (which a new receiver is
 * sent with its first page) stays a few MiB, well under a message's 16 MiB:
 * at most 65,536 strings of up to 64 characters (record-writer.ts) and
 * 8,192 key lists (msgpackr's own cap is 8,160).
 */
export const MAX_STRINGS = 0x10000;
export const MAX_STRUCTURES = 0x2000;

/** Where a reader's copy of a table stands: what it already holds (sent with requests, so replies carry only the rest). */
export interface TableMark {
  readonly table: string;
  readonly strings: number;
  readonly structures: number;
}

type RecordRead = () => Record<string, unknown>;

/** A copy of one writer's tables, with the compiled record readers. */
export class RecordTable {
  readonly strings: string[] = [];
  readonly structures: (readonly string[])[] = [];
  /** Compiled on first use; read by `read` directly (module state `readers`). */
  readonly readers: (RecordRead | undefined)[] = [];

  constructor(readonly id: string) {}

  /** Adds table entries from index `from` on; entries already held are skipped (they never change). */
  learn(stringsFrom: number, strings: readonly string[], structuresFrom: number, structures: readonly (readonly string[])[]): void {
    if (stringsFrom > this.strings.length || structuresFrom > this.structures.length)
      throw new Error(
        `records table ${this.id}: entries from ${stringsFrom}/${structuresFrom}, but only ${this.strings.length}/${this.structures.length} are known`,
      );
    for (let i = this.strings.length - stringsFrom; i < strings.length; i++) this.strings.push(strings[i]!);
    for (let i = this.structures.length - structuresFrom; i < structures.length; i++) this.structures.push(structures[i]!);
  }

  mark(): TableMark {
    return { table: this.id, strings: this.strings.length, structures: this.structures.length };
  }

  /**
   * Readers of top-level objects that read their `metadata` without
   * managedFields, and of such metadata objects (readMany's withoutManagedFields).
   */
  readonly topReaders: (RecordRead | undefined)[] = [];
  readonly metadataReaders: (RecordRead | undefined)[] = [];

  /**
   * `count` values written one after another in `bytes`. With
   * `withoutManagedFields`, each value is an API object whose
   * metadata.managedFields is skipped over in the bytes, never built: the
   * object reads as the server's less that key (what trim.ts caches), for a
   * receiver whose every object is trimmed so (a node host's kubelets: half
   * of a decoded Pod's objects were its managedFields, built to be dropped).
   * Only the top level's `metadata` is touched: a key of that name deeper
   * down (a ConfigMap's data) is read as any other.
   */
  readMany(bytes: Uint8Array, count: number, withoutManagedFields = false): unknown[] {
    const out = new Array<unknown>(count);
    this.begin(bytes);
    try {
      if (withoutManagedFields) for (let i = 0; i < count; i++) out[i] = readTop();
      else for (let i = 0; i < count; i++) out[i] = read();
      // Fixed-size reads past the end read undefined bytes rather than throwing: caught here, before anyone sees the values.
      if (pos > src.length) throw new RangeError('records: unexpected end of the bytes');
      if (pos < src.length) throw new Error(`records: ${src.length - pos} bytes left after ${count} values`);
    } finally {
      this.end();
    }
    return out;
  }

  /** The one value in `bytes`. */
  readOne(bytes: Uint8Array): unknown {
    return this.readMany(bytes, 1)[0];
  }

  /** The reader of structure `id`, compiled on first use. */
  reader(id: number): RecordRead {
    return (this.readers[id] ??= compileReader(this.keys(id), () => 'r()'));
  }

  /** The reader of a top-level object of structure `id` whose metadata is read by readMetadata. */
  topReader(id: number): RecordRead {
    const keys = this.keys(id);
    return (this.topReaders[id] ??= keys.includes('metadata') ? compileReader(keys, (k) => (k === 'metadata' ? 'm()' : 'r()')) : this.reader(id));
  }

  /** The reader of a metadata object of structure `id`: its managedFields skipped, the key left out. */
  metadataReader(id: number): RecordRead {
    const keys = this.keys(id);
    return (this.metadataReaders[id] ??= keys.includes('managedFields') ? compileReader(keys, (k) => (k === 'managedFields' ? null : 'r()')) : this.reader(id));
  }

  private keys(id: number): readonly string[] {
    const keys = this.structures[id];
    if (!keys) throw new Error(`records table ${this.id}: unknown structure ${id}`);
    return keys;
  }

  private begin(bytes: Uint8Array): void {
    // Reading calls no user code, so it never nests: one set of state suffices.
    src = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as SliceBuffer;
    pos = 0;
    table = this;
    strings = this.strings;
    structures = this.structures;
    readers = this.readers;
  }

  private end(): void {
    src = EMPTY; // do not keep the caller's bytes alive
    table = undefined;
    strings = [];
    structures = [];
    readers = [];
  }
}

/**
 * A record reader for `keys`, each value read by the call `valueOf` gives
 * (r: read, m: readMetadata); null skips the value and leaves its key out.
 *
 * One object literal per structure: V8 gives every object it returns the
 * same shape. Keys are JSON-quoted; an own `__proto__` key must be computed,
 * or the literal would set the prototype. The values are read first, then
 * the literal is built from them in one step (a list of Pods decodes with
 * ~13% less CPU than with a literal filled as its values are read). Each
 * literal is an allocation site V8 learns to allocate in the old
 * generation, where a list's objects end up anyway, instead of copying
 * them out of the young one.
 */
function compileReader(keys: readonly string[], valueOf: (key: string) => string | null): RecordRead {
  const reads = keys.map((k, i) => {
    const call = valueOf(k);
    return call === null ? 'skip()' : `v${i} = ${call}`;
  });
  const props = keys.flatMap((k, i) => (valueOf(k) === null ? [] : [k === '__proto__' ? `[${JSON.stringify(k)}]: v${i}` : `${JSON.stringify(k)}: v${i}`]));
  const decls = keys.flatMap((k, i) => (valueOf(k) === null ? [] : [`v${i}`]));
  const body = `${decls.length > 0 ? `let ${decls.join(', ')};` : ''} ${reads.join('; ')}; return { ${props.join(', ')} };`;
  return new Function('r', 'm', 'skip', `return function () { ${body} };`)(read, readMetadata, skip) as RecordRead;
}

// The reader's state is module-level, as in msgpackr: the compiled record readers call `read` with no arguments.
/** Node's Buffer has these (what toString calls after checking its arguments), untyped. */
type SliceBuffer = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };
const EMPTY = Buffer.alloc(0) as SliceBuffer;
let src: SliceBuffer = EMPTY;
let pos = 0;
let table: RecordTable | undefined;
let strings: string[] = [];
let structures: (readonly string[])[] = [];
let readers: (RecordRead | undefined)[] = [];

function read(): unknown {
  const t = src[pos++] as number;
  // The commonest tags of API objects first: strings from the table, records, small integers, short strings.
  if (t === T_STRING_ID8) return stringAt(src[pos++]!);
  if (t === T_RECORD8) {
    const id = src[pos++]!;
    const r = readers[id];
    return r !== undefined ? r() : table!.reader(id)();
  }
  if (t < 0x80) return t;
  if (t < 0xc0) return ascii(t - T_ASCII);
  switch (t) {
    case T_STRING_ID16: {
      const id = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
      return stringAt(id);
    }
    case T_RECORD16: {
      const id = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
      const r = readers[id];
      return r !== undefined ? r() : table!.reader(id)();
    }
    case T_NULL:
      return null;
    case T_UNDEFINED:
      return undefined;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_INT32: {
      const v = src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24);
      pos += 4;
      return v;
    }
    case T_FLOAT64: {
      const v = src.readDoubleLE(pos);
      pos += 8;
      return v;
    }
    case T_UTF8: {
      const n = u32();
      const s = src.utf8Slice(pos, pos + n);
      pos += n;
      return s;
    }
    case T_ARRAY:
      return array(u32());
    case T_MAP: {
      const n = u32();
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = read() as string;
        const v = read();
        if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        else o[k] = v;
      }
      return o;
    }
  }
  if (t >= T_FIXARRAY && t <= T_FIXARRAY + MAX_FIXARRAY) return array(t - T_FIXARRAY);
  throw new Error(t === undefined ? 'records: unexpected end of the bytes' : `records: unknown tag 0x${t.toString(16)} at ${pos - 1}`);
}

/** A top-level API object, its metadata without managedFields. */
function readTop(): unknown {
  const t = src[pos];
  if (t === T_RECORD8) {
    pos += 2;
    return table!.topReader(src[pos - 1]!)();
  }
  if (t === T_RECORD16) {
    pos += 3;
    return table!.topReader(src[pos - 2]! | (src[pos - 1]! << 8))();
  }
  // Not a record (an object of more keys than the structures hold, or not an object): read whole, then trimmed.
  const v = read();
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(o, 'metadata')) o['metadata'] = withoutManagedFields(o['metadata']);
  return o;
}

/** An object's metadata (any value there), without managedFields. */
function readMetadata(): unknown {
  const t = src[pos];
  if (t === T_RECORD8) {
    pos += 2;
    return table!.metadataReader(src[pos - 1]!)();
  }
  if (t === T_RECORD16) {
    pos += 3;
    return table!.metadataReader(src[pos - 2]! | (src[pos - 1]! << 8))();
  }
  return withoutManagedFields(read());
}

function withoutManagedFields(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, 'managedFields')) return v;
  const { managedFields: _dropped, ...rest } = v as Record<string, unknown>;
  return rest;
}

/** Past one value without building it (the same checks as reading it). */
function skip(): void {
  const t = src[pos++] as number;
  if (t < 0x80) return;
  if (t < 0xc0) {
    pos += t - T_ASCII;
    return;
  }
  switch (t) {
    case T_STRING_ID8:
      stringAt(src[pos++]!);
      return;
    case T_STRING_ID16:
      stringAt(src[pos]! | (src[pos + 1]! << 8));
      pos += 2;
      return;
    case T_RECORD8:
    case T_RECORD16: {
      const id = t === T_RECORD8 ? src[pos++]! : src[pos++]! | (src[pos++]! << 8);
      const keys = structures[id];
      if (!keys) throw new Error(`records table ${table!.id}: unknown structure ${id}`);
      for (let i = 0; i < keys.length; i++) skip();
      return;
    }
    case T_NULL:
    case T_UNDEFINED:
    case T_FALSE:
    case T_TRUE:
      return;
    case T_INT32:
      pos += 4;
      return;
    case T_FLOAT64:
      pos += 8;
      return;
    case T_UTF8: {
      // Not `pos += u32()`: that adds to pos as it was before u32 moved it.
      const n = u32();
      pos += n;
      return;
    }
    case T_ARRAY:
      for (let i = u32(); i > 0; i--) skip();
      return;
    case T_MAP:
      for (let i = u32() * 2; i > 0; i--) skip();
      return;
  }
  if (t >= T_FIXARRAY && t <= T_FIXARRAY + MAX_FIXARRAY) {
    for (let i = t - T_FIXARRAY; i > 0; i--) skip();
    return;
  }
  throw new Error(t === undefined ? 'records: unexpected end of the bytes' : `records: unknown tag 0x${t.toString(16)} at ${pos - 1}`);
}

function stringAt(id: number): string {
  const s = strings[id];
  if (s === undefined) throw new Error(`records table ${table!.id}: unknown string ${id}`);
  return s;
}

function u32(): number {
  const v = (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16)) + src[pos + 3]! * 0x1000000;
  pos += 4;
  return v;
}

/**
 * Readers of arrays of 0 to MAX_FIXARRAY values, each one array literal as
 * the record readers make objects: an allocation site per length, which V8
 * learns to allocate in the old generation (with `new Array(n)` every array
 * of a list was copied out of the young one: twice the scavenges, ~13% more
 * CPU for a list of Pods), and packed arrays (`new Array(n)` makes holey ones).
 */
const fixedArrays: (() => unknown[])[] = Array.from({ length: MAX_FIXARRAY + 1 }, (_, n) => {
  const values = n > 0 ? `const ${Array.from({ length: n }, (_, i) => `v${i} = r()`).join(', ')};` : '';
  return new Function('r', `return function () { ${values} return [${Array.from({ length: n }, (_, i) => `v${i}`).join(', ')}]; };`)(read) as () => unknown[];
});

function array(n: number): unknown[] {
  if (n <= MAX_FIXARRAY) return fixedArrays[n]!();
  const a: unknown[] = [];
  for (let i = 0; i < n; i++) a.push(read());
  return a;
}

function ascii(n: number): string {
  if (pos + n > src.length) throw new RangeError('records: string past the end');
  // Short strings are built in JS, in one call: cheaper than a call into the runtime (msgpackr does the same).
  if (n < 9) {
    const p = pos;
    const b = src;
    pos += n;
    switch (n) {
      case 0:
        return '';
      case 1:
        return String.fromCharCode(b[p]!);
      case 2:
        return String.fromCharCode(b[p]!, b[p + 1]!);
      case 3:
        return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!);
      case 4:
        return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
      case 5:
        return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!);
      case 6:
        return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!);
      case 7:
        return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!);
      default:
        return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
    }
  }
  const s = src.latin1Slice(pos, pos + n);
  pos += n;
  return s;
}
