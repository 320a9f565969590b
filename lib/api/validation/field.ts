// Field-level validation errors, modelled on k8s.io/apimachinery's
// util/validation/field: an error has a type, a field path
// ("spec.containers[0].name"), the bad value and a detail, and renders
// exactly as Kubernetes renders it, because kubectl users read these strings:
//
//   spec.containers[0].name: Required value
//   spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive
//   spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"
//
// Values are printed the way Go's fmt prints the Go value the field holds
// (strings quoted with %q, numbers and booleans bare, []string and
// map[string]string in %#v form); see formatBadValue.

import { goQuote } from '../go-format.js';
import type { CauseType } from '../types/meta.js';

/** field.ErrorType: the Status cause types that come from field validation. */
export type FieldErrorType = Exclude<CauseType, 'UnexpectedServerResponse' | 'FieldManagerConflict' | 'ResourceVersionTooLarge'>;

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/**
 * A bad value printed verbatim: for Go values whose printed form is not
 * data-like (e.g. a *LabelSelector printed by its String() method).
 */
export class RawValue {
  constructor(readonly text: string) {}
}

/** Marks a value that must not be printed (Go's omitValue). */
export const OMIT_VALUE: unique symbol = Symbol('omitValue');

export interface FieldError {
  readonly type: FieldErrorType;
  /** Rendered path, e.g. "spec.containers[0].name". */
  readonly field: string;
  readonly badValue: unknown;
  readonly detail: string;
}

export type ErrorList = FieldError[];

/**
 * An immutable field path. `child` appends ".name", `index` appends "[i]",
 * `key` appends "[k]"; a root path with no name prints as "<nil>" like Go's
 * nil *field.Path (the label selector parser's errors show it).
 */
export class FieldPath {
  private constructor(
    private readonly parent: FieldPath | null,
    private readonly name: string,
    private readonly subscript: string | null,
  ) {}

  static root(name: string, ...more: string[]): FieldPath {
    let p = new FieldPath(null, name, null);
    for (const n of more) p = new FieldPath(p, n, null);
    return p;
  }

  child(name: string, ...more: string[]): FieldPath {
    let p: FieldPath = new FieldPath(this, name, null);
    for (const n of more) p = new FieldPath(p, n, null);
    return p;
  }

  index(i: number): FieldPath {
    return new FieldPath(this, '', String(i));
  }

  key(k: string): FieldPath {
    return new FieldPath(this, '', k);
  }

  toString(): string {
    const parts: FieldPath[] = [];
    for (let p: FieldPath | null = this; p; p = p.parent) parts.push(p);
    let out = '';
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i]!;
      if (p.subscript !== null) out += `[${p.subscript}]`;
      else {
        if (p.parent !== null && p.name.length > 0) out += '.';
        out += p.name;
      }
    }
    return out;
  }
}

/** A path argument: a FieldPath, or null for Go's nil path ("<nil>"). */
export type PathLike = FieldPath | null;

function pathString(p: PathLike): string {
  return p === null ? '<nil>' : p.toString();
}

function make(type: FieldErrorType, path: PathLike, badValue: unknown, detail: string): FieldError {
  return { type, field: pathString(path), badValue, detail };
}

export const fieldErrors = {
  notFound: (path: PathLike, value: unknown): FieldError => make('FieldValueNotFound', path, value, ''),
  required: (path: PathLike, detail = ''): FieldError => make('FieldValueRequired', path, '', detail),
  duplicate: (path: PathLike, value: unknown): FieldError => make('FieldValueDuplicate', path, value, ''),
  invalid: (path: PathLike, value: unknown, detail: string): FieldError => make('FieldValueInvalid', path, value, detail),
  notSupported: (path: PathLike, value: unknown, validValues: readonly string[]): FieldError =>
    make(
      'FieldValueNotSupported',
      path,
      value,
      validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(', ')}` : '',
    ),
  forbidden: (path: PathLike, detail: string): FieldError => make('FieldValueForbidden', path, '', detail),
  /** Go's field.TooLong: the value is never printed. */
  tooLong: (path: PathLike, value: unknown, maxLength: number): FieldError =>
    make('FieldValueTooLong', path, value, `must have at most ${maxLength} bytes`),
  tooMany: (path: PathLike, actual: number, max: number): FieldError =>
    make('FieldValueTooMany', path, actual >= 0 ? actual : OMIT_VALUE, max >= 0 ? `must have at most ${max} items` : 'has too many items'),
  internal: (path: PathLike, message: string): FieldError => make('InternalError', path, null, message),
  typeInvalid: (path: PathLike, value: unknown, detail: string): FieldError => make('FieldValueTypeInvalid', path, value, detail),
};

/** The message without the field (Go's Error.ErrorBody), used for Status causes. */
export function errorBody(e: FieldError): string {
  let s: string;
  switch (e.type) {
    case 'FieldValueRequired':
    case 'FieldValueForbidden':
    case 'FieldValueTooLong':
    case 'InternalError':
      s = TYPE_TEXT[e.type];
      break;
    default:
      s = e.badValue === OMIT_VALUE ? TYPE_TEXT[e.type] : `${TYPE_TEXT[e.type]}: ${formatBadValue(e.badValue)}`;
  }
  return e.detail.length > 0 ? `${s}: ${e.detail}` : s;
}

/** "field: body", Go's Error.Error(). */
export function errorString(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

/**
 * Go's utilerrors aggregate message: duplicates dropped, one message bare,
 * several as "[a, b]". Returns "" for an empty list.
 */
export function aggregateMessage(errs: readonly FieldError[]): string {
  const seen = new Set<string>();
  for (const e of errs) seen.add(errorString(e));
  const msgs = [...seen];
  if (msgs.length === 0) return '';
  if (msgs.length === 1) return msgs[0]!;
  return `[${msgs.join(', ')}]`;
}

/**
 * Prints a bad value as Go's fmt would print the Go value behind it:
 * strings with %q, numbers/booleans with %v, nil as "null", string slices as
 * []string{"a", "b"} (empty: []string(nil)), string maps as
 * map[string]string{"k":"v"}, anything else as JSON.
 */
export function formatBadValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof RawValue) return v.text;
  switch (typeof v) {
    case 'string':
      return goQuote(v);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      break;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) {
      return v.length === 0 ? '[]string(nil)' : `[]string{${v.map((x: string) => goQuote(x)).join(', ')}}`;
    }
    return JSON.stringify(v);
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.every(([, x]) => typeof x === 'string')) {
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `map[string]string{${entries.map(([k, x]) => `${goQuote(k)}:${goQuote(x as string)}`).join(', ')}}`;
    }
    return JSON.stringify(v);
  }
  return String(v);
}
