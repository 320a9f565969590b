/**
 * The scenario parser under random input: random YAML built from the
 * format's own keys with random values, byte-level mutations of every
 * shipped scenario, and random text. Each input gives either a valid
 * scenario or errors that each point inside the file (file:line:column,
 * a message); parseScenario never throws. Sizes scale with BERTH_FUZZ_RUNS.
 */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { fileReader, formatError, parseScenario, TOP_LEVEL_KEYS, type ParseResult } from '../../lib/scenario/index.js';
import { SCENARIOS_DIR, shippedScenarios } from '../scenario/helpers.js';
import { fuzzSeed, scaledRuns } from './scale.js';

const FILE = 'fuzz.yaml';
const readFile = fileReader(SCENARIOS_DIR);
const SHIPPED = shippedScenarios().map((f) => ({ name: f, text: readFileSync(join(SCENARIOS_DIR, f), 'utf8') }));

/** A located error or a valid scenario; anything else (a throw included) is a failure with the input in the message. */
function checkParse(text: string): void {
  let result: ParseResult;
  try {
    result = parseScenario(text, FILE, { readFile });
  } catch (err) {
    throw new Error(`parseScenario threw ${err instanceof Error ? err.stack : String(err)}`);
  }
  if (result.ok) return;
  if (result.errors.length === 0) throw new Error('not ok, yet no error');
  const lines = text.split('\n').length;
  for (const e of result.errors) {
    const line = formatError(e);
    if (!/^[^:]+:\d+:\d+: \S/.test(line)) throw new Error(`unlocated error: ${line}`);
    if (e.message.trim() === '') throw new Error(`error without a message: ${line}`);
    // Errors in a `file:` workload point into that file, whose length we do not check here.
    if (e.file === FILE && (e.line < 1 || e.line > lines + 1 || e.column < 1)) throw new Error(`error outside the file (${lines} lines): ${line}`);
  }
}

const NESTED_KEYS = ['nodePools', 'name', 'count', 'capacity', 'cpu', 'memory', 'pods', 'labels', 'taints', 'zones', 'latency', 'failures', 'mode', 'speed', 'at', 'action', 'apply', 'scale', 'replicas', 'failNodes', 'wait', 'for', 'timeout', 'file', 'kind', 'apiVersion', 'metadata', 'spec', 'distribution', 'mean', 'p99', 'after', 'every', 'expect', 'allPodsScheduled', 'within', 'maxPending'];
const scalar = fc.oneof(
  fc.constantFrom('1', '0', '-1', '4', '8Gi', '500m', '30s', '1h', 'zone-a', 'worker', 'Deployment', 'apps/v1', '../x.yaml', '/etc/passwd', 'true', '', '1e999', 'NaN'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
);
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...NESTED_KEYS), fc.string({ maxLength: 5 })), tie('tree'), { maxKeys: 4 }),
  ),
}));
const randomScenario = fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...TOP_LEVEL_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), tree, { maxKeys: 8 });

test('random YAML made of the format\'s keys: a valid scenario or located errors, never a throw', (t) => {
  const runs = scaledRuns(600);
  fc.assert(
    fc.property(randomScenario, (doc) => checkParse(stringify(doc))),
    { numRuns: runs, seed: fuzzSeed(), includeErrorInReport: true },
  );
  t.log(`${runs} random documents`);
  t.pass();
});

type Edit = { at: number; del: number; insert: string };
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  del: fc.nat({ max: 12 }),
  insert: fc.oneof(fc.constantFrom('', ':', ' ', '\n', '  ', '- ', '{', '[', '"', "'", '&a ', '*a', '!!binary ', '#', '\t', '|', '? ', '---\n', '...\n', '%YAML 1.2\n', '\u0000', '\uFEFF', '\ud800'), fc.string({ maxLength: 6, unit: 'binary' })),
});
function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = Math.floor(e.at * out.length);
    out = out.slice(0, at) + e.insert + out.slice(at + e.del);
  }
  return out;
}

test('byte-level mutations of every shipped scenario: a valid scenario or located errors, never a throw', (t) => {
  const runs = scaledRuns(60);
  for (const s of SHIPPED) {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), fc.nat({ max: 100 }), (edits, cut) => {
        const mutated = applyEdits(s.text, edits);
        checkParse(mutated);
        // Truncated anywhere, as a half-written file would be.
        checkParse(mutated.slice(0, Math.floor((mutated.length * cut) / 100)));
      }),
      { numRuns: runs, seed: fuzzSeed(), includeErrorInReport: true },
    );
  }
  t.log(`${runs} x 2 mutations of each of ${SHIPPED.length} scenarios`);
  t.pass();
});

test('random text and bytes: located errors, never a throw', (t) => {
  const runs = scaledRuns(1_000);
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200, unit: 'binary' }), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8'))), (text) => checkParse(text)),
    { numRuns: runs, seed: fuzzSeed(), includeErrorInReport: true },
  );
  t.pass();
});
