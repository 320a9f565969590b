/**
 * The FieldsV1 set a create gives its manager, shared between objects of one
 * shape.
 *
 * A create by a field manager (every Pod a ReplicaSet controller makes)
 * owns every leaf of the new object, and that set depends only on the
 * object's shape: its map keys and the merge keys of its keyed lists
 * (container names, ...), never on scalar values. Pods of one template have
 * one shape, so building the set for each (~60 small objects with computed
 * keys, ~10 µs) repeats the same work; and the store encodes a set it has
 * seen before faster. So the set built for the first object of a shape is
 * kept, frozen, with that shape written down as a list of tokens (keys,
 * merge-key values and structure marks, in walk order), and the next object
 * of the same shape gets the same set: checking it against the tokens is
 * one walk that compares keys and allocates nothing.
 *
 * The tokens follow fieldsV1Of's rules exactly (field-walk.ts) and are read
 * back by position, so two objects match only if fieldsV1Of would build the
 * same set for both. Merge-key values are compared with ===, which implies
 * the same JSON; a shape with a merge-key value that is not a string,
 * number or boolean is not cached. Shared sets are frozen, so no holder can
 * change another object's. A few recent shapes are kept per patch schema.
 */
import type { PatchSchema } from '../../lib/api/patch/metadata.js';
import { markConstant } from '../../lib/store/plain-writer.js';
import { fieldsV1Of, isMap, SKIP_META, SKIP_TOP } from './field-walk.js';

type FieldSet = Record<string, unknown>;

// Structure marks: objects, so no key or merge-key value (a string, number or boolean) equals one.
const METADATA = { mark: 'metadata' };
const MAP = { mark: '{' };
const LIST = { mark: '[' };
const END = { mark: '}' };
const LEAF = { mark: '.' };

type Token = string | number | boolean | typeof METADATA;

interface Known {
  readonly tokens: readonly Token[];
  readonly set: FieldSet;
}

/** Shapes kept per schema, most recent first: a cluster creates from a handful of pod templates at a time. */
const MAX_SHAPES = 16;
const bySchema = new WeakMap<PatchSchema, Known[]>();

/** fieldsV1Of(obj, schema), shared (frozen) between objects of the same shape. */
export function sharedFieldsV1(obj: unknown, schema: PatchSchema): Readonly<FieldSet> {
  let known = bySchema.get(schema);
  if (!known) bySchema.set(schema, (known = []));
  for (let i = 0; i < known.length; i++) {
    const k = known[i]!;
    if (!walk(obj, schema, new Match(k.tokens))) continue;
    if (i > 0) {
      known.splice(i, 1);
      known.unshift(k);
    }
    return k.set;
  }
  const record = new Recorder();
  if (!walk(obj, schema, record)) return fieldsV1Of(obj, schema); // not cacheable: built for this object alone
  const set = deepFreeze(fieldsV1Of(obj, schema));
  markConstant(set); // frozen plain data: the store encoding keeps its bytes (plain-writer.ts)
  known.unshift({ tokens: record.tokens, set });
  if (known.length > MAX_SHAPES) known.pop();
  return set;
}

/** The shapes cached for `schema` (tests). */
export function sharedFieldsV1Count(schema: PatchSchema): number {
  return bySchema.get(schema)?.length ?? 0;
}

/** What a walk does with each token: compare it with a known shape's, or write it down. */
interface Visitor {
  /** False stops the walk: the object does not match. */
  token(t: Token): boolean;
  /** After the walk: whether every token was consumed. */
  done(): boolean;
}

class Match implements Visitor {
  private at = 0;
  constructor(private readonly tokens: readonly Token[]) {}
  token(t: Token): boolean {
    return this.tokens[this.at++] === t;
  }
  done(): boolean {
    return this.at === this.tokens.length;
  }
}

class Recorder implements Visitor {
  readonly tokens: Token[] = [];
  token(t: Token): boolean {
    this.tokens.push(t);
    return true;
  }
  done(): boolean {
    return true;
  }
}

/** fieldsV1Of's walk (field-walk.ts), as tokens: false when the visitor stops it or the shape cannot be cached. */
function walk(obj: unknown, schema: PatchSchema, v: Visitor): boolean {
  if (!isMap(obj) || !v.token(MAP)) return false;
  for (const k in obj) {
    if (!Object.hasOwn(obj, k) || SKIP_TOP.has(k)) continue;
    const value = obj[k];
    if (k === 'metadata' && isMap(value)) {
      // fieldsV1Of adds f:metadata only when a field of it is owned: its own mark.
      if (!v.token(METADATA)) return false;
      const metaSchema = schema['metadata']?.fields;
      for (const mk in value) {
        if (!Object.hasOwn(value, mk) || SKIP_META.has(mk)) continue;
        if (!v.token(mk) || !shape(value[mk], metaSchema?.[mk]?.fields, metaSchema?.[mk]?.mergeKey, v)) return false;
      }
      if (!v.token(END)) return false;
      continue;
    }
    if (!v.token(k) || !shape(value, schema[k]?.fields, schema[k]?.mergeKey, v)) return false;
  }
  return v.token(END) && v.done();
}

function shape(value: unknown, fields: PatchSchema | undefined, mergeKey: string | undefined, v: Visitor): boolean {
  if (isMap(value)) {
    if (!v.token(MAP)) return false;
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      if (!v.token(k) || !shape(value[k], fields?.[k]?.fields, fields?.[k]?.mergeKey, v)) return false;
    }
    return v.token(END);
  }
  if (mergeKey && Array.isArray(value) && isKeyed(value, mergeKey)) {
    if (!v.token(LIST)) return false;
    for (const e of value as Record<string, unknown>[]) {
      // fieldsV1Of names the element by JSON.stringify({ [mergeKey]: value }): equal primitives, equal names.
      const id = e[mergeKey];
      if (typeof id !== 'string' && typeof id !== 'number' && typeof id !== 'boolean') return false;
      if (!v.token(id) || !v.token(MAP)) return false;
      for (const k in e) {
        if (!Object.hasOwn(e, k)) continue;
        if (!v.token(k) || !shape(e[k], fields?.[k]?.fields, fields?.[k]?.mergeKey, v)) return false;
      }
      if (!v.token(END)) return false;
    }
    return v.token(END);
  }
  return v.token(LEAF);
}

/** field-walk.ts's isKeyedList: every element a map holding the merge key. */
function isKeyed(value: readonly unknown[], mergeKey: string): boolean {
  for (const e of value) if (!isMap(e) || !(mergeKey in e)) return false;
  return true;
}

function deepFreeze(set: FieldSet): FieldSet {
  for (const k in set) {
    const child = set[k];
    if (isMap(child)) deepFreeze(child);
  }
  return Object.freeze(set);
}
