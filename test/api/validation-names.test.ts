/** Name, label and annotation checks give Kubernetes' messages word for word. */
import test from 'ava';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isLabelValue,
  isQualifiedName,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  regexError,
} from '../../lib/api/validation/names.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('DNS-1123 subdomain: valid names pass, invalid ones get the exact message', (t) => {
  for (const ok of ['a', 'example.com', 'a-b.c-d', '0', 'x'.repeat(253)]) t.deepEqual(isDNS1123Subdomain(ok), [], ok);
  for (const bad of ['A', '-a', 'a-', 'a..b', 'a_b', '', '.a']) t.deepEqual(isDNS1123Subdomain(bad), [SUBDOMAIN_MSG], bad);
  t.deepEqual(isDNS1123Subdomain('x'.repeat(254)), ['must be no more than 253 characters']);
});

test('DNS-1123 label: dots get their own message', (t) => {
  t.deepEqual(isDNS1123Label('my-name'), []);
  t.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  t.deepEqual(isDNS1123Label('Foo'), [LABEL_MSG]);
  t.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('DNS-1035 label must start with a letter', (t) => {
  t.deepEqual(isDNS1035Label('web'), []);
  t.is(isDNS1035Label('1web').length, 1);
  t.true(isDNS1035Label('1web')[0]!.startsWith('a DNS-1035 label must consist of lower case alphanumeric characters'));
});

test('qualified names (label keys): prefix and name parts are checked separately', (t) => {
  t.deepEqual(isQualifiedName('app'), []);
  t.deepEqual(isQualifiedName('example.com/App_1'), []);
  t.deepEqual(isQualifiedName('/a'), ['prefix part must be non-empty']);
  t.deepEqual(isQualifiedName('example.com/'), [
    'name part must be non-empty',
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  t.deepEqual(isQualifiedName('Example.com/a'), [`prefix part ${SUBDOMAIN_MSG}`]);
  t.is(isQualifiedName('a/b/c').length, 1);
  t.true(isQualifiedName('a/b/c')[0]!.endsWith("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"));
  t.deepEqual(isQualifiedName('x'.repeat(64)).slice(0, 1), ['name part must be no more than 63 characters']);
});

test('label values may be empty but not start with punctuation', (t) => {
  t.deepEqual(isLabelValue(''), []);
  t.deepEqual(isLabelValue('v1.2_3-x'), []);
  t.deepEqual(isLabelValue('-x'), [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
});

test('ports, port names and path segments', (t) => {
  t.deepEqual(isValidPortNum(80), []);
  t.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
  t.deepEqual(isValidPortNum(65536), ['must be between 1 and 65535, inclusive']);
  t.deepEqual(isValidPortName('http'), []);
  t.deepEqual(isValidPortName('-a--b'), ['must not contain consecutive hyphens', 'must not begin or end with a hyphen']);
  t.deepEqual(isValidPortName('123'), ['must contain at least one letter (a-z)']);
  t.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
  t.deepEqual(isValidPathSegmentName('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
});

test('generateName prefixes may end in a dash', (t) => {
  t.deepEqual(nameIsDNSSubdomain('web-', true), []);
  t.deepEqual(nameIsDNSSubdomain('web-', false), [SUBDOMAIN_MSG]);
});

test('regexError formats examples like Go', (t) => {
  t.is(regexError('m', 'f'), "m (regex used for validation is 'f')");
  t.is(regexError('m', 'f', 'a', 'b'), "m (e.g. 'a', or 'b', regex used for validation is 'f')");
});

test('names, label keys and values: the quick checks of common strings agree with the regular expressions', (t) => {
  // Kubernetes' patterns (k8s.io/apimachinery/pkg/util/validation), checked here on their own terms.
  const label = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
  const subdomain = new RegExp(`^${label}(\\.${label})*$`);
  const keyName = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
  const valid = {
    label: (s: string) => s.length <= 63 && new RegExp(`^${label}$`).test(s),
    subdomain: (s: string) => s.length <= 253 && subdomain.test(s),
    value: (s: string) => s.length <= 63 && new RegExp(`^(${keyName})?$`).test(s),
    key: (s: string) => {
      const parts = s.split('/');
      const name = parts[parts.length - 1]!;
      const nameOk = name.length > 0 && name.length <= 63 && new RegExp(`^${keyName}$`).test(name);
      if (parts.length === 1) return nameOk;
      return parts.length === 2 && parts[0]!.length > 0 && parts[0]!.length <= 253 && subdomain.test(parts[0]!) && nameOk;
    },
  };
  const alphabet = ['a', 'z', 'A', '0', '9', '-', '.', '_', '/', ' ', 'é'];
  const strings: string[] = [''];
  for (const a of alphabet) for (const b of alphabet) for (const c of alphabet) strings.push(a, a + b, a + b + c, `x${a}${b}y`, `ab.c${a}/d${b}e`);
  strings.push('a'.repeat(63), 'a'.repeat(64), `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`);
  strings.push(`example.com/${'n'.repeat(63)}`, `example.com/${'n'.repeat(64)}`, 'a/b/c', '/a', 'a/');
  for (const s of new Set(strings)) {
    // Twice each: the second answer may come from what the first remembered.
    for (let round = 0; round < 2; round++) {
      t.is(isDNS1123Label(s).length === 0, valid.label(s), `label ${JSON.stringify(s)}`);
      t.is(isDNS1123Subdomain(s).length === 0, valid.subdomain(s), `subdomain ${JSON.stringify(s)}`);
      t.is(isLabelValue(s).length === 0, valid.value(s), `label value ${JSON.stringify(s)}`);
      t.is(isQualifiedName(s).length === 0, valid.key(s), `qualified name ${JSON.stringify(s)}`);
    }
  }
});
