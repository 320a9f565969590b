/** `berth node join`: a kubelet in its own process joins `berth up` over HTTP and survives the control plane's restart. */
import test from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlBinary } from '../api-server/kubectl-helpers.js';

const cli = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));
const kubectl = kubectlBinary(32);

/** Starts `berth <args>` and resolves with the child once `pattern` appears on its stdout. */
function start(args: string[], pattern: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => void (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = pattern.exec(out);
      if (m) resolve({ child, match: m });
    });
    child.on('exit', (code) => reject(new Error(`berth ${args.join(' ')} exited with ${code}: ${out}${err}`)));
  });
}

function up(data: string, port: number, ...more: string[]): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return start(['up', '--data', data, '--port', String(port), ...more], /serving on (https?:\/\/127\.0\.0\.1:(\d+)).*\n.*export KUBECONFIG=(\S+)/);
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

async function until(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (check()) return;
    } catch {
      // kubectl may fail while the server restarts: try again
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a joined node registers, runs its pods, and re-syncs after the control plane restarts', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'berth-join-'));
  const children: ChildProcess[] = [];
  t.teardown(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });

  const first = await up(data, 0);
  children.push(first.child);
  const [, url, port, kubeconfig] = first.match as unknown as [string, string, string, string];
  const k = (...args: string[]): string => execFileSync(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(data, 'kcache'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  const joined = await start(['node', 'join', '--server', url, '--name', 'joined-0', '--cpu', '4', '--memory', '8Gi'], /node joined-0 joined/);
  children.push(joined.child);

  const ready = (): string => k('get', 'node', 'joined-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}');
  await until('Node joined-0 Ready', 15_000, () => ready() === 'True');
  t.is(k('get', 'node', 'joined-0', '-o', 'jsonpath={.status.capacity.cpu} {.status.capacity.memory}'), '4 8Gi');
  const renewTime = (): number => Date.parse(k('get', 'lease', 'joined-0', '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}'));
  const firstRenew = renewTime();
  t.false(Number.isNaN(firstRenew), 'the kubelet created its Lease');

  k('create', 'deployment', 'web', '--image=nginx', '--replicas=2');
  const running = (): string[] =>
    k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase}{"\\n"}{end}')
      .trim()
      .split('\n')
      .filter((l) => / joined-0 Running$/.test(l))
      .map((l) => l.split(' ')[0]!)
      .sort();
  await until('2 web pods Running on joined-0', 20_000, () => running().length === 2);
  const before = running();

  // The control plane goes away and comes back on the same data and port; the node process runs on.
  t.is(await stop(first.child, 'SIGTERM'), 0);
  const restartedAt = Date.now();
  const second = await up(data, Number(port));
  children.push(second.child);
  t.is(joined.child.exitCode, null, 'the joined node kept running without its server');

  t.deepEqual(running(), before, 'the same pods are still Running on joined-0');
  // Writes resumed: the Lease is renewed against the new server (every 10 s).
  await until('the Lease renewed after the restart', 20_000, () => renewTime() > Math.max(firstRenew, restartedAt));
  t.is(ready(), 'True');
  // The pod watch came back: a replacement pod bound to joined-0 starts.
  k('delete', 'pod', before[0]!, '--wait=false');
  await until('a replacement pod Running on joined-0', 20_000, () => {
    const now = running();
    return now.length === 2 && !now.includes(before[0]!);
  });
  t.true(running().includes(before[1]!));

  t.is(await stop(joined.child, 'SIGTERM'), 0);
  t.is(await stop(second.child, 'SIGTERM'), 0);
});

test('berth node join names the bad option and exits 2', (t) => {
  const run = (...args: string[]): { status: number | null; stderr: string } => {
    try {
      execFileSync(process.execPath, [cli, 'node', 'join', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { status: 0, stderr: '' };
    } catch (err) {
      const e = err as { status: number | null; stderr: string };
      return { status: e.status, stderr: e.stderr };
    }
  };
  const badUrl = run('--server', 'localhost:6443', '--name', 'n');
  t.is(badUrl.status, 2);
  t.regex(badUrl.stderr, /--server localhost:6443: expected http:\/\/ or https:\/\//);
  const badMemory = run('--server', 'http://127.0.0.1:1', '--name', 'n', '--memory', '12Q');
  t.is(badMemory.status, 2);
  t.regex(badMemory.stderr, /--memory 12Q: quantities must match/);
  const badName = run('--server', 'http://127.0.0.1:1', '--name', 'Node_1');
  t.is(badName.status, 2);
  t.regex(badName.stderr, /--name "Node_1": a node name must be a DNS subdomain/);
  const missingTokenFile = run('--server', 'http://127.0.0.1:1', '--name', 'n', '--token-file', '/nonexistent/token');
  t.is(missingTokenFile.status, 2);
  t.regex(missingTokenFile.stderr, /--token-file \/nonexistent\/token: ENOENT/);
});

test('berth node join sends the bearer token from --token-file, over https trusting --certificate-authority', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'berth-join-token-'));
  const children: ChildProcess[] = [];
  t.teardown(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });
  // With a token file the api-server refuses requests without a token: the node must send its own.
  const tokenFile = join(data, 'tokens');
  writeFileSync(tokenFile, '# bearer tokens\nnode-secret-1\n');
  const server = await up(data, 0, '--token-file', tokenFile);
  children.push(server.child);
  const url = server.match[1]!;
  // Tokens make berth up serve https with a CA of its own, which the node is given.
  t.regex(url, /^https:/);
  const ca = join(data, 'pki', 'ca.crt');
  const joined = await start(['node', 'join', '--server', url, '--name', 'with-token', '--token-file', tokenFile, '--certificate-authority', ca], /node with-token joined/);
  children.push(joined.child);
  const get = (token?: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      httpsGet(`${url}/api/v1/nodes/with-token`, { ca: readFileSync(ca), headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
  t.is((await get()).status, 401);
  const node = JSON.parse((await get('node-secret-1')).body) as { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } };
  t.is(node.metadata.name, 'with-token');
  t.is(node.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
  t.is(await stop(joined.child, 'SIGTERM'), 0);
  t.is(await stop(server.child, 'SIGTERM'), 0);
});
