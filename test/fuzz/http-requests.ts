/**
 * fast-check arbitraries for random HTTP requests to the api-server: paths
 * built from the resource table's pieces mixed with junk (dot segments,
 * encoded slashes, bad escapes, very long names), methods, query
 * parameters, Accept and Content-Type headers, and bodies (objects of the
 * right kind with a random field changed, random JSON, JSON patches, YAML,
 * bytes, oversized bodies). Watches are left out on purpose: a watch
 * request stays open, and watch faults have their own suite (test/faults/).
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { RESOURCES } from '../../lib/api/resources/index.js';

export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

/** Names of the objects the suite creates before fuzzing, so writes hit real objects too. */
export const SEED_NAMES = ['fz-0', 'fz-1', 'fz-2'];
export const SEED_NAMESPACES = ['default', 'fuzz'];

const LONG = 'a'.repeat(300);
const junkSegment = fc.oneof(
  fc.constantFrom('..', '.', '%2F', '%2e%2e', '%', '%zz', '%00', '~', LONG, 'UPPER', 'a%20b', 'x:y', '__proto__', 'constructor', '-', '0'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);
const resourceSegment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('pods', 'configmaps', 'secrets', 'services', 'endpoints', 'events', 'namespaces', 'nodes', 'deployments', 'replicasets', 'daemonsets', 'jobs', 'leases', 'priorityclasses') },
  { weight: 1, arbitrary: junkSegment },
);
const nameSegment = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SEED_NAMES) }, { weight: 2, arbitrary: junkSegment });
const namespaceSegment = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SEED_NAMESPACES) }, { weight: 1, arbitrary: junkSegment });
const subresourceSegment = fc.constantFrom('status', 'scale', 'binding', 'eviction', 'log', 'finalize', 'exec', '..');
const prefix = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('/api/v1', '/apis/apps/v1', '/apis/batch/v1', '/apis/coordination.k8s.io/v1', '/apis/scheduling.k8s.io/v1') },
  { weight: 1, arbitrary: fc.constantFrom('', '/api', '/apis', '/apis/apps', '/apis/nope/v9', '/api/v2', '/version', '/healthz', '/readyz/x', '/metrics', '/openapi/v3', '/openapi/v3/api/v1', '/openapi/v2', '//', '/api/v1/..') },
);

/** Mostly a coherent path from the resource table (so requests reach the handlers), sometimes anything. */
const tablePath = fc
  .record({
    def: fc.constantFrom(...RESOURCES),
    flipScope: fc.nat({ max: 9 }).map((n) => n === 0),
    namespace: namespaceSegment,
    name: fc.option(nameSegment, { nil: undefined, freq: 4 }),
    subresource: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constant('own') }, { weight: 1, arbitrary: subresourceSegment }), { nil: undefined, freq: 3 }),
    pick: fc.nat(),
  })
  .map((p) => {
    const base = p.def.group === '' ? '/api/v1' : `/apis/${p.def.group}/${p.def.version}`;
    const parts: string[] = [base];
    if (p.def.namespaced !== p.flipScope) parts.push('namespaces', p.namespace);
    parts.push(p.def.plural);
    if (p.name !== undefined) {
      parts.push(p.name);
      const own = p.def.subresources;
      if (p.subresource === 'own' && own.length) parts.push(own[p.pick % own.length]!.name);
      else if (p.subresource !== undefined && p.subresource !== 'own') parts.push(p.subresource);
    }
    return parts.join('/');
  });

const anyPath = fc
  .record({
    prefix,
    namespaced: fc.boolean(),
    namespace: namespaceSegment,
    resource: resourceSegment,
    name: fc.option(nameSegment, { nil: undefined }),
    subresource: fc.option(subresourceSegment, { nil: undefined, freq: 3 }),
    extra: fc.option(fc.array(junkSegment, { maxLength: 2 }), { nil: undefined, freq: 8 }),
  })
  .map((p) => {
    const parts: string[] = [p.prefix];
    if (p.namespaced) parts.push('namespaces', p.namespace);
    parts.push(p.resource);
    if (p.name !== undefined) {
      parts.push(p.name);
      if (p.subresource !== undefined) parts.push(p.subresource);
    }
    if (p.extra) parts.push(...p.extra);
    return parts.join('/');
  });

const path = fc.oneof({ weight: 4, arbitrary: tablePath }, { weight: 1, arbitrary: anyPath });

const selector = fc.oneof(
  fc.constantFrom('app=web', 'app in (a,b)', '!app', 'a!=b', 'app notin ()', '=====', 'x=', ',', 'app==web', 'a in (', 'metadata.name=fz-0', 'spec.nodeName=', 'status.phase!=Running', 'metadata.namespace=default,metadata.name!=x', 'spec.unknown=1'),
  fc.string({ unit: fc.constantFrom('a', 'b', '=', '!', '(', ')', ',', ' ', 'in', 'notin', '<', '>', '1', '.', '/', '-'), maxLength: 20 }),
);
const numberish = fc.oneof(fc.constantFrom('0', '-1', '1', '1e9', 'abc', '', '99999999999999999999', '1.5', ' 2'), fc.nat({ max: 1000 }).map(String));
const queryParam = fc.oneof(
  fc.tuple(fc.constantFrom('labelSelector', 'fieldSelector'), selector),
  fc.tuple(fc.constant('limit'), numberish),
  fc.tuple(fc.constant('continue'), fc.oneof(fc.base64String({ maxLength: 40 }), fc.string({ maxLength: 10 }))),
  // Past revisions: a future one makes the server wait 3 s before its 504, as Kubernetes does (too slow to fuzz).
  fc.tuple(fc.constant('resourceVersion'), fc.oneof(fc.constantFrom('0', '', 'abc', '-1', '1', '1.5', ' 2', '99999999999999999999'), fc.nat({ max: 40 }).map(String))),
  fc.tuple(fc.constant('resourceVersionMatch'), fc.constantFrom('NotOlderThan', 'Exact', 'x', '')),
  fc.tuple(fc.constant('timeoutSeconds'), numberish),
  fc.tuple(fc.constant('dryRun'), fc.constantFrom('All', 'x', '')),
  fc.tuple(fc.constant('fieldManager'), fc.oneof(fc.string({ maxLength: 10 }), fc.constant('m'.repeat(200)))),
  fc.tuple(fc.constant('fieldValidation'), fc.constantFrom('Strict', 'Warn', 'Ignore', 'x')),
  fc.tuple(fc.constant('force'), fc.constantFrom('true', 'false', 'x')),
  fc.tuple(fc.constant('gracePeriodSeconds'), numberish),
  fc.tuple(fc.constant('propagationPolicy'), fc.constantFrom('Foreground', 'Orphan', 'Background', 'x')),
  // Never watch=true: a watch stays open (see the header).
  fc.tuple(fc.constant('watch'), fc.constantFrom('false', '0', 'x')),
  fc.tuple(fc.constant('follow'), fc.constant('false')),
  fc.tuple(fc.constantFrom('includeObject', 'container', 'tailLines', 'allowWatchBookmarks', 'sendInitialEvents', 'pretty'), fc.string({ maxLength: 8 })),
);
const query = fc.array(queryParam, { maxLength: 4 }).map((ps) => (ps.length ? '?' + new URLSearchParams(ps).toString() : ''));

const CONTENT_TYPES = [
  'application/json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/apply-patch+yaml',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'text/plain',
  'application/json; charset=utf-8',
  'multipart/form-data; boundary=x',
  '*/*',
  ';;;',
];
const ACCEPTS = [
  'application/json',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/vnd.kubernetes.protobuf',
  'application/yaml',
  '*/*',
  'text/html',
  'application/json;as=Table;v=v9;g=nope',
];

/** Objects of each kind, valid as they are; the fuzzer changes them. */
function template(kind: string, name: string): Record<string, unknown> {
  const meta = { name, labels: { app: 'web' } };
  const podSpec = { containers: [{ name: 'c', image: 'nginx:1.27' }] };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata: meta, spec: podSpec };
    case 'ConfigMap':
      return { apiVersion: 'v1', kind, metadata: meta, data: { k: 'v' } };
    case 'Secret':
      return { apiVersion: 'v1', kind, metadata: meta, type: 'Opaque', data: { k: 'dg==' } };
    case 'Service':
      return { apiVersion: 'v1', kind, metadata: meta, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
    case 'Namespace':
    case 'Node':
      return { apiVersion: 'v1', kind, metadata: meta };
    case 'Deployment':
      return { apiVersion: 'apps/v1', kind, metadata: meta, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } } };
    case 'Job':
      return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } };
    case 'Lease':
      return { apiVersion: 'coordination.k8s.io/v1', kind, metadata: meta, spec: { holderIdentity: 'x' } };
    case 'PriorityClass':
      return { apiVersion: 'scheduling.k8s.io/v1', kind, metadata: meta, value: 10 };
    case 'Binding':
      return { apiVersion: 'v1', kind, metadata: meta, target: { kind: 'Node', name: 'n1' } };
    case 'Scale':
      return { apiVersion: 'autoscaling/v1', kind, metadata: meta, spec: { replicas: 2 } };
    default:
      return { apiVersion: 'policy/v1', kind: 'Eviction', metadata: meta };
  }
}
const KINDS = ['Pod', 'ConfigMap', 'Secret', 'Service', 'Namespace', 'Node', 'Deployment', 'Job', 'Lease', 'PriorityClass', 'Binding', 'Scale', 'Eviction'];
const FIELD_PATHS = [['metadata', 'name'], ['metadata', 'labels'], ['metadata', 'resourceVersion'], ['metadata', 'namespace'], ['metadata', 'finalizers'], ['metadata', 'ownerReferences'], ['spec'], ['spec', 'replicas'], ['spec', 'containers'], ['spec', 'selector'], ['data'], ['kind'], ['apiVersion'], ['status'], ['metadata', 'managedFields'], ['metadata', 'generateName']];

const jsonish = fc.jsonValue({ maxDepth: 3 });
const mutatedObject = fc.record({ kind: fc.constantFrom(...KINDS), name: nameSegment.map(decodeName), path: fc.constantFrom(...FIELD_PATHS), value: fc.option(jsonish, { freq: 3 }) }).map(({ kind, name, path: at, value }) => {
  const obj = template(kind, name);
  if (value !== null) setAt(obj, at, value);
  return obj;
});
const pointer = fc.oneof(fc.constantFrom('/metadata/labels/x', '/spec/replicas', '/', '', '/metadata/name', '/a~1b', '/spec/containers/-', '/spec/containers/0/image', '/metadata/labels', '/data/k', '/metadata/resourceVersion', '~2', '/spec/containers/99'), fc.string({ maxLength: 8 }));
const jsonPatch = fc.array(fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'), path: pointer, value: jsonish, from: pointer }, { requiredKeys: ['op'] }), { maxLength: 4 });

const body = fc.oneof(
  { weight: 60, arbitrary: mutatedObject.map((o) => JSON.stringify(o)) },
  { weight: 20, arbitrary: mutatedObject.map((o) => stringify(o)) },
  { weight: 30, arbitrary: jsonPatch.map((p) => JSON.stringify(p)) },
  { weight: 20, arbitrary: jsonish.map((v) => JSON.stringify(v)) },
  { weight: 10, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 10, arbitrary: fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)) },
  { weight: 10, arbitrary: fc.constantFrom('{"metadata":', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","labels":{"__proto__":{"polluted":"1"}}}}', '[]', 'null', '"\\ud800"', '{"a":1e999}', 'k8s\u0000junk') },
  // Over the 3 MiB limit (rare: it is slow to send): 413, not a failure to read it.
  { weight: 1, arbitrary: fc.constant('big').map(() => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { k: 'x'.repeat(3 * 1024 * 1024 + 10) } })) },
);

const userAgent = fc.option(fc.string({ unit: fc.constantFrom('a', '/', ' ', 'k', '1', '.'), maxLength: 20 }), { nil: undefined });

/** Anything: methods, paths, headers and bodies drawn independently. */
const chaoticRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.oneof({ weight: 20, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') }, { weight: 1, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'PROPFIND') }),
    path,
    query,
    accept: fc.option(fc.constantFrom(...ACCEPTS), { nil: undefined }),
    contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined, freq: 6 }),
    userAgent,
    body: fc.option(body, { nil: undefined, freq: 5 }),
  })
  .map((r) => finish(r.method, r.path + r.query, r.accept, r.contentType, r.userAgent, r.body));

/** Names a create may use: mostly fresh valid ones, so creates get past the name checks into validation. */
const createName = fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 200 }).map((n) => `fz-new-${n}`) }, { weight: 1, arbitrary: nameSegment });

/**
 * A request that makes sense up to one random change: the method's usual
 * path shape (a name for update/patch/delete, none for create), the body's
 * kind and the content type agreeing, so most requests reach validation,
 * defaulting, patching and the store, where the interesting failures are.
 */
const coherentRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    def: fc.constantFrom(...RESOURCES),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
    namespace: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...SEED_NAMESPACES) }, { weight: 1, arbitrary: namespaceSegment }),
    name: nameSegment,
    newName: createName,
    listing: fc.boolean(),
    sub: fc.option(fc.nat(), { nil: undefined, freq: 4 }),
    patchType: fc.constantFrom('application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml'),
    mutation: fc.record({ path: fc.constantFrom(...FIELD_PATHS), value: fc.option(jsonish, { freq: 2 }) }),
    patch: jsonPatch,
    query,
    accept: fc.option(fc.constantFrom(...ACCEPTS), { nil: undefined }),
    yaml: fc.nat({ max: 4 }).map((n) => n === 0),
    bulkDelete: fc.nat({ max: 9 }).map((n) => n < 2),
    userAgent,
  })
  .map((r) => {
    const base = r.def.group === '' ? '/api/v1' : `/apis/${r.def.group}/${r.def.version}`;
    const parts = [base];
    if (r.def.namespaced) parts.push('namespaces', r.namespace);
    parts.push(r.def.plural);
    const create = r.method === 'POST';
    const named = create ? false : r.method === 'GET' ? !r.listing : r.method === 'DELETE' ? !r.bulkDelete : true;
    const subDef = r.sub !== undefined && r.def.subresources.length ? r.def.subresources[r.sub % r.def.subresources.length] : undefined;
    const name = create ? r.newName : r.name;
    if (named || subDef) parts.push(name);
    if (subDef && (named || create)) parts.push(subDef.name);
    const kind = subDef?.name === 'scale' ? 'Scale' : subDef?.name === 'binding' ? 'Binding' : subDef?.name === 'eviction' ? 'Eviction' : r.def.kind;
    const obj = template(kind, decodeName(name));
    if (r.mutation.value !== null) setAt(obj, r.mutation.path, r.mutation.value);
    let body: string | undefined;
    let contentType: string | undefined;
    if (r.method === 'POST' || r.method === 'PUT') {
      contentType = r.yaml ? 'application/yaml' : 'application/json';
      body = r.yaml ? stringify(obj) : JSON.stringify(obj);
    } else if (r.method === 'PATCH') {
      contentType = r.patchType;
      body = r.patchType === 'application/json-patch+json' ? JSON.stringify(r.patch) : r.patchType === 'application/apply-patch+yaml' ? stringify(obj) : JSON.stringify(obj);
    }
    return finish(r.method, parts.join('/') + r.query + (r.patchType === 'application/apply-patch+yaml' && r.method === 'PATCH' ? (r.query ? '&' : '?') + 'fieldManager=fuzz' : ''), r.accept, contentType, r.userAgent, body);
  });

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof({ weight: 3, arbitrary: coherentRequest }, { weight: 2, arbitrary: chaoticRequest });

function finish(method: string, path: string, accept: string | undefined, contentType: string | undefined, userAgent: string | undefined, body: string | Buffer | undefined): FuzzRequest {
  const headers: Record<string, string> = {};
  if (accept) headers.accept = accept;
  if (contentType) headers['content-type'] = contentType;
  if (userAgent !== undefined) headers['user-agent'] = userAgent;
  const hasBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
  return { method, path, headers, body: hasBody ? Buffer.from(body) : undefined };
}

function decodeName(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function setAt(obj: Record<string, unknown>, at: readonly string[], value: unknown): void {
  let cur = obj;
  for (const k of at.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[at[at.length - 1]!] = value;
}

/** What the seeded objects look like, to create them before fuzzing. */
export function seedObjects(): { path: string; body: Record<string, unknown> }[] {
  const out: { path: string; body: Record<string, unknown> }[] = [{ path: '/api/v1/namespaces', body: template('Namespace', 'fuzz') }];
  for (const name of SEED_NAMES) {
    out.push({ path: '/api/v1/nodes', body: template('Node', name) });
    out.push({ path: '/apis/scheduling.k8s.io/v1/priorityclasses', body: template('PriorityClass', name) });
    for (const ns of SEED_NAMESPACES) {
      const base = ns === 'default' ? '/api/v1/namespaces/default' : `/api/v1/namespaces/${ns}`;
      out.push({ path: `${base}/pods`, body: template('Pod', name) });
      out.push({ path: `${base}/configmaps`, body: template('ConfigMap', name) });
      out.push({ path: `${base}/secrets`, body: template('Secret', name) });
      out.push({ path: `${base}/services`, body: template('Service', name) });
      out.push({ path: `/apis/apps/v1/namespaces/${ns}/deployments`, body: template('Deployment', name) });
      out.push({ path: `/apis/batch/v1/namespaces/${ns}/jobs`, body: template('Job', name) });
      out.push({ path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, body: template('Lease', name) });
    }
  }
  return out;
}
