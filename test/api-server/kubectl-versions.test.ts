/** A smoke subset with kubectl 1.28 and 1.33 (1.32 runs the full suite in kubectl.test.ts). */
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, kubeconfig, startCluster } from './helpers.js';
import { Kubectl } from './kubectl-helpers.js';

for (const minor of [28, 33]) {
  test(`kubectl 1.${minor}: version, create namespace/deployment, apply (client and server side), get, scale, delete`, async (t) => {
    const { url } = await startCluster(t);
    const dir = mkdtempSync(join(tmpdir(), `berth-kubectl-${minor}-`));
    const k = new Kubectl(minor, kubeconfig(dir, url));
    const ok = async (args: string[]): Promise<string> => {
      const r = await k.run(args);
      t.is(r.code, 0, `kubectl.1.${minor} ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    t.regex(await ok(['version']), /Server Version: v1\.32/);
    t.is((await ok(['create', 'namespace', 'ns1'])).trim(), 'namespace/ns1 created');
    t.is((await ok(['create', 'deployment', 'web', '--image=nginx', '-n', 'ns1'])).trim(), 'deployment.apps/web created');
    t.is((await ok(['scale', 'deployment', 'web', '--replicas=2', '-n', 'ns1'])).trim(), 'deployment.apps/web scaled');
    const file = join(dir, 'cm.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n');
    t.is((await ok(['apply', '-f', file])).trim(), 'configmap/settings created');
    t.is((await ok(['apply', '-f', file])).trim(), 'configmap/settings unchanged');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "2"\n');
    t.is((await ok(['apply', '-f', file])).trim(), 'configmap/settings configured');
    t.is((await ok(['apply', '--server-side', '-f', file])).trim(), 'configmap/settings serverside-applied');
    t.is((await call(url, 'GET', '/api/v1/namespaces/default/configmaps/settings')).body.data.a, '2');
    t.regex(await ok(['get', 'deploy', '-A']), /\nns1\s+web\s+0\/2\s+/);
    t.is((await ok(['delete', '-f', file])).trim(), 'configmap "settings" deleted');
  });
}
