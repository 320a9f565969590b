/**
 * `kubectl drain` on `berth up --nodes 2 --runtime process`, through the real
 * kubectl 1.32: it refuses DaemonSet pods and pods with emptyDir data unless
 * told to ignore / delete them; with both flags it cordons the node, evicts
 * its pods (pods/eviction: each container process gets SIGTERM and is gone
 * before its pod is), waits for them to be deleted, and the Deployment's
 * replacements run on the other node; the DaemonSet's pod stays.
 */
import test from 'ava';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../lib/api/types/pod.js';
import { Kubectl } from '../api-server/kubectl-helpers.js';
import { alive, startUp, until, type RunningUp } from './up-helpers.js';

const data = mkdtempSync(join(tmpdir(), 'berth-up-drain-'));
const marks = mkdtempSync(join(tmpdir(), 'berth-drain-marks-'));

/** Answers with its pod name on $POD_IP:8080; logs its pid; SIGTERM leaves a mark file named after the pod. */
const SERVER = `
const name = process.env.POD_NAME, ip = process.env.POD_IP;
const srv = require('http').createServer((q, s) => s.end(name));
srv.listen(8080, ip, () => console.log(name + ' pid ' + process.pid));
process.on('SIGTERM', () => { require('fs').writeFileSync(process.env.MARKS + '/' + name, 'SIGTERM'); srv.close(); setTimeout(() => process.exit(0), 50); });
`;

const template = (app: string, args: string[]) => ({
  metadata: { labels: { app } },
  spec: {
    terminationGracePeriodSeconds: 10,
    containers: [{ name: 'main', image: 'node:20', args, env: [{ name: 'MARKS', value: marks }], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
    // emptyDir: local data that drain deletes only with --delete-emptydir-data.
    volumes: [{ name: 'scratch', emptyDir: {} }],
  },
});

const OBJECTS = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('web', ['-e', SERVER]) } },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent', ['-e', 'console.log(process.env.POD_NAME + " pid " + process.pid); setInterval(() => {}, 1000)']) } },
  ],
};

let up: RunningUp | undefined;
let k: Kubectl;

test.before(async () => {
  up = await startUp(['--data', data, '--port', '0', '--nodes', '2', '--runtime', 'process']);
  k = new Kubectl(32, up.kubeconfig);
  const applied = await k.run(['apply', '-f', '-'], JSON.stringify(OBJECTS));
  if (applied.code !== 0) throw new Error(applied.stderr);
});

test.after.always(async () => {
  await up?.stop();
  rmSync(data, { recursive: true, force: true });
  rmSync(marks, { recursive: true, force: true });
});

async function pods(app: string): Promise<Pod[]> {
  const r = await k.run(['get', 'pods', '-l', `app=${app}`, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { items: Pod[] }).items;
}

const running = (p: Pod): boolean => !p.metadata.deletionTimestamp && !!p.status?.containerStatuses?.[0]?.state?.running;

async function pidOf(pod: string): Promise<number> {
  const logs = await k.run(['logs', pod]);
  const m = / pid (\d+)/.exec(logs.stdout);
  if (!m) throw new Error(`no pid in the logs of ${pod}: ${logs.stdout}${logs.stderr}`);
  return Number(m[1]);
}

function httpGet(ip: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: ip, port: 8080, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Three web pods and one agent per node, all running. */
async function settled(): Promise<{ web: Pod[]; agents: Pod[] }> {
  return until('three web pods and two agents running', async () => {
    const [web, agents] = [(await pods('web')).filter(running), (await pods('agent')).filter(running)];
    return web.length === 3 && agents.length === 2 ? { web, agents } : undefined;
  });
}

test.serial('kubectl drain evicts a node\'s pods (SIGTERM, processes gone before drain returns); they come back on the other node; the DaemonSet pod stays', async (t) => {
  const before = await settled();
  // Drain the node the scheduler gave the most web pods (at least one of three).
  const count = (n: string) => before.web.filter((p) => p.spec!.nodeName === n).length;
  const [drained, other] = count('node-1') >= count('node-2') ? ['node-1', 'node-2'] : ['node-2', 'node-1'];
  const victims = before.web.filter((p) => p.spec!.nodeName === drained);
  t.true(victims.length >= 2);
  const victimPids = await Promise.all(victims.map((p) => pidOf(p.metadata.name!)));
  const agent = before.agents.find((p) => p.spec!.nodeName === drained)!;
  const agentPid = await pidOf(agent.metadata.name!);

  // Without the flags kubectl refuses, naming both kinds of pod, and evicts nothing.
  const refused = await k.run(['drain', drained, '--timeout=60s']);
  t.not(refused.code, 0);
  t.regex(refused.stderr, new RegExp(`cannot delete DaemonSet-managed Pods \\(use --ignore-daemonsets to ignore\\): default/${agent.metadata.name}`));
  t.regex(refused.stderr, /cannot delete Pods with local storage \(use --delete-emptydir-data to override\)/);
  t.deepEqual((await pods('web')).filter(running).map((p) => p.metadata.name).sort(), before.web.map((p) => p.metadata.name).sort());

  const drain = await k.run(['drain', drained, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s']);
  t.is(drain.code, 0, drain.stderr);
  t.regex(drain.stdout, new RegExp(`node/${drained} drained`));
  t.regex(drain.stderr, new RegExp(`Warning: ignoring DaemonSet-managed Pods: default/${agent.metadata.name}`));
  for (const [i, v] of victims.entries()) {
    const name = v.metadata.name!;
    t.regex(drain.stdout, new RegExp(`pod/${name} evicted`));
    // Drain waited until the pod object was deleted, which the kubelet does only after the process exited.
    t.true(existsSync(join(marks, name)), `${name} got SIGTERM`);
    t.false(alive(victimPids[i]!), `${name}'s process is gone`);
  }

  const node = JSON.parse((await k.run(['get', 'node', drained, '-o', 'json'])).stdout) as { spec?: { unschedulable?: boolean } };
  t.true(node.spec?.unschedulable, 'cordoned');
  const after = await until('three web pods again', async () => {
    const ps = (await pods('web')).filter(running);
    return ps.length === 3 && ps.every((p) => p.status?.podIP) ? ps : undefined;
  });
  t.true(after.every((p) => p.spec!.nodeName === other), 'the replacements run on the other node');
  t.false(after.some((p) => victims.some((v) => v.metadata.name === p.metadata.name)));
  for (const p of after) t.is(await httpGet(p.status!.podIP!), p.metadata.name!);
  // Ignored, not evicted: the DaemonSet's pod on the drained node still runs, in the same process.
  t.true((await pods('agent')).some((p) => p.metadata.name === agent.metadata.name && running(p)));
  t.true(alive(agentPid));

  t.is((await k.run(['uncordon', drained])).code, 0);
  const again = JSON.parse((await k.run(['get', 'node', drained, '-o', 'json'])).stdout) as { spec?: { unschedulable?: boolean } };
  t.falsy(again.spec?.unschedulable);
});

test.serial('kubectl drain respects a PodDisruptionBudget: refused and retried while it allows nothing, one pod at a time once it allows one', async (t) => {
  const before = await settled();
  // After the first test every web pod runs on one node: drain that one.
  const node = before.web[0]!.spec!.nodeName!;
  t.true(before.web.every((p) => p.spec!.nodeName === node));
  const created = await k.run(['create', 'pdb', 'web', '--selector=app=web', '--min-available=3']);
  t.is(created.code, 0, created.stderr);
  const table = await until('the budget computed', async () => {
    const r = await k.run(['get', 'pdb', 'web']);
    return /web\s+3\s+N\/A\s+0\s+/.test(r.stdout) ? r.stdout : undefined;
  });
  t.regex(table, /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE/);

  const blocked = await k.run(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=8s']);
  t.not(blocked.code, 0);
  t.regex(blocked.stderr, /error when evicting pods\/"web-[^"]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  t.deepEqual((await pods('web')).filter(running).map((p) => p.metadata.name).sort(), before.web.map((p) => p.metadata.name).sort(), 'nothing was evicted');

  t.is((await k.run(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":2}}'])).code, 0);
  const drain = await k.run(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s']);
  t.is(drain.code, 0, drain.stderr);
  for (const p of before.web) t.regex(drain.stdout, new RegExp(`pod/${p.metadata.name} evicted`));
  const after = await until('three web pods on the other node', async () => {
    const ps = (await pods('web')).filter(running);
    return ps.length === 3 && ps.every((p) => p.spec!.nodeName !== node) ? ps : undefined;
  });
  t.is(after.length, 3);
  t.is((await k.run(['uncordon', node])).code, 0);
  t.is((await k.run(['delete', 'pdb', 'web'])).code, 0);
});
