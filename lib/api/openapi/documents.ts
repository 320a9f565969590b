// The OpenAPI v3 endpoints: the index at /openapi/v3 and one document per
// group-version (/openapi/v3/api/v1, /openapi/v3/apis/apps/v1, ...).
//
// What kubectl needs from them: `apply` (with validation on) looks for the
// PATCH operation carrying the kind's x-kubernetes-group-version-kind and a
// `fieldValidation` query parameter, and then leaves validation to the
// server; `explain` finds the component schema tagged with the kind's GVK
// and walks its properties through $refs. Documents are built once; the
// index carries a content hash so clients can cache them.

import { createHash } from 'node:crypto';
import { SERVED_KUBERNETES_VERSION } from '../discovery/version.js';
import { groupVersions, resourcesForGroupVersion } from '../resources/table.js';
import type { ResourceDef, SubresourceDef } from '../resources/types.js';
import type { Schema } from './dsl.js';
import { COMPONENTS, closure, componentForKind, gvksOf } from './registry.js';

type Operation = Schema;

const param = (name: string, where: 'query' | 'path', type: string, description: string, required = false): Schema => ({
  description,
  in: where,
  name,
  ...(required ? { required: true } : {}),
  schema: { type, uniqueItems: true },
});

const WRITE_PARAMS = [
  param('dryRun', 'query', 'string', 'When "All", the request is validated and admitted but not persisted.'),
  param('fieldManager', 'query', 'string', 'The name of the actor making the change, recorded in managedFields.'),
  param('fieldValidation', 'query', 'string', 'How to treat unknown or duplicate fields in the body: Ignore, Warn or Strict.'),
];
const PATCH_PARAMS = [...WRITE_PARAMS, param('force', 'query', 'boolean', 'For apply patches: take over fields owned by other managers.')];
const LIST_PARAMS = [
  param('fieldSelector', 'query', 'string', 'Select objects by fields, e.g. spec.nodeName=node-1.'),
  param('labelSelector', 'query', 'string', 'Select objects by labels, e.g. app=web.'),
  param('limit', 'query', 'integer', 'The most objects to return; the rest follows with the continue token.'),
  param('continue', 'query', 'string', 'The token from a previous page.'),
  param('resourceVersion', 'query', 'string', 'Which version of the data to read or watch from.'),
  param('watch', 'query', 'boolean', 'Stream changes instead of returning a list.'),
];

const schemaRef = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

function responses(component: string, created = false): Schema {
  const ok = { content: { 'application/json': { schema: schemaRef(component) } }, description: 'OK' };
  return created ? { '200': ok, '201': { ...ok, description: 'Created' } } : { '200': ok };
}

/** "CoreV1", "AppsV1", "CoordinationV1": the group-version part of Kubernetes' operation IDs. */
function gvWord(r: ResourceDef): string {
  const g = r.group ? r.group.split('.')[0]! : 'core';
  return `${g[0]!.toUpperCase()}${g.slice(1)}${r.version[0]!.toUpperCase()}${r.version.slice(1)}`;
}

function operation(r: ResourceDef, action: string, verbWord: string, kindWord: string, component: string, gvk: Schema, extra: Schema = {}): Operation {
  return {
    description: `${action} ${kindWord}`,
    operationId: `${verbWord}${gvWord(r)}${r.namespaced ? 'Namespaced' : ''}${kindWord}`,
    responses: responses(component, action === 'create' || action === 'replace'),
    tags: [gvWord(r).replace(/([a-z])(V\d)/, '$1_$2').toLowerCase()],
    'x-kubernetes-action': { read: 'get', list: 'list', create: 'post', replace: 'put', patch: 'patch', delete: 'delete', deletecollection: 'deletecollection' }[action] ?? action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  };
}

function writeBody(component: string): Schema {
  return { requestBody: { content: { 'application/json': { schema: schemaRef(component) } } } };
}

const PATCH_BODY: Schema = { requestBody: { content: { 'application/json': { schema: schemaRef('io.k8s.apimachinery.pkg.apis.meta.v1.Patch') } } } };

function subresourcePath(r: ResourceDef, s: SubresourceDef): Schema {
  const component = componentForKind(s.responseKind);
  if (!component) throw new Error(`openapi: no schema for ${s.responseKind.kind}`);
  const gvk = { ...s.responseKind };
  const word = `${r.kind}${s.name[0]!.toUpperCase()}${s.name.slice(1)}`;
  const item: Schema = {};
  for (const v of s.verbs) {
    if (v === 'get') item['get'] = operation(r, 'read', 'read', word, component, gvk);
    if (v === 'update') item['put'] = operation(r, 'replace', 'replace', word, component, gvk, { parameters: WRITE_PARAMS, ...writeBody(component) });
    if (v === 'patch') item['patch'] = operation(r, 'patch', 'patch', word, component, gvk, { parameters: PATCH_PARAMS, ...PATCH_BODY });
    if (v === 'create') item['post'] = operation(r, 'create', 'create', word, component, gvk, { parameters: WRITE_PARAMS, ...writeBody(component) });
  }
  return item;
}

/** The paths of one resource: collection, item, cluster-wide list (namespaced kinds) and subresources. */
function resourcePaths(r: ResourceDef): Record<string, Schema> {
  const component = componentForKind({ group: r.group, version: r.version, kind: r.kind });
  const listComponent = componentForKind({ group: r.group, version: r.version, kind: r.listKind });
  if (!component || !listComponent) throw new Error(`openapi: no schema for ${r.kind}`);
  const gvk = { group: r.group, kind: r.kind, version: r.version };
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  const itemPath = `${collection}/{name}`;
  const scopeParams = r.namespaced ? [param('namespace', 'path', 'string', 'The object\'s namespace.', true)] : [];
  const has = (v: string): boolean => r.verbs.includes(v as never);
  const coll: Schema = { parameters: scopeParams };
  if (has('list')) coll['get'] = operation(r, 'list', 'list', r.kind, listComponent, gvk, { parameters: LIST_PARAMS });
  if (has('create')) coll['post'] = operation(r, 'create', 'create', r.kind, component, gvk, { parameters: WRITE_PARAMS, ...writeBody(component) });
  if (has('deletecollection')) coll['delete'] = operation(r, 'deletecollection', 'deleteCollection', r.kind, component, gvk, { parameters: LIST_PARAMS });
  const item: Schema = { parameters: [param('name', 'path', 'string', `The ${r.kind}'s name.`, true), ...scopeParams] };
  if (has('get')) item['get'] = operation(r, 'read', 'read', r.kind, component, gvk);
  if (has('update')) item['put'] = operation(r, 'replace', 'replace', r.kind, component, gvk, { parameters: WRITE_PARAMS, ...writeBody(component) });
  if (has('patch')) item['patch'] = operation(r, 'patch', 'patch', r.kind, component, gvk, { parameters: PATCH_PARAMS, ...PATCH_BODY });
  if (has('delete')) item['delete'] = operation(r, 'delete', 'delete', r.kind, component, gvk);
  const paths: Record<string, Schema> = { [collection]: coll, [itemPath]: item };
  if (r.namespaced && has('list')) {
    paths[`${prefix}/${r.plural}`] = { get: { ...operation(r, 'list', 'list', r.kind, listComponent, gvk, { parameters: LIST_PARAMS }), operationId: `list${gvWord(r)}${r.kind}ForAllNamespaces` } };
  }
  for (const s of r.subresources) {
    const sub = subresourcePath(r, s);
    sub['parameters'] = item['parameters'];
    paths[`${itemPath}/${s.name}`] = sub;
  }
  return paths;
}

export interface OpenAPIDocument {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, Schema>;
  components: { schemas: Record<string, Schema> };
}

function buildDocument(group: string, version: string): OpenAPIDocument {
  const resources = resourcesForGroupVersion(group, version);
  const paths: Record<string, Schema> = {};
  for (const r of resources) Object.assign(paths, resourcePaths(r));
  // Every schema tagged with this group-version (kinds and lists), plus what paths and those schemas reference.
  const roots = [...COMPONENTS].filter(([, s]) => gvksOf(s).some((g) => g.group === group && g.version === version)).map(([n]) => n);
  const pathRefs = new Set<string>();
  JSON.stringify(paths, (k, v: unknown) => {
    if (k === '$ref' && typeof v === 'string') pathRefs.add(v.replace('#/components/schemas/', ''));
    return v;
  });
  const names = [...closure([...roots, ...pathRefs])].sort();
  const schemas: Record<string, Schema> = {};
  for (const n of names) schemas[n] = COMPONENTS.get(n)!;
  const v = `v${SERVED_KUBERNETES_VERSION.major}.${SERVED_KUBERNETES_VERSION.minor}.0`;
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: v }, paths, components: { schemas } };
}

/** "api/v1" for the core group, "apis/<group>/<version>" otherwise: the document's path under /openapi/v3/. */
export function openApiPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

interface Built {
  doc: OpenAPIDocument;
  json: string;
  hash: string;
}

let built: Map<string, Built> | undefined;

function documents(): Map<string, Built> {
  if (!built) {
    built = new Map();
    for (const gv of groupVersions()) {
      const doc = buildDocument(gv.group, gv.version);
      const json = JSON.stringify(doc);
      built.set(openApiPath(gv.group, gv.version), { doc, json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() });
    }
  }
  return built;
}

/** GET /openapi/v3: every group-version document with a hash-qualified URL. */
export function openApiIndex(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, b] of documents()) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${b.hash}` };
  return { paths };
}

/**
 * GET /openapi/v3/<path>: the document for "api/v1", "apis/apps/v1", ...
 * (a leading "/openapi/v3/" or "/" is accepted). Undefined when unknown.
 */
export function openApiDocument(path: string): OpenAPIDocument | undefined {
  return documents().get(path.replace(/^\/?(openapi\/v3\/)?/, '').replace(/\/$/, ''))?.doc;
}

/** The serialized document and its hash (what the server sends, and its ETag). */
export function openApiDocumentJson(path: string): { json: string; hash: string } | undefined {
  const b = documents().get(path.replace(/^\/?(openapi\/v3\/)?/, '').replace(/\/$/, ''));
  return b ? { json: b.json, hash: b.hash } : undefined;
}
