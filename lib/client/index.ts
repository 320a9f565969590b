// lib/client: one typed client (in-process and HTTP transports), informers, and a work queue.
export type { Client, ResourceRef, ObjectOf, NamespaceOption, ListOptions, WatchOptions, WriteOptions, DeleteOptions, WatchEvent, WatchHandlers, Watch, Transport, TransportWatchHandlers } from './types.js';
export { ApiClient, body, type ApiClientOptions } from './client.js';
export { ApiError, TransportError, isNotFound, isAlreadyExists, isConflict, isInvalid, isGone } from './errors.js';
export { InProcessTransport, type InProcessOptions, type Requester } from './in-process.js';
export { HttpTransport, type HttpTransportOptions } from './http.js';
export { realClock, ActorClock, type Clock, type TimerHandle, type ClientTimerMessage } from './clock.js';
export { FakeClock } from './fake-clock.js';
export { Informer, type InformerHandlers, type InformerOptions, type InformerStats } from './informer.js';
export { ObjectCache, keyOf, splitKey, type ReadonlyCache } from './object-cache.js';
export { trimForCache, stripManagedFields, ownStrings, ownString, type Transform } from './trim.js';
export { WorkQueue, type WorkQueueOptions } from './workqueue.js';
export { LeaderElector, electionSettings, LEADER_ELECTION_DEFAULTS, type LeaderElectionConfig, type LeaderElectionArgs, type LeaderCallbacks, type LeaderElectorStats, type ElectorState } from './leader-election.js';
