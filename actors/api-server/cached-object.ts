/**
 * One object as the watch cache keeps it: its bytes, and beside them only
 * what selections read on every list and watch event, so that filtering
 * 150,000 Pods decodes none of them: the labels and the resource's
 * selectable fields (ResourceDef.toFields).
 *
 * The bytes are the api-server's records encoding (list-encoding.ts), which
 * in-process callers are sent as they are and which decodes several times
 * faster than plain msgpack.
 *
 * An object that cannot be encoded (an own `__proto__` key, a value that is
 * not plain data) is held as the object itself. A deleted object is its
 * last state with the deletion's resourceVersion: it keeps the last state's
 * bytes and sets the version when decoded, so a delete costs nothing unless
 * someone reads it.
 *
 * What it holds never changes; only the `rvBytes` memo does.
 */
import type { Fields } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { ObjectCodec } from './list-encoding.js';
import { withRv } from './own-writes.js';

export class CachedObject {
  private rvBytes: Buffer | null | undefined;

  private constructor(
    /** The encoding, or null: then `held` is the object. */
    private readonly bytes: Buffer | null,
    private readonly held: KubeObject | undefined,
    readonly labels: Readonly<Record<string, string>> | undefined,
    /** The resource's selectable fields; undefined for keys outside the resource table. */
    readonly fields: Fields | undefined,
    /** For a deleted object: the resourceVersion of the deletion, which its bytes do not carry. */
    private readonly deletedAt?: string,
  ) {}

  /**
   * The cache's copy of `obj`, which the caller gives up (it is not copied;
   * it is dropped when it could be encoded).
   */
  static of(
    codec: ObjectCodec,
    obj: KubeObject,
    labels: Readonly<Record<string, string>> | undefined,
    fields: Fields | undefined,
    /** For an object someone else keeps too: the copy to hold when it cannot be encoded. */
    copyToHold?: (obj: KubeObject) => KubeObject,
  ): CachedObject {
    const bytes = codec.encode(obj);
    return new CachedObject(bytes, bytes ? undefined : (copyToHold?.(obj) ?? obj), labels, fields);
  }

  /** An object that is never encoded (bookmarks, objects made for one reply). */
  static held(obj: KubeObject): CachedObject {
    return new CachedObject(null, obj, obj.metadata?.labels, undefined);
  }

  /** `last` as deleted at `revision`: the same bytes, the deletion's resourceVersion. */
  static deleted(last: CachedObject, revision: number): CachedObject {
    const rv = String(revision);
    if (last.held) return new CachedObject(null, withRv(last.held, rv), last.labels, last.fields);
    return new CachedObject(last.bytes, undefined, last.labels, last.fields, rv);
  }

  /** A fresh object (or the held one: read-only). */
  object(codec: ObjectCodec): KubeObject {
    if (this.held) return this.held;
    const obj = codec.decode(this.bytes!);
    if (this.deletedAt !== undefined) (obj.metadata ??= {}).resourceVersion = this.deletedAt;
    return obj;
  }

  /** The records encoding of `object()` (list-encoding.ts), or null when it cannot be encoded. */
  encoded(codec: ObjectCodec): Buffer | null {
    if (this.held === undefined && this.deletedAt === undefined) return this.bytes;
    if (this.rvBytes === undefined) this.rvBytes = codec.encode(this.object(codec));
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
