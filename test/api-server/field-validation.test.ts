/**
 * fieldValidation over HTTP: unknown and duplicate fields are refused
 * (Strict), dropped with a Warning header (Warn, also the default), or
 * dropped silently (Ignore), on create, update, the three patch types and
 * server-side apply, with Kubernetes' messages.
 */
import test from 'ava';
import { call, deployment, startCluster, Teardowns, type Cluster } from './helpers.js';

let cluster: Cluster;
const cleanup = new Teardowns();

test.before(async () => {
  cluster = await startCluster(cleanup);
});
test.after.always(() => cleanup.run());

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

/** A Deployment with the classic typo (`replica`, after `template`) and an unknown container field; reports follow the body's order. */
function typoed(name: string): Record<string, unknown> {
  const d = deployment(name, 2) as { spec: Record<string, unknown> & { template: { spec: { containers: Record<string, unknown>[] } } } };
  d.spec['replica'] = 3;
  d.spec.template.spec.containers[0]!['imagee'] = 'nginx:1.28';
  return d as unknown as Record<string, unknown>;
}

function warnings(h: Headers): string[] {
  // fetch joins repeated headers with ", "; each of ours is `299 - "..."`.
  const v = h.get('warning');
  return v ? v.split(/,\s*(?=299 )/) : [];
}

test('Strict create: 400 naming every unknown field, nothing stored', async (t) => {
  const r = await call(cluster.url, 'POST', `${DEPLOYMENTS}?fieldValidation=Strict`, typoed('strict'));
  t.is(r.status, 400);
  t.is(r.body.reason, 'BadRequest');
  t.is(
    r.body.message,
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee", unknown field "spec.replica"',
  );
  t.is((await call(cluster.url, 'GET', `${DEPLOYMENTS}/strict`)).status, 404);
});

test('Warn (and no parameter at all): created, fields dropped, one Warning header each', async (t) => {
  for (const [name, query] of [
    ['warned', '?fieldValidation=Warn'],
    ['defaulted', ''],
  ] as const) {
    const r = await call(cluster.url, 'POST', `${DEPLOYMENTS}${query}`, typoed(name));
    t.is(r.status, 201, r.text);
    t.deepEqual(warnings(r.headers), ['299 - "unknown field \\"spec.template.spec.containers[0].imagee\\""', '299 - "unknown field \\"spec.replica\\""']);
    t.is(r.body.spec.replicas, 2);
    t.false('replica' in r.body.spec);
    const stored = await call(cluster.url, 'GET', `${DEPLOYMENTS}/${name}`);
    t.false('replica' in stored.body.spec);
    t.false('imagee' in stored.body.spec.template.spec.containers[0]);
  }
});

test('Ignore: created, fields dropped, no warning', async (t) => {
  const r = await call(cluster.url, 'POST', `${DEPLOYMENTS}?fieldValidation=Ignore`, typoed('ignored'));
  t.is(r.status, 201);
  t.is(r.headers.get('warning'), null);
  t.false('replica' in r.body.spec);
});

test('a bad fieldValidation value is 422 with the supported values', async (t) => {
  const r = await call(cluster.url, 'POST', `${DEPLOYMENTS}?fieldValidation=Loose`, deployment('loose'));
  t.is(r.status, 422);
  t.regex(r.body.message, /fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"/);
});

test('duplicate JSON keys: Strict refuses, Warn keeps the last and warns', async (t) => {
  const text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"},"data":{"a":"1"},"dta":{}}';
  const strict = await call(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', text);
  t.is(strict.status, 400);
  t.is(strict.body.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", unknown field "dta"');
  const warn = await call(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', text.replace(/"name":"dup"}/, '"name":"dup2"}'));
  t.is(warn.status, 201, warn.text);
  t.is(warn.body.metadata.name, 'dup2');
  t.deepEqual(warnings(warn.headers), ['299 - "duplicate field \\"metadata.name\\""', '299 - "unknown field \\"dta\\""']);
});

test('update (PUT): the same rules as create', async (t) => {
  await call(cluster.url, 'POST', DEPLOYMENTS, deployment('put'));
  const current = (await call(cluster.url, 'GET', `${DEPLOYMENTS}/put`)).body;
  current.spec.replica = 5;
  const strict = await call(cluster.url, 'PUT', `${DEPLOYMENTS}/put?fieldValidation=Strict`, current);
  t.is(strict.status, 400);
  t.regex(strict.body.message, /strict decoding error: unknown field "spec.replica"$/);
  const warn = await call(cluster.url, 'PUT', `${DEPLOYMENTS}/put`, current);
  t.is(warn.status, 200);
  t.false('replica' in warn.body.spec);
  t.deepEqual(warnings(warn.headers), ['299 - "unknown field \\"spec.replica\\""']);
});

test('merge, strategic and JSON patches: the patched object is checked (Strict: 422 on patch)', async (t) => {
  await call(cluster.url, 'POST', DEPLOYMENTS, deployment('patched'));
  const merge = await call(cluster.url, 'PATCH', `${DEPLOYMENTS}/patched?fieldValidation=Strict`, { spec: { replica: 4 } }, { 'content-type': 'application/merge-patch+json' });
  t.is(merge.status, 422);
  t.regex(merge.body.message, /is invalid: patch: Invalid value: ".*": strict decoding error: unknown field "spec.replica"$/);
  const smp = await call(cluster.url, 'PATCH', `${DEPLOYMENTS}/patched?fieldValidation=Strict`, { spec: { replica: 4 } }, { 'content-type': 'application/strategic-merge-patch+json' });
  t.is(smp.status, 422);
  t.regex(smp.body.message, /patch: Invalid value: "map\[spec:map\[replica:4\]\]": strict decoding error: unknown field "spec.replica"$/);
  const json = await call(cluster.url, 'PATCH', `${DEPLOYMENTS}/patched`, [{ op: 'add', path: '/spec/replica', value: 4 }], { 'content-type': 'application/json-patch+json' });
  t.is(json.status, 200);
  t.false('replica' in json.body.spec);
  t.deepEqual(warnings(json.headers), ['299 - "unknown field \\"spec.replica\\""']);
  const known = await call(cluster.url, 'PATCH', `${DEPLOYMENTS}/patched?fieldValidation=Strict`, { spec: { replicas: 4 } }, { 'content-type': 'application/merge-patch+json' });
  t.is(known.status, 200);
  t.is(known.body.spec.replicas, 4);
  t.is(known.headers.get('warning'), null);
});

test('server-side apply: an unknown field is refused whatever fieldValidation says', async (t) => {
  const body = JSON.stringify(typoed('applied'));
  for (const fv of ['Strict', 'Ignore']) {
    const r = await call(cluster.url, 'PATCH', `${DEPLOYMENTS}/applied?fieldManager=test&fieldValidation=${fv}`, body, { 'content-type': 'application/apply-patch+yaml' });
    t.is(r.status, 400);
    t.is(r.body.reason, 'BadRequest');
    t.is(
      r.body.message,
      'failed to create typed patch object (default/applied; apps/v1, Kind=Deployment): errors:\n  .spec.template.spec.containers[name="web"].imagee: field not declared in schema\n  .spec.replica: field not declared in schema',
    );
  }
  t.is((await call(cluster.url, 'GET', `${DEPLOYMENTS}/applied`)).status, 404);
});

test('a __proto__ key is an unknown field like any other, and pollutes nothing', async (t) => {
  const text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"proto"},"data":{"a":"1"},"__proto__":{"polluted":true}}';
  const r = await call(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', text);
  t.is(r.status, 201);
  t.deepEqual(warnings(r.headers), ['299 - "unknown field \\"__proto__\\""']);
  t.false(Object.prototype.hasOwnProperty.call(r.body, '__proto__'));
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
});

test('thousands of unknown fields: still created, the warnings capped at about 4 KiB', async (t) => {
  const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'many' } };
  for (let i = 0; i < 5000; i++) body[`junk${i}`] = i;
  const r = await call(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', body);
  t.is(r.status, 201);
  const w = warnings(r.headers);
  t.true(w.length > 10 && w.length < 5000, `${w.length} warnings`);
  t.true((r.headers.get('warning') ?? '').length < 8 * 1024);
  t.deepEqual(Object.keys(r.body).filter((k) => k.startsWith('junk')), []);
});
