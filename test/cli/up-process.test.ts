/**
 * `berth up --nodes 1 --runtime process` through the real kubectl: a
 * Deployment of three Node HTTP servers, each a real process answering on
 * its own pod IP; logs (plain, --previous, -f); a killed process restarts; a
 * deleted pod is stopped with SIGTERM and replaced; a failing readiness
 * probe makes its pod unready.
 */
import test from 'ava';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../lib/api/types/pod.js';
import { Kubectl } from '../api-server/kubectl-helpers.js';
import { alive, startUp, until, type RunningUp } from './up-helpers.js';

const data = mkdtempSync(join(tmpdir(), 'berth-up-process-'));
const marks = mkdtempSync(join(tmpdir(), 'berth-marks-'));

/** The container's program: its pod name on $POD_IP:8080, /unready flips readiness, SIGTERM leaves a mark file. */
const SERVER = `
const http = require('http');
const fs = require('fs');
const name = process.env.POD_NAME, ip = process.env.POD_IP;
let ready = true;
const srv = http.createServer((req, res) => {
  if (req.url === '/ready') { res.writeHead(ready ? 200 : 503); return res.end(); }
  if (req.url === '/unready') { ready = false; return res.end('ok'); }
  res.end(name);
});
srv.listen(8080, ip, () => console.log(name + ' pid ' + process.pid + ' listening on ' + ip + ':8080 token=' + (process.env.SECRET_TOKEN || 'none')));
process.on('SIGTERM', () => {
  console.log('SIGTERM received');
  fs.writeFileSync(process.env.MARKS + '/' + name, 'SIGTERM');
  srv.close();
  setTimeout(() => process.exit(0), 100);
});
`;

const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: 'server',
            image: 'node:20',
            args: ['-e', SERVER],
            env: [{ name: 'MARKS', value: marks }],
            ports: [{ containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      },
    },
  },
};

const SERVICE = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } };

let berth: RunningUp | undefined;
let k: Kubectl;

test.before(async () => {
  // The test's own environment carries a secret the containers must not see.
  berth = await startUp(['--data', data, '--port', '0', '--nodes', '1', '--runtime', 'process'], { ...process.env, SECRET_TOKEN: 'leaked' });
  k = new Kubectl(32, berth.kubeconfig);
  const applied = await k.run(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [DEPLOYMENT, SERVICE] }));
  if (applied.code !== 0) throw new Error(applied.stderr);
});

test.after.always(async () => {
  await berth?.stop();
  rmSync(data, { recursive: true, force: true });
  rmSync(marks, { recursive: true, force: true });
});

async function podList(): Promise<Pod[]> {
  const r = await k.run(['get', 'pods', '-l', 'app=web', '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { items: Pod[] }).items;
}

const isReady = (p: Pod): boolean => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const live = (p: Pod): boolean => !p.metadata.deletionTimestamp;

function httpGet(ip: string, path: string, port = 8080): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: ip, port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function threeReady(): Promise<Pod[]> {
  return until('three ready pods', async () => {
    const ps = (await podList()).filter(live);
    return ps.length === 3 && ps.every(isReady) ? ps : undefined;
  });
}

async function pidOf(pod: string): Promise<number> {
  const logs = await k.run(['logs', pod]);
  const m = / pid (\d+) /.exec(logs.stdout);
  if (!m) throw new Error(`no pid in the logs of ${pod}: ${logs.stdout}${logs.stderr}`);
  return Number(m[1]);
}

test.serial('three replicas run as real processes, each answering with its pod name on its own pod IP, port 8080; kubectl logs shows their output', async (t) => {
  const pods = await threeReady();
  const ips = pods.map((p) => p.status!.podIP!);
  t.is(new Set(ips).size, 3, 'three distinct pod IPs');
  for (const p of pods) {
    t.regex(p.status!.podIP!, /^127\.128\.0\.\d+$/);
    t.is(await httpGet(p.status!.podIP!, '/'), p.metadata.name!);
    const logs = await k.run(['logs', p.metadata.name!]);
    t.is(logs.code, 0, logs.stderr);
    // Nothing of berth up's environment reaches a container but PATH.
    t.is(logs.stdout, `${p.metadata.name} pid ${/ pid (\d+) /.exec(logs.stdout)?.[1]} listening on ${p.status!.podIP}:8080 token=none\n`);
  }
  const tail = await k.run(['logs', pods[0]!.metadata.name!, '--tail=1', '--timestamps']);
  t.regex(tail.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z .* listening on /);
});

async function clusterIP(): Promise<string> {
  const r = await k.run(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
  return r.stdout.trim();
}

/** Pod names answering on the Service's ClusterIP over `n` new connections (kube-proxy, round robin). */
async function viaService(n: number): Promise<Set<string>> {
  const ip = await clusterIP();
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await httpGet(ip, '/', 80));
  return seen;
}

test.serial('the Service ClusterIP (kube-proxy of berth up) reaches all three pods', async (t) => {
  const pods = await threeReady();
  const names = new Set(pods.map((p) => p.metadata.name!));
  const seen = await until('all three behind the ClusterIP', async () => {
    const s = await viaService(6).catch(() => new Set<string>());
    return [...names].every((n) => s.has(n)) ? s : undefined;
  });
  t.deepEqual([...seen].sort(), [...names].sort());
});

test.serial('a killed server process is restarted: restartCount 1, lastState exit code 137, --previous shows the old run', async (t) => {
  const [victim] = await threeReady();
  const name = victim!.metadata.name!;
  const pid = await pidOf(name);
  process.kill(pid, 'SIGKILL');
  // The restart comes after CrashLoopBackOff's first 10 s.
  const after = await until(
    'restarted',
    async () => {
      const p = (await podList()).find((x) => x.metadata.name === name);
      const cs = p?.status?.containerStatuses?.[0];
      return cs && cs.restartCount === 1 && cs.state?.running && p && isReady(p) ? p : undefined;
    },
    40_000,
  );
  const cs = after.status!.containerStatuses![0]!;
  t.is(cs.lastState?.terminated?.exitCode, 137);
  t.is(cs.lastState?.terminated?.reason, 'Error');
  const previous = await k.run(['logs', name, '--previous']);
  t.regex(previous.stdout, new RegExp(` pid ${pid} listening`));
  t.not(await pidOf(name), pid);
  t.is(await httpGet(after.status!.podIP!, '/'), name);
});

test.serial('kubectl delete pod stops the program with SIGTERM (seen by kubectl logs -f), removes the pod after it exits, and the ReplicaSet replaces it', async (t) => {
  const pods = await threeReady();
  const name = pods[1]!.metadata.name!;
  const follow = k.spawn(['logs', '-f', name]);
  await until('follow started', async () => (follow.output().includes('listening on') ? true : undefined));
  const del = await k.run(['delete', 'pod', name]);
  t.is(del.code, 0, del.stderr);
  t.true(existsSync(join(marks, name)), 'the program got SIGTERM before the pod was gone');
  await until('logs -f ends with the container', async () => (follow.child.exitCode !== null ? true : undefined), 10_000);
  t.regex(follow.output(), /SIGTERM received/);
  const again = await threeReady();
  t.false(again.some((p) => p.metadata.name === name));
});

test.serial('a failing readiness probe makes the pod unready within its period; the process keeps running', async (t) => {
  const pods = await threeReady();
  // Any of the three (by name; one may be the pod an earlier test killed, so its restarts are counted from here).
  const target = pods[2]!;
  const restartsBefore = target.status!.containerStatuses![0]!.restartCount;
  t.is(await httpGet(target.status!.podIP!, '/unready'), 'ok');
  const started = Date.now();
  const p = await until(
    'unready',
    async () => {
      const x = (await podList()).find((y) => y.metadata.name === target.metadata.name);
      return x && !isReady(x) ? x : undefined;
    },
    15_000,
  );
  t.true(Date.now() - started < 10_000, 'within a few periods of 1 s (generous: the machine is loaded)');
  const ready = p.status!.conditions!.find((c) => c.type === 'ContainersReady');
  t.is(ready?.status, 'False');
  t.is(p.status!.containerStatuses![0]!.restartCount, restartsBefore, 'an unready container is not restarted');
  t.truthy(p.status!.containerStatuses![0]!.state?.running);
  // Out of the Service: the Endpoints controller and kube-proxy follow the Ready condition.
  const rest = await until('out of the Service', async () => {
    const s = await viaService(6);
    return s.has(target.metadata.name!) ? undefined : s;
  }, 10_000);
  t.is(rest.size, 2);
});

test.serial('stopping berth up (Ctrl-C) stops the containers: their processes die with the node', async (t) => {
  // Ready or not (the previous test made one unready): every running container.
  const pods = (await podList()).filter((p) => live(p) && p.status?.containerStatuses?.[0]?.state?.running);
  t.is(pods.length, 3);
  const pids = await Promise.all(pods.map((p) => pidOf(p.metadata.name!)));
  for (const pid of pids) t.notThrows(() => process.kill(pid, 0));
  t.is(await berth!.stop(), 0);
  // SIGKILL lands a moment after berth up exits; a zombie nobody has reaped yet counts as dead.
  for (const pid of pids) t.true(await until(`pid ${pid} gone`, async () => (alive(pid) ? undefined : true), 3_000));
});
