/**
 * One entry point for every non-watch API call, shared by HTTP and the
 * in-process `api.call` message: resolve the resource and subresource from
 * the table, check the verb, run the handler, answer an ApiResponse (the
 * HTTP code and body; failures are Status bodies).
 */
import { hasSubresource, resourceFor, type ResourceDef, type SubresourceName } from '../../lib/api/resources/index.js';
import { badRequest, decodeError, methodNotSupported, notFound } from '../../lib/api/status.js';
import type { Status } from '../../lib/api/types/meta.js';
import type { ServerContext } from './context.js';
import { deleteCollection, deleteObject, deleteRequest, finalizeNamespace } from './delete.js';
import type { ApiRequest, ApiResponse, ApiVerb } from './messages.js';
import { failed, faultStatus, fromStatus, respond, type Outcome } from './objects.js';
import { patchObject } from './patch.js';
import { getObject, listObjects, type CachedList } from './read.js';
import { LazyItem } from './cached-object.js';
import type { TableMark } from '../../lib/client/records.js';
import { bind, evict, logs, scale, status } from './subresources.js';
import { createObject, updateObject, writeOptions } from './write.js';
import { fieldCheckOf, type FieldCheck } from './field-validation.js';

const NOT_FOUND_GENERIC: Status = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'the server could not find the requested resource',
  reason: 'NotFound',
  details: {},
  code: 404,
};

export interface Resolved {
  readonly def: ResourceDef;
  readonly subresource?: SubresourceName;
}

/** The table entry and subresource a request addresses, or 404/405. */
export function resolve(req: ApiRequest): Outcome<Resolved> {
  const def = resourceFor(req.group, req.version, req.resource);
  if (!def) return NOT_FOUND_GENERIC;
  if (req.subresource) {
    const name = req.subresource as SubresourceName;
    if (!hasSubresource(def, name) || !req.name) return NOT_FOUND_GENERIC;
    return { def, subresource: name };
  }
  if (!def.verbs.includes(req.verb)) return methodNotSupported({ group: def.group, resource: def.plural }, req.verb);
  return { def };
}

export interface HandleOptions {
  /** Answer a list's items as bytes (ApiResponse.encodedItems) when they can all be: an in-process caller decodes them; a TableMark is what it holds of the tables. */
  readonly encodedItems?: boolean | TableMark;
  /** Answer a list's items as LazyItems, decoded as the body is serialized (HTTP: the body never leaves this thread). */
  readonly lazyItems?: boolean;
}

/**
 * Not an async function: a create (createResponse) waits for the store
 * holding no frame of its own here, and a batch of 1,000 waits at once
 * (write.ts, createChecked).
 */
export function handle(ctx: ServerContext, req: ApiRequest, opts: HandleOptions = {}): Promise<ApiResponse> {
  try {
    const r = resolve(req);
    if (failed(r)) return Promise.resolve(fromStatus(r));
    const out = r.subresource ? subresource(ctx, r.def, r.subresource, req) : req.verb === 'create' ? createResponse(ctx, r.def, req) : main(ctx, r.def, req, opts);
    return out.then(undefined, (err: unknown) => errorResponse(req, err));
  } catch (err) {
    return Promise.resolve(errorResponse(req, err));
  }
}

function errorResponse(req: ApiRequest, err: unknown): ApiResponse {
  // Bodies are decoded without a schema, so a field of the wrong JSON type
  // (spec: 5) reaches defaulting or validation and throws a TypeError there.
  // Kubernetes' typed decoder refuses such a body with 400 before any
  // logic runs: answer the same, not 500.
  if (err instanceof TypeError && req.body !== undefined) {
    const def = resourceFor(req.group, req.version, req.resource);
    if (def) return fromStatus(decodeError(def.kind, def.version, err.message));
  }
  return fromStatus(faultStatus(err));
}

/** The response with the request's fieldValidation warnings (unknown and duplicate fields), if any. */
function warned(fields: FieldCheck, res: ApiResponse): ApiResponse {
  return fields.warnings.length > 0 ? { ...res, warnings: [...new Set(fields.warnings)] } : res;
}

function answer(code: number, out: Outcome<object>): ApiResponse {
  return failed(out) ? fromStatus(out) : respond(code, out as Record<string, unknown>);
}

/** A list from the cache, its items decoded, or as bytes or LazyItems when asked (and possible). */
function listResponse(ctx: ServerContext, out: Outcome<CachedList>, opts: HandleOptions): ApiResponse {
  if (failed(out)) return fromStatus(out);
  const codec = ctx.cache.codec;
  if (opts.lazyItems) return respond(200, { ...out, items: out.items.map((c) => new LazyItem(c, codec)) });
  if (opts.encodedItems && out.items.length > 0) {
    const parts: Buffer[] = [];
    for (const c of out.items) {
      const b = c.encoded(codec);
      if (!b) break;
      parts.push(b);
    }
    if (parts.length === out.items.length)
      return { code: 200, body: { ...out, items: [] }, encodedItems: codec.items(parts, opts.encodedItems === true ? undefined : opts.encodedItems) };
  }
  return respond(200, { ...out, items: out.items.map((c) => c.object(codec)) });
}

const NEEDS_NAME: ReadonlySet<ApiVerb> = new Set(['get', 'update', 'patch', 'delete']);
const NEEDS_NAMESPACE: ReadonlySet<ApiVerb> = new Set(['update', 'patch', 'delete']);

/** A create of the main resource: synchronous up to the store write, then one promise (no async frames). */
function createResponse(ctx: ServerContext, def: ResourceDef, req: ApiRequest): Promise<ApiResponse> {
  if (req.name) return Promise.resolve(fromStatus(methodNotSupported({ group: def.group, resource: def.plural }, 'create')));
  const q = req.query ?? {};
  const fields = fieldCheckOf(q.fieldValidation ?? ctx.defaultFieldValidation, 'create', req.duplicateFields);
  if (failed(fields)) return Promise.resolve(fromStatus(fields));
  const created = createObject(ctx, def, def.namespaced ? req.namespace : undefined, req.body, writeOptions(q, fields));
  return created instanceof Promise ? created.then((out) => warned(fields, answer(201, out))) : Promise.resolve(warned(fields, answer(201, created)));
}

async function main(ctx: ServerContext, def: ResourceDef, req: ApiRequest, opts: HandleOptions): Promise<ApiResponse> {
  const q = req.query ?? {};
  const ns = def.namespaced ? req.namespace : undefined;
  const name = req.name ?? '';
  if (!name && NEEDS_NAME.has(req.verb)) return fromStatus(NOT_FOUND_GENERIC);
  if (def.namespaced && !ns && NEEDS_NAMESPACE.has(req.verb)) return fromStatus(NOT_FOUND_GENERIC);
  switch (req.verb) {
    case 'get':
      return answer(200, getObject(ctx, def, ns, name));
    case 'list':
      return listResponse(ctx, await listObjects(ctx, def, ns, q), opts);
    case 'create':
      return createResponse(ctx, def, req);
    case 'update': {
      const fields = fieldCheckOf(q.fieldValidation ?? ctx.defaultFieldValidation, 'update', req.duplicateFields);
      if (failed(fields)) return fromStatus(fields);
      return warned(fields, answer(200, await updateObject(ctx, def, ns, name, req.body, { ...writeOptions(q), fields })));
    }
    case 'patch': {
      if (!req.patchType) return fromStatus(badRequest('a patch type is required'));
      const fields = fieldCheckOf(q.fieldValidation ?? ctx.defaultFieldValidation, 'patch', req.duplicateFields);
      if (failed(fields)) return fromStatus(fields);
      const r = await patchObject(ctx, def, ns, name, req.patchType, req.body, { ...writeOptions(q), force: q.force === 'true', fields });
      return warned(fields, failed(r) ? fromStatus(r) : respond(r.created ? 201 : 200, r.object));
    }
    case 'delete': {
      const opts = deleteRequest(req.body, q);
      if (failed(opts)) return fromStatus(opts);
      return answer(200, await deleteObject(ctx, def, ns, name, opts));
    }
    case 'deletecollection': {
      const opts = deleteRequest(req.body, q);
      if (failed(opts)) return fromStatus(opts);
      return answer(200, await deleteCollection(ctx, def, ns, q, opts));
    }
    case 'watch':
      return fromStatus(badRequest('watch is served as a stream: use api.watch or HTTP'));
    default: {
      const never: never = req.verb;
      return fromStatus(badRequest(`unknown verb ${String(never)}`));
    }
  }
}

async function subresource(ctx: ServerContext, def: ResourceDef, sub: SubresourceName, req: ApiRequest): Promise<ApiResponse> {
  const q = req.query ?? {};
  const ns = def.namespaced ? req.namespace : undefined;
  const name = req.name!;
  const opts = writeOptions(q);
  const unsupported = (): ApiResponse => fromStatus(methodNotSupported({ group: def.group, resource: `${def.plural}/${sub}` }, req.verb));
  switch (sub) {
    case 'status': {
      if (req.verb === 'get') return answer(200, getObject(ctx, def, ns, name));
      if (req.verb !== 'update' && !(req.verb === 'patch' && req.patchType)) return unsupported();
      const fields = fieldCheckOf(q.fieldValidation ?? ctx.defaultFieldValidation, req.verb, req.duplicateFields);
      if (failed(fields)) return fromStatus(fields);
      if (req.verb === 'update') return warned(fields, answer(200, await status(ctx, def, ns, name, req.body, { ...opts, fields })));
      const r = await patchObject(ctx, def, ns, name, req.patchType!, req.body, { ...opts, force: q.force === 'true', subresource: 'status', fields });
      return warned(fields, failed(r) ? fromStatus(r) : respond(200, r.object));
    }
    case 'scale':
      if (req.verb === 'get') return answer(200, await scale(ctx, def, ns, name, { verb: 'get' }, opts));
      if (req.verb === 'update') return answer(200, await scale(ctx, def, ns, name, { verb: 'update', body: req.body }, opts));
      if (req.verb === 'patch' && req.patchType) return answer(200, await scale(ctx, def, ns, name, { verb: 'patch', type: req.patchType, patch: req.body }, opts));
      return unsupported();
    case 'binding':
      if (req.verb !== 'create') return unsupported();
      return answer(201, await bind(ctx, def, ns, name, req.body, opts));
    case 'eviction':
      if (req.verb !== 'create') return unsupported();
      return answer(201, await evict(ctx, def, ns, name, req.body, q));
    case 'finalize':
      if (req.verb !== 'update') return unsupported();
      return answer(200, await finalizeNamespace(ctx, name, req.body, opts));
    case 'log':
      if (req.verb !== 'get') return unsupported();
      return logs(ctx, ns, name, q);
    default: {
      const never: never = sub;
      return fromStatus(notFound({ group: def.group, resource: def.plural }, String(never)));
    }
  }
}
