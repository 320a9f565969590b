// A small language for describing API types, from which the OpenAPI v3
// component schemas are generated. A type is a name, a description and its
// fields; a field is a primitive, a reference to another type, a list or a
// map. The output has the shape Kubernetes publishes (a `$ref` with
// `description` and `default` beside it, `format` int32/int64, `required`
// lists), which is what `kubectl explain` walks.

export type Schema = { [key: string]: unknown };

/** Component-name prefixes, as Kubernetes names its schemas. */
export const NS = {
  core: 'io.k8s.api.core.v1.',
  apps: 'io.k8s.api.apps.v1.',
  batch: 'io.k8s.api.batch.v1.',
  coordination: 'io.k8s.api.coordination.v1.',
  scheduling: 'io.k8s.api.scheduling.v1.',
  autoscaling: 'io.k8s.api.autoscaling.v1.',
  policy: 'io.k8s.api.policy.v1.',
  meta: 'io.k8s.apimachinery.pkg.apis.meta.v1.',
} as const;

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** A field schema plus whether the type lists it as required. */
export interface Field {
  readonly schema: Schema;
  readonly required: boolean;
}

export interface TypeDef {
  readonly name: string;
  readonly schema: Schema;
}

function field(schema: Schema, description?: string): Field {
  return { schema: description ? { description, ...schema } : schema, required: false };
}

export const str = (description?: string, extra: Schema = {}): Field => field({ type: 'string', ...extra }, description);
export const int32 = (description?: string): Field => field({ type: 'integer', format: 'int32' }, description);
export const int64 = (description?: string): Field => field({ type: 'integer', format: 'int64' }, description);
export const bool = (description?: string): Field => field({ type: 'boolean' }, description);
export const num = (description?: string): Field => field({ type: 'number', format: 'double' }, description);
/** A string from a closed set (kubectl explain lists the values). */
export const oneOf = (values: readonly string[], description: string): Field =>
  field({ type: 'string', enum: [...values] }, description);

/**
 * A reference to another type. Kubernetes wraps the $ref in allOf so the
 * field's own description survives beside the referenced type's (kubectl
 * explain prints both). Struct-valued fields default to {} as in Kubernetes.
 */
export const ref = (name: string, description?: string, opts: { nullable?: boolean } = {}): Field => {
  const target = { allOf: [{ $ref: `#/components/schemas/${name}` }] };
  return field(opts.nullable ? target : { ...target, default: {} }, description);
};

/** A reference without `default: {}` (pointer fields in Go, e.g. optional probes). */
export const optRef = (name: string, description?: string): Field => ref(name, description, { nullable: true });

export const listOf = (item: Field, description?: string): Field => field({ type: 'array', items: item.schema }, description);
/** A list of strings (the common case). */
export const strList = (description?: string): Field => listOf(str(undefined, { default: '' }), description);
export const mapOf = (value: Field, description?: string): Field => field({ type: 'object', additionalProperties: value.schema }, description);
export const strMap = (description?: string): Field => mapOf(str(undefined, { default: '' }), description);
/** Free-form JSON (e.g. managedFields' fieldsV1). */
export const anyObject = (description?: string): Field => field({ type: 'object' }, description);

/** Marks a field as required in its type. */
export function req(f: Field): Field {
  return { schema: f.schema, required: true };
}

/** A named object type. Required fields are collected from the field markers. */
export function type(name: string, description: string, fields: Readonly<Record<string, Field>>, extra: Schema = {}): TypeDef {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const k of Object.keys(fields).sort()) {
    properties[k] = fields[k]!.schema;
    if (fields[k]!.required) required.push(k);
  }
  const schema: Schema = { description, properties, type: 'object', ...extra };
  if (required.length > 0) schema['required'] = required;
  return { name, schema };
}

/** A named scalar type (Quantity, IntOrString, Time). */
export function scalar(name: string, description: string, schema: Schema): TypeDef {
  return { name, schema: { description, ...schema } };
}

/** apiVersion and kind, the TypeMeta every top-level object carries. */
export const TYPE_META: Readonly<Record<string, Field>> = {
  apiVersion: str('The schema version of this object, e.g. "v1" or "apps/v1".'),
  kind: str('The object\'s kind in CamelCase, e.g. "Pod". Fixed once created.'),
};

/** A top-level kind: TypeMeta, metadata, and the given fields, tagged with its group-version-kind. */
export function kindType(name: string, gvk: { group: string; version: string; kind: string }, description: string, fields: Readonly<Record<string, Field>>): TypeDef {
  return type(
    name,
    description,
    { ...TYPE_META, metadata: ref(`${NS.meta}ObjectMeta`, 'Name, namespace, labels, annotations and the other metadata every object has.'), ...fields },
    { 'x-kubernetes-group-version-kind': [{ group: gvk.group, kind: gvk.kind, version: gvk.version }] },
  );
}

/** The `<Kind>List` type for a kind. */
export function listType(itemName: string, gvk: { group: string; version: string; kind: string }): TypeDef {
  const listKind = `${gvk.kind}List`;
  return type(
    `${itemName}List`,
    `A list of ${gvk.kind} objects.`,
    {
      ...TYPE_META,
      items: req(listOf(ref(itemName), `The ${gvk.kind} objects.`)),
      metadata: ref(`${NS.meta}ListMeta`, 'The list\'s resourceVersion and continue token.'),
    },
    { 'x-kubernetes-group-version-kind': [{ group: gvk.group, kind: listKind, version: gvk.version }] },
  );
}
