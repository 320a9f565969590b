/**
 * Structured logs: pino JSON lines on stderr from actors on worker threads,
 * filtered by level, with secret-looking fields redacted at any depth; the
 * CLI is quiet unless --log-level asks.
 */
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { redactSecrets } from '../../lib/actor/logger.js';

const main = fileURLToPath(new URL('./fixtures/log-main.js', import.meta.url));
const cli = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }));
  });
}

type Line = Record<string, unknown> & { level: string; msg: string };
const jsonLines = (text: string): Line[] => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);

test('an actor on a worker thread logs JSON lines to the process stderr, at or above the level, secrets redacted', async (t) => {
  const r = await run([main, 'info']);
  t.is(r.code, 0, r.stderr);
  const lines = jsonLines(r.stderr).filter((l) => l.actor === 'talker');
  t.deepEqual(lines.map((l) => l.level), ['info', 'warn', 'error']);
  const info = lines[0]!;
  t.is(info.msg, 'a info line');
  t.regex(String(info.host), /^talker#1$/);
  t.is(typeof info.time, 'number');
  t.is(info.user, 'alice');
  t.is(info.password, '[Redacted]');
  t.deepEqual(info.request, { headers: { authorization: '[Redacted]', accept: 'application/json' } });
  t.deepEqual(info.config, { apiKey: '[Redacted]', nested: [{ clientSecret: '[Redacted]', name: 'ok' }] });
  t.false(r.stderr.includes('hunter2') || r.stderr.includes('abc.def') || r.stderr.includes('s-456'));
});

test('silent writes nothing', async (t) => {
  const r = await run([main, 'silent']);
  t.is(r.code, 0);
  t.is(r.stderr, '');
});

test('redactSecrets leaves objects without secrets untouched and never changes its input', (t) => {
  const clean = { a: 1, b: { c: [1, 2, { d: 'x' }] } };
  t.is(redactSecrets(clean), clean);
  const dirty = { spec: { token: 't' }, list: [{ name: 'n', privateKey: 'p' }] };
  t.deepEqual(redactSecrets(dirty), { spec: { token: '[Redacted]' }, list: [{ name: 'n', privateKey: '[Redacted]' }] });
  t.is(dirty.spec.token, 't');
});

/** `berth up` on a free port until it prints the export line; then Ctrl-C. Its stderr. */
async function up(t: { teardown(fn: () => void): void }, extra: string[]): Promise<string> {
  const data = mkdtempSync(join(tmpdir(), 'berth-logs-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const child = spawn(process.execPath, [cli, ...extra, 'up', '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (l) => l.startsWith('export KUBECONFIG=') && resolve());
    void exited.then((code) => reject(new Error(`berth up exited (${code}): ${stderr}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, 200)); // lines from the worker threads travel through the main thread
  child.kill('SIGINT');
  await exited;
  return stderr;
}

test('the CLI is quiet by default; --log-level info shows the actors\' lines, and the CLI\'s own at debug', async (t) => {
  const quiet = await run([cli, 'explain', 'pod', 'x', '--server', 'http://127.0.0.1:9', '--token', 'sekrit']);
  t.is(quiet.code, 1);
  t.deepEqual(jsonLines(quiet.stderr), []);
  const loud = jsonLines(await up(t, ['--log-level', 'info']));
  t.true(loud.some((l) => l.actor === 'api-server' && l.level === 'info' && l.msg === 'api-server listening' && /^http:\/\/127\.0\.0\.1:\d+$/.test(String(l.url))), JSON.stringify(loud));
  t.true(loud.every((l) => ['info', 'warn', 'error'].includes(l.level)));
  const debug = await run([cli, '--log-level', 'debug', 'explain', 'pod', 'x', '--server', 'http://127.0.0.1:9', '--token', 'sekrit']);
  t.is(debug.code, 1);
  const mine = jsonLines(debug.stderr).find((l) => l.component === 'berth explain');
  t.like(mine, { level: 'debug', msg: 'asking the api-server', token: '[Redacted]' });
  t.regex(debug.stderr, /berth explain: cannot reach http:\/\/127\.0\.0\.1:9/);
  const bad = await run([cli, '--log-level', 'loud', 'demo']);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /option '--log-level <level>' argument 'loud' is invalid/);
});
