/**
 * The one-walk field ownership (field-walk.ts) must give exactly what the
 * path-by-path definition in managed-fields.ts gives: the FieldsV1 a create
 * records, and the leaves an update changes. Keyed lists have unique keys
 * here: with duplicates the definition reads the first element's values for
 * both, and validation rejects duplicate containers and ports anyway.
 */
import test from 'ava';
import fc from 'fast-check';
import { changedLeaves, fieldsV1Of } from '../../actors/api-server/field-walk.js';
import { leafPaths, toFieldsV1, valueAt } from '../../actors/api-server/managed-fields.js';
import { deepEqual, type JsonValue } from '../../lib/api/patch/json-value.js';
import { podSchema } from '../../lib/api/patch/metadata.js';

const scalar = fc.oneof(fc.constantFrom('a', 'b', ''), fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.constant(null));
const value: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('v'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('x', 'y', 'z'), tie('v'), { maxKeys: 3 }),
  ),
})).v;
const env = fc.record({ name: fc.constantFrom('A', 'B'), value: fc.option(fc.constantFrom('1', '2'), { nil: undefined }) }, { requiredKeys: ['name'] });
const port = fc.record({ containerPort: fc.constantFrom(80, 8080), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['containerPort'] });
const container = fc.record(
  {
    name: fc.constantFrom('web', 'side'),
    image: fc.constantFrom('nginx:1', 'nginx:2'),
    env: fc.uniqueArray(env, { maxLength: 2, selector: (e) => e.name }),
    ports: fc.uniqueArray(port, { maxLength: 2, selector: (e) => e.containerPort }),
    resources: fc.dictionary(fc.constantFrom('requests', 'limits'), fc.dictionary(fc.constantFrom('cpu', 'memory'), fc.constantFrom('1', '2'))),
    extra: value,
  },
  { requiredKeys: ['name'] },
);
const pod = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata: fc.record(
    { name: fc.constant('p'), uid: fc.constantFrom('u1', 'u2'), labels: fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('web', 'db')), annotations: value },
    { requiredKeys: ['name'] },
  ),
  spec: fc.record({ containers: fc.oneof(fc.uniqueArray(container, { maxLength: 3, selector: (c) => c.name }), value), nodeName: fc.option(fc.constantFrom('n1', 'n2'), { nil: undefined }), extra: value }, { requiredKeys: [] }),
  status: value,
});

test('a create owns the same FieldsV1 as the path-by-path definition', (t) => {
  fc.assert(
    fc.property(pod, (p) => {
      const expected = toFieldsV1(leafPaths(p, podSchema));
      return deepEqual(fieldsV1Of(p, podSchema) as JsonValue, expected as JsonValue);
    }),
    { numRuns: 500 },
  );
  // The shape Kubernetes users see: containers entered by name, status and system metadata left out.
  const created = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', uid: 'u', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] }, status: { phase: 'Pending' } };
  t.deepEqual(fieldsV1Of(created, podSchema), {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:name': {}, 'f:image': {} } } },
  });
});

test('an update changes the same leaves as the path-by-path definition', (t) => {
  fc.assert(
    fc.property(pod, pod, (next, old) => {
      const expected = leafPaths(next, podSchema).filter((p) => !deepEqual(valueAt(next, p) as JsonValue, valueAt(old, p) as JsonValue));
      const got = changedLeaves(next, old, podSchema);
      return JSON.stringify(got) === JSON.stringify(expected);
    }),
    { numRuns: 1_000 },
  );
  // Identical objects change nothing; against nothing, every leaf changes.
  const p = fc.sample(pod, { numRuns: 1, seed: 7 })[0]!;
  t.deepEqual(changedLeaves(p, structuredClone(p), podSchema), []);
  t.is(changedLeaves(p, undefined, podSchema).length, leafPaths(p, podSchema).length);
});
