/** Bad input over HTTP: each gets the right Status code and reason, and the server keeps serving. */
import test from 'ava';
import { call, pod, startCluster, Teardowns, type Cluster } from './helpers.js';
import { decodeProtobuf } from '../../actors/api-server/http/protobuf.js';

let cluster: Cluster;
const cleanup = new Teardowns();
test.before(async () => {
  cluster = await startCluster(cleanup);
});
test.after.always(() => cleanup.run());

const pods = '/api/v1/namespaces/default/pods';

test('malformed JSON and YAML bodies: 400 BadRequest', async (t) => {
  const json = await call(cluster.url, 'POST', pods, '{"apiVersion": "v1", "kind": ', { 'content-type': 'application/json' });
  t.is(json.status, 400);
  t.is(json.body.reason, 'BadRequest');
  t.regex(json.body.message, /^couldn't get version\/kind; json parse error: /);
  const yaml = await call(cluster.url, 'POST', pods, 'metadata: {name: [unclosed\n', { 'content-type': 'application/yaml' });
  t.is(yaml.status, 400);
  t.regex(yaml.body.message, /^error converting YAML to JSON: yaml: /);
  const array = await call(cluster.url, 'POST', pods, '[1,2]', { 'content-type': 'application/json' });
  t.is(array.status, 400);
  const unknownType = await call(cluster.url, 'POST', pods, 'x', { 'content-type': 'text/csv' });
  t.is(unknownType.status, 415);
  t.is(unknownType.body.reason, 'UnsupportedMediaType');
});

test('YAML bodies are accepted', async (t) => {
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n';
  const r = await call(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', text, { 'content-type': 'application/yaml' });
  t.is(r.status, 201);
  t.deepEqual(r.body.data, { k: 'v' });
});

test('wrong kind or apiVersion for the path, and a namespace that disagrees with the URL: 400', async (t) => {
  const kind = await call(cluster.url, 'POST', pods, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } });
  t.is(kind.status, 400);
  t.is(kind.body.message, 'Service in version "v1" cannot be handled as a Pod: no kind "Service" is registered for version "v1"');
  const version = await call(cluster.url, 'POST', pods, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } });
  t.is(version.status, 400);
  t.is(version.body.message, 'the API version in the data (apps/v1) does not match the expected API version (v1)');
  const ns = await call(cluster.url, 'POST', pods, { ...pod('x'), metadata: { name: 'x', namespace: 'kube-system' } });
  t.is(ns.status, 400);
  t.is(ns.body.message, 'the namespace of the provided object does not match the namespace sent on the request');
});

test('invalid names and quantities: 422 with the field and Kubernetes wording', async (t) => {
  const name = await call(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'UPPER' } });
  t.is(name.status, 422);
  t.regex(name.body.message, /^ConfigMap "UPPER" is invalid: metadata\.name: Invalid value: "UPPER": a lowercase RFC 1123 subdomain must consist of/);
  const qty = await call(cluster.url, 'POST', pods, { ...pod('q'), spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { memory: '1Gb' } } }] } });
  t.is(qty.status, 422);
  t.is(qty.body.details.causes[0].field, 'spec.containers[0].resources.limits[memory]');
});

test('a __proto__ label key stays a plain key, is rejected as an invalid label key, and pollutes nothing', async (t) => {
  const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"proto","labels":{"__proto__":"x","ok":"y"}}}';
  const r = await call(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', body, { 'content-type': 'application/json' });
  t.is(r.status, 422);
  t.is(r.body.details.causes[0].field, 'metadata.labels');
  t.regex(r.body.message, /Invalid value: "__proto__": name part must consist of alphanumeric characters/);
  t.is(({} as Record<string, unknown>).x, undefined);
  t.is((await call(cluster.url, 'GET', '/api/v1/namespaces/default/configmaps/proto')).status, 404);
  const yaml = await call(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', 'metadata:\n  name: proto2\n  labels:\n    __proto__: x\n', { 'content-type': 'application/yaml' });
  t.is(yaml.status, 422);
});

test('the server keeps serving after bad input', async (t) => {
  const r = await call(cluster.url, 'POST', pods, pod('after'));
  t.is(r.status, 201);
});

test('protobuf: a k8s\\0 + runtime.Unknown Namespace decodes, empty values dropped; other kinds are unsupported', (t) => {
  // Hand-encoded: Unknown{1: TypeMeta{1:"v1",2:"Namespace"}, 2: Namespace{1: ObjectMeta{1:"foo", 7: 0}, 2: NamespaceSpec{}}}
  const str = (field: number, s: string): number[] => [(field << 3) | 2, s.length, ...Buffer.from(s)];
  const msg = (field: number, body: number[]): number[] => [(field << 3) | 2, body.length, ...body];
  const typeMeta = [...str(1, 'v1'), ...str(2, 'Namespace')];
  const objectMeta = [...str(1, 'foo'), ...str(2, ''), 7 << 3, 0];
  const raw = [...msg(1, objectMeta), ...msg(2, [])];
  const body = Buffer.from([0x6b, 0x38, 0x73, 0x00, ...msg(1, typeMeta), ...msg(2, raw)]);
  const r = decodeProtobuf(body);
  t.deepEqual(r, { ok: true, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' } } });
  const pod = Buffer.from([0x6b, 0x38, 0x73, 0x00, ...msg(1, [...str(1, 'v1'), ...str(2, 'Pod')]), ...msg(2, [])]);
  t.like(decodeProtobuf(pod), { ok: false, unsupported: true });
  t.like(decodeProtobuf(Buffer.from('nope')), { ok: false, unsupported: false });
});
