/**
 * `ApiClient`: the typed Client over any Transport. It turns each call into
 * the api-server's `ApiRequest` (the same shape HTTP routes to), and each
 * answer into the object, or an ApiError carrying the Status.
 */
import type { ApiQuery, ApiRequest, ApiResponse, ApiVerb, PatchType } from '../../actors/api-server/messages.js';
import type { KubeObject, List, Status } from '../api/types/meta.js';
import { ApiError, statusFromBody } from './errors.js';
import type { BriefObject, Client, DeleteOptions, ListOptions, NamespaceOption, ResourceRef, Transport, Watch, WatchEvent, WatchHandlers, WatchOptions, WriteOptions } from './types.js';

export interface ApiClientOptions {
  /** The field manager of writes that name none (HTTP would otherwise use the user agent; in-process, none). */
  readonly fieldManager?: string;
}

export class ApiClient implements Client {
  constructor(
    readonly transport: Transport,
    private readonly options: ApiClientOptions = {},
  ) {}

  async get<T extends KubeObject>(r: ResourceRef<T>, name: string, opts: NamespaceOption = {}): Promise<T> {
    return body<T>(await this.transport.call(request(r, 'get', opts.namespace, { name })));
  }

  async list<T extends KubeObject>(r: ResourceRef<T>, opts: ListOptions = {}): Promise<List<T>> {
    return body<List<T>>(await this.transport.call(listRequest(r, opts)));
  }

  async create<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return body<T>(await this.transport.call(createRequest(r, obj, this.w(opts))));
  }

  /** Many creates in one round trip (in-process: one `api.batch`); each answer is the object or its ApiError. */
  async createMany<T extends KubeObject>(r: ResourceRef<T>, objs: readonly T[], opts: WriteOptions = {}): Promise<(T | ApiError)[]> {
    const out = await this.transport.batch(objs.map((o) => createRequest(r, o, this.w(opts))));
    return out.map((res) => (res.code >= 200 && res.code < 300 ? (res.body as T) : new ApiError(statusFromBody(res.code, res.body))));
  }

  /**
   * createMany answered briefly: each created object as apiVersion, kind and
   * metadata name/namespace/uid/resourceVersion (or its ApiError). For bulk
   * writers that do not need the stored objects back.
   */
  async createManyBrief<T extends KubeObject>(r: ResourceRef<T>, objs: readonly T[], opts: WriteOptions = {}): Promise<(BriefObject | ApiError)[]> {
    const out = await this.transport.batch(
      objs.map((o) => createRequest(r, o, this.w(opts))),
      { brief: true },
    );
    return out.map((res) => (res.code >= 200 && res.code < 300 ? (res.body as BriefObject) : new ApiError(statusFromBody(res.code, res.body))));
  }

  async update<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return body<T>(await this.transport.call(request(r, 'update', opts.namespace ?? obj.metadata.namespace, { name: obj.metadata.name, body: obj, query: writeQuery(this.w(opts)) })));
  }

  async updateStatus<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    const ns = opts.namespace ?? obj.metadata.namespace;
    return body<T>(await this.transport.call(request(r, 'update', ns, { name: obj.metadata.name, subresource: 'status', body: obj, query: writeQuery(this.w(opts)) })));
  }

  async patch<T extends KubeObject>(r: ResourceRef<T>, name: string, type: PatchType, patch: unknown, opts: WriteOptions & { readonly subresource?: 'status' } = {}): Promise<T> {
    if (type === 'apply' && !opts.fieldManager && !this.options.fieldManager) throw new TypeError('server-side apply needs a fieldManager');
    return body<T>(await this.transport.call(request(r, 'patch', opts.namespace, { name, subresource: opts.subresource, body: patch, patchType: type, query: writeQuery(this.w(opts)) })));
  }

  async delete<T extends KubeObject>(r: ResourceRef<T>, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const query: ApiQuery = {};
    if (opts.gracePeriodSeconds !== undefined) query.gracePeriodSeconds = String(opts.gracePeriodSeconds);
    if (opts.propagationPolicy) query.propagationPolicy = opts.propagationPolicy;
    if (opts.dryRun) query.dryRun = 'All';
    return body<T | Status>(await this.transport.call(request(r, 'delete', opts.namespace, { name, query })));
  }

  private w(opts: WriteOptions): WriteOptions {
    return opts.fieldManager || !this.options.fieldManager ? opts : { ...opts, fieldManager: this.options.fieldManager };
  }

  watch<T extends KubeObject>(r: ResourceRef<T>, opts: WatchOptions, handlers: WatchHandlers<T>): Promise<Watch> {
    const query: ApiQuery = { ...selectors(opts) };
    if (opts.resourceVersion !== undefined) query.resourceVersion = opts.resourceVersion;
    if (opts.allowWatchBookmarks) query.allowWatchBookmarks = 'true';
    if (opts.timeoutSeconds !== undefined) query.timeoutSeconds = String(opts.timeoutSeconds);
    return this.transport.watch(request(r, 'watch', opts.namespace, { query }), {
      onEvents: (events) => handlers.onEvents(events as readonly WatchEvent<T>[]),
      onEnded: (reason) => handlers.onEnded?.(reason),
    });
  }
}

/** The answer's body on 2xx; otherwise throws ApiError with the Status. */
export function body<T>(res: ApiResponse): T {
  if (res.code >= 200 && res.code < 300) return res.body as T;
  throw new ApiError(statusFromBody(res.code, res.body));
}

function request(r: ResourceRef, verb: ApiVerb, namespace: string | undefined, rest: Partial<ApiRequest> = {}): ApiRequest {
  const req: ApiRequest = { verb, group: r.group, version: r.version, resource: r.plural, ...rest };
  return r.namespaced && namespace ? { ...req, namespace } : req;
}

export function listRequest(r: ResourceRef, opts: ListOptions): ApiRequest {
  const query: ApiQuery = { ...selectors(opts) };
  if (opts.limit !== undefined) query.limit = String(opts.limit);
  if (opts.continue) query.continue = opts.continue;
  if (opts.resourceVersion !== undefined) query.resourceVersion = opts.resourceVersion;
  return request(r, 'list', opts.namespace, { query });
}

export function createRequest(r: ResourceRef, obj: KubeObject, opts: WriteOptions): ApiRequest {
  return request(r, 'create', opts.namespace ?? obj.metadata.namespace, { body: obj, query: writeQuery(opts) });
}

function selectors(opts: { labelSelector?: string; fieldSelector?: string }): ApiQuery {
  const q: ApiQuery = {};
  if (opts.labelSelector) q.labelSelector = opts.labelSelector;
  if (opts.fieldSelector) q.fieldSelector = opts.fieldSelector;
  return q;
}

function writeQuery(opts: WriteOptions): ApiQuery {
  const q: ApiQuery = {};
  if (opts.fieldManager) q.fieldManager = opts.fieldManager;
  if (opts.dryRun) q.dryRun = 'All';
  if (opts.force) q.force = 'true';
  return q;
}
