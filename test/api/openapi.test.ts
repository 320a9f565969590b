/** OpenAPI v3: the index, well-formed documents whose $refs resolve, a GVK-tagged schema and PATCH operation (with fieldValidation) per kind, SMP extensions matching the patch table, and fields `kubectl explain` can walk to. */
import test from 'ava';
import { createHash } from 'node:crypto';
import { openApiDocument, openApiDocumentJson, openApiIndex, type OpenAPIDocument, type Schema } from '../../lib/api/openapi/index.js';
import { patchSchemas, type PatchSchema } from '../../lib/api/patch/metadata.js';
import { RESOURCES, groupVersions } from '../../lib/api/resources/index.js';

const PREFIX = '#/components/schemas/';
const docPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

test('the index lists one document per served group-version, with a hash of its content', (t) => {
  const idx = openApiIndex();
  t.deepEqual(Object.keys(idx.paths), groupVersions().map((gv) => docPath(gv.group, gv.version)));
  for (const [path, { serverRelativeURL }] of Object.entries(idx.paths)) {
    const { json } = openApiDocumentJson(path)!;
    const hash = createHash('sha512').update(json).digest('hex').toUpperCase();
    t.is(serverRelativeURL, `/openapi/v3/${path}?hash=${hash}`);
  }
});

test('documents are found by path with or without the /openapi/v3/ prefix; unknown paths are undefined', (t) => {
  t.is(openApiDocument('/openapi/v3/apis/apps/v1'), openApiDocument('apis/apps/v1'));
  t.truthy(openApiDocument('api/v1'));
  t.is(openApiDocument('apis/apps/v2'), undefined);
  t.is(openApiDocument('apis/networking.k8s.io/v1'), undefined);
  t.truthy(openApiDocument('apis/policy/v1'));
});

function allRefs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => allRefs(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' ? out.push(x as string) : allRefs(x, out);
  return out;
}

/** A field schema must say what it is: a type, a reference, or a one-of. */
function checkField(t: { true: (b: boolean, m?: string) => void }, s: Schema, where: string): void {
  const kinds = ['type', '$ref', 'allOf', 'oneOf'].filter((k) => k in s);
  t.true(kinds.length >= 1, `${where} has a type or a reference`);
  if (s['type'] === 'array') checkField(t, s['items'] as Schema, `${where}[]`);
  if (s['type'] === 'object' && s['additionalProperties']) checkField(t, s['additionalProperties'] as Schema, `${where}{}`);
  if (Array.isArray(s['allOf'])) t.true((s['allOf'] as Schema[]).length === 1 && typeof (s['allOf'] as Schema[])[0]!['$ref'] === 'string', `${where} allOf wraps one $ref`);
}

for (const gv of groupVersions()) {
  const path = docPath(gv.group, gv.version);
  test(`${path}: a well-formed OpenAPI 3 document whose references all resolve`, (t) => {
    const doc = openApiDocument(path)!;
    t.is(doc.openapi, '3.0.0');
    t.is(doc.info.title, 'Kubernetes');
    const schemas = doc.components.schemas;
    for (const ref of allRefs(doc)) {
      t.true(ref.startsWith(PREFIX), ref);
      t.truthy(schemas[ref.slice(PREFIX.length)], `${ref} resolves`);
    }
    for (const [name, s] of Object.entries(schemas)) {
      t.is(typeof s['description'], 'string', `${name} has a description`);
      if (s['type'] === 'object' && s['properties']) {
        const props = s['properties'] as Record<string, Schema>;
        for (const [p, ps] of Object.entries(props)) checkField(t, ps, `${name}.${p}`);
        for (const r of (s['required'] as string[] | undefined) ?? []) t.truthy(props[r], `${name} requires existing field ${r}`);
      } else t.true('oneOf' in s || 'type' in s, `${name} is an object or a scalar`);
    }
    t.is(JSON.parse(openApiDocumentJson(path)!.json).openapi, '3.0.0');
  });
}

/** What kubectl's query-param verifier looks for: a PATCH operation tagged with the GVK that declares fieldValidation. */
function supportsFieldValidation(doc: OpenAPIDocument, gvk: { group: string; version: string; kind: string }): boolean {
  return Object.values(doc.paths).some((item) => {
    const op = item['patch'] as Schema | undefined;
    const tag = op?.['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string } | undefined;
    if (!op || !tag || tag.group !== gvk.group || tag.version !== gvk.version || tag.kind !== gvk.kind) return false;
    return ((op['parameters'] as Schema[] | undefined) ?? []).some((p) => p['name'] === 'fieldValidation' && p['in'] === 'query');
  });
}

/** What kubectl explain looks for: the component tagged with the GVK. */
function kindSchema(doc: OpenAPIDocument, gvk: { group: string; version: string; kind: string }): [string, Schema][] {
  return Object.entries(doc.components.schemas).filter(([, s]) =>
    ((s['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined) ?? []).some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind),
  );
}

for (const r of RESOURCES) {
  test(`${r.kind}: one GVK-tagged schema (and its List), and a PATCH operation accepting fieldValidation`, (t) => {
    const doc = openApiDocument(docPath(r.group, r.version))!;
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const schemas = kindSchema(doc, gvk);
    t.is(schemas.length, 1);
    const props = schemas[0]![1]['properties'] as Record<string, Schema>;
    t.truthy(props['apiVersion'] && props['kind'] && props['metadata']);
    t.is(kindSchema(doc, { ...gvk, kind: r.listKind }).length, 1);
    t.true(supportsFieldValidation(doc, gvk));
    const collection = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const item = r.namespaced ? `${collection}/namespaces/{namespace}/${r.plural}/{name}` : `${collection}/${r.plural}/{name}`;
    t.truthy(doc.paths[item]?.['get'], item);
    for (const s of r.subresources) t.truthy(doc.paths[`${item}/${s.name}`], `${item}/${s.name}`);
  });
}

/** Follows a field path the way kubectl explain does: through properties, $ref, allOf, array items and map values. */
function explain(doc: OpenAPIDocument, kind: string, path: string): Schema | undefined {
  const resolve = (s: Schema): Schema => {
    let cur = s;
    for (;;) {
      const ref = (cur['$ref'] as string | undefined) ?? ((cur['allOf'] as Schema[] | undefined)?.[0]?.['$ref'] as string | undefined);
      if (ref) cur = doc.components.schemas[ref.slice(PREFIX.length)]!;
      else if (cur['type'] === 'array') cur = cur['items'] as Schema;
      else return cur;
    }
  };
  let cur: Schema | undefined = kindSchema(doc, { group: '', version: 'v1', kind }).concat(kindSchema(doc, { group: 'apps', version: 'v1', kind }))[0]?.[1];
  for (const seg of path.split('.').filter((x) => x)) {
    if (!cur) return undefined;
    const props = resolve(cur)['properties'] as Record<string, Schema> | undefined;
    cur = props?.[seg];
  }
  return cur && resolve(cur);
}

test('kubectl explain paths resolve: pods, deployment.spec, down to a container port\'s protocol', (t) => {
  const core = openApiDocument('api/v1')!;
  const apps = openApiDocument('apis/apps/v1')!;
  t.truthy(explain(core, 'Pod', '')?.['properties']);
  t.truthy((explain(apps, 'Deployment', 'spec')?.['properties'] as Record<string, Schema>)['template']);
  t.deepEqual(explain(apps, 'Deployment', 'spec.template.spec.containers.ports.protocol')?.['enum'], ['SCTP', 'TCP', 'UDP']);
  t.is(explain(core, 'Pod', 'spec.containers.resources.limits')?.['type'], 'object');
  t.is(explain(apps, 'Deployment', 'spec.strategy.rollingUpdate.maxSurge')?.['format'], 'int-or-string');
  t.is(explain(core, 'Pod', 'spec.nosuchfield'), undefined);
});

test('common fields carry descriptions', (t) => {
  const core = openApiDocument('api/v1')!.components.schemas;
  const apps = openApiDocument('apis/apps/v1')!.components.schemas;
  const typesToCheck: [Record<string, Schema>, string][] = [
    [core, 'io.k8s.api.core.v1.Pod'], [core, 'io.k8s.api.core.v1.PodSpec'], [core, 'io.k8s.api.core.v1.Container'],
    [core, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], [core, 'io.k8s.api.core.v1.ServiceSpec'], [core, 'io.k8s.api.core.v1.NodeSpec'],
    [apps, 'io.k8s.api.apps.v1.DeploymentSpec'], [apps, 'io.k8s.api.apps.v1.DeploymentStatus'],
  ];
  for (const [schemas, name] of typesToCheck) {
    for (const [field, s] of Object.entries(schemas[name]!['properties'] as Record<string, Schema>)) {
      t.true(typeof s['description'] === 'string' && (s['description'] as string).length > 3, `${name}.${field}`);
    }
  }
});

/** Every merge key of the SMP table, found where the table says, by walking the kind's schema. */
function smpWalk(doc: OpenAPIDocument, schemaName: string, ps: PatchSchema, trail: string, out: Map<string, string>): void {
  const schema = doc.components.schemas[schemaName];
  const props = schema?.['properties'] as Record<string, Schema> | undefined;
  if (!props) return;
  for (const [field, meta] of Object.entries(ps)) {
    const prop = props[field];
    if (!prop) continue;
    if (meta.strategy) out.set(`${schemaName}.${field}`, `${meta.strategy}/${meta.mergeKey ?? ''}`);
    const inner = (x: Schema | undefined): unknown => x && (x['$ref'] ?? (x['allOf'] as Schema[] | undefined)?.[0]?.['$ref']);
    const ref = inner(prop) ?? inner(prop['items'] as Schema | undefined);
    if (meta.fields && typeof ref === 'string') smpWalk(doc, ref.slice(PREFIX.length), meta.fields, `${trail}.${field}`, out);
  }
}

test('x-kubernetes-patch-strategy and merge keys are exactly the SMP table\'s', (t) => {
  for (const gv of groupVersions()) {
    const doc = openApiDocument(docPath(gv.group, gv.version))!;
    const expected = new Map<string, string>();
    for (const r of RESOURCES.filter((x) => x.group === gv.group && x.version === gv.version)) {
      const [name] = kindSchema(doc, { group: r.group, version: r.version, kind: r.kind })[0]!;
      smpWalk(doc, name, patchSchemas[r.kind]!, r.kind, expected);
    }
    const actual = new Map<string, string>();
    for (const [name, s] of Object.entries(doc.components.schemas)) {
      for (const [field, p] of Object.entries((s['properties'] as Record<string, Schema> | undefined) ?? {})) {
        if (p['x-kubernetes-patch-strategy']) actual.set(`${name}.${field}`, `${p['x-kubernetes-patch-strategy']}/${p['x-kubernetes-patch-merge-key'] ?? ''}`);
      }
    }
    t.deepEqual([...actual].sort(), [...expected].sort(), docPath(gv.group, gv.version));
  }
  const spec = openApiDocument('api/v1')!.components.schemas['io.k8s.api.core.v1.PodSpec']!['properties'] as Record<string, Schema>;
  t.is(spec['containers']!['x-kubernetes-patch-merge-key'], 'name');
  t.is(spec['volumes']!['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  t.is(spec['tolerations']!['x-kubernetes-patch-strategy'], undefined);
});
