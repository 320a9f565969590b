/**
 * One Kubernetes manifest: apiVersion, kind and metadata.name present, the
 * kind one the api-server serves, and the object accepted by the
 * api-server's own create path (defaults, create preparation, validation),
 * with each rejection placed on the offending field.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { RESOURCES, resourceForKind, type ResourceDef } from '../api/resources/index.js';
import type { KubeObject } from '../api/types/meta.js';
import { errorBody } from '../api/validation/field.js';
import { renderPath, unknownFieldPaths } from '../api/validation/unknown-fields.js';
import { cursor, fail, readMap, reject, readString, toPlain, type Cursor } from './reader.js';
import { didYouMean } from './suggest.js';
import type { Manifest } from './types.js';

const SERVED_KINDS = [...new Set(RESOURCES.map((r) => r.kind))];
/** A uid for create preparation (Job selectors are derived from it). */
const VALIDATION_UID = '00000000-0000-4000-8000-000000000000';

export function readManifest(c: Cursor): Manifest | undefined {
  const m = readMap(c, null, 'a Kubernetes manifest (a mapping with apiVersion, kind and metadata)');
  if (!m) return undefined;
  const avAt = m.require('apiVersion');
  const apiVersion = avAt && readString(avAt, 'an apiVersion like v1 or apps/v1');
  const kindAt = m.require('kind');
  const kind = kindAt && readString(kindAt, 'a kind like Deployment');
  const metaAt = m.require('metadata', 'required (with a name)');
  const meta = metaAt && readMap(metaAt, null);
  const nameAt = meta?.require('name', 'required (scenarios refer to objects by name; generateName is not supported)');
  const name = nameAt && readString(nameAt, 'a name');
  const nsAt = meta?.get('namespace');
  const namespace = nsAt && readString(nsAt, 'a namespace name');
  if (apiVersion === undefined || kind === undefined) return undefined;
  const def = servedResource(avAt!, kindAt!, apiVersion, kind);
  if (!def || name === undefined || (nsAt && namespace === undefined)) return undefined;
  const object = toPlain(c) as KubeObject | undefined;
  if (object === undefined) return undefined;
  if (!validateLikeCreate(c, def, object)) return undefined;
  return { apiVersion, kind, name, ...(def.namespaced ? { namespace: namespace ?? 'default' } : {}), object };
}

/** The resource serving apiVersion+kind, or a located error naming what is served. */
export function servedResource(avAt: Cursor, kindAt: Cursor, apiVersion: string, kind: string): ResourceDef | undefined {
  const def = resourceForKind(apiVersion, kind);
  if (def) return def;
  const sameKind = RESOURCES.find((r) => r.kind === kind);
  if (sameKind) return fail(avAt, 'reference', `${kind} is served as ${sameKind.apiVersion}, not ${apiVersion}`);
  return fail(kindAt, 'reference', `kind ${kind} is not served by the api-server${didYouMean(kind, SERVED_KINDS)}; served kinds: ${SERVED_KINDS.join(', ')}`);
}

/**
 * Runs the api-server's create path on a copy; each field error is reported
 * at its field. Unknown fields first, as kubectl's default
 * (fieldValidation=Strict) would have the api-server refuse them: the runner
 * creates workloads in-process, where the api-server would drop them
 * silently, so a typo (`replica: 3`) must stop the run here, at its line.
 */
function validateLikeCreate(c: Cursor, def: ResourceDef, written: KubeObject): boolean {
  const unknown = unknownFieldPaths(def.group, def.version, def.kind, written, { drop: false }).map(renderPath);
  for (const field of unknown) {
    c.src.report('manifest', locate(c, field), `${c.path}.${field}`, `unknown field "${field}" (a ${def.kind} in ${def.apiVersion} has no such field)`);
  }
  if (unknown.length > 0) return false;
  const obj = structuredClone(written);
  if (obj.metadata === null || typeof obj.metadata !== 'object') return reject(c, 'manifest', 'metadata must be a mapping');
  if (def.namespaced) obj.metadata.namespace ??= 'default';
  else delete obj.metadata.namespace;
  obj.metadata.uid = VALIDATION_UID;
  let errors;
  try {
    errors = def.validate(def.prepareForCreate(def.defaults(obj)));
  } catch (e) {
    // Validation assumes the JSON types of the kind's schema; a wrong type can make it throw.
    return reject(c, 'manifest', `the api-server would reject this ${def.kind}: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const e of errors) {
    const at = locate(c, e.field);
    c.src.report('manifest', at, e.field === '' ? c.path : `${c.path}.${e.field}`, errorBody(e));
  }
  return errors.length === 0;
}

/** The offset of the deepest node along a field path ("spec.template.spec.containers[0].image", "metadata.labels[app]"). */
export function locate(c: Cursor, field: string): number {
  let node: Node | null = c.node;
  let offset = c.offset;
  for (const part of splitFieldPath(field)) {
    let next: unknown;
    if (isMap(node)) next = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part)?.value;
    else if (isSeq(node) && /^[0-9]+$/.test(part)) next = node.items[Number(part)];
    if (next === undefined || next === null) break;
    const nc = cursor(c.src, next, '', offset);
    node = nc.node;
    offset = nc.offset;
  }
  return offset;
}

function splitFieldPath(field: string): string[] {
  const parts: string[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) parts.push(m[1] ?? m[2]!);
  return parts;
}

/** A manifest's identity, for messages: "Deployment default/web". */
export function describe(m: Pick<Manifest, 'kind' | 'name' | 'namespace'>): string {
  return `${m.kind} ${m.namespace === undefined ? '' : `${m.namespace}/`}${m.name}`;
}

