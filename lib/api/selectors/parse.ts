// The label selector string syntax, parsed the way Kubernetes parses the
// `labelSelector` query parameter (k8s.io/apimachinery/pkg/labels Lexer and
// Parser), with the same error messages:
//
//   <selector>    ::= <requirement> | <requirement> "," <selector>
//   <requirement> ::= [!] KEY [ ("in"|"notin") "(" VALUES ")" | ("="|"=="|"!="|">"|"<") VALUE ]
//
// e.g. "a=b,c!=d,e in (x,y),f notin (z),g,!h". "in"/"notin" are keywords only
// in operator position ("notin=in" is key "notin", value "in"); an empty
// value is valid ("x=", "x in ()", "x in (a,)").

import { errorString, fieldErrors } from '../validation/field.js';
import { isQualifiedName } from '../validation/names.js';
import { BINARY_OPERATORS_TEXT, Selector, newRequirement, type Operator, type Requirement } from './requirement.js';

type Token =
  | 'error' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

interface Item {
  tok: Token;
  lit: string;
}

const SYMBOL_TOKENS: Record<string, Token> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', '<': '<', '!=': '!=', '(': '(' };

function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isSpecial(c: string): boolean {
  return c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (isSpecial(s[pos]!)) {
      // Longest run of special characters that still forms a token ("!=" over "!").
      let buf = '';
      let last: Item | null = null;
      while (pos < s.length && isSpecial(s[pos]!)) {
        const next = buf + s[pos]!;
        const tok = Object.hasOwn(SYMBOL_TOKENS, next) ? SYMBOL_TOKENS[next]! : undefined;
        if (tok) {
          buf = next;
          last = { tok, lit: next };
          pos++;
        } else if (last) break;
        else {
          buf = next;
          pos++;
        }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    const start = pos;
    while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) pos++;
    const word = s.slice(start, pos);
    items.push({ tok: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'id', lit: word });
  }
}

class ParseError {
  constructor(readonly message: string) {}
}

class Parser {
  private position = 0;

  constructor(private readonly items: Item[]) {}

  /** In value position, "in" and "notin" are plain identifiers. */
  private at(valueContext: boolean, i: number): Item {
    const it = this.items[i]!;
    return valueContext && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }

  private lookahead(valueContext: boolean): Item {
    return this.at(valueContext, this.position);
  }

  private consume(valueContext: boolean): Item {
    return this.at(valueContext, this.position++);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === 'id' || tok === '!') {
        let r: Requirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        reqs.push(r);
        const t = this.consume(true);
        if (t.tok === 'end') return reqs;
        if (t.tok === ',') {
          const t2 = this.lookahead(true);
          if (t2.tok !== 'id' && t2.tok !== '!') throw new ParseError(`found '${t2.lit}', expected: identifier after ','`);
        } else {
          throw new ParseError(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === 'end') {
        return reqs;
      } else {
        throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const { key, operator: inferred } = this.parseKeyAndInferOperator();
    if (inferred === 'exists' || inferred === '!') return build(key, inferred, []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    // Kubernetes collects values in a string set: deduplicated and sorted.
    return build(key, operator, [...new Set(values)].sort());
  }

  private parseKeyAndInferOperator(): { key: string; operator: Operator | null } {
    let operator: Operator | null = null;
    let t = this.consume(true);
    if (t.tok === '!') {
      operator = '!';
      t = this.consume(true);
    }
    if (t.tok !== 'id') throw new ParseError(`found '${t.lit}', expected: identifier`);
    const msgs = isQualifiedName(t.lit);
    if (msgs.length > 0) throw new ParseError(errorString(fieldErrors.invalid(null, t.lit, msgs.join('; '))));
    const next = this.lookahead(true).tok;
    if ((next === 'end' || next === ',') && operator !== '!') operator = 'exists';
    return { key: t.lit, operator };
  }

  private parseOperator(): Operator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case 'in': return 'in';
      case '=': return '=';
      case '==': return '==';
      case '>': return 'gt';
      case '<': return 'lt';
      case 'notin': return 'notin';
      case '!=': return '!=';
      default: throw new ParseError(`found '${lit}', expected: ${BINARY_OPERATORS_TEXT}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume(true);
    if (open.tok !== '(') throw new ParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === 'id' || tok === ',') {
      const values = this.parseIdentifiersList();
      if (this.consume(true).tok !== ')') throw new ParseError(`found '${lit}', expected: ')'`);
      return values;
    }
    if (tok === ')') {
      this.consume(true);
      return [''];
    }
    throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === 'id') {
        values.add(lit);
        const t2 = this.lookahead(true);
        if (t2.tok === ',') continue;
        if (t2.tok === ')') return [...values];
        throw new ParseError(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (values.size === 0) values.add(''); // "(,"
        const t2 = this.lookahead(true).tok;
        if (t2 === ')') {
          values.add(''); // ",)"
          return [...values];
        }
        if (t2 === ',') values.add(''); // ",,"
      } else {
        throw new ParseError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead(true).tok;
    if (next === 'end' || next === ',') return [''];
    const { tok, lit } = this.consume(true);
    if (tok === 'id') return [lit];
    throw new ParseError(`found '${lit}', expected: identifier`);
  }
}

function build(key: string, op: Operator, values: string[]): Requirement {
  const r = newRequirement(key, op, values, null);
  if (!r.ok) throw new ParseError(r.error);
  return r.requirement;
}

export type SelectorResult = { ok: true; selector: Selector } | { ok: false; error: string };

/** Parses the string form (the `labelSelector` query parameter). "" selects everything. */
export function parseSelector(input: string): SelectorResult {
  try {
    return { ok: true, selector: Selector.of(new Parser(lex(input)).parse()) };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message };
    throw e;
  }
}

/** Parses or throws; for constants in code and tests. */
export function mustParseSelector(input: string): Selector {
  const r = parseSelector(input);
  if (!r.ok) throw new Error(`invalid label selector ${JSON.stringify(input)}: ${r.error}`);
  return r.selector;
}
