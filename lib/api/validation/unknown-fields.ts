// Unknown fields in a request body, found by walking it against the OpenAPI
// component schemas (lib/api/openapi), the single description of every
// field Berth serves. Kubernetes decodes bodies into Go structs, so a field
// the type lacks never reaches storage: with fieldValidation=Strict the
// request fails ("strict decoding error: unknown field \"spec.replica\""),
// with Warn (the default) or Ignore the field is dropped, Warn also saying so
// in a Warning header. Berth decodes bodies schema-less, so this walk is
// what drops them.
//
// It runs on every create and update, in-process callers included, so the
// schemas are compiled once into a tree of Maps and the walk allocates
// nothing unless it finds something: a few microseconds for a Pod.

import { COMPONENTS, componentForKind } from '../openapi/registry.js';
import type { Schema } from '../openapi/dsl.js';

/** The `fieldValidation` query parameter's values. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export const FIELD_VALIDATION_VALUES: readonly FieldValidation[] = ['Ignore', 'Strict', 'Warn'];

/**
 * The directive a request asks for: absent or empty means Warn (the
 * api-server's default since Kubernetes 1.27); anything else that is not a
 * known value is undefined (the caller answers 422).
 */
export function fieldValidationOf(param: string | undefined): FieldValidation | undefined {
  if (param === undefined || param === '') return 'Warn';
  return (FIELD_VALIDATION_VALUES as readonly string[]).includes(param) ? (param as FieldValidation) : undefined;
}

/**
 * A compiled schema node. An object type knows its fields; a map knows its
 * values' node; a list its items'. A node with none of the three accepts
 * anything (scalars, Quantity, IntOrString, free-form JSON such as
 * fieldsV1).
 */
interface Node {
  fields?: Map<string, Node>;
  values?: Node;
  items?: Node;
}

const ANY: Node = Object.freeze({}) as Node;

const compiled = new Map<string, Node>();

function componentNode(name: string): Node {
  const done = compiled.get(name);
  if (done) return done;
  const schema = COMPONENTS.get(name);
  if (!schema) throw new Error(`unknown-fields: no schema ${name}`);
  // Registered before its fields are compiled, so a type that refers to itself terminates.
  const node: Node = {};
  compiled.set(name, node);
  Object.assign(node, schemaNode(schema));
  return node;
}

function refName(s: Schema): string | undefined {
  if (typeof s['$ref'] === 'string') return s['$ref'].replace('#/components/schemas/', '');
  const all = s['allOf'] as Schema[] | undefined;
  if (all && all.length === 1 && typeof all[0]!['$ref'] === 'string') return (all[0]!['$ref'] as string).replace('#/components/schemas/', '');
  return undefined;
}

function schemaNode(s: Schema): Node {
  const ref = refName(s);
  if (ref) return componentNode(ref);
  const props = s['properties'] as Record<string, Schema> | undefined;
  if (props) {
    const fields = new Map<string, Node>();
    for (const [k, v] of Object.entries(props)) fields.set(k, schemaNode(v));
    return { fields };
  }
  const add = s['additionalProperties'];
  if (add && typeof add === 'object') {
    const values = schemaNode(add as Schema);
    return values === ANY ? ANY : { values };
  }
  const items = s['items'] as Schema | undefined;
  if (s['type'] === 'array' && items) {
    const node = schemaNode(items);
    return node === ANY ? ANY : { items: node };
  }
  // A scalar, or an object with neither properties nor additionalProperties: free-form.
  return ANY;
}

const byKind = new Map<string, Node | null>();

/** The compiled schema of a kind, or undefined when no schema describes it. */
function kindNode(group: string, version: string, kind: string): Node | undefined {
  const key = `${group}/${version}/${kind}`;
  let node = byKind.get(key);
  if (node === undefined) {
    const name = componentForKind({ group, version, kind });
    node = name ? componentNode(name) : null;
    byKind.set(key, node);
  }
  return node ?? undefined;
}

/** Whether the schemas describe this kind at all (a kind without one is never checked). */
export function hasSchema(group: string, version: string, kind: string): boolean {
  return kindNode(group, version, kind) !== undefined;
}

type Segment = string | number;

/** "spec.template.spec.containers[0].imagee": the path form Kubernetes' strict decoder reports. */
export function renderPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Walk {
  readonly stack: Segment[] = [];
  found: Segment[][] | undefined;

  constructor(private readonly drop: boolean) {}

  visit(node: Node, value: unknown): void {
    if (node.fields) {
      if (!isObject(value)) return;
      const fields = node.fields;
      for (const k in value) {
        if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
        const child = fields.get(k);
        if (child === undefined) {
          (this.found ??= []).push([...this.stack, k]);
          if (this.drop) delete value[k];
        } else if (child !== ANY) {
          const v = value[k];
          if (typeof v !== 'object' || v === null) continue;
          this.stack.push(k);
          this.visit(child, v);
          this.stack.pop();
        }
      }
    } else if (node.items) {
      if (!Array.isArray(value)) return;
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (typeof v !== 'object' || v === null) continue;
        this.stack.push(i);
        this.visit(node.items, v);
        this.stack.pop();
      }
    } else if (node.values) {
      if (!isObject(value)) return;
      for (const k in value) {
        if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
        const v = value[k];
        if (typeof v !== 'object' || v === null) continue;
        this.stack.push(k);
        this.visit(node.values, v);
        this.stack.pop();
      }
    }
  }
}

export interface UnknownFieldsOptions {
  /** Delete the unknown fields from `obj` (which the caller must own). */
  readonly drop: boolean;
}

/**
 * The paths of the fields of `obj` that the kind's schema does not declare,
 * as path segments (names, and list indexes as numbers), in the order the
 * object lists them. Empty when all are known, or when no schema describes
 * the kind. With `drop`, they are also deleted from `obj`.
 */
export function unknownFieldPaths(group: string, version: string, kind: string, obj: unknown, opts: UnknownFieldsOptions): Segment[][] {
  const node = kindNode(group, version, kind);
  if (!node) return [];
  const w = new Walk(opts.drop);
  w.visit(node, obj);
  return w.found ?? [];
}

/** The same, rendered: `spec.replica`, `spec.template.spec.containers[0].imagee`. */
export function unknownFields(group: string, version: string, kind: string, obj: unknown, opts: UnknownFieldsOptions): string[] {
  return unknownFieldPaths(group, version, kind, obj, opts).map(renderPath);
}
