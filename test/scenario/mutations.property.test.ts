/**
 * Random YAML mutations of quickstart.yaml: each result either validates or
 * gives located errors (a line and column inside the file, a message); the
 * parser never throws.
 */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario, type ParseResult } from '../../lib/scenario/index.js';
import { SCENARIOS_DIR } from './helpers.js';

const QUICKSTART = readFileSync(join(SCENARIOS_DIR, 'quickstart.yaml'), 'utf8');
const LINES = QUICKSTART.split('\n');

/** Values that break things in different ways: types, YAML syntax, aliases, tags, huge numbers. */
const TOKENS = ['-1', '0', '1.5', '"3"', 'x', '', '~', 'null', 'true', '[', ']', '{', '}', '{}', '[]', '&a x', '*a', '*nope', '!!binary aGk=', '!!str 5', '!custom 1',
  '1e999', '30q', '1h30m', '"../x.yaml"', '/etc/passwd', ':', '- ', '? ', '|', '>-', '"unterminated', "'", '#', '\t', 'zone-z', 'worker-99', 'app=web,', 'Deploymnet', '8Gb', '-4Gi'];

type Mutation =
  | { kind: 'delete-line'; line: number }
  | { kind: 'duplicate-line'; line: number }
  | { kind: 'swap-lines'; a: number; b: number }
  | { kind: 'replace-value'; line: number; token: string }
  | { kind: 'indent'; line: number; by: number }
  | { kind: 'insert-text'; offset: number; text: string }
  | { kind: 'delete-text'; offset: number; length: number };

const lineIndex = fc.nat({ max: LINES.length - 1 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete-line' as const), line: lineIndex }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: lineIndex }),
  fc.record({ kind: fc.constant('swap-lines' as const), a: lineIndex, b: lineIndex }),
  fc.record({ kind: fc.constant('replace-value' as const), line: lineIndex, token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('indent' as const), line: lineIndex, by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constant('insert-text' as const), offset: fc.nat({ max: QUICKSTART.length }), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })) }),
  fc.record({ kind: fc.constant('delete-text' as const), offset: fc.nat({ max: QUICKSTART.length }), length: fc.integer({ min: 1, max: 20 }) }),
);

function apply(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const at = (i: number) => Math.min(i, lines.length - 1);
  switch (m.kind) {
    case 'delete-line':
      lines.splice(at(m.line), 1);
      return lines.join('\n');
    case 'duplicate-line':
      lines.splice(at(m.line), 0, lines[at(m.line)]!);
      return lines.join('\n');
    case 'swap-lines': {
      const [a, b] = [at(m.a), at(m.b)];
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    case 'replace-value': {
      const l = lines[at(m.line)]!;
      const colon = l.indexOf(': ');
      lines[at(m.line)] = colon < 0 ? `${l.replace(/\S.*$/, '')}${m.token}` : `${l.slice(0, colon + 2)}${m.token}`;
      return lines.join('\n');
    }
    case 'indent': {
      const l = lines[at(m.line)]!;
      lines[at(m.line)] = m.by >= 0 ? `${' '.repeat(m.by)}${l}` : l.replace(new RegExp(`^ {0,${-m.by}}`), '');
      return lines.join('\n');
    }
    case 'insert-text':
      return text.slice(0, Math.min(m.offset, text.length)) + m.text + text.slice(Math.min(m.offset, text.length));
    case 'delete-text':
      return text.slice(0, m.offset) + text.slice(m.offset + m.length);
  }
}

/** Errors are inside the file, have a message, and a path that is '' or a field path. */
function located(r: ParseResult, text: string): boolean {
  if (r.ok) return true;
  if (r.errors.length === 0) return false;
  const lineCount = text.split('\n').length;
  return r.errors.every(
    (e) => e.file === 'quickstart.yaml' && Number.isInteger(e.line) && e.line >= 1 && e.line <= lineCount && Number.isInteger(e.column) && e.column >= 1 && e.message.length > 0 && typeof e.path === 'string',
  );
}

const noFiles = () => ({ ok: false as const, error: 'no files in this test' });

test('mutated quickstart.yaml validates or gives located errors, never throws', (t) => {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
      const text = ms.reduce(apply, QUICKSTART);
      const r = parseScenario(text, 'quickstart.yaml', { readFile: noFiles });
      return located(r, text);
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('each single-line value replacement is caught or harmless, and still located', (t) => {
  // Exhaustive over lines with a value and a few tokens: cheap, and catches what random runs might miss.
  let invalid = 0;
  for (let line = 0; line < LINES.length; line++) {
    if (!LINES[line]!.includes(': ')) continue;
    for (const token of ['-1', '"x"', '[', '*nope', '{}', '1e999']) {
      const text = apply(QUICKSTART, { kind: 'replace-value', line, token });
      const r = parseScenario(text, 'quickstart.yaml', { readFile: noFiles });
      t.true(located(r, text), `line ${line + 1} <- ${token}`);
      if (!r.ok) invalid++;
    }
  }
  t.true(invalid > 0);
});
