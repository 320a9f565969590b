/**
 * Question: how fast do the controllers turn desired state into pods, with
 * the real store and api-server actors in the loop, compared with sending
 * the same pod creates straight to the api-server (the baseline, measured in
 * the same run, on the same cluster)?
 *
 * - ReplicaSet scale-up from 0 to 10,000 pods: a ReplicaSet is created with
 *   replicas 0, then scaled to 10,000; timed until its status says 10,000
 *   replicas (the controller has seen every pod it made come back through its
 *   informer); reported as pods created per second and ReplicaSet reconciles
 *   per second (from the controller-manager's own counts).
 *   Baseline: the same 10,000 pods (same template, generateName and owner
 *   reference; a fixed name instead of generateName, whose random suffixes
 *   collide now and then) through `api.batch` (ApiClient.createMany) in batches of 500,
 *   one at a time, as the controller sends them, in a namespace without a
 *   ReplicaSet. Rounds interleave baseline and controller (fresh namespaces).
 * - Deployment of 150,000 replicas: from the create of the Deployment until
 *   its ReplicaSet's status says 150,000 replicas (target < 10 s). Baseline:
 *   150,000 creates through `api.batch` as above, on a fresh cluster of its
 *   own (so that the controller's cache does not hold those pods too). One
 *   round each (each takes tens of seconds); --deployment N to change N,
 *   --no-deployment to skip.
 *
 * The controller-manager runs only the controllers involved (replicaset, and
 * deployment for the second case), so nothing else competes for its thread.
 * Pod counts are checked after each case with a list (limit=1 and
 * remainingItemCount), outside the timing.
 *
 * Run: npm run build && node dist/bench/controllers.js [--json] [--quick] [--rounds N] [--replicas N] [--deployment N] [--no-deployment]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerChildSpec } from '../actors/api-server/spec.js';
import { controllerManagerChildSpec } from '../actors/controller-manager/spec.js';
import type { ControllerManagerStats } from '../actors/controller-manager/messages.js';
import type { ControllerName } from '../actors/controller-manager/manager.js';
import { storeChildSpec } from '../actors/store/spec.js';
import { Supervisor } from '../lib/actor/supervisor.js';
import type { Message } from '../lib/actor/types.js';
import { deployments, events, namespaces, pods, replicaSets } from '../lib/api/resources/index.js';
import type { Deployment, ReplicaSet } from '../lib/api/types/apps.js';
import type { Pod, PodTemplateSpec } from '../lib/api/types/pod.js';
import { ApiClient } from '../lib/client/client.js';
import { InProcessTransport } from '../lib/client/in-process.js';
import { Samples, log, printRows } from './lib/report.js';

const bench = 'controllers';
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
/** --quick (berth bench --quick): one round, 2,000 pods, a Deployment of 20,000. */
const quick = process.argv.includes('--quick');
const rounds = arg('rounds', quick ? 1 : 3);
const replicas = arg('replicas', quick ? 2_000 : 10_000);
const deploymentReplicas = arg('deployment', quick ? 20_000 : 150_000);
const skipDeployment = process.argv.includes('--no-deployment');
const BATCH = 500;
const samples = new Samples(bench);
const sample = (kase: string, metric: string, value: number, unit: string): void => samples.add(kase, value, unit, metric);

interface Cluster {
  readonly sup: Supervisor;
  readonly api: ApiClient;
  stop(): Promise<void>;
}

async function startCluster(controllers: readonly ControllerName[]): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-controllers-'));
  const sup = await Supervisor.start({
    children: [
      storeChildSpec({ path: join(dir, 'data') }),
      apiServerChildSpec({ port: null, maxInFlight: 10_000 }),
      controllerManagerChildSpec({ controllers }),
    ],
    logLevel: 'silent',
  });
  const transport = new InProcessTransport(sup, { timeoutMs: 600_000 });
  const onMessage = (m: Message): void => void transport.handleNotice(m);
  sup.on('message', onMessage);
  await sup.request('api-server', { type: 'api.address' }, { timeoutMs: 30_000 });
  await sup.request('controller-manager', { type: 'cm.ready' }, { timeoutMs: 30_000 });
  return {
    sup,
    api: new ApiClient(transport, { fieldManager: 'bench' }),
    async stop() {
      sup.off('message', onMessage);
      transport.close();
      await sup.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const template = (app: string): PodTemplateSpec => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: 'c', image: `registry/${app}:1`, resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
});

async function reconciles(c: Cluster): Promise<number> {
  const s = await c.sup.request<ControllerManagerStats>('controller-manager', { type: 'cm.stats' });
  return s.controllers['replicaset']?.reconciles ?? 0;
}

async function podCount(c: Cluster, namespace: string): Promise<number> {
  const l = await c.api.list(pods, { namespace, limit: 1 });
  return l.items.length + (l.metadata?.remainingItemCount ?? 0);
}

/** SuccessfulCreate events written so far in `namespace` (their counts summed): the recorder writes one at a time, behind the creates. */
async function createEvents(c: Cluster, namespace: string): Promise<number> {
  const l = await c.api.list(events, { namespace });
  return l.items.filter((e) => e.reason === 'SuccessfulCreate').reduce((a, e) => a + (e.count ?? 1), 0);
}

/** Polls until `check` is true; resolves with the wall time (ms since `t0`) at which it first was. */
async function until(t0: number, check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  for (;;) {
    if (await check()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The baseline: `n` pods like the controller's, through api.batch in batches of 500, one at a time. Returns ms. */
async function directCreates(c: Cluster, namespace: string, n: number): Promise<number> {
  await c.api.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const t = template('direct');
  // Owned by a ReplicaSet that does not exist here: the same payload as the controller's, and nobody adopts them.
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'direct', uid: 'uid-direct', controller: true, blockOwnerDeletion: true };
  // Named, not generateName: random 5-character suffixes collide about once per 3,000 pods at 10,000 (AlreadyExists).
  const podFor = (i: number): Pod => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `direct-${i}`, namespace, labels: { ...t.metadata!.labels }, ownerReferences: [ref] },
    spec: structuredClone(t.spec!),
  });
  const t0 = performance.now();
  for (let done = 0; done < n; done += BATCH) {
    const out = await c.api.createMany(pods, Array.from({ length: Math.min(BATCH, n - done) }, (_, j) => podFor(done + j)), { namespace });
    const bad = out.find((r) => r instanceof Error);
    if (bad) throw bad;
  }
  const ms = performance.now() - t0;
  const have = await podCount(c, namespace);
  if (have !== n) throw new Error(`baseline: ${have} pods in ${namespace}, want ${n}`);
  return ms;
}

/** ReplicaSet 0 -> n. Returns [ms, reconciles during the scale-up]. */
async function replicaSetScaleUp(c: Cluster, namespace: string, n: number): Promise<[number, number]> {
  await c.api.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'web', namespace },
    spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: template('web') },
  };
  await c.api.create(replicaSets, rs);
  const get = () => c.api.get(replicaSets, 'web', { namespace });
  await until(performance.now(), async () => (await get()).status?.observedGeneration === 1, 30_000, 'the ReplicaSet at 0');
  const r0 = await reconciles(c);
  const cur = await get();
  cur.spec!.replicas = n;
  const t0 = performance.now();
  await c.api.update(replicaSets, cur);
  const ms = await until(t0, async () => (await get()).status?.replicas === n, 600_000, `${n} replicas`);
  const r = (await reconciles(c)) - r0;
  const have = await podCount(c, namespace);
  if (have !== n) throw new Error(`ReplicaSet: ${have} pods in ${namespace}, want ${n}`);
  return [ms, r];
}

/** Deployment of n replicas: ms from its create until its ReplicaSet reports n replicas. */
async function deploymentToPods(c: Cluster, namespace: string, n: number): Promise<number> {
  await c.api.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const d: Deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'big', namespace },
    spec: { replicas: n, selector: { matchLabels: { app: 'big' } }, template: template('big') },
  };
  const t0 = performance.now();
  await c.api.create(deployments, d);
  const ms = await until(t0, async () => {
    const l = await c.api.list(replicaSets, { namespace });
    return l.items.some((rs) => rs.status?.replicas === n);
  }, 900_000, `the Deployment's ${n} pods`);
  const have = await podCount(c, namespace);
  if (have !== n) throw new Error(`Deployment: ${have} pods in ${namespace}, want ${n}`);
  return ms;
}

// ---- ReplicaSet scale-up, interleaved with its baseline -------------------------------------

{
  const c = await startCluster(['replicaset']);
  try {
    await directCreates(c, 'warmup', 2_000); // JIT and store warm-up, discarded
    for (let round = 0; round < rounds; round++) {
      const base = directCreates(c, `direct-${round}`, replicas);
      const bms = await base;
      const [ms, r] = await replicaSetScaleUp(c, `rs-${round}`, replicas);
      const kase = `ReplicaSet 0 -> ${replicas} pods`;
      sample(kase, 'controller: SuccessfulCreate events written by then', await createEvents(c, `rs-${round}`), 'events');
      sample(kase, 'baseline: api.batch creates (500 per call)', (replicas * 1_000) / bms, 'pods/s');
      sample(kase, 'controller: pods created', (replicas * 1_000) / ms, 'pods/s');
      sample(kase, 'controller: wall time', ms, 'ms');
      sample(kase, 'controller: reconciles', r, 'reconciles');
      sample(kase, 'controller: reconciles per second', (r * 1_000) / ms, 'reconciles/s');
      sample(kase, 'controller / baseline', bms / ms, 'x');
      log(`  round ${round + 1}: baseline ${bms.toFixed(0)} ms, ReplicaSet ${ms.toFixed(0)} ms, ${r} reconciles`);
    }
  } finally {
    await c.stop();
  }
}

// ---- Deployment of 150,000 ------------------------------------------------------------------

if (!skipDeployment) {
  // Each on a fresh cluster: the controller-manager's pod cache would otherwise hold the baseline's pods too.
  const kase = `Deployment of ${deploymentReplicas} replicas`;
  const b = await startCluster(['replicaset']);
  let bms: number;
  try {
    bms = await directCreates(b, 'direct-big', deploymentReplicas);
  } finally {
    await b.stop();
  }
  sample(kase, 'baseline: api.batch creates (500 per call)', bms, 'ms');
  sample(kase, 'baseline: rate', (deploymentReplicas * 1_000) / bms, 'pods/s');
  log(`  baseline: ${deploymentReplicas} creates in ${bms.toFixed(0)} ms`);
  const c = await startCluster(['deployment', 'replicaset']);
  try {
    const r0 = await reconciles(c);
    const ms = await deploymentToPods(c, 'big', deploymentReplicas);
    const r = (await reconciles(c)) - r0;
    const ev = await createEvents(c, 'big');
    sample(kase, 'controller: SuccessfulCreate events written by then', ev, 'events');
    sample(kase, 'controller: create to all pods existing', ms, 'ms');
    sample(kase, 'controller: rate', (deploymentReplicas * 1_000) / ms, 'pods/s');
    sample(kase, 'controller: ReplicaSet reconciles', r, 'reconciles');
    sample(kase, 'controller / baseline', bms / ms, 'x');
    log(`  Deployment: ${deploymentReplicas} pods in ${ms.toFixed(0)} ms, ${r} ReplicaSet reconciles`);
  } finally {
    await c.stop();
  }
}

printRows(samples.rows());
