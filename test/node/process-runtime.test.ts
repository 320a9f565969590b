/**
 * The process runtime behind a real kubelet (real clock): what a container
 * process sees (environment from ConfigMaps, Secrets, the downward API and
 * the service variables; nothing of the node's own environment but PATH;
 * its workingDir), exit codes as Kubernetes reports them (OOMKilled over a
 * memory limit), a program that
 * cannot start, and graceful stop with SIGKILL at the end of the grace period.
 */
import test from 'ava';
import { alive } from '../helpers/processes.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiResponse } from '../../actors/api-server/messages.js';
import { nodeAddress, nodeChildSpec } from '../../actors/node/spec.js';
import { ProcessRuntime } from '../../actors/node/runtime/process.js';
import { programOf } from '../../actors/node/runtime/program.js';
import { configMaps, pods, secrets, services } from '../../lib/api/resources/index.js';
import type { Container, Pod } from '../../lib/api/types/pod.js';
import type { ApiClient } from '../../lib/client/client.js';
import { startCluster } from '../helpers/cluster.js';

const NODE = 'proc-1';

function pod(name: string, container: Partial<Container>, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: NODE, restartPolicy: 'Never', containers: [{ name: 'main', image: 'node:20', ...container }], ...extra },
  };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function logs(api: ApiClient, name: string, query: Record<string, string> = {}): Promise<ApiResponse> {
  return api.transport.call({ verb: 'get', group: '', version: 'v1', resource: 'pods', namespace: 'default', name, subresource: 'log', query });
}


const terminated = (api: ApiClient, name: string) =>
  until(`${name} terminated`, async () => (await api.get(pods, name, { namespace: 'default' })).status?.containerStatuses?.[0]?.state?.terminated ?? undefined);

test('the image names the program: node runs this Node binary, anything else needs command[0]', (t) => {
  t.deepEqual(programOf({ image: 'node:20', args: ['-e', '1'] }, {}), { ok: true, file: process.execPath, args: ['-e', '1'] });
  t.deepEqual(programOf({ image: 'node', command: ['node', 'app.js'], args: ['--port=$(PORT)'] }, { PORT: '80' }), { ok: true, file: process.execPath, args: ['app.js', '--port=80'] });
  t.deepEqual(programOf({ image: 'busybox', command: ['sleep', '$$(x)'], args: ['1'] }, {}), { ok: true, file: 'sleep', args: ['$(x)', '1'] });
  const none = programOf({ image: 'nginx:1.27' }, {});
  t.false(none.ok);
  t.regex(none.ok ? '' : none.error, /give the program as command\[0\]/);
});

test('a node that starts again kills the container processes its pid files name (it restarts containers, it does not re-adopt them), and only those', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-leftover-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const spawnIdle = () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  const ours = spawnIdle();
  const stranger = spawnIdle();
  t.teardown(() => void stranger.kill('SIGKILL'));
  await Promise.all([once(ours, 'spawn'), once(stranger, 'spawn')]);
  mkdirSync(join(dir, 'pids'), { recursive: true });
  writeFileSync(join(dir, 'pids', String(ours.pid)), `${process.execPath}\n`);
  // A pid reused by another program is not ours.
  writeFileSync(join(dir, 'pids', String(stranger.pid)), '/usr/bin/something-else\n');
  const warnings: string[] = [];
  const exited = once(ours, 'exit');
  const rt = new ProcessRuntime({
    dataDir: dir, nodeName: 'n', limits: { maxBytes: 1 << 20, maxFiles: 2 },
    events: { started: () => undefined, exited: () => undefined },
    env: { configMap: async () => undefined, secret: async () => undefined, services: async () => [] },
    podOf: () => undefined, now: Date.now, warn: (m) => warnings.push(m),
  });
  const [, signal] = (await exited) as [number | null, string | null];
  t.is(signal, 'SIGKILL');
  t.true(alive(stranger.pid!));
  t.deepEqual(readdirSync(join(dir, 'pids')), []);
  t.is(warnings.length, 1);
  rt.shutdown();
});

test('a container process: its environment, working directory, exit codes, start errors and graceful stop', async (t) => {
  const process_env_secret = 'SECRET_OF_THE_SERVER';
  process.env[process_env_secret] = 'must-not-leak';
  t.teardown(() => delete process.env[process_env_secret]);
  const dir = mkdtempSync(join(tmpdir(), 'berth-proc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // index 77: its own podCIDR (127.128.77.0/24), apart from other tests' process nodes running at the same time.
  const { api, sup } = await startCluster(t, { children: [nodeChildSpec(NODE, { runtime: 'process', dataDir: join(dir, 'nodes'), index: 77 })], ready: [{ to: nodeAddress(NODE), type: 'kubelet.ready' }] });

  await api.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: 'default' }, data: { level: 'debug', color: 'blue' } });
  await api.create(secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default' }, data: { password: Buffer.from('hunter2').toString('base64') } });
  const svc = await api.create(services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'my-db', namespace: 'default' }, spec: { selector: { app: 'db' }, ports: [{ name: 'sql', port: 5432 }] } });

  const printEnv = 'console.log(JSON.stringify({ env: process.env, cwd: process.cwd() }))';
  await api.create(pods, pod('env', {
    args: ['-e', printEnv],
    workingDir: dir,
    envFrom: [{ configMapRef: { name: 'conf' }, prefix: 'CONF_' }],
    env: [
      { name: 'GREETING', value: 'hello $(POD_NAME_X) from $(CONF_color)' },
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'conf', key: 'level' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'MY_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ],
  }));
  await api.create(pods, pod('exit-3', { args: ['-e', 'process.exit(3)'] }));
  await api.create(pods, pod('self-kill', { args: ['-e', "process.kill(process.pid, 'SIGKILL')"] }));
  await api.create(pods, pod('hog', { args: ['-e', "const keep = []; setInterval(() => keep.push(Buffer.alloc(8 << 20, 1)), 50)"], resources: { limits: { memory: '96Mi' } } }));
  await api.create(pods, pod('no-such-program', { image: 'busybox', command: ['/no/such/program'] }));
  await api.create(pods, pod('missing-config', { args: ['-e', '1'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] }));
  const killMe = join(dir, 'kill-me');
  await api.create(pods, pod('probed', {
    args: ['-e', "setTimeout(() => require('net').createServer(() => {}).listen(9090, process.env.POD_IP), 1500)"],
    readinessProbe: { tcpSocket: { port: 9090 }, periodSeconds: 1 },
    livenessProbe: { exec: { command: ['node', '-e', `process.exit(require('fs').existsSync(${JSON.stringify(killMe)}) ? 1 : 0)`] }, periodSeconds: 1, failureThreshold: 2 },
  }, { restartPolicy: 'Always', terminationGracePeriodSeconds: 5 }));
  await api.create(pods, pod('stubborn', { args: ['-e', "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('pid', process.pid); setInterval(() => {}, 1000)"] }, { terminationGracePeriodSeconds: 1, restartPolicy: 'Always' }));

  // Environment and working directory.
  const envTerm = await terminated(api, 'env');
  t.is(envTerm.exitCode, 0);
  t.is(envTerm.reason, 'Completed');
  const envPod = await api.get(pods, 'env', { namespace: 'default' });
  t.is(envPod.status?.phase, 'Succeeded');
  const out = await logs(api, 'env');
  t.is(out.code, 200, JSON.stringify(out.body));
  const seen = JSON.parse(out.text!) as { env: Record<string, string>; cwd: string };
  const ip = envPod.status!.podIP!;
  t.is(seen.cwd, dir);
  t.like(seen.env, {
    GREETING: 'hello $(POD_NAME_X) from blue',
    LEVEL: 'debug',
    PASSWORD: 'hunter2',
    CONF_level: 'debug',
    CONF_color: 'blue',
    MY_NS: 'default',
    MY_NODE: NODE,
    MY_IP: ip,
    POD_NAME: 'env',
    POD_NAMESPACE: 'default',
    POD_IP: ip,
    HOST: ip,
    NODE_NAME: NODE,
    MY_DB_SERVICE_HOST: svc.spec!.clusterIP!,
    MY_DB_SERVICE_PORT: '5432',
    MY_DB_SERVICE_PORT_SQL: '5432',
    MY_DB_PORT: `tcp://${svc.spec!.clusterIP}:5432`,
  });
  t.is(seen.env.PATH, process.env.PATH ?? '');
  t.false(process_env_secret in seen.env, 'the server\'s own environment does not leak into containers');
  t.false('HOME' in seen.env);

  // Exit codes as Kubernetes reports them.
  t.like(await terminated(api, 'exit-3'), { exitCode: 3, reason: 'Error' });
  t.like(await terminated(api, 'self-kill'), { exitCode: 137, reason: 'Error' });
  t.like(await terminated(api, 'hog'), { exitCode: 137, reason: 'OOMKilled' });
  const noProgram = await terminated(api, 'no-such-program');
  t.like(noProgram, { exitCode: 128, reason: 'StartError' });
  t.regex(noProgram.message ?? '', /\/no\/such\/program.*ENOENT/);
  const missing = await terminated(api, 'missing-config');
  t.like(missing, { exitCode: 128, reason: 'StartError' });
  t.regex(missing.message ?? '', /env\[0\] \(X\): key "k" of configmap "absent" not found/);

  // Probes for real: tcpSocket readiness once the port listens; an exec liveness probe failing twice kills the container (SIGTERM: 143).
  const probed = async (): Promise<Pod> => api.get(pods, 'probed', { namespace: 'default' });
  const readyOf = (p: Pod): string | undefined => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const running = await until('probed running', async () => ((await probed()).status?.containerStatuses?.[0]?.state?.running ? await probed() : undefined));
  t.is(readyOf(running), 'False', 'not ready before its port listens');
  await until('probed ready', async () => (readyOf(await probed()) === 'True' ? true : undefined));
  writeFileSync(killMe, '');
  const killed = await until('killed by its liveness probe', async () => (await probed()).status?.containerStatuses?.[0]?.lastState?.terminated ?? undefined, 15_000);
  t.like(killed, { exitCode: 143, reason: 'Error' });
  t.is(readyOf(await probed()), 'False');

  // Graceful stop: SIGTERM ignored, SIGKILL after the 1 s grace period; the pod is removed only then.
  const pidLine = await until('stubborn running', async () => {
    const r = await logs(api, 'stubborn');
    return r.code === 200 && /pid (\d+)/.test(r.text ?? '') ? r.text! : undefined;
  });
  const pid = Number(/pid (\d+)/.exec(pidLine)![1]);
  const deleted = Date.now();
  await api.delete(pods, 'stubborn', { namespace: 'default' });
  await until('stubborn gone', async () => ((await api.list(pods, { namespace: 'default' })).items.some((p) => p.metadata.name === 'stubborn') ? undefined : true));
  t.true(Date.now() - deleted >= 900, 'not removed before the grace period ended');
  t.false(alive(pid), 'the process is dead');

  // Processes die with the node.
  await api.create(pods, pod('sleeper', { args: ['-e', "console.log('pid', process.pid); setInterval(() => {}, 1000)"] }));
  const sleeperLog = await until('sleeper running', async () => {
    const r = await logs(api, 'sleeper');
    return r.code === 200 && /pid \d+/.test(r.text ?? '') ? r.text! : undefined;
  });
  const sleeperPid = Number(/pid (\d+)/.exec(sleeperLog)![1]);
  await sup.stop();
  // SIGKILL is sent as the node stops; the kernel may take a moment to finish the process.
  t.true(await until('sleeper dead', async () => (alive(sleeperPid) ? undefined : true), 3_000), 'stopping the node killed its container');
});
