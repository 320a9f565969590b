/**
 * Range by prefix with limit and continue tokens, consistent at one revision.
 *
 * How a continuation stays consistent while writes go on: the token carries
 * the first page's revision R and the last key returned. The next page reads
 * the current keys table from that key on, then undoes every write made after
 * R: the log holds one entry per revision with the key and the revision it
 * replaced (prevRevision), so scanning (R, head] gives, for each key touched
 * since R, its revision at R (0: did not exist). Keys deleted since R are
 * merged back in key order; keys created since R are dropped; values are read
 * from the log at their revision at R, which compaction keeps as long as
 * R >= compactRevision (compaction.ts). Cost: one pass over the events since
 * R (headers only) per page, which is small for paging and needs no second
 * copy of every value.
 *
 * Why not per-key history or LMDB snapshots: a read transaction held across
 * pages pins pages and grows the file; a separate history table doubles the
 * bytes of every write. Older than the window: COMPACTED, like etcd (410).
 */
import {
  CompactedError,
  DecodeError,
  FutureRevisionError,
  InvalidArgumentError,
  InvalidContinueError,
  type StoreError,
} from './errors.js';
import { compareKeys, prefixEnd, validatePrefix } from './keys.js';
import { readRevision } from './log-entry.js';
import { UNREADABLE, type LogReader } from './reader.js';
import type { KeyValue, RangeRequest, RangeResult } from './types.js';

const TOKEN_VERSION = 1;

export function encodeContinue(revision: number, lastKey: string): string {
  return Buffer.from(JSON.stringify([TOKEN_VERSION, revision, lastKey]), 'utf8').toString('base64url');
}

export function decodeContinue(token: string, prefix: string): { revision: number; startAfter: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidContinueError('not base64url JSON');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== TOKEN_VERSION)
    throw new InvalidContinueError('unknown token format');
  const [, revision, lastKey] = parsed as [number, unknown, unknown];
  if (!Number.isSafeInteger(revision) || (revision as number) < 0) throw new InvalidContinueError('bad revision');
  if (typeof lastKey !== 'string' || !lastKey.startsWith(prefix))
    throw new InvalidContinueError(`token is not for prefix ${prefix}`);
  return { revision: revision as number, startAfter: lastKey };
}

export interface RangeContext {
  readonly reader: LogReader;
  readonly compactRevision: number;
  readonly report: (error: StoreError) => void;
}

export function rangeAt(ctx: RangeContext, request: RangeRequest): RangeResult {
  const { reader } = ctx;
  const prefix = request.prefix;
  validatePrefix(prefix);
  const limit = request.limit ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new InvalidArgumentError(`bad limit ${limit}`);
  const head = reader.headRevision();
  let revision = head;
  let startAfter: string | undefined;
  if (request.continue) {
    ({ revision, startAfter } = decodeContinue(request.continue, prefix));
  } else if (request.revision) {
    if (!Number.isSafeInteger(request.revision) || request.revision < 0)
      throw new InvalidArgumentError(`bad revision ${request.revision}`);
    revision = request.revision;
  }
  if (revision > head) throw new FutureRevisionError(revision, head);
  if (revision < ctx.compactRevision) throw new CompactedError(revision, ctx.compactRevision);

  const prefixBytes = Buffer.from(prefix, 'utf8');
  const undo = revision < head ? reader.undoSince(prefixBytes, startAfter, revision, head) : undefined;
  // Keys that existed at `revision` but were touched since, in key order: merged with the table scan.
  const touched = undo ? [...undo.keys()].filter((k) => (undo.get(k) as number) > 0).sort(compareKeys) : [];
  let t = 0;

  const items: KeyValue[] = [];
  let more = false;
  // Returns false once the page is full and one more candidate was seen.
  const emit = (key: string, rev: number): boolean => {
    if (limit > 0 && items.length === limit) {
      more = true;
      return false;
    }
    const value = reader.valueOrReport(key, rev);
    if (value !== UNREADABLE) items.push({ key, value, revision: rev });
    return true;
  };

  const end = prefixEnd(prefix);
  scan: for (const { key, value } of reader.keys.getRange({ start: startAfter ?? prefix, end })) {
    if (key === startAfter) continue;
    while (t < touched.length && compareKeys(touched[t] as string, key) < 0) {
      const k = touched[t++] as string;
      if (!emit(k, undo?.get(k) as number)) break scan;
    }
    if (t < touched.length && touched[t] === key) t++;
    let rev: number;
    if (undo?.has(key)) {
      rev = undo.get(key) as number;
      if (rev === 0) continue; // created after `revision`
    } else {
      rev = readRevision(value);
      if (Number.isNaN(rev)) {
        ctx.report(new DecodeError(key, 0, 'keys entry is not a revision'));
        continue;
      }
    }
    if (!emit(key, rev)) break;
  }
  while (!more && t < touched.length) {
    const k = touched[t++] as string;
    if (!emit(k, undo?.get(k) as number)) break;
  }
  const last = items[items.length - 1];
  return more && last ? { items, revision, continue: encodeContinue(revision, last.key) } : { items, revision };
}

export function countPrefix(reader: LogReader, prefix: string): number {
  validatePrefix(prefix);
  return reader.keys.getKeysCount({ start: prefix, end: prefixEnd(prefix) });
}
