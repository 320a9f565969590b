/**
 * Names that try to leave their place: `..`, `/`, `%2F`, dot segments,
 * NUL, names longer than 253 characters, in URLs and in bodies, for every
 * verb, plus log paths with such container names. Each gets a 4xx Status;
 * nothing is created; and no file appears or changes outside the data
 * directory (the store keeps everything in LMDB under it).
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ApiStats } from '../../actors/api-server/messages.js';
import { startCluster } from '../api-server/helpers.js';
import { rawRequest } from '../fuzz/raw-http.js';

const URL_NAMES = ['..', '.', '%2e%2e', '..%2F..%2Fetc', 'a%2Fb', '%2F', '%2F..%2F..%2Ftmp%2Fx', '..%5C..%5Cx', '%00', 'x%00y', 'a'.repeat(254), 'b'.repeat(300), '..%252F', 'UPPER'];
const BODY_NAMES = ['..', '.', '../evil', 'a/b', '/etc/passwd', 'x\u0000y', 'c'.repeat(254), '..\\x', Array.from({ length: 130 }, () => 'd').join('.')];
const COLLECTIONS = ['/api/v1/namespaces/default/configmaps', '/api/v1/namespaces/default/secrets', '/api/v1/namespaces/default/pods', '/apis/apps/v1/namespaces/default/deployments', '/api/v1/nodes'];

/** Every file under `dir` with its size and mtime, relative to `dir`. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), `${statSync(p).size}`);
    }
  };
  walk(dir);
  return out;
}

test('names with .., /, %2F, NUL or over 253 characters get a 4xx Status and touch nothing outside the data directory', async (t) => {
  const sandbox = mkdtempSync(join(tmpdir(), 'berth-sandbox-'));
  t.teardown(() => rmSync(sandbox, { recursive: true, force: true }));
  const data = join(sandbox, 'data');
  mkdirSync(data);
  const c = await startCluster(t, {}, data);
  const outside = (): string[] => [...tree(sandbox).keys()].filter((f) => !f.startsWith(`data/`)).sort();
  t.deepEqual(outside(), []);
  const revision = async (): Promise<number> => (await c.sup.request<ApiStats>('api-server', { type: 'api.stats' })).revision;
  const before = await revision();
  const problems: string[] = [];
  let requests = 0;
  const expect4xx = async (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<void> => {
    requests++;
    const res = await rawRequest(c.url, { method, path, headers: body === undefined ? {} : { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
    let status: { kind?: string } | undefined;
    try {
      status = JSON.parse(res.text) as { kind?: string };
    } catch {
      status = undefined;
    }
    if (res.status < 400 || res.status >= 500 || status?.kind !== 'Status') problems.push(`${method} ${path.slice(0, 120)} -> ${res.status} ${res.text.slice(0, 160)}`);
  };
  for (const coll of COLLECTIONS) {
    const kind = coll.includes('configmaps') ? 'ConfigMap' : coll.includes('secrets') ? 'Secret' : coll.includes('pods') ? 'Pod' : coll.includes('deployments') ? 'Deployment' : 'Node';
    const apiVersion = coll.includes('/apps/') ? 'apps/v1' : 'v1';
    for (const name of URL_NAMES) {
      const item = `${coll}/${name}`;
      await expect4xx('GET', item);
      await expect4xx('DELETE', item);
      await expect4xx('PUT', item, { apiVersion, kind, metadata: { name: decodeURIComponent(name.replace(/%(?![0-9a-fA-F]{2})/g, '%25')) } });
      await expect4xx('PATCH', item, { metadata: { labels: { a: 'b' } } }, 'application/merge-patch+json');
      await expect4xx('PATCH', `${item}?fieldManager=x`, { apiVersion, kind, metadata: { name } }, 'application/apply-patch+yaml');
    }
    for (const name of BODY_NAMES) {
      await expect4xx('POST', coll, { apiVersion, kind, metadata: { name } });
      await expect4xx('POST', coll, { apiVersion, kind, metadata: { generateName: name } });
    }
  }
  // Namespaces named like paths.
  for (const ns of ['..', '%2F', 'a%2Fb', 'e'.repeat(254)]) {
    await expect4xx('GET', `/api/v1/namespaces/${ns}/configmaps/x`);
    await expect4xx('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok' } });
  }
  // Log paths: pod and container names that climb out.
  for (const [pod, container] of [['..', 'main'], ['x', '../../../../etc/passwd'], ['%2F..%2F..', '..'], ['x', '%2Fetc%2Fshadow']] as const) {
    await expect4xx('GET', `/api/v1/namespaces/default/pods/${pod}/log?container=${container}`);
  }
  t.deepEqual(problems, [], problems.join('\n'));
  t.log(`${requests} requests, all 4xx Status`);
  t.is(await revision(), before, 'nothing was written');
  t.deepEqual(outside(), [], 'no file outside the data directory');
  // Dot segments are refused before routing: ".../configmaps/.." once addressed (and patched) the namespace.
  const dots = await rawRequest(c.url, { method: 'GET', path: '/api/v1/namespaces/default/configmaps/..' });
  t.is(dots.status, 400);
  t.regex(JSON.parse(dots.text).message, /invalid request URI/);
  // A doubled slash is a path, not a host: served (this answered 500 before).
  t.is((await rawRequest(c.url, { method: 'GET', path: '//api/v1/namespaces' })).status, 200);
  t.is((await rawRequest(c.url, { method: 'GET', path: '///S%5C1/x' })).status, 404);
});
