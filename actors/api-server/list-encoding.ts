/**
 * The encoding of the watch cache's objects for in-process callers: the
 * records encoding (lib/client/records.ts: shared structure and string
 * tables, written by record-writer.ts), one Buffer per object. The cache
 * keeps every object only as these bytes (cached-object.ts), about a third
 * of the size of the store's plain msgpack. A Pod as plain JS objects is ~60 heap objects and
 * ~3.4 KB that every scavenge copies and every mark walks; as bytes it is
 * ~250 bytes outside the heap.
 *
 * The same bytes are what in-process callers get: a list page or a watch
 * batch is the concatenation of its items' encodings plus the table entries
 * the receiver does not have yet (it says what it has: TableMark), which it
 * decodes on its own thread (lib/client/items-decoder.ts), so a list costs
 * this thread a copy, not an encode.
 *
 * Objects with an own `__proto__` key anywhere (msgpack, which carries the
 * actor messages, cannot) or values that are not plain data are never
 * encoded: the cache holds those as objects, and a page holding one is
 * answered with objects.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { RecordTable, type TableMark } from '../../lib/client/records.js';
import type { EncodedItems } from './messages.js';
import { RecordWriter, Unencodable } from './record-writer.js';

export class ObjectCodec {
  /** Identifies the tables; a new api-server starts new ones. */
  private readonly id = randomUUID();
  private readonly writer = new RecordWriter();
  /** This thread's reader: the writer's own tables, read in place. */
  private readonly reader = new RecordTable(this.id);

  /**
   * The object's bytes (its own copy), or null when it cannot be encoded
   * this way (an own `__proto__` key, a value that is not plain data).
   */
  encode(obj: object): Buffer | null {
    try {
      return this.writer.write(obj);
    } catch (err) {
      if (err instanceof Unencodable) return null;
      throw err;
    }
  }

  /** A fresh object from bytes this codec encoded. */
  decode(bytes: Buffer): KubeObject {
    this.catchUp();
    return this.reader.readOne(bytes) as KubeObject;
  }

  /** Encoded objects as one payload, with the table entries a receiver at `known` lacks. */
  items(parts: readonly Buffer[], known?: TableMark): EncodedItems {
    let total = 0;
    for (const p of parts) total += p.length;
    const bytes = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const p of parts) {
      p.copy(bytes, at);
      at += p.length;
    }
    const { strings, structures } = this.writer;
    const same = known?.table === this.id;
    const stringsFrom = same ? Math.min(known.strings, strings.length) : 0;
    const structuresFrom = same ? Math.min(known.structures, structures.length) : 0;
    return {
      table: this.id,
      stringsFrom,
      strings: strings.slice(stringsFrom),
      structuresFrom,
      structures: structures.slice(structuresFrom),
      count: parts.length,
      bytes,
    };
  }

  /** The reader's tables catch up with the writer's (the same strings; the structures' readers compiled on use). */
  private catchUp(): void {
    const r = this.reader;
    const { strings, structures } = this.writer;
    if (r.strings.length < strings.length || r.structures.length < structures.length)
      r.learn(r.strings.length, strings.slice(r.strings.length), r.structures.length, structures.slice(r.structures.length));
  }
}

/** What a receiver holds after taking `e` (it held at least e's starting point). */
export function markAfter(e: EncodedItems): TableMark {
  return { table: e.table, strings: e.stringsFrom + e.strings.length, structures: e.structuresFrom + e.structures.length };
}
