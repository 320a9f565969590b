/**
 * kubectl 1.32 end to end against the api-server (the real binary, run
 * directly rather than through the dispatcher). One cluster, commands in
 * order, each with a fresh discovery cache.
 */
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, kubeconfig, startCluster, Teardowns, type Cluster } from './helpers.js';
import { Kubectl } from './kubectl-helpers.js';

let cluster: Cluster;
let k: Kubectl;
let dir: string;
const cleanup = new Teardowns();

test.before(async () => {
  cluster = await startCluster(cleanup);
  dir = mkdtempSync(join(tmpdir(), 'berth-kubectl-'));
  k = new Kubectl(32, kubeconfig(dir, cluster.url));
});
test.after.always(() => cleanup.run());

async function ok(t: import('ava').ExecutionContext, args: string[], stdin?: string): Promise<string> {
  const r = await k.run(args, stdin);
  t.is(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const DEPLOY = (replicas: number, image = 'nginx:1.27') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: nginx}
  template:
    metadata:
      labels: {app: nginx}
    spec:
      containers:
      - name: nginx
        image: ${image}
`;

test.serial('version and api-resources', async (t) => {
  const v = await ok(t, ['version']);
  t.regex(v, /Server Version: v1\.32\.\d/);
  const ar = await ok(t, ['api-resources']);
  for (const line of [/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^pods\s+po\s+v1\s+true\s+Pod$/m, /^nodes\s+no\s+v1\s+false\s+Node$/m]) t.regex(ar, line);
});

test.serial('create namespace and create deployment (protobuf bodies), scale', async (t) => {
  t.is((await ok(t, ['create', 'namespace', 'team-a'])).trim(), 'namespace/team-a created');
  t.is((await ok(t, ['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '-n', 'team-a'])).trim(), 'deployment.apps/web created');
  const d = (await call(cluster.url, 'GET', '/apis/apps/v1/namespaces/team-a/deployments/web')).body;
  t.is(d.spec.replicas, 3);
  t.is(d.spec.template.spec.containers[0].image, 'nginx');
  t.is(d.spec.strategy.type, 'RollingUpdate');
  t.is((await ok(t, ['scale', 'deployment', 'web', '--replicas=5', '-n', 'team-a'])).trim(), 'deployment.apps/web scaled');
  t.is((await call(cluster.url, 'GET', '/apis/apps/v1/namespaces/team-a/deployments/web')).body.spec.replicas, 5);
  const get = await ok(t, ['get', 'deploy', '-n', 'team-a']);
  t.regex(get, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/5\s+0\s+0\s+\S+\n$/);
});

test.serial('apply -f: created, unchanged, configured; then --server-side', async (t) => {
  const file = join(dir, 'deploy.yaml');
  writeFileSync(file, DEPLOY(2));
  t.is((await ok(t, ['apply', '-f', file])).trim(), 'deployment.apps/nginx created');
  t.is((await ok(t, ['apply', '-f', file])).trim(), 'deployment.apps/nginx unchanged');
  writeFileSync(file, DEPLOY(3, 'nginx:1.28'));
  t.is((await ok(t, ['apply', '-f', file])).trim(), 'deployment.apps/nginx configured');
  let d = (await call(cluster.url, 'GET', '/apis/apps/v1/namespaces/default/deployments/nginx')).body;
  t.is(d.spec.replicas, 3);
  t.is(d.spec.template.spec.containers[0].image, 'nginx:1.28');
  t.is(d.metadata.generation, 2);
  writeFileSync(file, DEPLOY(4, 'nginx:1.28'));
  t.is((await ok(t, ['apply', '--server-side', '--force-conflicts', '-f', file])).trim(), 'deployment.apps/nginx serverside-applied');
  d = (await call(cluster.url, 'GET', '/apis/apps/v1/namespaces/default/deployments/nginx')).body;
  t.is(d.spec.replicas, 4);
  t.true(d.metadata.managedFields.some((m: any) => m.manager === 'kubectl' && m.operation === 'Apply'));
  t.truthy(d.spec.selector, 'the spec survived the kubectl-last-applied patch');
});

test.serial('get nodes, cordon and uncordon a Node created by hand', async (t) => {
  await ok(t, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { zone: 'a' } } }));
  t.regex(await ok(t, ['get', 'nodes']), /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nnode-1\s+/);
  t.is((await ok(t, ['cordon', 'node-1'])).trim(), 'node/node-1 cordoned');
  t.regex(await ok(t, ['get', 'nodes']), /SchedulingDisabled/);
  t.is((await call(cluster.url, 'GET', '/api/v1/nodes/node-1')).body.spec.unschedulable, true);
  t.is((await ok(t, ['uncordon', 'node-1'])).trim(), 'node/node-1 uncordoned');
  t.is((await call(cluster.url, 'GET', '/api/v1/nodes/node-1')).body.spec.unschedulable, undefined);
});

test.serial('get pods: -A, -o wide, -o yaml, -o json, -l, --field-selector; label, annotate, patch (three types)', async (t) => {
  await ok(t, ['run', 'alpha', '--image=nginx', '--labels=tier=front']);
  await ok(t, ['run', 'beta', '--image=busybox', '-n', 'team-a']);
  const all = await ok(t, ['get', 'pods', '-A']);
  t.regex(all, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
  t.regex(all, /\ndefault\s+alpha\s+0\/1\s+Pending\s+0\s+/);
  t.regex(all, /\nteam-a\s+beta\s+0\/1\s+Pending\s+0\s+/);
  t.regex(await ok(t, ['get', 'pods', '-o', 'wide']), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\nalpha\s+/);
  t.regex(await ok(t, ['get', 'pod', 'alpha', '-o', 'yaml']), /^apiVersion: v1\nkind: Pod\n[\s\S]*  name: alpha\n[\s\S]*restartPolicy: Always/);
  const json = JSON.parse(await ok(t, ['get', 'pods', '-o', 'json']));
  t.is(json.kind, 'List');
  t.deepEqual(json.items.map((p: any) => p.metadata.name), ['alpha']);
  t.regex(await ok(t, ['get', 'pods', '-A', '-l', 'tier=front']), /alpha/);
  t.notRegex(await ok(t, ['get', 'pods', '-A', '-l', 'tier=front']), /beta/);
  const fs = await ok(t, ['get', 'pods', '-A', '--field-selector', 'metadata.namespace!=default']);
  t.regex(fs, /beta/);
  t.notRegex(fs, /alpha/);
  t.is((await ok(t, ['label', 'pod', 'alpha', 'env=prod'])).trim(), 'pod/alpha labeled');
  t.is((await ok(t, ['annotate', 'pod', 'alpha', 'note=hello'])).trim(), 'pod/alpha annotated');
  t.is((await ok(t, ['patch', 'pod', 'alpha', '-p', '{"metadata":{"labels":{"smp":"yes"}}}'])).trim(), 'pod/alpha patched');
  t.is((await ok(t, ['patch', 'pod', 'alpha', '--type=merge', '-p', '{"metadata":{"labels":{"merge":"yes"}}}'])).trim(), 'pod/alpha patched');
  t.is((await ok(t, ['patch', 'pod', 'alpha', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/json","value":"yes"}]'])).trim(), 'pod/alpha patched');
  const alpha = (await call(cluster.url, 'GET', '/api/v1/namespaces/default/pods/alpha')).body;
  t.like(alpha.metadata.labels, { env: 'prod', smp: 'yes', merge: 'yes', json: 'yes', tier: 'front' });
  t.is(alpha.metadata.annotations.note, 'hello');
});

test.serial('describe pod shows events; get events', async (t) => {
  const uid = (await call(cluster.url, 'GET', '/api/v1/namespaces/default/pods/alpha')).body.metadata.uid;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await ok(
    t,
    ['create', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'alpha.1' },
      involvedObject: { kind: 'Pod', name: 'alpha', namespace: 'default', uid },
      reason: 'Scheduled',
      message: 'waiting for a node',
      type: 'Normal',
      source: { component: 'berth-test' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    }),
  );
  const describe = await ok(t, ['describe', 'pod', 'alpha']);
  t.regex(describe, /^Name:\s+alpha$/m);
  t.regex(describe, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----.*\n\s+Normal\s+Scheduled\s+\S+\s+berth-test\s+waiting for a node/);
  const events = await ok(t, ['get', 'events']);
  t.regex(events, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n\S+\s+Normal\s+Scheduled\s+pod\/alpha\s+waiting for a node\n$/);
});

test.serial('get -w sees a change made by another command', async (t) => {
  const w = k.spawn(['get', 'pods', '-w']);
  t.teardown(() => {
    if (w.child.exitCode === null) process.kill(w.child.pid!);
  });
  const waitFor = async (re: RegExp): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !re.test(w.output())) await new Promise((r) => setTimeout(r, 50));
  };
  await waitFor(/alpha/);
  await ok(t, ['run', 'gamma', '--image=nginx']);
  await waitFor(/\ngamma\s+0\/1\s+Pending/);
  process.kill(w.child.pid!);
  const lines = w.output().trim().split('\n');
  t.regex(lines[0]!, /^NAME\s+READY\s+STATUS/);
  t.is(lines.filter((l) => /^NAME/.test(l)).length, 1, w.output());
  t.is(lines.filter((l) => /^alpha\s/.test(l)).length, 1, 'existing pods are not replayed');
  t.true(lines.some((l) => /^gamma\s+0\/1\s+Pending/.test(l)), w.output());
});

test.serial('delete and delete -f', async (t) => {
  t.is((await ok(t, ['delete', 'pod', 'gamma'])).trim(), 'pod "gamma" deleted');
  t.is((await call(cluster.url, 'GET', '/api/v1/namespaces/default/pods/gamma')).status, 404);
  const file = join(dir, 'deploy.yaml');
  t.is((await ok(t, ['delete', '-f', file])).trim(), 'deployment.apps "nginx" deleted');
  const again = await k.run(['delete', '-f', file]);
  t.is(again.code, 1);
  t.regex(again.stderr, /Error from server \(NotFound\): error when deleting ".*deploy\.yaml": deployments\.apps "nginx" not found/);
  // No namespace controller runs here: the namespace turns Terminating and keeps its content until one
  // empties and finalizes it (test/controller-manager/namespace.test.ts); new content is refused meanwhile.
  t.is((await ok(t, ['delete', 'namespace', 'team-a', '--wait=false'])).trim(), 'namespace "team-a" deleted');
  t.is((await call(cluster.url, 'GET', '/api/v1/namespaces/team-a')).body.status.phase, 'Terminating');
  const refused = await k.run(['create', 'configmap', 'late', '-n', 'team-a']);
  t.regex(refused.stderr, /unable to create new content in namespace team-a because it is being terminated/);
});
