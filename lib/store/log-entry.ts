/**
 * On-disk layout (three named databases in one LMDB environment):
 *
 *   log   revision (number key) -> entry: one per committed write, in revision
 *         order, no gaps. It is both the watch event log and the value store:
 *         an object's current value is the entry at its current revision.
 *   keys  object key (string)   -> 8 bytes: float64 LE, the key's current revision
 *   meta  'revision' | 'compacted' | 'format' -> small values
 *
 * Entry: a fixed 21-byte header, the key (UTF-8), then the encoded value
 * (absent for DELETED):
 *
 *   0      format version (1)
 *   1      event type: 1 ADDED, 2 MODIFIED, 3 DELETED
 *   2      value encoding (codec.ts)
 *   3..10  prevRevision, float64 LE: the key's previous revision, 0 for ADDED
 *   11..18 commit time (ms since epoch, from the injected clock), float64 LE
 *   19..20 key length in bytes, uint16 LE
 *
 * Storing the value once (in the log, not in a second "current objects"
 * table) halves the bytes written per write; the keys table is 8 bytes per
 * key. prevRevision links each event to the version it replaced, which gives
 * DELETED events their last state and lets range() undo later writes
 * (range.ts); compaction.ts deletes a version once nothing can ask for it.
 */
import type { WatchEventType } from './types.js';

export const ENTRY_FORMAT = 1;
export const HEADER_BYTES = 21;

export const ADDED = 1;
export const MODIFIED = 2;
export const DELETED = 3;
export type EventTypeCode = typeof ADDED | typeof MODIFIED | typeof DELETED;

export const EVENT_TYPE_NAMES: readonly WatchEventType[] = ['ADDED', 'ADDED', 'MODIFIED', 'DELETED'];

export const META_REVISION = 'revision';
export const META_COMPACTED = 'compacted';
export const META_FORMAT = 'format';
export const STORE_FORMAT = 'berth-store/1';

/** Write the header and key into the first HEADER_BYTES + keyBytes bytes of `e` (the value follows). */
export function writeHeader(
  e: Buffer,
  type: EventTypeCode,
  encoding: number,
  prevRevision: number,
  time: number,
  key: string,
  keyBytes: number,
): Buffer {
  e[0] = ENTRY_FORMAT;
  e[1] = type;
  e[2] = encoding;
  e.writeDoubleLE(prevRevision, 3);
  e.writeDoubleLE(time, 11);
  e.writeUInt16LE(keyBytes, 19);
  e.write(key, HEADER_BYTES, keyBytes, 'utf8');
  return e;
}

/** A DELETED entry: header and key, no value. */
export function deletionEntry(prevRevision: number, time: number, key: string, keyBytes: number): Buffer {
  return writeHeader(Buffer.allocUnsafe(HEADER_BYTES + keyBytes), DELETED, 0, prevRevision, time, key, keyBytes);
}

/** Returns a reason string when `e` is not a well-formed entry, else undefined. */
export function entryProblem(e: Buffer | undefined): string | undefined {
  if (e === undefined) return 'missing log entry';
  if (e.length < HEADER_BYTES) return `entry too short (${e.length} bytes)`;
  if (e[0] !== ENTRY_FORMAT) return `unknown entry format ${e[0]}`;
  const t = e[1] as number;
  if (t < ADDED || t > DELETED) return `unknown event type ${t}`;
  if (HEADER_BYTES + e.readUInt16LE(19) > e.length) return 'key length past end of entry';
  return undefined;
}

export function entryType(e: Buffer): EventTypeCode {
  return e[1] as EventTypeCode;
}
export function entryEncoding(e: Buffer): number {
  return e[2] as number;
}
export function entryPrevRevision(e: Buffer): number {
  return e.readDoubleLE(3);
}
export function entryTime(e: Buffer): number {
  return e.readDoubleLE(11);
}
export function entryKey(e: Buffer): string {
  return e.toString('utf8', HEADER_BYTES, HEADER_BYTES + e.readUInt16LE(19));
}
/** Whether the entry's key starts with `prefix`, without decoding the key (hot in replay and range undo). */
export function entryKeyHasPrefix(e: Buffer, prefix: Buffer): boolean {
  const n = prefix.length;
  if (e.readUInt16LE(19) < n) return false;
  return n === 0 || e.compare(prefix, 0, n, HEADER_BYTES, HEADER_BYTES + n) === 0;
}
export function entryValueBytes(e: Buffer): Buffer {
  return e.subarray(HEADER_BYTES + e.readUInt16LE(19));
}

/** keys table value: the key's current revision. */
export function revisionBytes(revision: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleLE(revision, 0);
  return b;
}

/** Reads a revision value (keys table: > 0; meta counters may be 0); NaN when malformed. */
export function readRevision(b: Buffer, allowZero = false): number {
  if (b.length !== 8) return NaN;
  const r = b.readDoubleLE(0);
  return Number.isSafeInteger(r) && (r > 0 || (allowZero && r === 0)) ? r : NaN;
}
