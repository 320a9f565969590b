/**
 * `kubectl create <kind>` with kubectl 1.32, whose typed clients send
 * protobuf bodies (actors/api-server/http/protobuf.ts): services of every
 * type, a job, priority classes, secrets and config maps come out as the
 * command asked, with the fields kubectl set and nothing else.
 */
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, kubeconfig, startCluster, Teardowns, type Cluster } from './helpers.js';
import { Kubectl } from './kubectl-helpers.js';

let cluster: Cluster;
let k: Kubectl;
const cleanup = new Teardowns();

test.before(async () => {
  cluster = await startCluster(cleanup);
  k = new Kubectl(32, kubeconfig(mkdtempSync(join(tmpdir(), 'berth-kcreate-')), cluster.url));
});
test.after.always(() => cleanup.run());

async function create(t: import('ava').ExecutionContext, args: string[], printed: string): Promise<void> {
  const r = await k.run(['create', ...args]);
  t.is(r.code, 0, `kubectl create ${args.join(' ')}: ${r.stderr}`);
  t.is(r.stdout.trim(), printed);
}

const get = async (path: string) => (await call(cluster.url, 'GET', path)).body;

test('create service clusterip / nodeport / externalname', async (t) => {
  await create(t, ['service', 'clusterip', 'api', '--tcp=5678:8080'], 'service/api created');
  const api = await get('/api/v1/namespaces/default/services/api');
  t.is(api.spec.type, 'ClusterIP');
  t.deepEqual(api.spec.selector, { app: 'api' });
  t.like(api.spec.ports[0], { name: '5678-8080', port: 5678, targetPort: 8080, protocol: 'TCP' });
  t.truthy(api.spec.clusterIP);

  await create(t, ['service', 'nodeport', 'web', '--tcp=80:http', '--node-port=30080'], 'service/web created');
  const web = await get('/api/v1/namespaces/default/services/web');
  t.is(web.spec.type, 'NodePort');
  t.like(web.spec.ports[0], { port: 80, targetPort: 'http', nodePort: 30080 });

  await create(t, ['service', 'clusterip', 'headless', '--clusterip=None'], 'service/headless created');
  t.is((await get('/api/v1/namespaces/default/services/headless')).spec.clusterIP, 'None');

  await create(t, ['service', 'externalname', 'ext', '--external-name=example.com'], 'service/ext created');
  const ext = await get('/api/v1/namespaces/default/services/ext');
  t.is(ext.spec.type, 'ExternalName');
  t.is(ext.spec.externalName, 'example.com');
});

test('create job: the command, the image, restartPolicy Never', async (t) => {
  await create(t, ['job', 'once', '--image=busybox:1.36', '--', 'echo', 'hi'], 'job.batch/once created');
  const job = await get('/apis/batch/v1/namespaces/default/jobs/once');
  const c = job.spec.template.spec.containers[0];
  t.is(c.image, 'busybox:1.36');
  t.deepEqual(c.command, ['echo', 'hi']);
  t.is(job.spec.template.spec.restartPolicy, 'Never');
  t.is(job.spec.backoffLimit, 6); // defaulted: kubectl left it unset
});

test('create priorityclass, including value 0 and a preemption policy', async (t) => {
  await create(t, ['priorityclass', 'high', '--value=1000', '--description=for the important ones', '--preemption-policy=Never'], 'priorityclass.scheduling.k8s.io/high created');
  const high = await get('/apis/scheduling.k8s.io/v1/priorityclasses/high');
  t.like(high, { value: 1000, description: 'for the important ones', preemptionPolicy: 'Never' });
  await create(t, ['priorityclass', 'zero', '--value=0'], 'priorityclass.scheduling.k8s.io/zero created');
  t.is((await get('/apis/scheduling.k8s.io/v1/priorityclasses/zero')).value, 0);
});

test('create poddisruptionbudget (protobuf): minAvailable, a percentage maxUnavailable, 0 kept, the selector', async (t) => {
  await create(t, ['pdb', 'web', '--selector=app=web', '--min-available=2'], 'poddisruptionbudget.policy/web created');
  const web = await get('/apis/policy/v1/namespaces/default/poddisruptionbudgets/web');
  t.deepEqual(web.spec, { minAvailable: 2, selector: { matchLabels: { app: 'web' } } });
  t.is(web.metadata.generation, 1);
  await create(t, ['pdb', 'api', '--selector=tier in (api,edge)', '--max-unavailable=25%'], 'poddisruptionbudget.policy/api created');
  t.deepEqual((await get('/apis/policy/v1/namespaces/default/poddisruptionbudgets/api')).spec, { maxUnavailable: '25%', selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['api', 'edge'] }] } });
  await create(t, ['pdb', 'frozen', '--selector=app=db', '--max-unavailable=0'], 'poddisruptionbudget.policy/frozen created');
  t.is((await get('/apis/policy/v1/namespaces/default/poddisruptionbudgets/frozen')).spec.maxUnavailable, 0);
  const table = await k.run(['get', 'pdb']);
  t.regex(table.stdout, /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\n/);
  t.regex(table.stdout, /\nweb\s+2\s+N\/A\s+0\s+/);
  t.regex(table.stdout, /\napi\s+N\/A\s+25%\s+0\s+/);
});

test('create secret generic and docker-registry, configmap', async (t) => {
  await create(t, ['secret', 'generic', 'pw', '--from-literal=user=admin'], 'secret/pw created');
  const pw = await get('/api/v1/namespaces/default/secrets/pw');
  t.is(pw.type, 'Opaque');
  t.is(Buffer.from(pw.data.user, 'base64').toString(), 'admin');
  await create(t, ['secret', 'docker-registry', 'reg', '--docker-server=r.example.com', '--docker-username=u', '--docker-password=p'], 'secret/reg created');
  t.is((await get('/api/v1/namespaces/default/secrets/reg')).type, 'kubernetes.io/dockerconfigjson');
  await create(t, ['configmap', 'cfg', '--from-literal=a=1'], 'configmap/cfg created');
  t.deepEqual((await get('/api/v1/namespaces/default/configmaps/cfg')).data, { a: '1' });
});

test('run a pod and expose it (bodies kubectl sends as JSON)', async (t) => {
  const run = await k.run(['run', 'solo', '--image=nginx:1.27', '--port=80', '--labels=app=solo']);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout.trim(), 'pod/solo created');
  const expose = await k.run(['expose', 'pod', 'solo', '--port=8080', '--target-port=80']);
  t.is(expose.code, 0, expose.stderr);
  t.is(expose.stdout.trim(), 'service/solo exposed');
  const svc = await get('/api/v1/namespaces/default/services/solo');
  t.deepEqual(svc.spec.selector, { app: 'solo' });
  t.like(svc.spec.ports[0], { port: 8080, targetPort: 80 });
});

test('kubectl 1.33 (protobuf too): create service, job and priorityclass', async (t) => {
  const k33 = new Kubectl(33, kubeconfig(mkdtempSync(join(tmpdir(), 'berth-kcreate-')), cluster.url));
  for (const [args, printed] of [
    [['service', 'clusterip', 'api33', '--tcp=80:8080'], 'service/api33 created'],
    [['job', 'job33', '--image=busybox:1.36', '--', 'true'], 'job.batch/job33 created'],
    [['priorityclass', 'pc33', '--value=7'], 'priorityclass.scheduling.k8s.io/pc33 created'],
  ] as const) {
    const r = await k33.run(['create', ...args]);
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout.trim(), printed);
  }
  t.like((await get('/api/v1/namespaces/default/services/api33')).spec.ports[0], { port: 80, targetPort: 8080 });
  t.deepEqual((await get('/apis/batch/v1/namespaces/default/jobs/job33')).spec.template.spec.containers[0].command, ['true']);
  t.is((await get('/apis/scheduling.k8s.io/v1/priorityclasses/pc33')).value, 7);
});
