/**
 * Request bodies in (JSON, YAML, protobuf; the four patch content types)
 * and responses out (JSON, YAML, or a meta.k8s.io Table when the Accept
 * header asks for one).
 */
import { parse as parseYaml, stringify as yamlStringify } from 'yaml';
import type { ResourceDef } from '../../../lib/api/resources/index.js';
import { toLazyTable, toTable, type IncludeObject } from '../../../lib/api/printers/index.js';
import { badRequest, unsupportedMediaType } from '../../../lib/api/status.js';
import type { KubeObject, Status } from '../../../lib/api/types/meta.js';
import type { PatchType } from '../messages.js';
import { LazyItem } from '../cached-object.js';
import { decodeProtobuf } from './protobuf.js';

export const JSON_TYPE = 'application/json';
export const YAML_TYPE = 'application/yaml';
export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';

const PATCH_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

const BODY_TYPES = [JSON_TYPE, YAML_TYPE, PROTOBUF_TYPE];

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

export function patchTypeOf(contentType: string | undefined): PatchType | Status {
  const t = mediaType(contentType);
  return PATCH_TYPES[t] ?? unsupportedMediaType(Object.keys(PATCH_TYPES));
}

/** The decoded body, or a 400/415 Status. An empty body decodes to undefined. */
export function decodeBody(raw: Buffer, contentType: string | undefined, patch: boolean): { value: unknown } | Status {
  if (raw.length === 0) return { value: undefined };
  const t = mediaType(contentType) || JSON_TYPE;
  if (patch) {
    if (!PATCH_TYPES[t]) return unsupportedMediaType(Object.keys(PATCH_TYPES));
    return t === 'application/apply-patch+yaml' ? yaml(raw) : json(raw);
  }
  if (t === JSON_TYPE || t === '*/*') return json(raw);
  if (t === YAML_TYPE || t === 'application/x-yaml' || t === 'text/yaml') return yaml(raw);
  if (t === PROTOBUF_TYPE) {
    const r = decodeProtobuf(raw);
    if (r.ok) return { value: r.object };
    return r.unsupported ? unsupportedMediaType(BODY_TYPES.filter((x) => x !== PROTOBUF_TYPE)) : badRequest(r.error);
  }
  return unsupportedMediaType(BODY_TYPES);
}

function json(raw: Buffer): { value: unknown } | Status {
  try {
    return { value: JSON.parse(raw.toString('utf8')) };
  } catch (err) {
    return badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

function yaml(raw: Buffer): { value: unknown } | Status {
  try {
    const value = parseYaml(raw.toString('utf8'), { maxAliasCount: 100, uniqueKeys: true }) as unknown;
    return { value };
  } catch (err) {
    return badRequest(`error converting YAML to JSON: yaml: ${(err as Error).message.split('\n')[0]}`);
  }
}

export interface ResponseShape {
  readonly table: boolean;
  readonly yaml: boolean;
  readonly includeObject?: IncludeObject;
}

/** What the Accept header asks for: a Table (as=Table;g=meta.k8s.io) or YAML; JSON otherwise. */
export function responseShape(accept: string | undefined, includeObject: string | undefined): ResponseShape {
  let table = false;
  let yamlOut = false;
  for (const range of (accept ?? '').split(',')) {
    const [type, ...params] = range.split(';').map((p) => p.trim());
    const p = new Map(params.map((kv) => kv.split('=').map((x) => x.trim()) as [string, string]));
    if (type === JSON_TYPE && p.get('as') === 'Table' && p.get('g') === 'meta.k8s.io') {
      table = true;
      break;
    }
    if (type === JSON_TYPE || type === '*/*' || type === PROTOBUF_TYPE) break;
    if (type === YAML_TYPE) {
      yamlOut = true;
      break;
    }
  }
  const inc = includeObject === 'None' || includeObject === 'Object' || includeObject === 'Metadata' ? includeObject : undefined;
  return { table, yaml: yamlOut, includeObject: inc };
}

/** The body as a Table when asked and when it is an object or list of the resource's kind. */
export function maybeTable(def: ResourceDef | undefined, body: unknown, shape: ResponseShape, now: number): unknown {
  if (!shape.table || !def || typeof body !== 'object' || body === null) return body;
  const b = body as { kind?: string; items?: KubeObject[]; metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number } };
  if (b.kind === def.listKind && Array.isArray(b.items)) {
    const opts = { now, includeObject: shape.includeObject, listMeta: b.metadata };
    // Items straight from the cache decode as the Table is serialized (cached-object.ts LazyItem).
    if (b.items.length > 0 && b.items[0] instanceof LazyItem) return toLazyTable(def, b.items as unknown as LazyItem[], opts);
    return toTable(def, b.items, opts);
  }
  if (b.kind === def.kind) {
    return toTable(def, [body as KubeObject], { now, includeObject: shape.includeObject, listMeta: { resourceVersion: b.metadata?.resourceVersion } });
  }
  return body;
}

export function encode(body: unknown, shape: ResponseShape): { contentType: string; data: string } {
  if (shape.yaml) return { contentType: YAML_TYPE, data: yamlStringify(body) };
  return { contentType: JSON_TYPE, data: JSON.stringify(body) };
}
