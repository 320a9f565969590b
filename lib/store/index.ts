/**
 * The revisioned key-value store (etcd's role) on LMDB. The store actor
 * (actors/store/) wraps an LmdbStore; everything it needs is exported here.
 */
export * from './errors.js';
export type * from './types.js';
export { objectKey, resourcePrefix, prefixEnd, compareKeys, validateKey, CORE_GROUP, REGISTRY_ROOT } from './keys.js';
export {
  LmdbStore,
  openLmdbStore,
  DEFAULT_MAX_GROUP_OPS,
  DEFAULT_RETAIN_MS,
  DEFAULT_RETAIN_REVISIONS,
  type LmdbStoreOptions,
} from './lmdb-store.js';
export { LOCK_FILE } from './lock.js';
export { encodeForStore, decodeForStore, decodeWatchEvent, packWatchEvents, unpackWatchEvents } from './encoded.js';
export { decodeValue, ENCODING_MSGPACK, ENCODING_JSON } from './codec.js';
