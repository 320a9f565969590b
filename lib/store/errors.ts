/**
 * Typed errors of the store, with stable codes the api-server maps to
 * Kubernetes Status reasons. Codes follow the actor runtime's UPPER_SNAKE style.
 *
 * Expected outcomes of a write (create of an existing key, stale
 * resourceVersion, missing key) are NOT thrown: they come back as a failed
 * WriteResult carrying one of the ConditionCode values below. Errors here are
 * for faults and for requests the store cannot answer.
 */

export type StoreErrorCode =
  | 'COMPACTED' // revision older than the retained window        -> 410 Gone / Expired
  | 'FUTURE_REVISION' // revision newer than the store has         -> 504 TooLargeResourceVersion
  | 'INVALID_CONTINUE' // continue token malformed or for another prefix -> 400
  | 'INVALID_ARGUMENT' // bad key, unencodable value                -> 400 / 500
  | 'LOCKED' // data directory held by another live process
  | 'MAP_FULL' // storage quota (maxMapSize) reached or LMDB MDB_MAP_FULL / ENOSPC
  | 'DECODE' // a stored value or record cannot be decoded    -> reported and skipped
  | 'COMMIT_FAILED' // LMDB refused a commit for another reason
  | 'WATCHER_FAILED' // a watch callback threw; the watch was cancelled
  | 'CLOSED'; // the store is closed or closing

/** Failure codes of a single write operation (values in WriteResult, never thrown). */
export type ConditionCode = 'ALREADY_EXISTS' | 'NOT_FOUND' | 'CONFLICT';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The requested revision has been compacted away (etcd's ErrCompacted, Kubernetes' 410 Gone). */
export class CompactedError extends StoreError {
  constructor(
    readonly requested: number,
    readonly compactRevision: number,
  ) {
    super(
      'COMPACTED',
      `revision ${requested} is compacted: the oldest revision still served is ${compactRevision}`,
    );
  }
}

export class FutureRevisionError extends StoreError {
  constructor(
    readonly requested: number,
    readonly currentRevision: number,
  ) {
    super('FUTURE_REVISION', `revision ${requested} is newer than the current revision ${currentRevision}`);
  }
}

export class InvalidContinueError extends StoreError {
  constructor(reason: string) {
    super('INVALID_CONTINUE', `invalid continue token: ${reason}`);
  }
}

export class InvalidArgumentError extends StoreError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', reason, options);
  }
}

/** Another live process holds the data directory. */
export class LockedError extends StoreError {
  constructor(
    readonly path: string,
    readonly pid: number,
    readonly hostname: string,
  ) {
    super(
      'LOCKED',
      `store directory ${path} is in use by process ${pid} on ${hostname}; ` +
        `stop that process or use another directory`,
    );
  }
}

export class MapFullError extends StoreError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('MAP_FULL', reason, options);
  }
}

/** A stored record could not be decoded; `key` names it (or `log@<revision>` when the key itself is unreadable). */
export class DecodeError extends StoreError {
  constructor(
    readonly key: string,
    readonly revision: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('DECODE', `cannot decode ${key} at revision ${revision}: ${reason}`, options);
  }
}

export class CommitFailedError extends StoreError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('COMMIT_FAILED', `commit failed: ${reason}`, options);
  }
}

export class WatcherFailedError extends StoreError {
  constructor(
    readonly watchId: number,
    cause: unknown,
  ) {
    super('WATCHER_FAILED', `watch ${watchId} callback threw; the watch is cancelled`, { cause });
  }
}

export class ClosedError extends StoreError {
  constructor() {
    super('CLOSED', 'the store is closed');
  }
}
