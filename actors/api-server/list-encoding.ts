/**
 * List items for in-process callers as bytes: each cached object is encoded
 * once (msgpack records against this api-server's shared structure table),
 * kept beside the object, and a list page is the concatenation of its
 * items' encodings plus the table, which the caller decodes on its own
 * thread (lib/client/in-process.ts). Re-encoding 5,000 Pods per page was
 * most of a paged list's cost on this thread.
 *
 * The table only grows (at most MAX_SHARED shapes; later shapes are defined
 * inline in each object's bytes), so bytes encoded earlier stay decodable
 * with any later copy of it. Objects with an own `__proto__` key anywhere
 * (msgpack cannot carry it) are never encoded here: a page holding one is
 * answered with objects, as before.
 */
import { randomUUID } from 'node:crypto';
import { Packr } from 'msgpackr';
import type { EncodedItems } from './messages.js';

export const MAX_SHARED_STRUCTURES = 32;

export class ListEncoder {
  /** Identifies this table; a new api-server starts a new one. */
  private readonly id = randomUUID();
  private readonly structures: string[][] = [];
  private readonly packr = new Packr({ structures: this.structures, maxSharedStructures: MAX_SHARED_STRUCTURES, saveStructures: () => true });
  /** Encodings by object: cached objects are immutable, and a replaced object takes its bytes with it. */
  private readonly encodings = new WeakMap<object, Buffer | null>();

  /** The items as one payload, or undefined when one of them cannot be encoded this way. */
  encode(items: readonly object[]): EncodedItems | undefined {
    const parts: Buffer[] = new Array(items.length);
    let total = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      let b = this.encodings.get(item);
      if (b === undefined) {
        b = hasProtoKey(item) ? null : Buffer.from(this.packr.pack(item)); // pack() returns a view into a reused buffer: copy
        this.encodings.set(item, b);
      }
      if (b === null) return undefined;
      parts[i] = b;
      total += b.length;
    }
    const bytes = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const p of parts) {
      p.copy(bytes, at);
      at += p.length;
    }
    return { table: this.id, structures: this.structures.slice(0, MAX_SHARED_STRUCTURES).map((s) => [...s]), count: items.length, bytes };
  }
}

function hasProtoKey(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (hasProtoKey(x)) return true;
    return false;
  }
  if (Object.hasOwn(v, '__proto__')) return true;
  for (const k in v) if (hasProtoKey((v as Record<string, unknown>)[k])) return true;
  return false;
}
