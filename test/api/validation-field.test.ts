/** Field paths, error bodies and the aggregate message render exactly as Kubernetes renders them. */
import test from 'ava';
import { FieldPath, RawValue, aggregateMessage, errorBody, errorString, fieldErrors, formatBadValue } from '../../lib/api/validation/field.js';
import { goQuote } from '../../lib/api/go-format.js';

test('paths print with dots, indexes and keys', (t) => {
  const p = FieldPath.root('spec').child('containers').index(0).child('resources', 'limits').key('cpu');
  t.is(p.toString(), 'spec.containers[0].resources.limits[cpu]');
  t.is(FieldPath.root('metadata', 'labels').toString(), 'metadata.labels');
});

test('each error type renders its Go body', (t) => {
  const p = FieldPath.root('spec').child('x');
  t.is(errorString(fieldErrors.required(p)), 'spec.x: Required value');
  t.is(errorString(fieldErrors.required(p, 'name or generateName is required')), 'spec.x: Required value: name or generateName is required');
  t.is(errorString(fieldErrors.invalid(p, 70000, 'must be between 1 and 65535, inclusive')), 'spec.x: Invalid value: 70000: must be between 1 and 65535, inclusive');
  t.is(errorString(fieldErrors.invalid(p, 'a b', 'bad')), 'spec.x: Invalid value: "a b": bad');
  t.is(errorString(fieldErrors.duplicate(p, 'web')), 'spec.x: Duplicate value: "web"');
  t.is(
    errorString(fieldErrors.notSupported(p, 'Sometimes', ['Always', 'OnFailure', 'Never'])),
    'spec.x: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  );
  t.is(errorString(fieldErrors.forbidden(p, 'not allowed on this type')), 'spec.x: Forbidden: not allowed on this type');
  t.is(errorString(fieldErrors.tooLong(p, 'zzz', 262144)), 'spec.x: Too long: must have at most 262144 bytes');
  t.is(errorString(fieldErrors.tooMany(p, 5, 4)), 'spec.x: Too many: 5: must have at most 4 items');
  t.is(errorString(fieldErrors.tooMany(p, -1, 4)), 'spec.x: Too many: must have at most 4 items');
  t.is(errorString(fieldErrors.notFound(p, 'vol')), 'spec.x: Not found: "vol"');
  t.is(errorString(fieldErrors.internal(p, 'boom')), 'spec.x: Internal error: boom');
  t.is(errorBody(fieldErrors.invalid(null, 'k', 'm')), 'Invalid value: "k": m');
  t.is(errorString(fieldErrors.invalid(null, 'k', 'm')), '<nil>: Invalid value: "k": m');
});

test('bad values print like Go values', (t) => {
  t.is(formatBadValue(null), 'null');
  t.is(formatBadValue(true), 'true');
  t.is(formatBadValue(['a', 'b']), '[]string{"a", "b"}');
  t.is(formatBadValue([]), '[]string(nil)');
  t.is(formatBadValue({ b: '2', a: '1' }), 'map[string]string{"a":"1", "b":"2"}');
  t.is(formatBadValue(new RawValue('&X{}')), '&X{}');
  t.is(goQuote('a"b\\c\n\u0001é'), '"a\\"b\\\\c\\n\\x01é"');
});

test('aggregate: one message bare, several bracketed, duplicates dropped', (t) => {
  const a = fieldErrors.required(FieldPath.root('a'));
  const b = fieldErrors.required(FieldPath.root('b'));
  t.is(aggregateMessage([]), '');
  t.is(aggregateMessage([a]), 'a: Required value');
  t.is(aggregateMessage([a, b, a]), '[a: Required value, b: Required value]');
});
