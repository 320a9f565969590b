/**
 * Scenario errors: every problem found in a scenario file is a value with a
 * location (file:line:column), the path of the bad field and a message.
 * Nothing in lib/scenario throws for a bad scenario; it returns these.
 */

/** Stable codes, for the CLI (exit code 2) and tests. */
export type ScenarioErrorCode =
  /** YAML the parser rejects (positions from the yaml package). */
  | 'syntax'
  /** A key the format does not define (with a did-you-mean suggestion). */
  | 'unknown-key'
  /** A required field is absent. */
  | 'required'
  /** A value of the wrong type (a string where a number belongs...). */
  | 'type'
  /** A value of the right type that is out of range or malformed (durations, quantities, names). */
  | 'value'
  /** A name that refers to nothing (a pool, a node, a workload, a kind the api-server does not serve). */
  | 'reference'
  /** Timeline entries out of time order. */
  | 'order'
  /** A `file:` workload that escapes the scenario's directory or cannot be read. */
  | 'file'
  /** A manifest the api-server would reject on create. */
  | 'manifest';

export interface ScenarioError {
  readonly code: ScenarioErrorCode;
  /** The file the error is in: the scenario, or a `file:` workload next to it. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Path of the bad field, e.g. `cluster.nodePools[1].count`; '' for the document itself. */
  readonly path: string;
  readonly message: string;
}

/** `file:line:col: path: message`, one line. */
export function formatError(e: ScenarioError): string {
  const where = `${e.file}:${e.line}:${e.column}`;
  return e.path === '' ? `${where}: ${e.message}` : `${where}: ${e.path}: ${e.message}`;
}

/** One line per error, in file then position order. */
export function formatErrors(errors: readonly ScenarioError[]): string {
  return sortErrors(errors).map(formatError).join('\n');
}

/** Errors ordered by file, line and column (stable for equal positions). */
export function sortErrors(errors: readonly ScenarioError[]): ScenarioError[] {
  return [...errors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}
