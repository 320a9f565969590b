/**
 * The api-server's own writes, seen again on the store's watch.
 *
 * Only the api-server writes the store, so nearly every watch event is the
 * echo of an object this thread already holds: decoding its bytes again
 * (~5 µs a Pod, plus the garbage) would only rebuild that object. A writer
 * registers the bytes it sent (encodeForStore) with the object; when the
 * event for that key arrives, `claim` checks that the stored bytes are
 * exactly the sent ones with the revision spliced in, and if so the cache
 * reads the labels and fields it indexes from the writer's object instead
 * of decoding (it keeps the event's bytes, cached-object.ts).
 * Anything else (JSON-encoded values, strings msgpack cannot carry exactly,
 * another writer's event, an echo that arrives after the writer gave up)
 * is decoded as before: the check makes a wrong object impossible, a
 * missed match only costs the decode.
 */
import { ENCODING_MSGPACK, PLACEHOLDER_BYTES } from '../../lib/store/codec.js';
import { ENCODED_HEADER_BYTES, ENCODED_MARK } from '../../lib/store/encoded.js';
import type { EncodedWatchEvent } from '../../lib/store/types.js';
import type { KubeObject } from '../../lib/api/types/meta.js';

/** U+FFFD in UTF-8: msgpack writes a lone surrogate as this, so such strings would not come back as sent. */
const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);

export interface OwnWrite {
  readonly key: string;
  /** The encoded value sent (encodeForStore: header, then the msgpack body with the placeholder in place). */
  readonly bytes: Buffer;
  /** Offset of the placeholder in `bytes`. */
  readonly at: number;
  /** The object the bytes encode (resourceVersion aside). */
  readonly object: KubeObject;
}

export class OwnWrites {
  /** One write per key, nearly always: a list only while several writes of a key are in flight. */
  private readonly byKey = new Map<string, OwnWrite | OwnWrite[]>();
  /**
   * Remember a write about to be sent; undefined when its echo could not be
   * recognized exactly (then it is decoded). `at`: the placeholder's offset
   * in `encoded` when the encoder reported it (then it is where the store
   * splices the revision, so the bytes need not be searched: encodeForStore's
   * `where`); else it is searched for, and must be the only one.
   */
  register(key: string, encoded: Uint8Array, object: KubeObject, at = -1): OwnWrite | undefined {
    if (encoded.length <= ENCODED_HEADER_BYTES || encoded[0] !== ENCODED_MARK || encoded[1] !== ENCODING_MSGPACK) return undefined;
    const bytes = Buffer.isBuffer(encoded) ? encoded : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    const ph = PLACEHOLDER_BYTES.length;
    if (at < ENCODED_HEADER_BYTES || at + ph > bytes.length || bytes.compare(PLACEHOLDER_BYTES, 0, ph, at, at + ph) !== 0) {
      at = bytes.indexOf(PLACEHOLDER_BYTES, ENCODED_HEADER_BYTES);
      if (at < 0 || bytes.indexOf(PLACEHOLDER_BYTES, at + 1) >= 0) return undefined;
    }
    if (bytes.includes(REPLACEMENT, ENCODED_HEADER_BYTES)) return undefined;
    const w: OwnWrite = { key, bytes, at, object };
    const held = this.byKey.get(key);
    if (held === undefined) this.byKey.set(key, w);
    else if (Array.isArray(held)) held.push(w);
    else this.byKey.set(key, [held, w]);
    return w;
  }

  /** Forget a write (after its result and its echo, or on failure). */
  release(w: OwnWrite | undefined): void {
    if (!w) return;
    const held = this.byKey.get(w.key);
    if (held === w) {
      this.byKey.delete(w.key);
      return;
    }
    if (!Array.isArray(held)) return;
    const i = held.indexOf(w);
    if (i >= 0) held.splice(i, 1);
    if (held.length === 0) this.byKey.delete(w.key);
  }

  /**
   * The object an ADDED/MODIFIED event stores, when it is the echo of a
   * registered write; else undefined. As the writer sent it: its
   * resourceVersion is the event's revision, which the object does not carry.
   */
  claim(e: EncodedWatchEvent): KubeObject | undefined {
    if (e.type === 'DELETED' || e.encoding !== ENCODING_MSGPACK || e.encoded === undefined) return undefined;
    const held = this.byKey.get(e.key);
    if (held === undefined) return undefined;
    const rv = String(e.revision);
    if (!Array.isArray(held)) return echoes(held, e.encoded, rv) ? held.object : undefined;
    for (const w of held) if (echoes(w, e.encoded, rv)) return w.object;
    return undefined;
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** Whether `stored` is `w`'s msgpack body with the placeholder replaced by the fixstr `rv`. */
function echoes(w: OwnWrite, stored: Uint8Array, rv: string): boolean {
  const ph = PLACEHOLDER_BYTES.length;
  const bytes = w.bytes;
  const from = ENCODED_HEADER_BYTES;
  if (rv.length > 31 || stored.length !== bytes.length - from - ph + 1 + rv.length) return false;
  const s = Buffer.isBuffer(stored) ? stored : Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const at = w.at - from; // the placeholder's offset in the body, and the revision's in `stored`
  if (s[at] !== (0xa0 | rv.length)) return false;
  for (let i = 0; i < rv.length; i++) if (s[at + 1 + i] !== rv.charCodeAt(i)) return false;
  return s.compare(bytes, from, w.at, 0, at) === 0 && s.compare(bytes, w.at + ph, bytes.length, at + 1 + rv.length) === 0;
}

/** The object with metadata.resourceVersion set, as the store stores it (a two-level copy; the rest shared, read-only). */
export function withRv(obj: KubeObject, rv: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } };
}
