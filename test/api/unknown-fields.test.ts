/**
 * The unknown-field walk (lib/api/validation/unknown-fields.ts) and the
 * duplicate-key scan of JSON text (duplicate-fields.ts).
 */
import test from 'ava';
import fc from 'fast-check';
import { duplicateJsonFields } from '../../lib/api/validation/duplicate-fields.js';
import { fieldValidationOf, hasSchema, unknownFields } from '../../lib/api/validation/unknown-fields.js';

const pod = (extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { 'any-key': 'v' }, annotations: { 'x/y': 'z' }, managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:anything': {} } } }] },
  spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '1', 'example.com/gpu': '2' } }, ...container }], nodeSelector: { a: 'b' } },
  ...extra,
});

test('a well-formed object has none; maps (labels, annotations, limits) and free-form fields (fieldsV1) take any key', (t) => {
  t.deepEqual(unknownFields('', 'v1', 'Pod', pod(), { drop: false }), []);
});

test('unknown fields at the top, in metadata, in lists and in status, with Kubernetes\' paths', (t) => {
  const p = pod({ extra: 1, status: { phaze: 'x' } }, { imagee: 'x', ports: [{ containerPort: 80 }, { containerPort: 81, hostport: 1 }] });
  (p.metadata as Record<string, unknown>)['app'] = 'web';
  t.deepEqual(unknownFields('', 'v1', 'Pod', p, { drop: false }), [
    'metadata.app',
    'spec.containers[0].imagee',
    'spec.containers[0].ports[1].hostport',
    'extra',
    'status.phaze',
  ]);
});

test('drop removes exactly the unknown fields; without drop the object is untouched', (t) => {
  const p = pod({ extra: 1 }, { imagee: 'x' });
  const before = structuredClone(p);
  unknownFields('', 'v1', 'Pod', p, { drop: false });
  t.deepEqual(p, before);
  t.deepEqual(unknownFields('', 'v1', 'Pod', p, { drop: true }), ['spec.containers[0].imagee', 'extra']);
  const { extra: _e, ...rest } = before as Record<string, unknown>;
  const expected = structuredClone(rest) as { spec: { containers: Record<string, unknown>[] } };
  delete expected.spec.containers[0]!['imagee'];
  t.deepEqual(p, expected);
  t.deepEqual(unknownFields('', 'v1', 'Pod', p, { drop: false }), []);
});

test('values of the wrong JSON type are not this check\'s business (validation reports them)', (t) => {
  t.deepEqual(unknownFields('', 'v1', 'Pod', { spec: { containers: 'nope', nodeSelector: [1] }, metadata: 5 }, { drop: false }), []);
});

test('every kind of every group has a schema; others are not checked', (t) => {
  for (const [g, v, k] of [
    ['', 'v1', 'Pod'],
    ['', 'v1', 'Event'],
    ['apps', 'v1', 'DaemonSet'],
    ['batch', 'v1', 'Job'],
    ['coordination.k8s.io', 'v1', 'Lease'],
    ['scheduling.k8s.io', 'v1', 'PriorityClass'],
    ['autoscaling', 'v1', 'Scale'],
  ] as const) {
    t.true(hasSchema(g, v, k), k);
  }
  t.false(hasSchema('example.com', 'v1', 'Widget'));
  t.deepEqual(unknownFields('example.com', 'v1', 'Widget', { anything: 1 }, { drop: true }), []);
});

test('fieldValidation values: absent and empty mean Warn; anything else unknown is refused', (t) => {
  t.is(fieldValidationOf(undefined), 'Warn');
  t.is(fieldValidationOf(''), 'Warn');
  t.is(fieldValidationOf('Strict'), 'Strict');
  t.is(fieldValidationOf('Ignore'), 'Ignore');
  t.is(fieldValidationOf('strict'), undefined);
});

test('duplicate keys: found with their paths, through lists, escapes and nesting', (t) => {
  t.deepEqual(duplicateJsonFields('{"a":1,"b":{"c":[1,{"d":1,"d":2}],"c":3},"a":"x"}'), ['b.c[1].d', 'b.c', 'a']);
  t.deepEqual(duplicateJsonFields('{"k\\u0061":1,"ka":2, "s":"{\\"k\\":1,\\"k\\":2}"}'), ['ka']);
  t.deepEqual(duplicateJsonFields(' [ {"a":1}, {"a":2} ] '), []);
  t.deepEqual(duplicateJsonFields('{"metadata":{"name":"a","labels":{"x":"1","x":"2"}}}'), ['metadata.labels.x']);
});

test('property: a serialized object has no duplicates; repeating one key of it is reported at its path', (t) => {
  const key = fc.string({ maxLength: 6 });
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string(), fc.boolean(), fc.constant(null), tie('object'), fc.array(tie('value'), { maxLength: 3 })),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  })).object;
  fc.assert(
    fc.property(json, (obj) => {
      const text = JSON.stringify(obj);
      if (duplicateJsonFields(text).length !== 0) return false;
      const keys = Object.keys(obj);
      if (keys.length === 0) return true;
      // Repeat the first key at the top level, with a different value.
      const k = keys[0]!;
      const repeated = `${text.slice(0, -1)},${JSON.stringify(k)}:0}`;
      const found = duplicateJsonFields(repeated);
      return found.length === 1 && found[0] === k;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('duplicate keys in a large map are found, and the scan stays linear', (t) => {
  const keys = Array.from({ length: 50_000 }, (_, i) => `"k${i}":"v"`);
  const text = `{"data":{${keys.join(',')},"k17":"again","k49999":"again"}}`;
  const started = performance.now();
  t.deepEqual(duplicateJsonFields(text), ['data.k17', 'data.k49999']);
  // Generous: a quadratic scan of 50,000 keys would take many seconds.
  t.true(performance.now() - started < 2_000);
});
