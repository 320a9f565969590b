// Label requirements and compiled selectors (k8s.io/apimachinery/pkg/labels).
//
// A Selector is built once and matched many times: each requirement is
// compiled to a small closure (set-based operators use a Set when there are
// several values), and requirements are kept sorted by key, as Kubernetes
// does, so String() is deterministic. Label maps are read with own-property
// checks only, so keys like "__proto__" or "constructor" are ordinary keys.

import { FieldPath, fieldErrors, aggregateMessage, type ErrorList, type PathLike } from '../validation/field.js';
import { isLabelValue, isQualifiedName } from '../validation/names.js';

/** Kubernetes' selection.Operator values. */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export type Labels = Readonly<Record<string, string>>;

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

const BINARY_OPERATORS: readonly Operator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const VALID_OPERATORS: readonly string[] = [...BINARY_OPERATORS, 'exists', '!'];
export const BINARY_OPERATORS_TEXT = BINARY_OPERATORS.join(', ');

export type RequirementResult = { ok: true; requirement: Requirement } | { ok: false; error: string; errors: ErrorList };

function childOf(path: PathLike, name: string): FieldPath {
  // A nil Go path's Child is a root path: "values", not "<nil>.values".
  return path === null ? FieldPath.root(name) : path.child(name);
}

function isInt64(s: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(s)) return false;
  const v = BigInt(s);
  return v >= -(1n << 63n) && v < 1n << 63n;
}

/** Go's labels.NewRequirement: validates key, operator and values. */
export function newRequirement(key: string, operator: string, values: readonly string[], path: PathLike = null): RequirementResult {
  const errs: ErrorList = [];
  const keyMsgs = isQualifiedName(key);
  if (keyMsgs.length > 0) errs.push(fieldErrors.invalid(childOf(path, 'key'), key, keyMsgs.join('; ')));
  const valuePath = childOf(path, 'values');
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(fieldErrors.invalid(valuePath, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(fieldErrors.invalid(valuePath, values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(fieldErrors.invalid(valuePath, values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(fieldErrors.invalid(valuePath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!isInt64(v)) errs.push(fieldErrors.invalid(valuePath.index(i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(fieldErrors.notSupported(childOf(path, 'operator'), operator, VALID_OPERATORS));
  }
  values.forEach((v, i) => {
    const msgs = isLabelValue(v);
    if (msgs.length > 0) errs.push(fieldErrors.invalid(valuePath.index(i).key(key), v, msgs.join('; ')));
  });
  if (errs.length > 0) return { ok: false, error: aggregateMessage(errs), errors: errs };
  return { ok: true, requirement: { key, operator: operator as Operator, values: [...values] } };
}

type Matcher = (labels: Labels) => boolean;

function compileRequirement(r: Requirement): Matcher {
  const { key } = r;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==': {
      if (r.values.length === 1) {
        const v = r.values[0];
        return (l) => Object.hasOwn(l, key) && l[key] === v;
      }
      const set = new Set(r.values);
      return (l) => Object.hasOwn(l, key) && set.has(l[key]!);
    }
    case 'notin':
    case '!=': {
      if (r.values.length === 1) {
        const v = r.values[0];
        return (l) => !Object.hasOwn(l, key) || l[key] !== v;
      }
      const set = new Set(r.values);
      return (l) => !Object.hasOwn(l, key) || !set.has(l[key]!);
    }
    case 'exists':
      return (l) => Object.hasOwn(l, key);
    case '!':
      return (l) => !Object.hasOwn(l, key);
    case 'gt':
    case 'lt': {
      if (r.values.length !== 1 || !isInt64(r.values[0]!)) return () => false;
      const bound = BigInt(r.values[0]!);
      const gt = r.operator === 'gt';
      return (l) => {
        if (!Object.hasOwn(l, key) || !isInt64(l[key]!)) return false;
        const v = BigInt(l[key]!);
        return gt ? v > bound : v < bound;
      };
    }
  }
}

export function requirementString(r: Requirement): string {
  let s = r.operator === '!' ? `!${r.key}` : r.key;
  switch (r.operator) {
    case 'exists':
    case '!':
      return s;
    case 'in': s += ' in '; break;
    case 'notin': s += ' notin '; break;
    case 'gt': s += '>'; break;
    case 'lt': s += '<'; break;
    default: s += r.operator;
  }
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${s}(${vals})` : s + vals;
}

/** A compiled label selector. Build with parseSelector, selectorFromLabelSelector or selectorFromSet. */
export class Selector {
  readonly requirements: readonly Requirement[];
  /** True for the "nothing" selector (from a nil LabelSelector): matches no object. */
  readonly matchesNothing: boolean;
  private readonly matchers: readonly Matcher[];

  private constructor(requirements: readonly Requirement[], nothing: boolean) {
    this.requirements = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.matchesNothing = nothing;
    this.matchers = this.requirements.map(compileRequirement);
  }

  static of(requirements: readonly Requirement[]): Selector {
    return new Selector(requirements, false);
  }

  private static readonly EVERYTHING = new Selector([], false);
  private static readonly NOTHING = new Selector([], true);

  static everything(): Selector {
    return Selector.EVERYTHING;
  }

  static nothing(): Selector {
    return Selector.NOTHING;
  }

  matches(labels: Labels | undefined): boolean {
    if (this.matchesNothing) return false;
    const l = labels ?? EMPTY_LABELS;
    for (const m of this.matchers) if (!m(l)) return false;
    return true;
  }

  /** True when the selector does not restrict anything (matches every object). */
  isEmpty(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  /** If the selector pins `key` to one value (=, ==, or in with one value), that value. */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

const EMPTY_LABELS: Labels = Object.freeze({});
