/**
 * `workloads` (and `apply` steps): each entry is a manifest written inline,
 * or `{ file: path }` naming a file next to the scenario that holds one or
 * more YAML documents. Paths may not leave the scenario's directory.
 */
import { posix } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { describe, readManifest } from './manifests.js';
import { cursor, fail, indexPath, isMapNode, readMap, readSeq, readString, Source, type Cursor } from './reader.js';
import type { Known } from './known.js';
import type { Manifest, Workload } from './types.js';

/** Reads a file next to the scenario, by its path relative to the scenario's directory. */
export type ReadFile = (relativePath: string) => { ok: true; text: string } | { ok: false; error: string };

export interface WorkloadContext {
  /** The scenario's file name as given (error locations in `file:` workloads are shown relative to its directory). */
  readonly fileName: string;
  readonly readFile?: ReadFile;
}

export function readWorkloads(c: Cursor, ctx: WorkloadContext, known: Known): Workload[] {
  const out: Workload[] = [];
  const defined = new Map<string, string>();
  for (const item of readSeq(c) ?? []) {
    const w = readWorkload(item, ctx);
    if (!w) continue;
    for (const m of w.manifests) {
      const key = describe(m);
      if (defined.has(key)) {
        fail(item, 'value', `${key} is defined twice (first at ${defined.get(key)})`);
        continue;
      }
      defined.set(key, item.path);
      known.add(m);
    }
    out.push(w);
  }
  return out;
}

/** One entry: `{ file: path }` or an inline manifest. */
export function readWorkload(c: Cursor, ctx: WorkloadContext): Workload | undefined {
  if (isMapNode(c) && readMapKeys(c).includes('file')) {
    const m = readMap(c, ['file']);
    const fileAt = m?.get('file');
    if (!fileAt) return undefined;
    const path = readString(fileAt, 'a path relative to the scenario file');
    if (path === undefined) return undefined;
    const manifests = readFileWorkload(fileAt, path, ctx);
    return manifests && { source: { type: 'file', path }, manifests };
  }
  const m = readManifest(c);
  return m && { source: { type: 'inline' }, manifests: [m] };
}

function readMapKeys(c: Cursor): string[] {
  const items = (c.node as { items?: { key?: { value?: unknown } }[] }).items ?? [];
  return items.map((p) => String(p.key?.value));
}

/** Why a relative path may not be used, or undefined when it is fine. */
export function escapesDirectory(path: string): string | undefined {
  if (posix.isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\')) {
    return 'must be a path relative to the scenario file, not an absolute path';
  }
  if (path.split(/[\\/]/).includes('..')) return "must stay inside the scenario's directory (no .. segments)";
  return undefined;
}

function readFileWorkload(at: Cursor, path: string, ctx: WorkloadContext): Manifest[] | undefined {
  const escape = escapesDirectory(path);
  if (escape) return fail(at, 'file', escape);
  if (!ctx.readFile) return fail(at, 'file', 'file workloads need a file reader: use loadScenario(path), or pass readFile to parseScenario');
  const r = ctx.readFile(path);
  if (!r.ok) return fail(at, 'file', `cannot read ${path}: ${r.error}`);
  const shownName = posix.join(posix.dirname(ctx.fileName.replaceAll('\\', '/')), path);
  return readDocuments(r.text, shownName, at);
}

/** Every non-empty document of a manifest file; errors are reported in that file, collected with the scenario's. */
function readDocuments(text: string, fileName: string, at: Cursor): Manifest[] | undefined {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const errors = at.src.errors;
  const before = errors.length;
  const out: Manifest[] = [];
  // An empty file gives no documents (the yaml package's EmptyStream is an empty array).
  docs.forEach((doc, i) => {
    const src = new Source(fileName, doc, lines, errors);
    for (const e of doc.errors) src.report('syntax', e.pos[0], '', e.message);
    if (doc.errors.length > 0 || doc.contents === null) return;
    const m = readManifest(cursor(src, doc.contents, indexPath(`${at.path}.documents`, i), 0));
    if (m) out.push(m);
  });
  if (errors.length > before) return undefined;
  if (out.length === 0) return fail(at, 'file', `${fileName} holds no manifests`);
  return out;
}
