/**
 * The schemas know every field Berth's own actors write. A whole cluster
 * (store, api-server, controller-manager, scheduler, three simulated nodes,
 * virtual clock) runs with fieldValidation Strict as the api-server's
 * default, so a write carrying a field the schema lacks (a kubelet status
 * field, a controller's status, an event, a lease) is refused instead of
 * silently dropped as under the real default (Warn). The cluster must still
 * reach its steady state: a Deployment available behind a NodePort Service
 * with endpoints, a DaemonSet on every node, a Job complete, events
 * recorded, node Leases renewed. Then every stored object, of every
 * resource, is walked against the schema once more.
 */
import test from 'ava';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import { nodeAddress, nodeGroupSpec } from '../../actors/node/spec.js';
import { schedulerChildSpec } from '../../actors/scheduler/spec.js';
import { configMaps, daemonSets, deployments, endpoints, events, jobs, leases, nodes, pods, priorityClasses, RESOURCES, secrets, services } from '../../lib/api/resources/index.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import { unknownFields } from '../../lib/api/validation/unknown-fields.js';
import { startCluster } from '../helpers/cluster.js';
import { runUntil } from '../node/cluster.js';

const NODES = ['node-0', 'node-1', 'node-2'];
const template = (app: string, restartPolicy?: 'Never') => ({
  // The Job's pod exits 0 after 2 s in the simulated runtime.
  metadata: { labels: { app }, ...(restartPolicy ? { annotations: { 'berth.dev/simulate': JSON.stringify({ exitAfterMs: 2_000, exitCode: 0 }) } } : {}) },
  spec: {
    ...(restartPolicy ? { restartPolicy } : {}),
    priorityClassName: 'important',
    containers: [
      {
        name: 'main',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80, name: 'http' }],
        env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
        livenessProbe: { tcpSocket: { port: 80 } },
      },
    ],
  },
});

test('a cluster refusing unknown fields from its own actors reaches its steady state, and every object it stores is declared', async (t) => {
  const { sup, api } = await startCluster(t, {
    clock: 'virtual',
    apiServer: { defaultFieldValidation: 'Strict' },
    children: [controllerManagerChildSpec(), schedulerChildSpec(), nodeGroupSpec(NODES)],
    ready: [{ to: 'controller-manager', type: 'cm.ready' }, { to: 'scheduler', type: 'scheduler.ready' }, ...NODES.map((n) => ({ to: nodeAddress(n), type: 'kubelet.ready' }))],
    fieldManager: 'schema-test',
  });
  const ns = { namespace: 'default' };

  await api.create(priorityClasses, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'important' }, value: 1000 });
  await api.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } });
  await api.create(secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw', namespace: 'default' }, stringData: { pw: 'x' } });
  await api.create(deployments, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template('web') } });
  await api.create(services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } });
  await api.create(daemonSets, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } });
  await api.create(jobs, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'default' }, spec: { completions: 1, template: template('once', 'Never') } });

  await runUntil(
    sup,
    async () => {
      const d = await api.get(deployments, 'web', ns);
      const ds = await api.get(daemonSets, 'agent', ns);
      const job = await api.get(jobs, 'once', ns);
      const ep = await api.get(endpoints, 'web', ns).catch(() => undefined);
      return (
        d.status?.availableReplicas === 2 &&
        ds.status?.numberReady === NODES.length &&
        !!job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') &&
        (ep?.subsets?.[0]?.addresses?.length ?? 0) === 2
      );
    },
    'Deployment available, DaemonSet ready, Job complete, endpoints filled',
  ).catch(async (e: unknown) => {
    // Which part never got there (a refused write stalls its controller).
    const d = await api.get(deployments, 'web', ns);
    const ds = await api.get(daemonSets, 'agent', ns);
    const job = await api.get(jobs, 'once', ns);
    const ep = await api.get(endpoints, 'web', ns).catch(() => undefined);
    const ps = (await api.list(pods, ns)).items.map((p) => [p.metadata.name, p.spec?.nodeName, p.status?.phase, JSON.stringify(p.status?.conditions?.map((c) => c.type + c.status))]);
    t.log(JSON.stringify({ deployment: d.status, daemonSet: ds.status, job: job.status, endpoints: ep?.subsets, pods: ps }));
    throw e;
  });
  // Another stretch of time: heartbeats, lease renewals, probe results.
  await sup.clock.runFor(30_000);

  const running = (await api.list(pods, ns)).items.filter((p) => p.status?.phase === 'Running');
  t.true(running.length >= 2 + NODES.length, `${running.length} pods running`);
  t.true(running.every((p) => (p.status?.containerStatuses?.length ?? 0) > 0 && !!p.status?.podIP));
  const allNodes = (await api.list(nodes)).items;
  t.is(allNodes.length, NODES.length);
  t.true(allNodes.every((n) => !!n.status?.nodeInfo && (n.status.conditions?.length ?? 0) > 0 && !!n.status.capacity));
  t.true((await api.list(leases, { namespace: 'kube-node-lease' })).items.length >= NODES.length);
  t.true((await api.list(events)).items.length > 0);

  let checked = 0;
  for (const def of RESOURCES) {
    const items = (await api.list(def as never)).items as KubeObject[];
    for (const obj of items) {
      checked++;
      t.deepEqual(unknownFields(def.group, def.version, def.kind, obj, { drop: false }), [], `${def.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`);
    }
  }
  t.true(checked > 20, `${checked} objects checked`);
});
