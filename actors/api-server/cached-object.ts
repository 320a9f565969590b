/**
 * One object as the watch cache keeps it: its bytes, and beside them only
 * what selections read on every list and watch event, so that filtering
 * 150,000 Pods decodes none of them: the labels and the resource's
 * selectable fields (ResourceDef.toFields).
 *
 * The bytes are the api-server's records encoding (list-encoding.ts), which
 * in-process callers are sent as they are and which decodes ~5x faster than
 * plain msgpack. An object of a bucket nobody watches (so no one is sent it
 * yet) keeps the store's own bytes instead (plain msgpack from the watch
 * event, about twice the size: a copy, no encoding on the write path) until
 * an in-process caller is first sent it.
 *
 * An object that cannot be encoded (an own `__proto__` key) is held as the
 * object itself. A deleted object is its last state with the deletion's
 * resourceVersion: it keeps the last state's bytes and sets the version when
 * decoded, so a delete costs nothing unless someone reads it.
 *
 * What it holds never changes; only the form of its bytes (plain msgpack,
 * then records) and the `rvBytes` memo do.
 */
import type { Fields } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { decodeValue, ENCODING_MSGPACK } from '../../lib/store/codec.js';
import type { ObjectCodec } from './list-encoding.js';
import { withRv } from './own-writes.js';

export class CachedObject {
  private rvBytes: Buffer | null | undefined;

  private constructor(
    /** The encoding, or null: then `held` is the object. */
    private bytes: Buffer | null,
    /** Whether `bytes` are the store's plain msgpack rather than the records encoding. */
    private plain: boolean,
    private readonly held: KubeObject | undefined,
    readonly labels: Readonly<Record<string, string>> | undefined,
    /** The resource's selectable fields; undefined for keys outside the resource table. */
    readonly fields: Fields | undefined,
    /** For a deleted object: the resourceVersion of the deletion, which its bytes do not carry. */
    private readonly deletedAt?: string,
  ) {}

  /**
   * An object as stored: `stored` is the store's plain msgpack of exactly
   * it (a watch event's value, resourceVersion in place), copied here.
   */
  static stored(labels: Readonly<Record<string, string>> | undefined, stored: Uint8Array, fields: Fields | undefined): CachedObject {
    const bytes = Buffer.allocUnsafe(stored.length); // pooled: a Pod shares a slab instead of a backing store each
    bytes.set(stored);
    return new CachedObject(bytes, true, undefined, labels, fields);
  }

  /**
   * The cache's copy of `obj`, which the caller gives up (it is not copied;
   * it is dropped when it could be encoded). `protoFree`: see ObjectCodec.encode.
   */
  static of(codec: ObjectCodec, obj: KubeObject, labels: Readonly<Record<string, string>> | undefined, fields: Fields | undefined, protoFree = false): CachedObject {
    const bytes = codec.encode(obj, protoFree);
    return new CachedObject(bytes, false, bytes ? undefined : obj, labels, fields);
  }

  /** An object that is never encoded (bookmarks, objects made for one reply). */
  static held(obj: KubeObject): CachedObject {
    return new CachedObject(null, false, obj, obj.metadata?.labels, undefined);
  }

  /** `last` as deleted at `revision`: the same bytes, the deletion's resourceVersion. */
  static deleted(last: CachedObject, revision: number): CachedObject {
    const rv = String(revision);
    if (last.held) return new CachedObject(null, false, withRv(last.held, rv), last.labels, last.fields);
    return new CachedObject(last.bytes, last.plain, undefined, last.labels, last.fields, rv);
  }

  /** A fresh object (or the held one: read-only). */
  object(codec: ObjectCodec): KubeObject {
    if (this.held) return this.held;
    const obj = (this.plain ? decodeValue(ENCODING_MSGPACK, this.bytes!) : codec.decode(this.bytes!)) as KubeObject;
    if (this.deletedAt !== undefined) (obj.metadata ??= {}).resourceVersion = this.deletedAt;
    return obj;
  }

  /** The records encoding of `object()` (list-encoding.ts), or null when it cannot be encoded. */
  encoded(codec: ObjectCodec): Buffer | null {
    if (this.held === undefined && this.deletedAt === undefined) {
      if (this.plain) {
        // Plain msgpack never holds an own __proto__ key (the store writes those as JSON).
        this.bytes = codec.encode(codec.decodePlain(this.bytes!), true);
        this.plain = false;
      }
      return this.bytes;
    }
    if (this.rvBytes === undefined) this.rvBytes = codec.encode(this.object(codec), this.held === undefined);
    return this.rvBytes;
  }
}

/**
 * A list item that decodes itself when serialized (JSON.stringify and YAML's
 * stringify call toJSON): an HTTP list of 150,000 Pods then holds one
 * decoded Pod at a time, not all of them, which the young generation would
 * copy and promote. Serializes exactly as the decoded object.
 */
export class LazyItem {
  constructor(
    private readonly item: CachedObject,
    private readonly codec: ObjectCodec,
  ) {}

  toJSON(): KubeObject {
    return this.item.object(this.codec);
  }
}
