/**
 * `berth explain pod`: against a running cluster's HTTP API, the CLI shows
 * for an unschedulable pod which plugin rejected it on which node and why,
 * and for a placed pod the scores; bad input exits 2 with what is wrong.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Supervisor, pods, type Cluster, type Pod } from '../../lib/index.js';

const cli = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));

function berth(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const pod = (name: string, cpu: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'batch' },
  spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu } } }] },
});

let cluster: Cluster;
test.before(async () => {
  cluster = await Supervisor.start({
    clock: 'virtual',
    api: { port: 0 },
    logLevel: 'silent',
    nodes: [
      { name: 'small', count: 2, capacity: { cpu: '1', memory: '4Gi', pods: '110' } },
      { name: 'gpu', count: 1, capacity: { cpu: '64', memory: '256Gi', pods: '110' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
    ],
  });
  await cluster.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'batch' } }, pod('big', '8'), pod('tiny', '100m')]);
  // Until the scheduler has tried both: big gets PodScheduled=False, tiny a node.
  await cluster.waitFor({ resource: pods, namespace: 'batch' }, (items: readonly Pod[]) =>
    items.length === 2 && items.every((p) => p.spec?.nodeName || p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')),
  );
});
test.after.always(() => cluster?.stop());

test('an unschedulable pod: each node, the plugin that rejected it and the reason', async (t) => {
  const kubeconfig = cluster.writeKubeconfig();
  const r = await berth(['explain', 'pod', 'big', '-n', 'batch', '--kubeconfig', kubeconfig]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^Pod batch\/big: not scheduled/);
  t.regex(r.stdout, /0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: gpu\}, 2 Insufficient cpu\./);
  const row = (node: string): string => r.stdout.split('\n').find((l) => l.startsWith(node)) ?? '';
  for (const node of ['small-000', 'small-001']) t.regex(row(node), /filtered out\s+NodeResourcesFit\s+fail\s+Insufficient cpu/, `row of ${node}`);
  t.regex(row('gpu-000'), /filtered out\s+TaintToleration\s+fail\s+node\(s\) had untolerated taint \{dedicated: gpu\}/);
});

test('a placed pod: its node and the score plugins on the feasible nodes; -o json', async (t) => {
  const r = await berth(['explain', 'pod', 'tiny', '-n', 'batch', '--server', cluster.url!, '-o', 'json']);
  t.is(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout) as { kind: string; nodeName?: string; nodes: { node: string; feasible: boolean; total?: number; plugins: { plugin: string; score?: number }[] }[] };
  t.is(e.kind, 'SchedulerExplanation');
  t.truthy(e.nodeName?.startsWith('small-'));
  // Bound: spec.nodeName is set, so NodeName leaves its node as the only feasible one.
  t.deepEqual(e.nodes.filter((n) => n.feasible).map((n) => n.node), [e.nodeName!]);
  t.is(e.nodes.length, 3);
  t.true(e.nodes.find((n) => n.feasible)!.plugins.some((p) => p.plugin === 'NodeResourcesFit (score)' && typeof p.score === 'number'));
  const table = await berth(['explain', 'pod', 'tiny', '-n', 'batch', '--server', cluster.url!]);
  t.regex(table.stdout, /^Pod batch\/tiny: bound to small-00[01]/);
  t.regex(table.stdout, /small-00[01]\s+feasible \(total [\d.]+\)\s+\S+ \(score\)/);
});

test('a missing pod or no cluster to ask exits 2 and says what is wrong', async (t) => {
  const missing = await berth(['explain', 'pod', 'nope', '-n', 'batch', '--server', cluster.url!]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /pods "nope" not found in namespace "batch"/);
  const noFile = await berth(['explain', 'pod', 'x', '--kubeconfig', '/nonexistent/kubeconfig']);
  t.is(noFile.code, 2);
  t.regex(noFile.stderr, /--kubeconfig \/nonexistent\/kubeconfig: no such file/);
  // Nothing given and nothing found: says where it looked.
  const nowhere = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [cli, 'explain', 'pod', 'x'], { cwd: '/', env: { ...process.env, KUBECONFIG: '', HOME: '/nonexistent' } }, (err, _out, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stderr }),
    );
  });
  t.is(nowhere.code, 2);
  t.regex(nowhere.stderr, /no cluster to ask: give --server URL or --kubeconfig FILE \(looked for \.berth\/kubeconfig, \/nonexistent\/\.kube\/config\)/);
});

test('the explain route: 404 for a malformed path, 503 with a reason when no scheduler runs', async (t) => {
  const malformed = await fetch(`${cluster.url}/apis/berth.dev/v1/explain/namespaces/batch/pods`);
  t.is(malformed.status, 404);
  const bare = await Supervisor.start({ clock: 'virtual', api: { port: 0 }, scheduler: false, controllers: false, logLevel: 'silent' });
  t.teardown(() => bare.stop());
  const res = await fetch(`${bare.url}/apis/berth.dev/v1/explain/namespaces/default/pods/x`);
  t.is(res.status, 503);
  t.like(await res.json(), { kind: 'Status', reason: 'ServiceUnavailable', message: 'the scheduler cannot answer: no actor at address scheduler' });
  const cli = await berth(['explain', 'pod', 'x', '--server', bare.url!]);
  t.is(cli.code, 1);
  t.regex(cli.stderr, /the scheduler cannot answer/);
});
