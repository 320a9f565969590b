/**
 * An ApiRequest as the Kubernetes REST dialect spells it: method, path,
 * query string, and the content type of the body (the inverse of the
 * api-server's router).
 */
import type { ApiQuery, ApiRequest, PatchType } from '../../actors/api-server/messages.js';

export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query string. */
  readonly path: string;
  readonly contentType?: string;
}

export function httpCallOf(req: ApiRequest): HttpCall {
  let path = req.group === '' ? `/api/${req.version}` : `/apis/${req.group}/${req.version}`;
  if (req.namespace) path += `/namespaces/${encodeURIComponent(req.namespace)}`;
  path += `/${req.resource}`;
  if (req.name) path += `/${encodeURIComponent(req.name)}`;
  if (req.subresource) path += `/${req.subresource}`;
  const params = new URLSearchParams();
  if (req.verb === 'watch') params.set('watch', 'true');
  for (const [k, v] of Object.entries(req.query ?? {}) as [keyof ApiQuery, string | undefined][]) if (v !== undefined) params.set(k, v);
  const qs = params.toString();
  if (qs) path += `?${qs}`;
  switch (req.verb) {
    case 'get':
    case 'list':
    case 'watch':
      return { method: 'GET', path };
    case 'create':
      return { method: 'POST', path, contentType: 'application/json' };
    case 'update':
      return { method: 'PUT', path, contentType: 'application/json' };
    case 'patch':
      return { method: 'PATCH', path, contentType: PATCH_CONTENT_TYPES[req.patchType ?? 'merge'] };
    case 'delete':
    case 'deletecollection':
      return { method: 'DELETE', path, contentType: 'application/json' };
    default: {
      const never: never = req.verb;
      throw new TypeError(`unknown verb ${String(never)}`);
    }
  }
}
