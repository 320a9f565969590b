// Field selectors (the `fieldSelector` query parameter), following
// k8s.io/apimachinery/pkg/fields: comma-separated `field=value`,
// `field==value` or `field!=value` terms, ANDed; a value may escape
// ',', '=' and '\' with a backslash. A field the object lacks reads as "".
//
// Which fields a resource supports is the caller's (resource table's)
// business: pass them to validateFieldSelector, which answers with
// Kubernetes' `field label not supported: <name>`. Matching takes a flat
// record of the supported fields, computed once per object by the caller
// (e.g. {"metadata.name": ..., "spec.nodeName": ...}).

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export type Fields = Readonly<Record<string, string>>;

export type FieldSelectorResult = { ok: true; selector: FieldSelector } | { ok: false; error: string };

/** Splits on commas not escaped by a backslash; the escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator occurrence splits the term; "==" is tried before "=". */
function splitTerm(term: string): { lhs: string; op: '!=' | '==' | '='; rhs: string } | null {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return null;
}

function unescapeValue(s: string): { ok: true; value: string } | { ok: false; error: string } {
  if (!/[\\,=]/.test(s)) return { ok: true, value: s };
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') {
        out += c;
        inSlash = false;
        continue;
      }
      return { ok: false, error: `invalid field selector: invalid escape sequence: \\${c}` };
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. its code point number.
      return { ok: false, error: `invalid field selector: unescaped character in value: ${c.codePointAt(0)}` };
    } else out += c;
  }
  if (inSlash) return { ok: false, error: 'invalid field selector: invalid escape sequence: \\' };
  return { ok: true, value: out };
}

/** Escapes a literal value for use in a field selector. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

export class FieldSelector {
  readonly requirements: readonly FieldRequirement[];

  constructor(requirements: readonly FieldRequirement[]) {
    this.requirements = requirements;
  }

  matches(fields: Fields): boolean {
    for (const r of this.requirements) {
      const v = Object.hasOwn(fields, r.field) ? fields[r.field]! : '';
      if ((v === r.value) !== (r.operator === '=')) return false;
    }
    return true;
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** If the selector requires `field` to equal one value, that value (used to pick an index). */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** Parses a field selector string. "" selects everything. Terms are sorted, as in Kubernetes. */
export function parseFieldSelector(input: string): FieldSelectorResult {
  const parts = splitTerms(input).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) return { ok: false, error: `invalid selector: '${input}'; can't understand '${part}'` };
    const v = unescapeValue(t.rhs);
    if (!v.ok) return v;
    reqs.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value: v.value });
  }
  return { ok: true, selector: new FieldSelector(reqs) };
}

/** Checks every field against the resource's supported set; the Kubernetes error names the first bad one. */
export function validateFieldSelector(sel: FieldSelector, supported: ReadonlySet<string>): { ok: true } | { ok: false; error: string } {
  for (const r of sel.requirements) {
    if (!supported.has(r.field)) return { ok: false, error: `field label not supported: ${r.field}` };
  }
  return { ok: true };
}

/** Parse and validate in one step, as the list handler needs. */
export function parseFieldSelectorFor(input: string, supported: ReadonlySet<string>): FieldSelectorResult {
  const r = parseFieldSelector(input);
  if (!r.ok) return r;
  const v = validateFieldSelector(r.selector, supported);
  return v.ok ? r : v;
}
