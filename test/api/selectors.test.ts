/** Label and field selectors: Kubernetes' parse cases, error messages and matching. */
import test from 'ava';
import { mustParseSelector, parseSelector } from '../../lib/api/selectors/parse.js';
import { formatLabelSelector, selectorFromLabelSelector, selectorFromSet } from '../../lib/api/selectors/label-selector.js';
import { parseFieldSelector, parseFieldSelectorFor } from '../../lib/api/selectors/fields.js';

test('good selector strings round-trip through String() (TestSelectorParse)', (t) => {
  // Kubernetes' String() drops the whitespace around binary operators.
  for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5', 'x==a']) {
    t.is(mustParseSelector(s).toString(), s.replaceAll(' ', ''), s);
  }
  t.is(mustParseSelector('a  in (c, b),d notin (e)').toString(), 'a in (b,c),d notin (e)');
  for (const s of ['x=a||y=b', 'x==a==b', '!x=a', 'x<a']) t.false(parseSelector(s).ok, s);
});

test('parsing sorts requirements by key and values within a set', (t) => {
  t.is(mustParseSelector('x=a,a=x').toString(), mustParseSelector('a=x,x=a').toString());
  t.is(mustParseSelector('x notin (def,abc),bar,z in (),w').toString(), 'bar,w,x notin (abc,def),z in ()');
  t.deepEqual(mustParseSelector('x in (abc,)').requirements[0]!.values, ['', 'abc']);
  t.deepEqual(mustParseSelector('x in (,,abc)').requirements[0]!.values, ['', 'abc']);
});

test('matching (TestSelectorMatches)', (t) => {
  const yes: [string, Record<string, string>][] = [
    ['', { x: 'y' }], ['x=y', { x: 'y' }], ['x=y,z=w', { x: 'y', z: 'w' }], ['x!=y,z!=w', { x: 'z', z: 'a' }], ['notin=in', { notin: 'in' }],
    ['x', { x: 'z' }], ['!x', { y: 'z' }], ['x>1', { x: '2' }], ['x<1', { x: '0' }], ['x notin (a)', {}], ['x in (a,b)', { x: 'b' }],
  ];
  const no: [string, Record<string, string>][] = [
    ['x=z', {}], ['x=y', { x: 'z' }], ['x=y,z=w', { x: 'w', z: 'w' }], ['x!=y,z!=w', { x: 'z', z: 'w' }], ['x', { y: 'z' }],
    ['!x', { x: 'z' }], ['x>1', { x: '0' }], ['x<1', { x: '2' }], ['x>1', { x: 'v2' }], ['x in (a)', {}],
  ];
  for (const [s, l] of yes) t.true(mustParseSelector(s).matches(l), `${s} ${JSON.stringify(l)}`);
  for (const [s, l] of no) t.false(mustParseSelector(s).matches(l), `${s} ${JSON.stringify(l)}`);
});

test('parse errors are Kubernetes\' messages', (t) => {
  const cases: [string, string][] = [
    ['x y', 'unable to parse requirement: found \'y\', expected: in, notin, =, ==, !=, gt, lt'],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['x=a,', "found '', expected: identifier after ','"],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['x<a', "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"],
    [
      'a$b=c',
      'unable to parse requirement: <nil>: Invalid value: "a$b": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\', or \'my.name\', or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
    ],
    [
      'x=a$b',
      'unable to parse requirement: values[0][x]: Invalid value: "a$b": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\', or \'my_value\', or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')',
    ],
  ];
  for (const [input, error] of cases) t.deepEqual(parseSelector(input), { ok: false, error }, input);
});

test('LabelSelector objects: nil selects nothing, empty selects everything, errors as in metav1', (t) => {
  const nothing = selectorFromLabelSelector(undefined);
  t.true(nothing.ok && !nothing.selector.matches({}));
  const all = selectorFromLabelSelector({});
  t.true(all.ok && all.selector.matches({ any: 'thing' }) && all.selector.isEmpty());
  const s = selectorFromLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }, { key: 'gpu', operator: 'DoesNotExist' }] });
  t.true(s.ok);
  if (s.ok) {
    t.is(s.selector.toString(), 'app=web,!gpu,tier notin (db)');
    t.true(s.selector.matches({ app: 'web', tier: 'fe' }));
    t.false(s.selector.matches({ app: 'web', gpu: '1' }));
  }
  t.deepEqual(selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Foo' as never }] }), { ok: false, error: '"Foo" is not a valid label selector operator' });
  t.deepEqual(selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), {
    ok: false,
    error: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
  });
  t.is(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  t.is(formatLabelSelector({}), '<none>');
  t.is(selectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
  t.is(mustParseSelector('app in (web)').requiresExactMatch('app'), 'web');
});

test('label keys like __proto__ and constructor are plain keys', (t) => {
  const labels = JSON.parse('{"__proto__":"x","constructor":"y"}') as Record<string, string>;
  t.true(selectorFromSet(labels).matches(labels));
  t.false(selectorFromSet(labels).matches({}));
  t.false(mustParseSelector('constructor').matches({}));
  t.true(mustParseSelector('!constructor,!toString,!valueOf').matches({}));
  t.false(parseSelector('__proto__').ok, '__proto__ is not a valid label key');
  t.true(mustParseSelector('constructor=y').matches(labels));
});

test('field selectors: =, ==, !=, escapes, and missing fields read as ""', (t) => {
  const r = parseFieldSelector('spec.nodeName!=n1,metadata.name==x');
  t.true(r.ok);
  if (!r.ok) return;
  t.true(r.selector.matches({ 'metadata.name': 'x', 'spec.nodeName': 'n2' }));
  t.false(r.selector.matches({ 'metadata.name': 'x', 'spec.nodeName': 'n1' }));
  t.is(r.selector.toString(), 'metadata.name=x,spec.nodeName!=n1');
  const unscheduled = parseFieldSelector('spec.nodeName=');
  t.true(unscheduled.ok && unscheduled.selector.matches({}));
  const esc = parseFieldSelector('metadata.name=a\\,b\\=c\\\\');
  t.true(esc.ok && esc.selector.matches({ 'metadata.name': 'a,b=c\\' }));
  t.is(esc.ok ? esc.selector.toString() : '', 'metadata.name=a\\,b\\=c\\\\');
  t.true(parseFieldSelector('').ok);
});

test('field selector errors are Kubernetes\' messages', (t) => {
  t.deepEqual(parseFieldSelector('a=b,nonsense'), { ok: false, error: "invalid selector: 'a=b,nonsense'; can't understand 'nonsense'" });
  t.deepEqual(parseFieldSelector('a=b=c'), { ok: false, error: 'invalid field selector: unescaped character in value: 61' });
  t.deepEqual(parseFieldSelector('a=b\\x'), { ok: false, error: 'invalid field selector: invalid escape sequence: \\x' });
  t.deepEqual(parseFieldSelector('a=b\\'), { ok: false, error: 'invalid field selector: invalid escape sequence: \\' });
  const supported = new Set(['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase']);
  t.deepEqual(parseFieldSelectorFor('status.phase!=Running,spec.foo=x', supported), { ok: false, error: 'field label not supported: spec.foo' });
  t.true(parseFieldSelectorFor('status.phase!=Running', supported).ok);
});
