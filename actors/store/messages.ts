/**
 * The store actor's protocol. Requests carry many operations each (one
 * message, one commit share, one reply), because per-message cost between
 * threads dominates: see ../../shared/notes/libraries-on-node20.md.
 */
import type { KeyValue, RangeRequest, RangeResult, StoreStats, WriteOp, WriteResult } from '../../lib/store/index.js';
import type { BriefResults } from '../../lib/store/op-batch.js';

export const STORE_ADDRESS = 'store';

export type StoreRequest =
  /**
   * Reply: WriteResult[], one per op, sent once the commit is durable. With
   * `brief`, successful results leave out `value` (the writer has the object
   * and now its revision; the watch carries the stored copy): sending every
   * object back was a third of the store thread's time.
   *
   * Ops may carry `encoded` (encodeForStore, on the sender's thread) instead
   * of `value`: the store then copies bytes and never decodes the object
   * (with `brief`, not even for the reply). A malformed `encoded` fails the
   * whole message with INVALID_ARGUMENT.
   */
  | { type: 'store.write'; ops: WriteOp[]; brief?: boolean }
  /**
   * The same, with the ops packed into one byte string (lib/store/op-batch.ts):
   * what StoreClient sends when every op is a delete or carries `encoded`. A
   * malformed batch fails the whole message with INVALID_ARGUMENT. Reply:
   * with `brief`, BriefResults (expandBriefResults rebuilds the WriteResults
   * from the ops); without, WriteResult[].
   */
  | { type: 'store.write-batch'; batch: Uint8Array; brief?: boolean }
  /** Reply: KeyValue or null. */
  | { type: 'store.get'; key: string }
  /** Reply: RangeResult. */
  | { type: 'store.range'; request: RangeRequest }
  /** Reply: number of keys under the prefix. */
  | { type: 'store.count'; prefix: string }
  /**
   * Start (or replace) the sender's watch `watchId`; reply `{ revision }` when
   * registered. Events follow as `store.events` messages to the sender; a
   * watch that ends (compacted, store closing) ends with `store.watch-ended`.
   * StoreClient.handleNotice decodes the events on the watcher's thread.
   */
  | { type: 'store.watch'; watchId: string; prefix: string; sinceRevision?: number }
  | { type: 'store.unwatch'; watchId: string }
  | { type: 'store.compact'; revision: number }
  | { type: 'store.stats' };

export type StoreReply = {
  'store.write': WriteResult[];
  'store.write-batch': BriefResults | WriteResult[];
  'store.get': KeyValue | null;
  'store.range': RangeResult;
  'store.count': number;
  'store.watch': { revision: number };
  'store.unwatch': null;
  'store.compact': null;
  'store.stats': StoreStats;
};

/**
 * Sent by the store to a watcher. `store.events`: the matching events of one
 * commit (or replay chunk; a commit over MAX_EVENTS_BYTES is split) as one
 * batch: msgpack of EncodedWatchEvent[] (unpackWatchEvents), values as stored
 * bytes (decodeWatchEvent). StoreClient.handleNotice does both.
 */
export type StoreNotice =
  | { type: 'store.events'; watchId: string; batch: Uint8Array }
  | { type: 'store.watch-ended'; watchId: string; code: string; message: string };

export interface StoreActorArgs {
  /** The data directory (LMDB and the lock file). */
  readonly path: string;
  readonly retainRevisions?: number;
  readonly retainMs?: number;
  readonly mapSize?: number;
  readonly maxMapSize?: number;
  /** Most ops in one group commit (lmdb-store.ts); the default is the store's. */
  readonly maxGroupOps?: number;
}
