/**
 * The client's vocabulary: which resource a call addresses, the options of
 * each verb, and the transport underneath. One `Client` interface serves
 * every component; a `Transport` (in-process actor messages, or HTTP) only
 * moves an `ApiRequest` to the api-server and its `ApiResponse` back, so
 * both transports give the same answers to the same calls.
 */
import type { ApiRequest, ApiResponse, PatchType, WatchEventOut } from '../../actors/api-server/messages.js';
import type { KubeObject, List, Status } from '../api/types/meta.js';

export type { ApiRequest, ApiResponse, PatchType };

/**
 * The part of a resource-table entry a call needs; any `ResourceDef` from
 * lib/api/resources fits (`client.get(pods, 'web-0', { namespace })`).
 * `T` is the object type the resource serves.
 */
export interface ResourceRef<T extends KubeObject = KubeObject> {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Present on resource-table entries; here it only carries the object type `T` for inference. */
  defaults?(obj: T): T;
}

/** The object type a ResourceRef serves. */
export type ObjectOf<R> = R extends ResourceRef<infer T> ? T : KubeObject;

export interface NamespaceOption {
  /** Required for namespaced resources, except for list and watch (all namespaces when absent). */
  readonly namespace?: string;
}

export interface ListOptions extends NamespaceOption {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
}

export interface WatchOptions extends NamespaceOption {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Start after this revision; absent or "0": an ADDED for every current object first. */
  readonly resourceVersion?: string;
  readonly allowWatchBookmarks?: boolean;
  readonly timeoutSeconds?: number;
}

export interface WriteOptions extends NamespaceOption {
  readonly fieldManager?: string;
  readonly dryRun?: boolean;
  /** Server-side apply: take ownership of conflicting fields. */
  readonly force?: boolean;
  /** What the server does with unknown or duplicate fields: refuse (Strict), drop them with a warning (Warn, the default, as in Kubernetes), or drop them silently (Ignore). */
  readonly fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface DeleteOptions extends NamespaceOption {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly dryRun?: boolean;
}

export type WatchEvent<T extends KubeObject = KubeObject> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly object: KubeObject }
  | { readonly type: 'ERROR'; readonly object: Status };

export interface WatchHandlers<T extends KubeObject = KubeObject> {
  /** Events in server order, in the batches they arrived in. */
  onEvents(events: readonly WatchEvent<T>[]): void;
  /**
   * The stream ended without `stop()`: the server closed it, the connection
   * dropped, or the server went away. Watch again from the last
   * resourceVersion seen (a 410 then means: list again).
   */
  onEnded?(reason: Error): void;
}

/** A running watch. */
export interface Watch {
  stop(): void;
}

/** One typed client for every resource; failures reject with ApiError (lib/client/errors.ts). */
export interface Client {
  get<T extends KubeObject>(r: ResourceRef<T>, name: string, opts?: NamespaceOption): Promise<T>;
  list<T extends KubeObject>(r: ResourceRef<T>, opts?: ListOptions): Promise<List<T>>;
  create<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts?: WriteOptions): Promise<T>;
  /** PUT; namespace and name from the object (a resourceVersion in it is the precondition). */
  update<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts?: WriteOptions): Promise<T>;
  /** PUT of the status subresource. */
  updateStatus<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(r: ResourceRef<T>, name: string, type: PatchType, patch: unknown, opts?: WriteOptions & { readonly subresource?: 'status' }): Promise<T>;
  /** The object as the server answered: the deleted object, or the object marked for graceful deletion. */
  delete<T extends KubeObject>(r: ResourceRef<T>, name: string, opts?: DeleteOptions): Promise<T | Status>;
  /** Resolves once the server accepted the watch; rejects with ApiError (410 Gone when resourceVersion is too old). */
  watch<T extends KubeObject>(r: ResourceRef<T>, opts: WatchOptions, handlers: WatchHandlers<T>): Promise<Watch>;
}

export interface TransportWatchHandlers {
  onEvents(events: readonly WatchEventOut[]): void;
  onEnded(reason: Error): void;
}

export interface BatchOptions {
  readonly brief?: boolean;
}

/** What a brief batch answers for a written object: enough to address it and to update it. */
export interface BriefObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly uid?: string; readonly resourceVersion?: string };
}

/** Moves requests to one api-server. */
export interface Transport {
  call(request: ApiRequest): Promise<ApiResponse>;
  /**
   * Many calls in one round trip where the transport can (in-process: one
   * `api.batch` message). With `brief`, a 2xx body carries only apiVersion,
   * kind and metadata name, namespace, uid and resourceVersion (BriefObject).
   */
  batch(requests: readonly ApiRequest[], options?: BatchOptions): Promise<ApiResponse[]>;
  /** Rejects with ApiError when the server refuses the watch. */
  watch(request: ApiRequest, handlers: TransportWatchHandlers): Promise<Watch>;
  close(): void;
}
