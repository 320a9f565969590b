/** The endpoints controller, through the fixture: preload services and pods, reconcile, check the Endpoints written. */
import test from 'ava';
import { deployments, endpoints, pods, services } from '../../lib/api/resources/index.js';
import type { Endpoints, Service } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { EndpointsController, truncateSubsets } from '../../actors/controller-manager/endpoints.js';
import { fixture } from './fixture.js';
import { drain } from './node-lifecycle-objects.js';
import { runUntil, startNodeCluster } from '../node/cluster.js';

function svc(name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', labels: { team: 'a' } }, spec };
}

interface PodOpts {
  ip?: string;
  ready?: boolean;
  node?: string;
  labels?: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[];
  deleting?: boolean;
  phase?: 'Running' | 'Succeeded' | 'Failed';
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: o.node ?? 'n1', containers: [{ name: 'c', image: 'nginx', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip ? { podIP: o.ip, podIPs: [{ ip: o.ip }] } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

async function setup(services_: Service[], pods_: Pod[], eps: Endpoints[] = []) {
  const fx = fixture();
  fx.api.seed(services, ...services_);
  fx.api.seed(pods, ...pods_);
  if (eps.length) fx.api.seed(endpoints, ...eps);
  const c = new EndpointsController(fx);
  await fx.sync();
  return { fx, c, ep: (name: string) => fx.api.peek(endpoints, 'default', name) };
}

const web = svc('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });

test('ready pods become addresses, not-ready ones notReadyAddresses, with nodeName and targetRef; pods without an IP or terminating are left out', async (t) => {
  const { c, ep } = await setup(
    [web],
    [pod('b', { ip: '10.0.0.2', node: 'n2' }), pod('a', { ip: '10.0.0.10' }), pod('slow', { ip: '10.0.0.3', ready: false }), pod('noip'), pod('going', { ip: '10.0.0.4', deleting: true }), pod('done', { ip: '10.0.0.5', phase: 'Succeeded' }), pod('other', { ip: '10.0.0.6', labels: { app: 'db' } })],
  );
  await c.reconcile('default/web');
  const e = ep('web')!;
  t.deepEqual(e.metadata.labels, { team: 'a' }, "the Service's labels");
  t.deepEqual(e.subsets, [
    {
      addresses: [
        { ip: '10.0.0.2', nodeName: 'n2', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
        { ip: '10.0.0.10', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
      ],
      notReadyAddresses: [{ ip: '10.0.0.3', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'slow', uid: 'uid-slow' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ]);
});

test('ports resolve per pod by name or number; pods offering different ports land in different subsets (RepackSubsets)', async (t) => {
  const s = svc('multi', {
    selector: { app: 'web' },
    ports: [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'metrics', port: 9090, targetPort: 9100, protocol: 'TCP' },
    ],
  });
  const { c, ep } = await setup(
    [s],
    [pod('old', { ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 8080 }] }), pod('new', { ip: '10.0.0.2', ports: [{ name: 'http', containerPort: 8081 }] }), pod('same', { ip: '10.0.0.3', ports: [{ name: 'http', containerPort: 8080 }] }), pod('unnamed', { ip: '10.0.0.4', ports: [{ containerPort: 8080 }] })],
  );
  await c.reconcile('default/multi');
  const subsets = ep('multi')!.subsets!;
  t.deepEqual(
    subsets.map((x) => ({ ips: x.addresses!.map((a) => a.ip), ports: x.ports })),
    [
      { ips: ['10.0.0.1', '10.0.0.3'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9100, protocol: 'TCP' }] },
      { ips: ['10.0.0.2'], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }, { name: 'metrics', port: 9100, protocol: 'TCP' }] },
      { ips: ['10.0.0.4'], ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] },
    ],
  );
});

test('publishNotReadyAddresses lists not-ready and terminating pods as ready; headless services get the label', async (t) => {
  const s = svc('peers', { selector: { app: 'web' }, clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ port: 7000, protocol: 'TCP' }] });
  const { c, ep } = await setup([s], [pod('a', { ip: '10.0.0.1', ready: false }), pod('b', { ip: '10.0.0.2', deleting: true })]);
  await c.reconcile('default/peers');
  const e = ep('peers')!;
  t.deepEqual(e.subsets!.map((x) => [x.addresses?.map((a) => a.ip), x.notReadyAddresses, x.ports]), [[['10.0.0.1', '10.0.0.2'], undefined, [{ port: 7000, protocol: 'TCP' }]]]);
  t.is(e.metadata.labels?.['service.kubernetes.io/headless'], '');
});

test('follows pods: an update that changes readiness or labels rewrites the Endpoints; nothing is written when nothing changed', async (t) => {
  const { fx, c, ep } = await setup([web], [pod('a', { ip: '10.0.0.1' }), pod('b', { ip: '10.0.0.2' })]);
  await drain(c);
  t.deepEqual(ep('web')!.subsets![0]!.addresses!.map((a) => a.ip), ['10.0.0.1', '10.0.0.2']);
  fx.api.actions.length = 0;
  await c.reconcile('default/web');
  t.deepEqual(fx.api.writes(), [], 'no change, no write');
  const b = structuredClone(fx.api.peek(pods, 'default', 'b')!);
  b.metadata.labels = { app: 'other' };
  await fx.api.update(pods, b);
  await drain(c);
  t.deepEqual(ep('web')!.subsets![0]!.addresses!.map((a) => a.ip), ['10.0.0.1']);
  await fx.api.delete(pods, 'a', { namespace: 'default' });
  await drain(c);
  t.deepEqual(ep('web')!.subsets, []);
});

test('over 1,000 addresses: not-ready ones go first, each subset keeps its share, and the Endpoints is annotated', async (t) => {
  const addrs = (n: number, base: number) => Array.from({ length: n }, (_, i) => ({ ip: `10.${base}.${i >> 8}.${i & 255}` }));
  const mixed = [{ addresses: addrs(600, 1), notReadyAddresses: addrs(300, 2), ports: [{ port: 80 }] }, { addresses: addrs(200, 3), notReadyAddresses: addrs(100, 4), ports: [{ port: 81 }] }];
  t.true(truncateSubsets(mixed));
  t.deepEqual(mixed.map((s) => [s.addresses?.length, s.notReadyAddresses?.length]), [[600, 150], [200, 50]], '200 not-ready places shared 3:1');
  const tooReady = [{ addresses: addrs(900, 1), notReadyAddresses: addrs(5, 2) }, { addresses: addrs(300, 3) }];
  t.true(truncateSubsets(tooReady));
  t.deepEqual(tooReady.map((s) => [s.addresses?.length, s.notReadyAddresses?.length]), [[750, undefined], [250, undefined]]);
  t.false(truncateSubsets([{ addresses: addrs(1000, 1) }]));

  const many = Array.from({ length: 1003 }, (_, i) => pod(`p${i}`, { ip: `10.0.${i >> 8}.${i & 255}`, ready: i % 2 === 0 }));
  const { fx, c, ep } = await setup([web], many);
  await c.reconcile('default/web');
  const e = ep('web')!;
  t.is(e.metadata.annotations?.['endpoints.kubernetes.io/over-capacity'], 'truncated');
  t.is(e.subsets![0]!.addresses!.length, 502);
  t.is(e.subsets![0]!.notReadyAddresses!.length, 498);
  for (let i = 0; i < 4; i++) await fx.api.delete(pods, `p${i * 2 + 1}`, { namespace: 'default' });
  await drain(c);
  t.is(ep('web')!.metadata.annotations?.['endpoints.kubernetes.io/over-capacity'], undefined, 'the annotation goes with the excess');
});

test('the Endpoints go with their Service; services without a selector are left alone', async (t) => {
  const manual: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 5432 }] }] };
  const { fx, c, ep } = await setup([web, svc('external', { ports: [{ port: 5432 }] })], [pod('a', { ip: '10.0.0.1' })], [manual]);
  await drain(c);
  t.deepEqual(ep('external')!.subsets, manual.subsets);
  t.truthy(ep('web'));
  await fx.api.delete(services, 'web', { namespace: 'default' });
  await drain(c);
  t.is(ep('web'), undefined);
});

test('end to end: a Service over a Deployment lists the ready pod IPs, and follows a pod that goes', async (t) => {
  const c = await startNodeCluster(t, 3, { sim: { startMs: 500, readyDelayMs: 1_000, stopMs: 2_000 } });
  await c.api.create(services, svc('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }));
  await c.api.create(deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1', ports: [{ name: 'http', containerPort: 8080 }] }] } },
    },
  });
  const readyIps = async (): Promise<string[]> =>
    (await c.api.list(pods, { namespace: 'default' })).items
      .filter((p) => !p.metadata.deletionTimestamp && p.status?.podIP && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'))
      .map((p) => p.status!.podIP!)
      .sort();
  const listed = async (): Promise<string[]> => {
    const e = await c.api.get(endpoints, 'web', { namespace: 'default' }).catch(() => undefined);
    return (e?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  };
  await runUntil(c.sup, async () => (await readyIps()).length === 4 && JSON.stringify(await listed()) === JSON.stringify(await readyIps()), 'the endpoints', 60_000);
  const e = await c.api.get(endpoints, 'web', { namespace: 'default' });
  t.deepEqual(e.subsets!.map((s) => s.ports), [[{ name: 'http', port: 8080, protocol: 'TCP' }]]);
  t.true(e.subsets![0]!.addresses!.every((a) => a.targetRef?.kind === 'Pod' && !!a.nodeName));
  // A pod goes (it takes 2 s to stop): it leaves the Endpoints while still Terminating; its replacement joins once ready.
  const uids = async (): Promise<string[]> => {
    const e = await c.api.get(endpoints, 'web', { namespace: 'default' }).catch(() => undefined);
    return (e?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.targetRef!.uid!));
  };
  const victim = (await c.api.list(pods, { namespace: 'default' })).items[0]!;
  t.true((await uids()).includes(victim.metadata.uid!));
  await c.api.delete(pods, victim.metadata.name!, { namespace: 'default' });
  await runUntil(c.sup, async () => !(await uids()).includes(victim.metadata.uid!), 'the pod to leave', 10_000, 100);
  const still = await c.api.get(pods, victim.metadata.name!, { namespace: 'default' });
  t.truthy(still.metadata.deletionTimestamp, 'left while Terminating');
  await runUntil(c.sup, async () => (await listed()).length === 4 && JSON.stringify(await listed()) === JSON.stringify(await readyIps()), 'the replacement', 60_000);
  await runUntil(c.sup, async () => !(await c.api.list(pods, { namespace: 'default' })).items.some((p) => p.metadata.uid === victim.metadata.uid), 'the pod to be gone', 10_000);
  t.is((await listed()).length, 4);
  t.false((await uids()).includes(victim.metadata.uid!));
});
