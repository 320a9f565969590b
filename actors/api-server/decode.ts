/**
 * Checks on a decoded request body before any handler logic: it is an
 * object of the path's kind and apiVersion, in the path's namespace, with
 * the path's name. Messages follow the Kubernetes api-server's.
 */
import type { ResourceDef } from '../../lib/api/resources/index.js';
import { badRequest } from '../../lib/api/status.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { deepClone, type JsonValue } from '../../lib/api/patch/json-value.js';
import type { Outcome } from './objects.js';

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A map of strings (labels, annotations, data), checked without Object.values' array on every create. */
function isStringMap(v: unknown): boolean {
  if (!isMap(v)) return false;
  for (const k in v) if (Object.hasOwn(v, k) && typeof v[k] !== 'string') return false;
  return true;
}

export interface Expect {
  /** The namespace of the URL (namespaced kinds). */
  readonly namespace?: string;
  /** The name of the URL (update, apply). */
  readonly name?: string;
  /** The kind the path accepts when it is not the resource's (Scale, Binding, Eviction). */
  readonly apiVersion?: string;
  readonly kind?: string;
  /**
   * The body was decoded for this request alone (JSON.parse, YAML, protobuf,
   * an api.call message): nobody else holds it, so it is checked and handed
   * on as it is. A copy of a 1.5 KB Pod is ~60 objects of garbage per write.
   */
  readonly owned?: boolean;
}

/**
 * Top-level fields that are string maps, checked here because defaulting
 * reads them before validation does (Secret.stringData is base64-encoded
 * into data), as Go's decoder would refuse them.
 */
const STRING_MAPS: Readonly<Record<string, readonly string[]>> = {
  Secret: ['data', 'stringData'],
  ConfigMap: ['data', 'binaryData'],
};

/** ObjectMeta's string fields: handlers and defaulting read them as strings, as Go's decoder guarantees. */
const META_STRINGS = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'selfLink', 'creationTimestamp', 'deletionTimestamp'] as const;

/** Go's name for a JSON value's type, as its decoder words errors. */
function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** The body (a copy unless `expect.owned`) as an object of `def`'s kind, or a 400. */
export function checkBody(def: ResourceDef, body: unknown, expect: Expect = {}): Outcome<KubeObject> {
  const wantVersion = expect.apiVersion ?? def.apiVersion;
  const wantKind = expect.kind ?? def.kind;
  if (!isMap(body)) return badRequest(`${wantKind} in version "${versionOf(wantVersion)}" cannot be handled as a ${wantKind}: the request body must be a JSON object`);
  const obj = (expect.owned ? body : deepClone(body as JsonValue)) as Record<string, unknown>;
  const apiVersion = obj.apiVersion;
  const kind = obj.kind;
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== wantVersion) {
    return badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${wantVersion})`);
  }
  if (kind !== undefined && kind !== '' && kind !== wantKind) {
    return badRequest(`${String(kind)} in version "${versionOf(wantVersion)}" cannot be handled as a ${wantKind}: no kind "${String(kind)}" is registered for version "${wantVersion}"`);
  }
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (!isMap(obj.metadata)) return badRequest(`${wantKind} in version "${versionOf(wantVersion)}" cannot be handled as a ${wantKind}: metadata must be an object`);
  const meta = obj.metadata as Record<string, unknown>;
  const cannot = (field: string, got: unknown, goType: string): Outcome<KubeObject> =>
    badRequest(`${wantKind} in version "${versionOf(wantVersion)}" cannot be handled as a ${wantKind}: json: cannot unmarshal ${jsonType(got)} into Go struct field ObjectMeta.metadata.${field} of type ${goType}`);
  for (const f of META_STRINGS) {
    const v = meta[f];
    if (v !== undefined && v !== null && typeof v !== 'string') return cannot(f, v, 'string');
  }
  for (const f of ['generation', 'deletionGracePeriodSeconds'] as const) {
    const v = meta[f];
    if (v !== undefined && v !== null && !Number.isInteger(v)) return cannot(f, v, 'int64');
  }
  if (meta.finalizers !== undefined && meta.finalizers !== null && (!Array.isArray(meta.finalizers) || meta.finalizers.some((v) => typeof v !== 'string'))) {
    return cannot('finalizers', meta.finalizers, '[]string');
  }
  for (const f of ['ownerReferences', 'managedFields'] as const) {
    const v = meta[f];
    if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((e) => !isMap(e)))) return cannot(f, v, `[]v1.${f === 'ownerReferences' ? 'OwnerReference' : 'ManagedFieldsEntry'}`);
  }
  for (const f of ['labels', 'annotations'] as const) {
    const m = meta[f];
    if (m === undefined || m === null) continue;
    if (!isStringMap(m)) {
      return badRequest(`${wantKind} in version "${versionOf(wantVersion)}" cannot be handled as a ${wantKind}: json: cannot unmarshal into Go struct field ObjectMeta.metadata.${f} of type map[string]string`);
    }
  }
  for (const f of STRING_MAPS[wantKind] ?? []) {
    const m = obj[f];
    if (m === undefined || m === null) continue;
    if (!isStringMap(m)) {
      return badRequest(`${wantKind} in version "${versionOf(wantVersion)}" cannot be handled as a ${wantKind}: json: cannot unmarshal into Go struct field ${wantKind}.${f} of type map[string]string`);
    }
  }
  if (expect.namespace !== undefined && def.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== expect.namespace) {
      return badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = expect.namespace;
  }
  if (!def.namespaced) delete meta.namespace;
  if (expect.name !== undefined && meta.name !== undefined && meta.name !== '' && meta.name !== expect.name) {
    return badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${expect.name})`);
  }
  if (expect.name !== undefined && !meta.name) meta.name = expect.name;
  obj.apiVersion = wantVersion;
  obj.kind = wantKind;
  return obj as unknown as KubeObject;
}

function versionOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}
