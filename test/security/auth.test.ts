/**
 * Bound to 0.0.0.0 with bearer tokens: every route of the resource table
 * (every verb of every resource and subresource, namespaced and across
 * namespaces, watches included) and every non-public endpoint answers 401
 * without a valid token: no header, a wrong token of the same length, of
 * another length, a prefix or extension of the right one, Basic auth, the
 * token in the query. Nothing is written and no watch is opened by those
 * requests. With the token, the same server serves.
 */
import test from 'ava';
import { Agent } from 'node:http';
import type { ApiStats } from '../../actors/api-server/messages.js';
import { RESOURCES, type ResourceDef, type Verb } from '../../lib/api/resources/index.js';
import { startCluster } from '../api-server/helpers.js';
import { rawRequest } from '../fuzz/raw-http.js';

const TOKEN = 'berth-test-token-0123456789abcdef';
const OTHER = 'second-valid-token';

interface Route {
  readonly method: string;
  readonly path: string;
}

function methodOf(verb: Verb): string {
  switch (verb) {
    case 'get':
    case 'list':
    case 'watch':
      return 'GET';
    case 'create':
      return 'POST';
    case 'update':
      return 'PUT';
    case 'patch':
      return 'PATCH';
    case 'delete':
    case 'deletecollection':
      return 'DELETE';
  }
}

/** Every verb path of one resource, as kubectl and client-go address them. */
function routesOf(def: ResourceDef): Route[] {
  const base = def.group === '' ? '/api/v1' : `/apis/${def.group}/${def.version}`;
  const collections = def.namespaced ? [`${base}/namespaces/default/${def.plural}`, `${base}/${def.plural}`] : [`${base}/${def.plural}`];
  const item = `${collections[0]}/x`;
  const out: Route[] = [];
  for (const verb of def.verbs) {
    if (verb === 'list' || verb === 'deletecollection') for (const c of collections) out.push({ method: methodOf(verb), path: c });
    else if (verb === 'watch') for (const c of collections) out.push({ method: 'GET', path: `${c}?watch=true` }, { method: 'GET', path: `${base}/watch/${c.slice(base.length + 1)}` });
    else if (verb === 'create') out.push({ method: 'POST', path: collections[0]! });
    else out.push({ method: methodOf(verb), path: item });
  }
  for (const sub of def.subresources) for (const verb of sub.verbs) out.push({ method: methodOf(verb), path: `${item}/${sub.name}` });
  return out;
}

const NON_RESOURCE: Route[] = ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/openapi/v2', '/openapi/v3', '/openapi/v3/api/v1', '/metrics', '/apis/berth.dev/v1/explain/namespaces/default/pods/x', '/nope'].map((path) => ({ method: 'GET', path }));

const BAD_CREDENTIALS: Record<string, Record<string, string>> = {
  'no header': {},
  'a wrong token of the same length': { authorization: `Bearer ${'x'.repeat(TOKEN.length)}` },
  'a wrong token of another length': { authorization: 'Bearer nope' },
  'a prefix of the token': { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
  'the token extended': { authorization: `Bearer ${TOKEN}x` },
  'Basic auth with the token as password': { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
  'no space after Bearer': { authorization: `Bearer${TOKEN}` },
  'two tokens': { authorization: `Bearer ${TOKEN} ${OTHER}` },
  'an empty bearer': { authorization: 'Bearer ' },
};

test('without a valid bearer token every route of the resource table and every private endpoint is 401', async (t) => {
  const c = await startCluster(t, { host: '0.0.0.0', tokens: [TOKEN, OTHER] });
  const url = c.url.replace('0.0.0.0', '127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  t.teardown(() => agent.destroy());
  const revision = async (): Promise<number> => (await c.sup.request<ApiStats>('api-server', { type: 'api.stats' })).revision;
  const before = await revision();
  const routes = [...RESOURCES.flatMap(routesOf), ...NON_RESOURCE];
  t.true(routes.length > 150, `${routes.length} routes`);
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  let checked = 0;
  for (const [what, headers] of Object.entries(BAD_CREDENTIALS)) {
    const results = await Promise.all(
      routes.map(async (r) => {
        const withBody = r.method !== 'GET' && r.method !== 'DELETE';
        const path = what === 'no header' && r.method === 'GET' ? r.path + (r.path.includes('?') ? '&' : '?') + `access_token=${TOKEN}` : r.path;
        const res = await rawRequest(url, { method: r.method, path, headers: { ...headers, ...(withBody ? { 'content-type': r.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } : {}) }, body: withBody ? body : undefined }, agent);
        return { r, res };
      }),
    );
    for (const { r, res } of results) {
      checked++;
      if (res.status !== 401) t.fail(`${what}: ${r.method} ${r.path} -> ${res.status} ${res.text.slice(0, 200)}`);
      else t.is(JSON.parse(res.text).reason, 'Unauthorized');
    }
  }
  t.log(`${routes.length} routes x ${Object.keys(BAD_CREDENTIALS).length} kinds of bad credentials = ${checked} requests, all 401`);
  t.is(await revision(), before, 'nothing was written');
  const auth = { authorization: `Bearer ${TOKEN}` };
  const metrics = await rawRequest(url, { method: 'GET', path: '/metrics', headers: auth });
  t.is(metrics.status, 200);
  t.notRegex(metrics.text, /apiserver_longrunning_requests\{[^}]*\} [1-9]/, 'no watch was opened');
  // Public, as in Kubernetes: health and version.
  for (const p of ['/healthz', '/livez', '/readyz', '/version']) t.is((await rawRequest(url, { method: 'GET', path: p })).status, 200, p);
  // With a token the same server serves, either token, the scheme's case ignored as Kubernetes does.
  t.is((await rawRequest(url, { method: 'GET', path: '/api/v1/namespaces', headers: auth })).status, 200);
  t.is((await rawRequest(url, { method: 'GET', path: '/api/v1/namespaces', headers: { authorization: `bearer ${OTHER}` } })).status, 200);
  const created = await rawRequest(url, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: { ...auth, 'content-type': 'application/json' }, body });
  t.is(created.status, 201);
});

test('binding a non-loopback address without tokens is refused', async (t) => {
  const { HttpFrontEnd } = await import('../../actors/api-server/http/server.js');
  t.throws(() => new HttpFrontEnd({} as never, { host: '0.0.0.0', port: 0, tokens: [], maxBodyBytes: 1, maxInFlight: 1, maxWatchBufferBytes: 1, isReady: () => true } as never), { message: /requires bearer tokens/ });
});
