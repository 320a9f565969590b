/**
 * `cluster.apply(input)`: objects, or YAML/JSON text with one or more
 * documents (a `kind: List` is unwrapped), each created or updated with
 * server-side apply (what `kubectl apply --server-side --force-conflicts`
 * does): the api-server merges the fields we give and keeps the rest.
 * Every document is checked before the first write, so a bad one in the
 * middle leaves the cluster untouched.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { resourceForKind, type ResourceDef } from '../api/resources/index.js';
import type { KubeObject } from '../api/types/meta.js';
import type { ApiClient } from '../client/client.js';
import type { ApplyInput } from './types.js';

interface Planned {
  readonly def: ResourceDef;
  readonly object: KubeObject;
  readonly name: string;
  readonly namespace?: string;
}

/** Where a document came from, for error messages: "document 2 (line 14)" or "objects[1]". */
interface Sourced {
  readonly where: string;
  readonly value: unknown;
}

export function parseManifests(input: ApplyInput): Sourced[] {
  if (typeof input !== 'string') {
    const list = Array.isArray(input) ? (input as readonly KubeObject[]) : [input as KubeObject];
    return list.map((value, i) => ({ where: Array.isArray(input) ? `objects[${i}]` : 'object', value }));
  }
  const lines = new LineCounter();
  const docs = parseAllDocuments(input, { lineCounter: lines });
  if (!Array.isArray(docs)) return []; // an empty stream
  const out: Sourced[] = [];
  docs.forEach((doc, i) => {
    const line = doc.contents ? lines.linePos(doc.contents.range[0]).line : undefined;
    const where = `document ${i + 1}${line ? ` (line ${line})` : ''}`;
    const err = doc.errors[0];
    if (err) {
      const at = err.linePos?.[0];
      throw new TypeError(`apply: ${at ? `line ${at.line}:${at.col}` : where}: ${err.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // an empty document between two `---`
    out.push({ where, value });
  });
  return out;
}

function plan(items: readonly Sourced[]): Planned[] {
  const out: Planned[] = [];
  for (const { where, value } of items) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`apply: ${where}: expected a Kubernetes object (a mapping with apiVersion, kind, metadata)`);
    const o = value as Partial<KubeObject> & { items?: unknown };
    if (o.kind === 'List' && Array.isArray(o.items)) {
      out.push(...plan(o.items.map((v, i) => ({ where: `${where}.items[${i}]`, value: v }))));
      continue;
    }
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') throw new TypeError(`apply: ${where}: apiVersion and kind are required`);
    const def = resourceForKind(o.apiVersion, o.kind);
    if (!def) throw new TypeError(`apply: ${where}: no resource serves ${o.apiVersion} ${o.kind}`);
    const name = o.metadata?.name;
    if (typeof name !== 'string' || name === '') throw new TypeError(`apply: ${where}: metadata.name is required (${o.kind})`);
    const namespace = def.namespaced ? (o.metadata?.namespace ?? 'default') : undefined;
    out.push({ def, name, namespace, object: value as KubeObject });
  }
  return out;
}

export async function applyManifests(client: ApiClient, input: ApplyInput, fieldManager: string): Promise<KubeObject[]> {
  const planned = plan(parseManifests(input));
  const applied: KubeObject[] = [];
  // In order: a Namespace before the objects in it, a ConfigMap before its Deployment.
  for (const p of planned) {
    applied.push(await client.patch(p.def, p.name, 'apply', p.object, { namespace: p.namespace, fieldManager, force: true }));
  }
  return applied;
}
