/**
 * Reads that decode from LMDB: current revision of a key, a value at a
 * revision, the events in a revision interval, and the "undo" map that
 * range() uses to see the state at a past revision. All are synchronous (LMDB
 * reads are memory-mapped) so one call sees one snapshot.
 *
 * A record that cannot be decoded is reported through `report` with its key
 * and skipped; it never throws out of a scan.
 */
import type { Database } from 'lmdb';
import { decodeValue, withResourceVersion } from './codec.js';
import { DecodeError, type StoreError } from './errors.js';
import { compareKeys } from './keys.js';
import {
  DELETED,
  EVENT_TYPE_NAMES,
  entryEncoding,
  entryKey,
  entryKeyHasPrefix,
  entryPrevRevision,
  entryProblem,
  entryType,
  entryValueBytes,
  META_REVISION,
  readRevision,
} from './log-entry.js';
import type { EncodedWatchEvent, WatchEvent } from './types.js';

export type LogDb = Database<Buffer, number>;
export type KeysDb = Database<Buffer, string>;
export type MetaDb = Database<Buffer, string>;

/** Sentinel for "could not be read" (distinct from a stored `undefined`). */
export const UNREADABLE: unique symbol = Symbol('unreadable');

export class LogReader {
  constructor(
    readonly log: LogDb,
    readonly keys: KeysDb,
    readonly meta: MetaDb,
    readonly report: (error: StoreError) => void,
  ) {}

  /** The last committed revision in the current read snapshot. */
  headRevision(): number {
    const b = this.meta.getBinaryFast(META_REVISION);
    const r = b === undefined ? 0 : readRevision(b, true);
    return Number.isNaN(r) ? 0 : r;
  }

  /** The key's current revision, 0 if absent. A malformed keys entry is reported and read as absent. */
  currentRevision(key: string): number {
    const b = this.keys.getBinaryFast(key);
    if (b === undefined) return 0;
    const r = readRevision(b);
    if (Number.isNaN(r)) {
      this.report(new DecodeError(key, 0, `keys entry is not a revision (${b.length} bytes)`));
      return 0;
    }
    return r;
  }

  /** Decode the value stored at `revision` for `key`; throws DecodeError. */
  value(key: string, revision: number): unknown {
    const e = this.log.getBinaryFast(revision);
    const problem = entryProblem(e);
    if (problem !== undefined) throw new DecodeError(key, revision, problem);
    const entry = e as Buffer;
    if (entryType(entry) === DELETED) throw new DecodeError(key, revision, 'entry is a deletion, not a value');
    try {
      return decodeValue(entryEncoding(entry), entryValueBytes(entry));
    } catch (err) {
      throw new DecodeError(key, revision, (err as Error).message, { cause: err });
    }
  }

  /** Like value(), but reports a failure and returns UNREADABLE instead of throwing. */
  valueOrReport(key: string, revision: number): unknown {
    try {
      return this.value(key, revision);
    } catch (err) {
      this.report(err as DecodeError);
      return UNREADABLE;
    }
  }

  /**
   * The stored bytes of `key`'s value at `revision` (a copy), without
   * decoding; a missing or malformed entry is reported and gives undefined.
   */
  storedValue(key: string, revision: number): { encoding: number; bytes: Buffer } | undefined {
    const e = this.log.getBinaryFast(revision);
    const problem = entryProblem(e) ?? (entryType(e as Buffer) === DELETED ? 'entry is a deletion, not a value' : undefined);
    if (problem !== undefined) {
      this.report(new DecodeError(key, revision, problem));
      return undefined;
    }
    const entry = e as Buffer;
    return { encoding: entryEncoding(entry), bytes: Buffer.from(entryValueBytes(entry)) };
  }

  /**
   * The readable log entries with after < revision <= upTo whose key starts
   * with `prefix`; unreadable ones are reported and skipped. The buffer is
   * LMDB's and is reused by the next read: use it before the next iteration.
   */
  private *logEntries(prefix: Buffer, after: number, upTo: number): Generator<[number, Buffer]> {
    for (let r = after + 1; r <= upTo; r++) {
      const e = this.log.getBinaryFast(r);
      const problem = entryProblem(e);
      if (problem !== undefined) {
        this.report(new DecodeError(`log@${r}`, r, problem));
        continue;
      }
      const entry = e as Buffer;
      if (entryKeyHasPrefix(entry, prefix)) yield [r, entry];
    }
  }

  /**
   * Like events(), but the values stay bytes (copied out of LMDB), for
   * watchers on other threads: nothing is decoded. A DELETED event carries
   * the last state's bytes (its own resourceVersion); one whose last state
   * cannot be read is reported and skipped, as in events().
   */
  encodedEvents(prefix: Buffer, after: number, upTo: number): EncodedWatchEvent[] {
    const out: EncodedWatchEvent[] = [];
    for (const [r, entry] of this.logEntries(prefix, after, upTo)) {
      const key = entryKey(entry);
      const type = entryType(entry);
      if (type !== DELETED) {
        const encoded = Buffer.from(entryValueBytes(entry)); // copy before the next get reuses the buffer
        out.push({ type: EVENT_TYPE_NAMES[type] as WatchEvent['type'], key, revision: r, encoding: entryEncoding(entry), encoded });
      } else {
        const prev = this.storedValue(key, entryPrevRevision(entry));
        if (prev === undefined) continue;
        out.push({ type: 'DELETED', key, revision: r, encoding: prev.encoding, encoded: prev.bytes });
      }
    }
    return out;
  }

  /** Events with after < revision <= upTo whose key starts with prefix, in order. */
  events(prefix: Buffer, after: number, upTo: number): WatchEvent[] {
    const out: WatchEvent[] = [];
    for (const [r, entry] of this.logEntries(prefix, after, upTo)) {
      const key = entryKey(entry);
      const type = entryType(entry);
      if (type !== DELETED) {
        // Decode before the next get: getBinaryFast's buffer is reused.
        let object: unknown;
        try {
          object = decodeValue(entryEncoding(entry), entryValueBytes(entry));
        } catch (err) {
          this.report(new DecodeError(key, r, (err as Error).message, { cause: err }));
          continue;
        }
        out.push({ type: EVENT_TYPE_NAMES[type] as WatchEvent['type'], key, revision: r, object });
      } else {
        const prev = this.valueOrReport(key, entryPrevRevision(entry));
        if (prev === UNREADABLE) continue;
        out.push({ type: 'DELETED', key, revision: r, object: withResourceVersion(prev, String(r)), prevObject: prev });
      }
    }
    return out;
  }

  /**
   * For every key under `prefix` (and after `startAfter`) written in
   * (revision, head]: the revision it had at `revision`, 0 if it did not
   * exist then. That is the prevRevision of its first event after `revision`.
   */
  undoSince(prefix: Buffer, startAfter: string | undefined, revision: number, head: number): Map<string, number> {
    const undo = new Map<string, number>();
    for (const [, entry] of this.logEntries(prefix, revision, head)) {
      const key = entryKey(entry);
      if (startAfter !== undefined && compareKeys(key, startAfter) <= 0) continue;
      // ADDED's prevRevision is 0 already; the first event after `revision` tells the state at `revision`.
      if (!undo.has(key)) undo.set(key, entryPrevRevision(entry));
    }
    return undo;
  }
}
