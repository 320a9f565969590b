/**
 * URL path -> what it addresses: a resource request (group, version,
 * plural, namespace, name, subresource) or a non-resource endpoint
 * (discovery, version, health, metrics, OpenAPI). The resource table
 * decides which path segments are resources.
 */
import { resourceFor } from '../../../lib/api/resources/index.js';

export interface ResourcePath {
  readonly kind: 'resource';
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

export type Route =
  | ResourcePath
  | { readonly kind: 'api' }
  | { readonly kind: 'apis' }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'groupVersion'; readonly group: string; readonly version: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'health'; readonly check: string }
  | { readonly kind: 'metrics' }
  /** /apis/berth.dev/v1/explain/namespaces/NS/pods/NAME: the scheduler's explanation (berth-routes.ts). */
  | { readonly kind: 'explain'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'openapi-v3'; readonly path: string }
  | { readonly kind: 'openapi-v2' }
  | { readonly kind: 'not-found' };

export function route(pathname: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '').map(safeDecode);
  if (parts.some((p) => p === undefined)) return { kind: 'not-found' };
  const seg = parts as string[];
  const [first, ...rest] = seg;
  switch (first) {
    case 'api':
      if (rest.length === 0) return { kind: 'api' };
      if (rest.length === 1) return { kind: 'groupVersion', group: '', version: rest[0]! };
      return resourcePath('', rest[0]!, rest.slice(1));
    case 'apis':
      if (rest.length === 0) return { kind: 'apis' };
      if (rest[0] === 'berth.dev' && rest[1] === 'v1' && rest[2] === 'explain') {
        return rest.length === 7 && rest[3] === 'namespaces' && rest[5] === 'pods' ? { kind: 'explain', namespace: rest[4]!, name: rest[6]! } : { kind: 'not-found' };
      }
      if (rest.length === 1) return { kind: 'group', group: rest[0]! };
      if (rest.length === 2) return { kind: 'groupVersion', group: rest[0]!, version: rest[1]! };
      return resourcePath(rest[0]!, rest[1]!, rest.slice(2));
    case 'version':
      return rest.length === 0 ? { kind: 'version' } : { kind: 'not-found' };
    case 'healthz':
    case 'livez':
    case 'readyz':
      return { kind: 'health', check: [first, ...rest].join('/') };
    case 'metrics':
      return rest.length === 0 ? { kind: 'metrics' } : { kind: 'not-found' };
    case 'openapi':
      if (rest[0] === 'v3') return { kind: 'openapi-v3', path: rest.slice(1).join('/') };
      if (rest[0] === 'v2' && rest.length === 1) return { kind: 'openapi-v2' };
      return { kind: 'not-found' };
    default:
      return { kind: 'not-found' };
  }
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** After /api/v1 or /apis/g/v: [ns-prefix] plural [name [subresource]]. */
function resourcePath(group: string, version: string, p: string[]): Route {
  const base = { kind: 'resource' as const, group, version };
  if (p[0] === 'namespaces' && p.length >= 3) {
    const ns = p[1]!;
    const third = p[2]!;
    const def = resourceFor(group, version, third);
    // /namespaces/<ns>/<plural>...: a namespaced resource inside <ns>.
    if (def?.namespaced) {
      if (p.length > 5) return { kind: 'not-found' };
      return { ...base, resource: third, namespace: ns, name: p[3], subresource: p[4] };
    }
    // /namespaces/<name>/<subresource> (status, finalize).
    if (group === '' && p.length === 3) return { ...base, resource: 'namespaces', name: ns, subresource: third };
    return { kind: 'not-found' };
  }
  if (p.length > 3) return { kind: 'not-found' };
  return { ...base, resource: p[0]!, name: p[1], subresource: p[2] };
}
