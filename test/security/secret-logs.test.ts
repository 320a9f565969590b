/**
 * Secrets never reach the logs: a control plane at debug level (in a child
 * process, so every thread's log lines are captured from its stderr) gets
 * Secrets created, updated, patched, applied, rejected and read through
 * the API; neither their values nor their base64 forms appear anywhere in
 * what it printed.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { call } from '../api-server/helpers.js';

const CHILD = fileURLToPath(new URL('./debug-cluster.js', import.meta.url));
const VALUES = ['hunter2-data-7f3a9c', 'string-data-b81e44', 'patched-value-c0ffee', 'applied-value-d00d42', 'rejected-value-e11e55', 'updated-value-f00f66'];
const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('no Secret value, decoded or base64, appears in the debug logs', async (t) => {
  const child = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      output += l + '\n';
      if (l.startsWith('{"url"')) resolve((JSON.parse(l) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`the cluster exited (${code}): ${output}`)));
  });
  const secrets = '/api/v1/namespaces/default/secrets';
  const secret = (name: string, extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, ...extra });
  t.is((await call(url, 'POST', secrets, secret('db', { data: { password: b64(VALUES[0]!) }, stringData: { token: VALUES[1] } }))).status, 201);
  const cur = await call(url, 'GET', `${secrets}/db`);
  t.is(cur.status, 200);
  t.is((await call(url, 'PUT', `${secrets}/db`, { ...cur.body, data: { ...cur.body.data, more: b64(VALUES[5]!) } })).status, 200);
  t.is((await call(url, 'PATCH', `${secrets}/db`, { stringData: { token: VALUES[2] } }, { 'content-type': 'application/merge-patch+json' })).status, 200);
  t.is((await call(url, 'PATCH', `${secrets}/applied?fieldManager=test`, JSON.stringify(secret('applied', { stringData: { key: VALUES[3] } })), { 'content-type': 'application/apply-patch+yaml' })).status, 201);
  // Rejected ones too: an invalid key (422) and a wrong type for data (400), each carrying a value.
  t.is((await call(url, 'POST', secrets, secret('bad', { data: { 'not a key!': b64(VALUES[4]!) } }))).status, 422);
  t.is((await call(url, 'POST', secrets, secret('bad2', { stringData: { ok: [VALUES[4]] } }))).status, 400);
  t.is((await call(url, 'GET', `${secrets}?limit=10`)).status, 200);
  t.is((await call(url, 'DELETE', `${secrets}/applied`)).status, 200);
  child.stdin.end();
  await exited;
  // The capture works: the api-server's own line, written on its worker thread, is there.
  t.regex(output, /api-server listening/, 'worker threads\' log lines are captured');
  for (const v of VALUES) {
    t.false(output.includes(v), `${v} is in the logs`);
    t.false(output.includes(b64(v)), `base64 of ${v} is in the logs`);
  }
});
