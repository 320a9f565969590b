/**
 * `berth up --token-file`: HTTPS with a CA of its own, so the real kubectl
 * (which sends a bearer token only over TLS) authenticates; a wrong or
 * missing token gets 401; the CA and serving certificate are kept across
 * restarts, so a kubeconfig handed out stays valid.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Kubectl } from '../api-server/kubectl-helpers.js';
import { cli, startUp } from './up-helpers.js';

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users: { user: { token?: string } }[];
}

/** GET <url><path> trusting only `ca`; the status code (a TLS failure rejects). */
function status(url: string, path: string, ca: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { ca, headers: token ? { Authorization: `Bearer ${token}` } : {}, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('with --token-file berth up serves HTTPS: kubectl with the kubeconfig\'s token works, a wrong token is Unauthorized; the CA survives a restart', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'berth-up-tls-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const tokenFile = join(data, 'tokens');
  writeFileSync(tokenFile, '# admins\nright-token\n');

  const first = await startUp(['--data', data, '--port', '0', '--token-file', tokenFile]);
  t.teardown(() => void first.stop());
  t.regex(first.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const config = parse(readFileSync(first.kubeconfig, 'utf8')) as Kubeconfig;
  t.is(config.clusters[0]!.cluster.server, first.url);
  t.is(config.users[0]!.user.token, 'right-token');
  const ca = Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'] ?? '', 'base64').toString();
  t.true(new X509Certificate(ca).ca, 'certificate-authority-data holds a CA certificate');
  t.is(ca, readFileSync(join(data, 'pki', 'ca.crt'), 'utf8'));

  const k = new Kubectl(32, first.kubeconfig);
  const nodes = await k.run(['get', 'nodes']);
  t.is(nodes.code, 0, nodes.stderr);
  t.regex(nodes.stderr, /No resources found/);
  t.regex((await k.run(['get', 'namespaces'])).stdout, /default\s+Active/);
  const wrong = await k.run(['--token', 'wrong-token', 'get', 'nodes']);
  t.not(wrong.code, 0);
  // client-go's words for a 401 (which of the two depends on the request that met it first; a real cluster says the same).
  t.regex(wrong.stderr, /You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)/);
  // Below kubectl: the server's certificate verifies against the CA (else this rejects); no token, 401.
  t.is(await status(first.url, '/api/v1/nodes', ca), 401);
  t.is(await status(first.url, '/api/v1/nodes', ca, 'right-token'), 200);
  t.is(await first.stop(), 0);

  const pki = ['ca.crt', 'apiserver.crt', 'apiserver.key'].map((f) => readFileSync(join(data, 'pki', f), 'utf8'));
  const second = await startUp(['--data', data, '--port', '0', '--token-file', tokenFile]);
  t.teardown(() => void second.stop());
  t.deepEqual(['ca.crt', 'apiserver.crt', 'apiserver.key'].map((f) => readFileSync(join(data, 'pki', f), 'utf8')), pki, 'the same CA and serving certificate');
  const again = parse(readFileSync(second.kubeconfig, 'utf8')) as Kubeconfig;
  t.is(Buffer.from(again.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString(), ca);
  t.is((await new Kubectl(32, second.kubeconfig).run(['get', 'nodes'])).code, 0);
  t.is(await second.stop(), 0);
});

test('without a token file berth up stays on plain http on loopback, with no CA in the kubeconfig', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'berth-up-plain-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const up = await startUp(['--data', data, '--port', '0']);
  t.teardown(() => void up.stop());
  t.regex(up.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.notRegex(readFileSync(up.kubeconfig, 'utf8'), /certificate-authority-data/);
  t.is(await up.stop(), 0);
});

test('berth up says what to fix (exit 2) when it would serve beyond loopback without tokens, or the token file is missing or empty', (t) => {
  const data = mkdtempSync(join(tmpdir(), 'berth-up-usage-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'up', '--data', data, '--port', '0', ...args], { encoding: 'utf8', timeout: 20_000 });
  const open = run('--bind', '0.0.0.0');
  t.is(open.status, 2);
  t.is(open.stderr, 'berth up: --bind 0.0.0.0 serves beyond this machine: give --token-file (bearer tokens, one per line)\n');
  const missing = run('--token-file', join(data, 'nope'));
  t.is(missing.status, 2);
  t.regex(missing.stderr, /--token-file .*nope: ENOENT/);
  writeFileSync(join(data, 'empty'), '# no tokens yet\n');
  const empty = run('--token-file', join(data, 'empty'));
  t.is(empty.status, 2);
  t.regex(empty.stderr, /empty: no token in the file/);
});
