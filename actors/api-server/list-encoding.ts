/**
 * The encoding of the watch cache's objects for in-process callers: msgpack
 * records against this api-server's shared structure table, one Buffer per
 * object. The cache keeps every object only as bytes (cached-object.ts): the
 * store's plain msgpack until an in-process caller is first sent it, then
 * these (about half the size). A Pod as plain JS objects is ~60 heap objects
 * and ~3.4 KB that every scavenge copies and every mark walks; as bytes it
 * is ~0.7-1.5 KB outside the heap.
 *
 * The same bytes are what in-process callers get: a list page or a watch
 * batch is the concatenation of its items' encodings plus the table, which
 * the caller decodes on its own thread (lib/client/items-decoder.ts), so a
 * list costs this thread a copy, not an encode.
 *
 * The table only grows (at most MAX_SHARED shapes; later shapes are defined
 * inline in each object's bytes), so bytes encoded earlier stay decodable
 * with any later copy of it. Objects with an own `__proto__` key anywhere
 * (msgpack cannot carry it) are never encoded: the cache holds those as
 * objects, and a page holding one is answered with objects.
 */
import { randomUUID } from 'node:crypto';
import { Packr } from 'msgpackr';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { decodeValue, ENCODING_MSGPACK } from '../../lib/store/codec.js';
import type { EncodedItems } from './messages.js';

export const MAX_SHARED_STRUCTURES = 32;

export class ObjectCodec {
  /** Identifies this table; a new api-server starts a new one. */
  private readonly id = randomUUID();
  private readonly structures: string[][] = [];
  private readonly packr = new Packr({ structures: this.structures, maxSharedStructures: MAX_SHARED_STRUCTURES, saveStructures: () => true });

  /**
   * The object's bytes (its own copy), or null when it cannot be encoded this
   * way. `protoFree`: the caller knows the object has no own `__proto__` key
   * (it came from msgpack, which the store never uses for such objects), so
   * the walk that looks for one is skipped.
   */
  encode(obj: object, protoFree = false): Buffer | null {
    if (!protoFree && hasProtoKey(obj)) return null;
    const view = this.packr.pack(obj); // a view into a reused buffer: copy
    const out = Buffer.allocUnsafe(view.length); // pooled: a small object shares a slab, not one backing store each
    view.copy(out, 0, 0, view.length);
    return out;
  }

  /** A fresh object from the store's plain msgpack. */
  decodePlain(bytes: Buffer): KubeObject {
    return decodeValue(ENCODING_MSGPACK, bytes) as KubeObject;
  }

  /** A fresh object from bytes this codec encoded. */
  decode(bytes: Buffer): KubeObject {
    return this.packr.unpack(bytes) as KubeObject;
  }

  /** Encoded objects as one payload for an in-process caller. */
  items(parts: readonly Buffer[]): EncodedItems {
    let total = 0;
    for (const p of parts) total += p.length;
    const bytes = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const p of parts) {
      p.copy(bytes, at);
      at += p.length;
    }
    return { table: this.id, structures: this.structures.slice(0, MAX_SHARED_STRUCTURES).map((s) => [...s]), count: parts.length, bytes };
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
