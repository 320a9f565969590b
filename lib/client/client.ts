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
  /**
   * Called with each warning the server sends with a successful answer
   * (client-go's WarningHandler; kubectl prints them as `Warning: ...`), for
   * example `unknown field "spec.replica"` under fieldValidation Warn.
   * Without it, warnings are dropped.
   */
  readonly onWarning?: (warning: string, request: ApiRequest) => void;
}

/** Pods, for their eviction subresource (the resource table is not needed for one reference). */
const POD_REF: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true };

export class ApiClient implements Client {
  constructor(
    readonly transport: Transport,
    private readonly options: ApiClientOptions = {},
  ) {}

  async get<T extends KubeObject>(r: ResourceRef<T>, name: string, opts: NamespaceOption = {}): Promise<T> {
    return this.answer<T>(request(r, 'get', opts.namespace, { name }));
  }

  async list<T extends KubeObject>(r: ResourceRef<T>, opts: ListOptions = {}): Promise<List<T>> {
    return this.answer<List<T>>(listRequest(r, opts));
  }

  async create<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.answer<T>(createRequest(r, obj, this.w(opts)));
  }

  /** Many creates in one round trip (in-process: one `api.batch`); each answer is the object or its ApiError. */
  async createMany<T extends KubeObject>(r: ResourceRef<T>, objs: readonly T[], opts: WriteOptions = {}): Promise<(T | ApiError)[]> {
    const requests = objs.map((o) => createRequest(r, o, this.w(opts)));
    const out = await this.transport.batch(requests);
    out.forEach((res, i) => this.warn(res, requests[i]!));
    return out.map((res) => (res.code >= 200 && res.code < 300 ? (res.body as T) : new ApiError(statusFromBody(res.code, res.body))));
  }

  /**
   * createMany answered briefly: each created object as apiVersion, kind and
   * metadata name/namespace/uid/resourceVersion (or its ApiError). For bulk
   * writers that do not need the stored objects back.
   */
  async createManyBrief<T extends KubeObject>(r: ResourceRef<T>, objs: readonly T[], opts: WriteOptions = {}): Promise<(BriefObject | ApiError)[]> {
    const requests = objs.map((o) => createRequest(r, o, this.w(opts)));
    const out = await this.transport.batch(requests, { brief: true });
    out.forEach((res, i) => this.warn(res, requests[i]!));
    return out.map((res) => (res.code >= 200 && res.code < 300 ? (res.body as BriefObject) : new ApiError(statusFromBody(res.code, res.body))));
  }

  async update<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.answer<T>(request(r, 'update', opts.namespace ?? obj.metadata.namespace, { name: obj.metadata.name, body: obj, query: writeQuery(this.w(opts)) }));
  }

  async updateStatus<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    const ns = opts.namespace ?? obj.metadata.namespace;
    return this.answer<T>(request(r, 'update', ns, { name: obj.metadata.name, subresource: 'status', body: obj, query: writeQuery(this.w(opts)) }));
  }

  async patch<T extends KubeObject>(r: ResourceRef<T>, name: string, type: PatchType, patch: unknown, opts: WriteOptions & { readonly subresource?: 'status' } = {}): Promise<T> {
    if (type === 'apply' && !opts.fieldManager && !this.options.fieldManager) throw new TypeError('server-side apply needs a fieldManager');
    return this.answer<T>(request(r, 'patch', opts.namespace, { name, subresource: opts.subresource, body: patch, patchType: type, query: writeQuery(this.w(opts)) }));
  }

  async delete<T extends KubeObject>(r: ResourceRef<T>, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const query: ApiQuery = {};
    if (opts.gracePeriodSeconds !== undefined) query.gracePeriodSeconds = String(opts.gracePeriodSeconds);
    if (opts.propagationPolicy) query.propagationPolicy = opts.propagationPolicy;
    if (opts.dryRun) query.dryRun = 'All';
    return this.answer<T | Status>(request(r, 'delete', opts.namespace, { name, query }));
  }

  /**
   * POST pods/<name>/eviction: the pod is deleted if its PodDisruptionBudget
   * allows it now (as `kubectl drain` asks); otherwise ApiError 429
   * TooManyRequests, with the budget's reason in the Status's causes.
   */
  async evict(name: string, opts: Pick<DeleteOptions, 'namespace' | 'gracePeriodSeconds' | 'dryRun'> = {}): Promise<Status> {
    const deleteOptions: Record<string, unknown> = {};
    if (opts.gracePeriodSeconds !== undefined) deleteOptions.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.dryRun) deleteOptions.dryRun = ['All'];
    const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, ...(opts.namespace ? { namespace: opts.namespace } : {}) }, deleteOptions };
    return this.answer<Status>(request(POD_REF, 'create', opts.namespace, { name, subresource: 'eviction', body }));
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

  /** One call: its body on 2xx (after the server's warnings go to onWarning), or ApiError. */
  private async answer<T>(req: ApiRequest): Promise<T> {
    const res = await this.transport.call(req);
    this.warn(res, req);
    return body<T>(res);
  }

  private warn(res: ApiResponse, req: ApiRequest): void {
    if (res.warnings === undefined || this.options.onWarning === undefined || res.code < 200 || res.code >= 300) return;
    for (const w of res.warnings) this.options.onWarning(w, req);
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
  if (opts.fieldValidation) q.fieldValidation = opts.fieldValidation;
  return q;
}
