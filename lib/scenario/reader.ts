/**
 * A typed reader over the yaml package's syntax tree. Each value is read
 * through a cursor that knows its node (hence its offset in the file) and
 * its field path, so every problem is reported where it is, as a value:
 * readers return undefined after recording a ScenarioError, never throw.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { parseQuantity } from '../api/quantity.js';
import { DURATION_HINT, parseDuration } from './duration.js';
import type { ScenarioError, ScenarioErrorCode } from './errors.js';
import { didYouMean } from './suggest.js';

/** One parsed file and the errors found in it. */
export class Source {
  constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    readonly lines: LineCounter,
    readonly errors: ScenarioError[],
  ) {}

  report(code: ScenarioErrorCode, offset: number, path: string, message: string): void {
    const { line, col } = this.lines.linePos(offset);
    this.errors.push({ code, file: this.file, line, column: col, path, message });
  }
}

/** A value in the tree: its node (null when absent or empty), field path and offset. */
export interface Cursor {
  readonly src: Source;
  readonly node: Node | null;
  readonly path: string;
  readonly offset: number;
}

/** A cursor on `node` (aliases resolved), placed at `fallback` when the node has no range. */
export function cursor(src: Source, node: unknown, path: string, fallback: number): Cursor {
  let n: Node | null = null;
  if (isAlias(node)) n = (node.resolve(src.doc) as Node | undefined) ?? null;
  else if (node !== null && typeof node === 'object' && 'range' in node) n = node as Node;
  const offset = isAlias(node) ? (node.range?.[0] ?? fallback) : (n?.range?.[0] ?? fallback);
  return { src, node: n, path, offset };
}

/** Records an error at the cursor; returns undefined, for `return fail(...)` in readers. */
export function fail(c: Cursor, code: ScenarioErrorCode, message: string): undefined {
  c.src.report(code, c.offset, c.path, message);
  return undefined;
}

/** Records an error at the cursor; returns false, for checks that answer ok or not. */
export function reject(c: Cursor, code: ScenarioErrorCode, message: string): false {
  c.src.report(code, c.offset, c.path, message);
  return false;
}

/** `a.b`, `a["app.kubernetes.io/name"]`; the root path is ''. */
export function childPath(path: string, key: string): string {
  const part = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (path === '') return part;
  return part.startsWith('[') ? `${path}${part}` : `${path}.${part}`;
}

export function indexPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** The scalar's value, or undefined for maps and lists (null for an empty value). */
export function scalarValue(c: Cursor): unknown {
  if (c.node === null) return null;
  return isScalar(c.node) ? c.node.value : undefined;
}

export function isMapNode(c: Cursor): boolean {
  return isMap(c.node);
}

export function isSeqNode(c: Cursor): boolean {
  return isSeq(c.node);
}

/** A mapping's entries by key, in file order. */
export class MapView {
  constructor(
    readonly at: Cursor,
    private readonly entries: ReadonlyMap<string, Cursor>,
    private readonly keyOffsets: ReadonlyMap<string, number>,
  ) {}

  /** A cursor on the key itself (for errors about the key's presence rather than its value). */
  keyAt(key: string): Cursor | undefined {
    const c = this.entries.get(key);
    return c && { ...c, offset: this.keyOffsets.get(key) ?? c.offset };
  }

  get(key: string): Cursor | undefined {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The field, or an error at the mapping ("x.count: required") and undefined. */
  require(key: string, hint = 'required'): Cursor | undefined {
    const c = this.entries.get(key);
    if (c === undefined) this.at.src.report('required', this.at.offset, childPath(this.at.path, key), hint);
    return c;
  }
}

/**
 * Reads a mapping. Keys outside `allowed` are reported with a suggestion
 * (pass null to accept any key, e.g. for labels). Non-string keys are errors.
 */
export function readMap(c: Cursor, allowed: readonly string[] | null, what = 'a mapping'): MapView | undefined {
  if (!isMap(c.node)) return fail(c, 'type', `must be ${what}`);
  const entries = new Map<string, Cursor>();
  const keyOffsets = new Map<string, number>();
  for (const pair of c.node.items) {
    const keyNode = pair.key as unknown;
    const keyCursor = cursor(c.src, keyNode, c.path, c.offset);
    const raw = scalarValue(keyCursor);
    if (raw === undefined || raw === null || typeof raw === 'object') {
      fail(keyCursor, 'type', 'keys must be plain strings');
      continue;
    }
    const key = String(raw);
    const path = childPath(c.path, key);
    if (allowed !== null && !allowed.includes(key)) {
      const keyAt = { ...keyCursor, path };
      fail(keyAt, 'unknown-key', `unknown field${didYouMean(key, allowed)}; expected one of: ${allowed.join(', ')}`);
      continue;
    }
    const keyEnd = keyCursor.node?.range?.[1] ?? keyCursor.offset;
    entries.set(key, cursor(c.src, pair.value, path, keyEnd));
    keyOffsets.set(key, keyCursor.offset);
  }
  return new MapView(c, entries, keyOffsets);
}

/** Reads a list's items as cursors. */
export function readSeq(c: Cursor, what = 'a list'): Cursor[] | undefined {
  if (!isSeq(c.node)) return fail(c, 'type', `must be ${what}`);
  return c.node.items.map((item, i) => cursor(c.src, item, indexPath(c.path, i), c.offset));
}

export function readString(c: Cursor, what = 'a string'): string | undefined {
  const v = scalarValue(c);
  if (typeof v !== 'string' || v === '') return fail(c, 'type', `must be ${what}`);
  return v;
}

export function readBool(c: Cursor): boolean | undefined {
  const v = scalarValue(c);
  if (typeof v !== 'boolean') return fail(c, 'type', 'must be true or false');
  return v;
}

export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

/** A number in [min, max]; integers only when asked. The message says what is wanted. */
export function readNumber(c: Cursor, range: NumberRange = {}): number | undefined {
  const v = scalarValue(c);
  const ok = typeof v === 'number' && Number.isFinite(v) && (!range.integer || Number.isInteger(v)) && (range.min === undefined || v >= range.min) && (range.max === undefined || v <= range.max);
  if (ok) return v as number;
  return fail(c, typeof v === 'number' ? 'value' : 'type', `must be ${describeRange(range)}`);
}

function describeRange(r: NumberRange): string {
  const noun = r.integer ? 'integer' : 'number';
  if (r.min === 1 && r.max === undefined && r.integer) return 'a positive integer';
  if (r.min === 0 && r.max === undefined) return `a non-negative ${noun}`;
  if (r.min !== undefined && r.max !== undefined) return `a${r.integer ? 'n' : ''} ${noun} from ${r.min} to ${r.max}`;
  if (r.min !== undefined) return `a${r.integer ? 'n' : ''} ${noun} of at least ${r.min}`;
  return `a${r.integer ? 'n' : ''} ${noun}`;
}

export function readPositiveInt(c: Cursor): number | undefined {
  return readNumber(c, { min: 1, integer: true });
}

/** Milliseconds from "30s", "5m", "1h30m", "250ms". */
export function readDuration(c: Cursor): number | undefined {
  const v = scalarValue(c);
  const ms = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
  if (ms === undefined) return fail(c, typeof v === 'string' ? 'value' : 'type', `${DURATION_HINT}${v === undefined || v === null ? '' : `, not ${JSON.stringify(v)}`}`);
  return ms;
}

/** A non-negative Kubernetes quantity ("500m", "16Gi", 4), as the text the api-server would store. */
export function readQuantity(c: Cursor): string | undefined {
  const v = scalarValue(c);
  if (typeof v !== 'string' && typeof v !== 'number') return fail(c, 'type', 'must be a quantity like 4, 500m or 16Gi');
  const r = parseQuantity(v);
  if (!r.ok) return fail(c, 'value', `bad quantity ${JSON.stringify(v)}: ${r.error}`);
  if (r.quantity.unscaled < 0n) return fail(c, 'value', 'must not be negative');
  return r.quantity.text;
}

/** One of `values`, with a suggestion for a near miss. */
export function readEnum<T extends string>(c: Cursor, values: readonly T[]): T | undefined {
  const v = scalarValue(c);
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  const got = typeof v === 'string' ? `${JSON.stringify(v)}${didYouMean(v, values)}` : 'a non-string';
  return fail(c, typeof v === 'string' ? 'value' : 'type', `must be one of ${values.join(', ')}; got ${got}`);
}

/** A mapping of strings to strings (labels, node selectors). */
export function readStringMap(c: Cursor): Record<string, string> | undefined {
  const m = readMap(c, null, 'a mapping of strings');
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const key of m.keys()) {
    const v = scalarValue(m.get(key)!);
    if (typeof v !== 'string') fail(m.get(key)!, 'type', 'must be a string (quote numbers and booleans)');
    else out[key] = v;
  }
  return out;
}

/** The plain JavaScript value of a subtree (manifests, patches); undefined with an error when it cannot be built. */
export function toPlain(c: Cursor): unknown {
  if (c.node === null) return null;
  try {
    return c.node.toJS(c.src.doc, { maxAliasCount: 100 });
  } catch (e) {
    // The yaml package throws for alias bombs and unresolvable aliases: a located error.
    return fail(c, 'value', `cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Exactly one of `keys` must be present: returns it, or reports none/several.
 * Used for unions keyed by their member (`at`/`after`, the action of a step).
 */
export function exactlyOne<K extends string>(m: MapView, keys: readonly K[], what: string): K | undefined {
  const present = keys.filter((k) => m.has(k));
  if (present.length === 1) return present[0];
  if (present.length === 0) return fail(m.at, 'required', `needs ${what}: one of ${keys.join(', ')}`);
  return fail(m.keyAt(present[1]!)!, 'value', `only one of ${present.join(', ')} may be given (${what})`);
}
