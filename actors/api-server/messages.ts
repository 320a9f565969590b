/**
 * The api-server actor's protocol: its arguments, and the `api.*` requests
 * that in-cluster actors send instead of HTTP (lib/client's in-process
 * transport). Every request is answered with an `ApiResponse`: the HTTP code
 * and the body (an object, a list, or a `Status` on failure), exactly what
 * the HTTP front end would have sent.
 */
import type { KubeObject, Status } from '../../lib/api/types/meta.js';
import type { FieldValidation } from '../../lib/api/validation/unknown-fields.js';
import type { TableMark } from '../../lib/client/records.js';

export const API_SERVER_ADDRESS = 'api-server';

export interface ApiServerArgs {
  /** Address to bind; default 127.0.0.1. Anything but loopback requires `tokens`. */
  readonly host?: string;
  /** Port; default 6443; 0 picks a free port (tests). Null: no HTTP at all (in-process only). */
  readonly port?: number | null;
  /** Accepted bearer tokens (the contents of --token-file, one per line). Required off loopback. */
  readonly tokens?: readonly string[];
  /** TLS certificate and key file paths; both or neither. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** Request bodies larger than this get 413. Default 3 MiB. */
  readonly maxBodyBytes?: number;
  /** Non-watch requests in flight beyond this get 429. Default 400. */
  readonly maxInFlight?: number;
  /** An HTTP watch client with more than this many bytes unread is dropped with a 410 ERROR event. Default 16 MiB. */
  readonly maxWatchBufferBytes?: number;
  /** Watch events the cache keeps for replay; older resourceVersions get 410. Default 10,000. */
  readonly watchWindow?: number;
  /** The service ClusterIP range (CIDR inside 127.0.0.0/8). Default 127.1.0.0/16. */
  readonly serviceCidr?: string;
  /** Interval of watch bookmarks (when asked for). Default 10 s. */
  readonly bookmarkIntervalMs?: number;
  /** The store actor's address; default 'store'. */
  readonly storeAddress?: string;
  /** Generated names (generateName) from this seed instead of at random, so a scenario run repeats. */
  readonly nameSeed?: number;
  /**
   * fieldValidation for writes that do not give one (in-process actors, most clients).
   * Default Warn, as Kubernetes: unknown fields are dropped. Tests set Strict so that a
   * field the schema lacks fails the write instead of vanishing.
   */
  readonly defaultFieldValidation?: FieldValidation;
}

export type ApiVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** Query parameters the handlers understand (strings as on the URL). */
export interface ApiQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: string;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: string;
  allowWatchBookmarks?: string;
  sendInitialEvents?: string;
  fieldManager?: string;
  fieldValidation?: string;
  force?: string;
  dryRun?: string;
  gracePeriodSeconds?: string;
  propagationPolicy?: string;
  /** Logs (placeholder until nodes land). */
  container?: string;
  follow?: string;
  tailLines?: string;
}

/** One API call, the same for HTTP and in-process callers. */
export interface ApiRequest {
  readonly verb: ApiVerb;
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** The plural, as in the URL. */
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly body?: unknown;
  readonly patchType?: PatchType;
  readonly query?: ApiQuery;
  /** Keys repeated in the body's JSON text (the HTTP decoder finds them; fieldValidation decides what they mean). */
  readonly duplicateFields?: readonly string[];
}

/** The answer: an HTTP code and a JSON body (object, list or Status). */
export interface ApiResponse {
  readonly code: number;
  readonly body: KubeObject | Status | Record<string, unknown>;
  /** Plain text bodies (logs). */
  readonly text?: string;
  /** Warnings for the caller (HTTP: one `Warning: 299 - "..."` header each), e.g. `unknown field "spec.replica"`. */
  readonly warnings?: readonly string[];
  /**
   * Only for an `api.call` list with `listItems: 'encoded'`: the list's items
   * as bytes (body.items is then empty); the in-process transport decodes
   * them and hands callers the ordinary body.
   */
  readonly encodedItems?: EncodedItems;
}

/** List items in the records encoding (lib/client/records.ts), concatenated. */
export interface EncodedItems {
  /** The tables' identity (one per api-server run). */
  readonly table: string;
  /** Table entries from these indexes on, which the receiver lacked (it said what it had: TableMark). */
  readonly stringsFrom: number;
  readonly strings: string[];
  readonly structuresFrom: number;
  readonly structures: string[][];
  readonly count: number;
  readonly bytes: Uint8Array;
}

export interface WatchEventOut {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: unknown;
}

export type ApiRequestMessage =
  /** Reply: `{ host, port, url }` of the HTTP listener (port null when HTTP is off). */
  | { type: 'api.address' }
  /** Reply: ApiResponse. get/list/create/update/patch/delete/deletecollection. */
  | {
      type: 'api.call';
      request: ApiRequest;
      /** For lists: 'encoded' asks for the items as bytes (ApiResponse.encodedItems), which the caller decodes. */
      listItems?: 'encoded';
      /** With 'encoded': the tables the caller already holds, which the reply then leaves out. */
      known?: TableMark;
    }
  /**
   * Reply: ApiResponse[], one per request in order. Many calls in one
   * message (the per-message cost between threads dominates small calls);
   * they run concurrently through the same handlers as api.call, so their
   * store writes reach the store together and commit together.
   */
  | {
      type: 'api.batch';
      requests: ApiRequest[];
      /** Answer 2xx bodies briefly: apiVersion, kind, metadata name/namespace/uid/resourceVersion (brief.ts). */
      brief?: boolean;
    }
  /**
   * Start a watch (request.verb 'watch'); reply: ApiResponse (200 with
   * `{ watchId }` once registered, or a failure Status such as 410).
   * Events follow as `api.watch-events` messages to the sender.
   */
  | {
      type: 'api.watch';
      watchId: string;
      request: ApiRequest;
      /** Send event objects as bytes (EncodedItems, each object encoded once for all watchers) when they can be. */
      encoded?: boolean;
      /** With `encoded`: the tables the watcher already holds, which its first events then leave out. */
      known?: TableMark;
    }
  | { type: 'api.unwatch'; watchId: string }
  /**
   * Reply: counters for tests and introspection. `collect`: run a full GC
   * first when the process exposes one (node --expose-gc), so the heap
   * figures count only what is still held (benchmarks).
   */
  | { type: 'api.stats'; collect?: boolean };

/** Sent by the api-server to an in-process watcher. */
export type ApiNotice =
  | {
      type: 'api.watch-events';
      watchId: string;
      /** Empty when `encoded` carries the events. */
      events: WatchEventOut[];
      encoded?: { readonly types: readonly WatchEventOut['type'][]; readonly items: EncodedItems };
    }
  /** The watch ended (the server stopped, or the watcher fell too far behind): list and watch again. */
  | { type: 'api.watch-ended'; watchId: string; status: Status };

export interface ApiAddress {
  readonly host: string;
  readonly port: number | null;
  readonly url: string | null;
}

export interface ApiStats {
  readonly revision: number;
  readonly objects: number;
  readonly watchers: number;
  readonly oldestWatchRevision: number;
  /** This thread's V8 heap in use, and the ArrayBuffer bytes it holds outside it. */
  readonly heapUsedBytes: number;
  readonly arrayBufferBytes: number;
}
