/**
 * A create's FieldsV1 set is shared between objects of one shape
 * (fields-v1-cache.ts): it must be exactly the set built for the object
 * itself, never another shape's, and no object can change the shared set;
 * through the API, each Pod shows its own fields and an update of one Pod
 * leaves the others' managedFields as they were. Also: the uids new objects
 * get are random version 4 UUIDs (uid.ts).
 */
import test from 'ava';
import fc from 'fast-check';
import { fieldsV1Of } from '../../actors/api-server/field-walk.js';
import { sharedFieldsV1, sharedFieldsV1Count } from '../../actors/api-server/fields-v1-cache.js';
import type { ApiResponse, ApiRequestMessage } from '../../actors/api-server/messages.js';
import { newUid } from '../../actors/api-server/uid.js';
import { deepEqual, type JsonValue } from '../../lib/api/patch/json-value.js';
import { podSchema } from '../../lib/api/patch/metadata.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { startCluster } from './helpers.js';

// Few shapes, so that most objects find theirs cached: merge-key values of several types ("80" beside 80
// name different elements), keys that look like the cache's own length prefixes, and now and then a
// free-form value (a shape of its own).
const scalar = fc.oneof(fc.constantFrom('a', ''), fc.integer({ min: 0, max: 1 }), fc.constant(null));
const value: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 1 }), fc.dictionary(fc.constantFrom('x', '1:x'), tie('v'), { maxKeys: 2 })),
})).v;
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const port = fc.record({ containerPort: fc.constantFrom<JsonValue>(80, '80', true, { n: 1 }), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['containerPort'] });
const container = fc.record(
  { name: fc.constantFrom('web', 'side', '2:we'), image: fc.constantFrom('nginx:1', 'nginx:2'), ports: fc.array(port, { maxLength: 1 }), extra: rarely(value) },
  { requiredKeys: ['name', 'image'] },
);
const pod = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata: fc.record({ name: fc.constantFrom('p', 'q'), labels: fc.dictionary(fc.constantFrom('app', ''), fc.constantFrom('web', 'db'), { maxKeys: 1 }) }, { requiredKeys: ['name'] }),
  spec: fc.record({ containers: fc.array(container, { maxLength: 2 }), nodeName: fc.option(fc.constantFrom('n1', 'n2'), { nil: undefined }), extra: rarely(value) }, { requiredKeys: ['containers'] }),
  status: fc.constantFrom({}, { phase: 'Pending' }),
});

test('the shared set is always the set built for the object itself', (t) => {
  // Few shapes, many objects: most answers come from the cache, each one checked against a fresh build.
  fc.assert(
    fc.property(pod, (p) => deepEqual(sharedFieldsV1(p, podSchema) as JsonValue, fieldsV1Of(p, podSchema) as JsonValue)),
    { numRuns: 3_000 },
  );
  t.true(sharedFieldsV1Count(podSchema) > 1);
  // The same object twice: the second answer is the cached set.
  const p = fc.sample(pod, { numRuns: 1, seed: 3 })[0]!;
  t.is(sharedFieldsV1(p, podSchema), sharedFieldsV1(structuredClone(p), podSchema));
});

test('objects of one shape share one frozen set; any key or merge-key difference gets its own', (t) => {
  const make = (name: string, labels: Record<string, string>, containerName: string, port: unknown): KubeObject =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: containerName, image: `img-${name}`, ports: [{ containerPort: port }] }] } }) as KubeObject;
  const a = sharedFieldsV1(make('a', { app: 'x' }, 'web', 80), podSchema);
  const b = sharedFieldsV1(make('b', { app: 'y' }, 'web', 80), podSchema);
  t.is(a, b, 'scalar values are not part of the shape');
  t.true(Object.isFrozen(a));
  t.true(Object.isFrozen((a['f:spec'] as Record<string, unknown>)['f:containers']));
  t.throws(() => {
    (a as Record<string, unknown>)['f:status'] = {};
  });
  t.deepEqual(Object.keys(a), ['f:metadata', 'f:spec']);
  const otherLabel = sharedFieldsV1(make('c', { tier: 'x' }, 'web', 80), podSchema);
  t.deepEqual(otherLabel['f:metadata'], { 'f:labels': { 'f:tier': {} } });
  const otherContainer = sharedFieldsV1(make('d', { app: 'x' }, 'side', 80), podSchema);
  t.truthy((otherContainer['f:spec'] as Record<string, Record<string, unknown>>)['f:containers']!['k:{"name":"side"}']);
  const stringPort = sharedFieldsV1(make('e', { app: 'x' }, 'web', '80'), podSchema);
  const ports = (stringPort['f:spec'] as Record<string, Record<string, Record<string, Record<string, unknown>>>>)['f:containers']!['k:{"name":"web"}']!['f:ports']!;
  t.deepEqual(Object.keys(ports), ['k:{"containerPort":"80"}']);
  t.not(stringPort, a);
});

test('through the API: each Pod records its own fields, and updating one leaves the others alone', async (t) => {
  const { sup } = await startCluster(t, { port: null });
  const call = (request: Record<string, unknown>): Promise<ApiResponse> =>
    sup.request<ApiResponse, ApiRequestMessage>('api-server', { type: 'api.call', request: { group: '', version: 'v1', resource: 'pods', namespace: 'default', ...request } as never });
  const body = (name: string, labels: Record<string, string>): KubeObject =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }) as KubeObject;
  for (const name of ['one', 'two']) t.is((await call({ verb: 'create', body: body(name, { app: 'web' }), query: { fieldManager: 'ctl' } })).code, 201);
  t.is((await call({ verb: 'create', body: body('three', { team: 'a' }), query: { fieldManager: 'ctl' } })).code, 201);
  const get = async (name: string): Promise<KubeObject> => (await call({ verb: 'get', name })).body as KubeObject;
  const fieldsOf = async (name: string): Promise<Record<string, unknown>> => (await get(name)).metadata.managedFields![0]!.fieldsV1!;
  const labelsOwned = async (name: string): Promise<unknown> => (await fieldsOf(name))['f:metadata'];
  t.deepEqual(await labelsOwned('one'), { 'f:labels': { 'f:app': {} } });
  t.deepEqual(await labelsOwned('three'), { 'f:labels': { 'f:team': {} } });
  t.like((await get('one')).metadata.managedFields![0], { manager: 'ctl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1' });

  // Another manager adds a label to "one": its entry gains that field; "two" (same shape at create) is untouched.
  const one = await get('one');
  const updated = await call({ verb: 'update', name: 'one', body: { ...one, metadata: { ...one.metadata, labels: { app: 'web', extra: 'y' } } }, query: { fieldManager: 'other' } });
  t.is(updated.code, 200);
  const managers = (await get('one')).metadata.managedFields!.map((m) => [m.manager, m.fieldsV1!['f:metadata']]);
  t.deepEqual(managers, [
    ['ctl', { 'f:labels': { 'f:app': {} } }],
    ['other', { 'f:labels': { 'f:extra': {} } }],
  ]);
  t.deepEqual(await labelsOwned('two'), { 'f:labels': { 'f:app': {} } });
  t.is((await get('two')).metadata.managedFields!.length, 1);
});

test('new uids are random version 4 UUIDs', (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 2_000; i++) {
    const u = newUid();
    t.regex(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(u);
  }
  t.is(seen.size, 2_000);
});
