/** Selector properties: string and object forms agree with an independent oracle, and negations partition. */
import test from 'ava';
import fc from 'fast-check';
import type { LabelSelector, LabelSelectorRequirement } from '../../lib/api/types/meta.js';
import { mustParseSelector, parseSelector } from '../../lib/api/selectors/parse.js';
import { selectorFromLabelSelector, selectorFromSet } from '../../lib/api/selectors/label-selector.js';

const key = fc.constantFrom('a', 'b', 'c', 'example.com/d', 'constructor');
const val = fc.constantFrom('', 'x', 'y', 'z');
const labelsArb = fc.array(fc.tuple(key, val), { maxLength: 5 }).map((entries) => Object.fromEntries(entries) as Record<string, string>);

const requirementArb: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(val, { minLength: 1, maxLength: 3 }) }),
  fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
);
const selectorArb: fc.Arbitrary<LabelSelector> = fc.record(
  { matchLabels: fc.array(fc.tuple(key, val), { maxLength: 3 }).map((e) => Object.fromEntries(e) as Record<string, string>), matchExpressions: fc.array(requirementArb, { maxLength: 3 }) },
  { requiredKeys: [] },
);

/** The LabelSelector semantics, written directly from the API documentation. */
function oracle(sel: LabelSelector, labels: Record<string, string>): boolean {
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(labels, k);
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (!has(k) || labels[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const present = has(r.key);
    const inValues = present && (r.values ?? []).includes(labels[r.key]!);
    const ok = r.operator === 'In' ? inValues : r.operator === 'NotIn' ? !inValues : r.operator === 'Exists' ? present : !present;
    if (!ok) return false;
  }
  return true;
}

test('object form matches the oracle, and its string form parses to an equivalent selector', (t) => {
  fc.assert(
    fc.property(selectorArb, fc.array(labelsArb, { minLength: 1, maxLength: 8 }), (sel, labelSets) => {
      const r = selectorFromLabelSelector(sel);
      if (!r.ok) return t.fail(r.error);
      const reparsed = mustParseSelector(r.selector.toString());
      for (const labels of labelSets) {
        t.is(r.selector.matches(labels), oracle(sel, labels));
        t.is(reparsed.matches(labels), oracle(sel, labels));
      }
      t.is(reparsed.toString(), r.selector.toString());
    }),
    { numRuns: 500 },
  );
});

test('a selector built from a label set matches that set, and every superset', (t) => {
  fc.assert(
    fc.property(labelsArb, labelsArb, (labels, extra) => {
      const sel = selectorFromSet(labels);
      t.true(sel.matches(labels));
      t.true(sel.matches({ ...extra, ...labels }));
      t.true(mustParseSelector(sel.toString()).matches(labels));
      const missing = Object.keys(labels).find((k) => !Object.hasOwn(extra, k) || extra[k] !== labels[k]);
      if (missing !== undefined) t.false(sel.matches(extra));
    }),
  );
});

test('negated requirements partition every label set', (t) => {
  const pairs = fc.tuple(key, fc.uniqueArray(val.filter((v) => v !== ''), { minLength: 1, maxLength: 3 }), val);
  fc.assert(
    fc.property(pairs, labelsArb, ([k, values, v], labels) => {
      const exactlyOne = (a: string, b: string): void => {
        t.not(mustParseSelector(a).matches(labels), mustParseSelector(b).matches(labels), `${a} vs ${b} on ${JSON.stringify(labels)}`);
      };
      exactlyOne(`${k} in (${values.join(',')})`, `${k} notin (${values.join(',')})`);
      exactlyOne(k, `!${k}`);
      exactlyOne(`${k}=${v}`, `${k}!=${v}`);
    }),
  );
});

test('the parser never throws: every input is a selector or an error message', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '=', '!', '(', ')', ',', ' ', 'in', 'notin', '<', '>', '1', '$') , maxLength: 16 }), (s) => {
      const r = parseSelector(s);
      if (r.ok) t.is(typeof r.selector.toString(), 'string');
      else t.true(r.error.length > 0);
    }),
    { numRuns: 2000 },
  );
});
