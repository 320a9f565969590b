/**
 * What every handler needs: the cache (reads), the store (writes), the
 * clock, the ClusterIP allocator, and the settings. One per api-server.
 */
import type { FieldValidation } from '../../lib/api/validation/unknown-fields.js';
import type { StoreClient } from '../store/client.js';
import type { WatchCache } from './cache.js';
import type { ClusterIpAllocator } from './ips.js';
import type { ListSnapshots } from './read.js';
import type { OwnWrites } from './own-writes.js';

export interface ServerContext {
  readonly cache: WatchCache;
  readonly store: StoreClient;
  readonly ips: ClusterIpAllocator;
  readonly snapshots: ListSnapshots;
  /** Writes in flight, so the cache recognizes their echoes on the watch. */
  readonly ownWrites: OwnWrites;
  /** Milliseconds, from the actor's injected clock. */
  now(): number;
  /** fieldValidation for writes that do not ask (ApiServerArgs.defaultFieldValidation); Warn when unset. */
  readonly defaultFieldValidation?: FieldValidation;
}
