/**
 * The write path, in three steps (hot: written for speed):
 *
 * 1. checkOps and prepareOps, when a write() call arrives: validate keys and
 *    op shapes, copy and encode values with a revision placeholder
 *    (codec.ts). This runs while the previous group's commit is in flight,
 *    so the expensive encoding overlaps LMDB's work.
 * 2. planGroup, once per group commit: check every condition against the
 *    committed state plus overlays of the earlier ops of this group and of
 *    the group still committing (lmdb async puts are not visible before
 *    commit), assign consecutive revisions, and build the log entries,
 *    keys-table writes, results and watch events. It only reads LMDB, so a
 *    throw here leaves nothing half-written.
 * 3. issueGroup: all puts in one synchronous burst. lmdb-js puts every write
 *    made in one event turn into one transaction, committed by its write
 *    thread; the returned promise settles when that transaction is durable.
 */
import { type PreparedValue, NOT_DECODED, decodeValue, entryWithValue, prepareValue } from './codec.js';
import { prepareEncoded } from './encoded.js';
import { roomBefore } from './op-batch.js';
import { DecodeError, InvalidArgumentError, type StoreError } from './errors.js';
import { validateKey } from './keys.js';
import {
  ADDED,
  deletionEntry,
  HEADER_BYTES,
  META_COMPACTED,
  META_REVISION,
  MODIFIED,
  revisionBytes,
  writeHeader,
} from './log-entry.js';
import { UNREADABLE, type KeysDb, type LogDb, type LogReader, type MetaDb } from './reader.js';
import type { KeyValue, WriteOp, WriteOpKind, WriteResult } from './types.js';
import type { CommitEvent } from './watch-hub.js';

export interface PreparedOp {
  readonly kind: WriteOpKind;
  readonly key: string;
  readonly keyBytes: number;
  readonly expected: number | undefined;
  readonly value: PreparedValue | undefined;
}

/** Check a call's ops (cheap; at submit time, so a bad call is refused before it is queued). */
export function checkOps(ops: readonly WriteOp[]): void {
  if (!Array.isArray(ops)) throw new InvalidArgumentError('write() takes an array of ops');
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as WriteOp;
    if (op === null || typeof op !== 'object') throw new InvalidArgumentError('an op must be an object');
    if (op.op !== 'create' && op.op !== 'update' && op.op !== 'put' && op.op !== 'delete')
      throw new InvalidArgumentError(`unknown op ${String((op as { op: unknown }).op)}`);
    validateKey(op.key);
    const expected = op.op === 'create' ? undefined : op.expectedRevision;
    if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0))
      throw new InvalidArgumentError(`bad expectedRevision ${String(expected)} for ${op.key}`);
    if (op.op !== 'delete' && op.encoded !== undefined && (op as { value?: unknown }).value !== undefined)
      throw new InvalidArgumentError(`give value or encoded for ${op.key}, not both`);
  }
}

/** Encode a checked call's values; throws InvalidArgumentError for an unencodable value. */
export function prepareOps(ops: readonly WriteOp[]): PreparedOp[] {
  const out: PreparedOp[] = new Array(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as WriteOp;
    const keyBytes = Buffer.byteLength(op.key);
    const value =
      op.op === 'delete'
        ? undefined
        : op.encoded !== undefined
          ? prepareEncoded(op.encoded, HEADER_BYTES + keyBytes, roomBefore(op))
          : prepareValue(op.value, HEADER_BYTES + keyBytes);
    const expected = op.op === 'create' ? undefined : op.expectedRevision;
    out[i] = { kind: op.op, key: op.key, keyBytes, expected, value };
  }
  return out;
}

export interface GroupPlan {
  readonly firstRevision: number;
  /** Revision of the last successful op; firstRevision - 1 when none succeeded. */
  readonly lastRevision: number;
  /** Log entries for firstRevision..lastRevision. */
  readonly entries: Buffer[];
  /** keys-table writes, in order: revision 0 means remove. */
  readonly keyNames: string[];
  readonly keyRevisions: number[];
  readonly events: CommitEvent[];
  /** One result list per call, in call order. */
  readonly results: WriteResult[][];
  readonly failures: number;
  /** State this group leaves behind, for planning the next group before this one is visible. */
  readonly overlay: ReadonlyMap<string, Overlay>;
}

/** A key's state after a not-yet-visible write: its revision (0: deleted) and, if not deleted, its event. */
export interface Overlay {
  readonly rev: number;
  readonly event: CommitEvent | undefined;
}

/** The ops of one write() call; `brief`: successful results without values. */
export interface GroupCall {
  readonly ops: readonly PreparedOp[];
  readonly brief: boolean;
}

/**
 * Plan a group. `base` is the overlay of the group still committing, if any:
 * its writes are not visible to reads yet, so they are looked up there first.
 */
export function planGroup(
  reader: LogReader,
  calls: readonly GroupCall[],
  firstRevision: number,
  now: number,
  base?: ReadonlyMap<string, Overlay>,
): GroupPlan {
  const overlay = new Map<string, Overlay>();
  const entries: Buffer[] = [];
  const keyNames: string[] = [];
  const keyRevisions: number[] = [];
  const events: CommitEvent[] = [];
  const results: WriteResult[][] = [];
  let next = firstRevision;
  let failures = 0;

  const report = reader.report;
  for (const { ops, brief } of calls) {
    const out: WriteResult[] = new Array(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as PreparedOp;
      const { key, kind, expected } = op;
      const o = overlay.get(key) ?? base?.get(key);
      const cur = o !== undefined ? o.rev : reader.currentRevision(key);

      let code: 'ALREADY_EXISTS' | 'NOT_FOUND' | 'CONFLICT' | undefined;
      if (kind === 'create') {
        if (cur !== 0) code = 'ALREADY_EXISTS';
      } else if (kind !== 'put' || expected !== undefined) {
        if (cur === 0) code = expected === 0 && kind === 'put' ? undefined : 'NOT_FOUND';
        else if (expected !== undefined && expected !== cur) code = 'CONFLICT';
      }
      if (code !== undefined) {
        failures++;
        out[i] =
          cur === 0
            ? { ok: false, op: kind, key, code }
            : { ok: false, op: kind, key, code, current: currentValue(reader, key, cur, o, report) };
        continue;
      }

      const rev = next++;
      const rv = String(rev);
      if (kind === 'delete') {
        // The last state as bytes; decoded only for a full result or an in-process watcher.
        let ev: CommitEvent;
        if (o !== undefined) {
          const last = o.event as CommitEvent;
          ev = { type: 'DELETED', key, revision: rev, value: last.value, encoding: last.encoding, bytes: last.bytes };
        } else {
          const stored = reader.storedValue(key, cur);
          ev = { type: 'DELETED', key, revision: rev, value: stored ? NOT_DECODED : undefined, encoding: stored?.encoding ?? 0, bytes: stored?.bytes };
        }
        entries.push(deletionEntry(cur, now, key, op.keyBytes));
        events.push(ev);
        overlay.set(key, { rev: 0, event: undefined });
        keyNames.push(key);
        keyRevisions.push(0);
        out[i] = { ok: true, op: kind, key, revision: rev, value: brief ? undefined : eventValue(ev, report), prevRevision: cur };
      } else {
        const prep = op.value as PreparedValue;
        const headerBytes = HEADER_BYTES + op.keyBytes;
        const entry = entryWithValue(prep, rv, headerBytes);
        entries.push(writeHeader(entry, cur === 0 ? ADDED : MODIFIED, prep.encoding, cur, now, key, op.keyBytes));
        const ev: CommitEvent = {
          type: cur === 0 ? 'ADDED' : 'MODIFIED',
          key,
          revision: rev,
          value: prep.decoded ? prep.object : NOT_DECODED,
          encoding: prep.encoding,
          bytes: entry.subarray(headerBytes),
        };
        events.push(ev);
        overlay.set(key, { rev, event: ev });
        keyNames.push(key);
        keyRevisions.push(rev);
        out[i] = { ok: true, op: kind, key, revision: rev, value: brief ? undefined : eventValue(ev, report), prevRevision: cur };
      }
    }
    results.push(out);
  }
  return { firstRevision, lastRevision: next - 1, entries, keyNames, keyRevisions, events, results, failures, overlay };
}

function readable(v: unknown): unknown {
  return v === UNREADABLE ? undefined : v;
}

function currentValue(reader: LogReader, key: string, cur: number, o: Overlay | undefined, report: (e: StoreError) => void): KeyValue {
  return { key, value: o !== undefined ? eventValue(o.event as CommitEvent, report) : readable(reader.valueOrReport(key, cur)), revision: cur };
}

/**
 * The object of a commit event's value, decoded from its bytes on first use
 * (then kept, shared by results and watchers). Undecodable: reported, undefined.
 */
export function eventValue(ev: CommitEvent, report: (e: StoreError) => void): unknown {
  if (ev.value !== NOT_DECODED) return ev.value;
  try {
    ev.value = decodeValue(ev.encoding, ev.bytes as Buffer);
  } catch (err) {
    report(new DecodeError(ev.key, ev.revision, (err as Error).message, { cause: err }));
    ev.value = undefined;
  }
  return ev.value;
}

/**
 * Issue every write of a group (plus compaction deletes and the meta
 * counters) in one synchronous burst. Resolves when the transaction commits.
 */
export function issueGroup(
  dbs: { log: LogDb; keys: KeysDb; meta: MetaDb },
  plan: GroupPlan,
  removes: readonly number[],
  headRevision: number,
  compactTo: number | undefined,
): Promise<unknown> {
  const { log, keys, meta } = dbs;
  // Unconditional lmdb writes of one transaction share a promise; keep each distinct one
  // so a failed commit is observed once and never becomes an unhandled rejection.
  const distinct: Promise<boolean>[] = [];
  let last: Promise<boolean> | undefined;
  const track = (p: Promise<boolean>): void => {
    if (p !== last) {
      last = p;
      distinct.push(p);
    }
  };
  const { entries, firstRevision, keyNames, keyRevisions } = plan;
  for (let i = 0; i < entries.length; i++) track(log.put(firstRevision + i, entries[i] as Buffer));
  for (let i = 0; i < keyNames.length; i++) {
    const rev = keyRevisions[i] as number;
    track(rev === 0 ? keys.remove(keyNames[i] as string) : keys.put(keyNames[i] as string, revisionBytes(rev)));
  }
  for (let i = 0; i < removes.length; i++) track(log.remove(removes[i] as number));
  track(meta.put(META_REVISION, revisionBytes(headRevision)));
  if (compactTo !== undefined) track(meta.put(META_COMPACTED, revisionBytes(compactTo)));
  return distinct.length === 1 ? (distinct[0] as Promise<boolean>) : Promise.all(distinct);
}
