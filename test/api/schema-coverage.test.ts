/**
 * The OpenAPI schemas must know every field Berth stores: the unknown-field
 * check (fieldValidation) drops whatever they do not declare, from every
 * create and update, so a field missing there is user data lost. Checked
 * here against: an object of every kind with every field Berth's types
 * declare (test/api/fixtures/every-field.ts), before and after defaulting;
 * every object in the scenarios, their manifests and the scenario format
 * document; the objects the tests and benchmarks build. (The objects a
 * running cluster writes itself are checked in
 * test/api-server/schema-coverage.test.ts.)
 */
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { resourceForKind } from '../../lib/api/resources/index.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { hasSchema, unknownFields } from '../../lib/api/validation/unknown-fields.js';
import { makePod } from '../../bench/fixtures/pod.js';
import { deployment as cmDeployment, pod as cmPod, rs } from '../controller-manager/objects.js';
import { boundPod, lease, node } from '../controller-manager/node-lifecycle-objects.js';
import { deployment as apiDeployment, pod as apiPod } from '../api-server/helpers.js';
import { EVERY_FIELD } from './fixtures/every-field.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function gvOf(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The unknown fields of an object of a served kind (or of Scale, a subresource body). */
function unknownOf(obj: KubeObject): string[] {
  const { group, version } = gvOf(obj.apiVersion!);
  if (!hasSchema(group, version, obj.kind!)) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  return unknownFields(group, version, obj.kind!, obj, { drop: false });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every mapping with a string apiVersion, kind and a metadata map, anywhere in `v`. */
function objectsIn(v: unknown, out: KubeObject[] = []): KubeObject[] {
  if (Array.isArray(v)) for (const x of v) objectsIn(x, out);
  else if (isObject(v)) {
    if (typeof v['apiVersion'] === 'string' && typeof v['kind'] === 'string' && isObject(v['metadata'])) out.push(v as unknown as KubeObject);
    else for (const x of Object.values(v)) objectsIn(x, out);
  }
  return out;
}

function yamlObjects(text: string): KubeObject[] {
  return parseAllDocuments(text).flatMap((d) => objectsIn(d.toJSON()));
}

function files(dir: string, ext: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(ext))
    .map((f) => join(dir, f));
}

test('an object of every kind with every field Berth\'s types declare has no unknown field, defaulted or not', (t) => {
  t.is(EVERY_FIELD.length, 15);
  for (const obj of EVERY_FIELD) {
    t.deepEqual(unknownOf(obj), [], `${obj.kind} as written`);
    const def = resourceForKind(obj.apiVersion!, obj.kind!);
    if (def) t.deepEqual(unknownOf(def.defaults(structuredClone(obj))), [], `${obj.kind} defaulted`);
  }
});

test('the check does find what is not declared, at every depth', (t) => {
  const pod = structuredClone(EVERY_FIELD[0]!) as unknown as { spec: Record<string, unknown> & { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[] }; status: Record<string, unknown> };
  pod.spec['replica'] = 1;
  pod.spec.containers[0]!['imagee'] = 'x';
  (pod.spec.volumes[0]!['configMap'] as Record<string, unknown>)['nmae'] = 'x';
  pod.status['phaze'] = 'Running';
  t.deepEqual(unknownOf(pod as unknown as KubeObject), ['spec.volumes[0].configMap.nmae', 'spec.containers[0].imagee', 'spec.replica', 'status.phaze']);
});

test('every object in the scenarios, their manifests and the scenario format document is fully declared', (t) => {
  const sources = [...files('scenarios', '.yaml'), ...files('scenarios/manifests', '.yaml')];
  let count = 0;
  for (const f of sources) {
    for (const obj of yamlObjects(readFileSync(join(ROOT, f), 'utf8'))) {
      count++;
      t.deepEqual(unknownOf(obj), [], `${f}: ${obj.kind} ${obj.metadata.name ?? ''}`);
    }
  }
  const doc = readFileSync(join(ROOT, 'docs/scenario-format.md'), 'utf8');
  for (const block of doc.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
    let objs: KubeObject[];
    try {
      objs = yamlObjects(block[1]!);
    } catch {
      continue; // a fragment that is not a document on its own
    }
    for (const obj of objs) {
      if (!resourceForKind(obj.apiVersion!, obj.kind!)) continue;
      count++;
      t.deepEqual(unknownOf(obj), [], `docs/scenario-format.md: ${obj.kind} ${obj.metadata.name ?? ''}`);
    }
  }
  t.true(count >= 20, `only ${count} objects found`);
});

test('the objects tests and benchmarks build are fully declared', (t) => {
  const built = [
    makePod(7) as unknown as KubeObject,
    cmPod('p', { ready: true, restarts: 2, node: 'n', owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'u', controller: true } }),
    rs('r', 3),
    cmDeployment('d', 2),
    node('n', { taints: [{ key: 'k', effect: 'NoSchedule' }], unschedulable: true, memoryPressure: true }),
    lease('n'),
    boundPod('b', 'n'),
    apiPod('a') as unknown as KubeObject,
    apiDeployment('a') as unknown as KubeObject,
  ];
  for (const obj of built) t.deepEqual(unknownOf(obj), [], `${obj.kind} ${obj.metadata.name}`);
});
