/**
 * The store's public contract: plain-data requests and results (so the store
 * actor can pass them over a channel unchanged) and the StoreBackend interface
 * that the LMDB implementation satisfies and an etcd one could later.
 *
 * Revisions: one global counter. Every successful write op gets the next
 * revision; that revision is the object's resourceVersion. When a value is an
 * object whose `metadata` is an object, the store writes
 * `metadata.resourceVersion = String(revision)` into the stored copy (the
 * caller's object is not mutated), so anything read back (get, range, watch)
 * already carries it. The revision is also returned beside every value, so
 * non-object values and callers that prefer numbers need not parse it.
 */
import type { ConditionCode, StoreError } from './errors.js';

/** A stored value with the revision of its last modification (its resourceVersion). */
export interface KeyValue {
  readonly key: string;
  readonly value: unknown;
  readonly revision: number;
}

/**
 * One write operation. `expectedRevision` is the precondition (the
 * resourceVersion the client read); leave it out for an unconditional write.
 * - create: fails with ALREADY_EXISTS if the key exists.
 * - update: fails with NOT_FOUND if absent, CONFLICT if expectedRevision differs.
 * - put:    create or overwrite; with expectedRevision it behaves like update,
 *           except that expectedRevision 0 means "only if absent".
 * - delete: fails with NOT_FOUND if absent, CONFLICT if expectedRevision differs.
 */
export type WriteOp =
  | ({ readonly op: 'create'; readonly key: string } & WriteValue)
  | ({ readonly op: 'update'; readonly key: string; readonly expectedRevision?: number } & WriteValue)
  | ({ readonly op: 'put'; readonly key: string; readonly expectedRevision?: number } & WriteValue)
  | { readonly op: 'delete'; readonly key: string; readonly expectedRevision?: number };

/**
 * The value of a create, update or put: the object itself, or its bytes from
 * `encodeForStore(value)` (encoded.ts), so that the sender's thread pays for
 * encoding and the store only copies bytes. Give one of the two.
 */
export type WriteValue =
  | { readonly value: unknown; readonly encoded?: undefined }
  | { readonly encoded: Uint8Array; readonly value?: undefined };

export interface WriteOptions {
  /**
   * Successful results leave out `value` (undefined): the writer has the
   * object and now its revision. Pre-encoded values are then never decoded.
   */
  readonly brief?: boolean;
}

export type WriteOpKind = WriteOp['op'];

/**
 * Result of one op, in the order given. On success `value` is the stored
 * object (resourceVersion set) or, for delete, the object as it was before
 * the delete; `revision` is the revision of this write.
 * On failure `current` is the object as it is now (absent for NOT_FOUND), so
 * the api-server can answer 409 with it without another read.
 */
export type WriteResult =
  | {
      readonly ok: true;
      readonly op: WriteOpKind;
      readonly key: string;
      readonly revision: number;
      readonly value: unknown;
      /** Revision the key had before this write; 0 if it did not exist. */
      readonly prevRevision: number;
    }
  | {
      readonly ok: false;
      readonly op: WriteOpKind;
      readonly key: string;
      readonly code: ConditionCode;
      readonly current?: KeyValue;
    };

export interface RangeRequest {
  /** Key prefix, normally ending in '/' (see keys.ts). '' ranges over everything. */
  readonly prefix: string;
  /** Page size; 0 or absent: no limit. */
  readonly limit?: number;
  /** Token from a previous page; the page is read at that page's revision. */
  readonly continue?: string;
  /** Read at this past revision; 0 or absent: the latest. Ignored when `continue` is set. */
  readonly revision?: number;
}

export interface RangeResult {
  readonly items: KeyValue[];
  /** The revision the whole listing is consistent at (the list's resourceVersion). */
  readonly revision: number;
  /** Present when more items remain; pass it back to get the next page. */
  readonly continue?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * For DELETED, `object` is the last state with resourceVersion set to the
 * deletion's revision (what Kubernetes watchers expect) and `prevObject` is
 * that last state as it was stored. Objects are shared between watchers and
 * with the writer's result: treat them as read-only.
 */
export interface WatchEvent {
  readonly type: WatchEventType;
  readonly key: string;
  readonly revision: number;
  readonly object: unknown;
  readonly prevObject?: unknown;
}

/**
 * A watch event as stored bytes, for watchers on other threads (the store
 * actor sends these): decode with `decodeWatchEvent` (encoded.ts) on the
 * receiving side. `encoded` is the value in `encoding` (codec.ts) with its
 * resourceVersion in place: for ADDED and MODIFIED the stored value; for
 * DELETED the last state as it was stored (its own resourceVersion), absent
 * if it could not be read.
 */
export interface EncodedWatchEvent {
  readonly type: WatchEventType;
  readonly key: string;
  readonly revision: number;
  readonly encoding: number;
  readonly encoded?: Uint8Array;
}

export interface EncodedWatchRequest {
  readonly prefix: string;
  readonly sinceRevision?: number;
  /** Called with the matching events of one commit (live), or of one replay chunk. */
  readonly onEvents: (events: readonly EncodedWatchEvent[]) => void;
  readonly onError?: (error: StoreError) => void;
}

export interface WatchRequest {
  readonly prefix: string;
  /** Deliver events with revision > sinceRevision. Absent: only events after now. */
  readonly sinceRevision?: number;
  /** Called with the matching events of one commit (live), or of one replay chunk. */
  readonly onEvents: (events: readonly WatchEvent[]) => void;
  /** Called once if the watch ends for a reason other than cancel(): COMPACTED, WATCHER_FAILED, CLOSED. */
  readonly onError?: (error: StoreError) => void;
}

export interface Watch {
  readonly id: number;
  cancel(): void;
}

export interface StoreStats {
  /** Last acknowledged (durable, published to watchers) revision. */
  readonly revision: number;
  /** Events with revision <= compactRevision are gone; older reads get COMPACTED. */
  readonly compactRevision: number;
  /** LMDB transactions committed by the write path (group commits). */
  readonly commits: number;
  /** Successful write ops. */
  readonly writes: number;
  /** Write ops that failed a condition. */
  readonly conditionFailures: number;
  /** Ops in the largest single commit so far. */
  readonly largestCommit: number;
  /** Groups planned while the previous group was still committing (pipelining at work). */
  readonly pipelined: number;
  readonly watchers: number;
  /** Milliseconds spent handing committed events to live watchers (callbacks included), since open. */
  readonly fanOutMs: number;
  /** Current LMDB map size in bytes (grows automatically). */
  readonly mapSize: number;
  /** Bytes in use: (last page + 1) * page size. */
  readonly usedBytes: number;
  /** LMDB's last transaction id: one group commit advances it by exactly one. */
  readonly lastTxnId: number;
}

/** What the store actor needs from a backing store (LMDB here; etcd could follow). */
export interface StoreBackend {
  /** Last acknowledged revision. */
  readonly revision: number;
  readonly compactRevision: number;
  get(key: string): Promise<KeyValue | undefined>;
  range(request: RangeRequest): Promise<RangeResult>;
  count(prefix: string): Promise<number>;
  /**
   * Apply ops in order, each seeing the earlier ones; each succeeds or fails
   * its condition on its own (not all-or-nothing), and the successful ones of
   * one call land in the same transaction. Resolves with one result per op
   * once durable; rejects only for faults (INVALID_ARGUMENT before anything
   * is queued, MAP_FULL, COMMIT_FAILED, CLOSED), in which case none applied.
   */
  write(ops: readonly WriteOp[], options?: WriteOptions): Promise<WriteResult[]>;
  /** Rejects with COMPACTED when sinceRevision is older than the window. */
  watch(request: WatchRequest): Promise<Watch>;
  /** Drop history up to `revision` (never past the current revision). */
  compact(revision: number): Promise<void>;
  stats(): StoreStats;
  close(): Promise<void>;
}
