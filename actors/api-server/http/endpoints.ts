/**
 * Non-resource endpoints: discovery (aggregated v2/v2beta1 by Accept, else
 * legacy), /version, /openapi/v3 (index and per group-version documents;
 * /openapi/v2 stays 404, see the kubectl note), health checks and metrics.
 */
import type { ServerResponse } from 'node:http';
import {
  aggregatedContentType,
  aggregatedCore,
  aggregatedGroups,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  negotiateDiscovery,
  versionInfo,
} from '../../../lib/api/discovery/index.js';
import { openApiDocumentJson, openApiIndex } from '../../../lib/api/openapi/index.js';
import type { Status } from '../../../lib/api/types/meta.js';
import type { Route } from './router.js';

export interface Reply {
  readonly code: number;
  readonly contentType: string;
  readonly data: string;
  readonly headers?: Record<string, string>;
}

const notFound: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 };

const json = (body: unknown, code = 200, contentType = 'application/json'): Reply => ({ code, contentType, data: JSON.stringify(body) });

export function notFoundReply(): Reply {
  return json(notFound, 404);
}

export interface EndpointContext {
  readonly accept: string | undefined;
  readonly serverAddress: string;
  readonly query: URLSearchParams;
  readonly ready: boolean;
  readonly metrics: () => string;
}

export function serveNonResource(r: Exclude<Route, { kind: 'resource' }>, c: EndpointContext, res: ServerResponse): Reply {
  void res;
  switch (r.kind) {
    case 'api': {
      const v = negotiateDiscovery(c.accept);
      if (v === 'legacy') return json(apiVersions(c.serverAddress));
      return json(aggregatedCore(v), 200, aggregatedContentType(v));
    }
    case 'apis': {
      const v = negotiateDiscovery(c.accept);
      if (v === 'legacy') return json(apiGroupList());
      return json(aggregatedGroups(v), 200, aggregatedContentType(v));
    }
    case 'group': {
      const g = apiGroup(r.group);
      return g ? json(g) : notFoundReply();
    }
    case 'groupVersion': {
      const list = apiResourceList(r.group, r.version);
      return list ? json(list) : notFoundReply();
    }
    case 'version':
      return json(versionInfo());
    case 'health': {
      const verbose = c.query.has('verbose');
      const ok = c.ready || r.check.startsWith('livez') || r.check.startsWith('healthz');
      const text = verbose ? `[+]ping ok\n[${ok ? '+' : '-'}]watch-cache ${ok ? 'ok' : 'failed'}\n${r.check.split('/')[0]} check ${ok ? 'passed' : 'failed'}\n` : ok ? 'ok' : 'watch cache not ready';
      return { code: ok ? 200 : 500, contentType: 'text/plain; charset=utf-8', data: text };
    }
    case 'metrics':
      return { code: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', data: c.metrics() };
    case 'openapi-v3': {
      if (r.path === '') return json(openApiIndex());
      const doc = openApiDocumentJson(r.path);
      if (!doc) return notFoundReply();
      return { code: 200, contentType: 'application/json', data: doc.json, headers: { ETag: `"${doc.hash}"` } };
    }
    case 'openapi-v2':
      // An empty gnostic OpenAPI v2 Document (zero bytes is a valid protobuf
      // message): kubectl 1.28's apply insists on fetching v2 and then finds
      // no schemas, so it patches built-in kinds from its compiled-in types.
      // JSON here would break newer kubectls (they parse v2 as protobuf only).
      if (!(c.accept ?? '').includes('protobuf')) return notFoundReply();
      return { code: 200, contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', data: '' };
    case 'explain': // answered asynchronously by berth-routes.ts
    case 'not-found':
      return notFoundReply();
    default: {
      const never: never = r;
      return json({ error: String(never) }, 500);
    }
  }
}
