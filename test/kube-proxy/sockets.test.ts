/**
 * kube-proxy with real sockets under a real store and api-server: what a
 * program connecting to a ClusterIP sees. Services get fixed ClusterIPs in
 * 127.1.240.0/24 and backends live in 127.128.240.0/24, so this file runs
 * beside others that use the allocator's first addresses.
 */
import test from 'ava';
import type { KubeProxyStats, RouteInfo } from '../../actors/kube-proxy/messages.js';
import { KUBE_PROXY_MODULE, kubeProxyChildSpec } from '../../actors/kube-proxy/spec.js';
import { endpoints, services } from '../../lib/api/resources/index.js';
import { startCluster } from '../helpers/cluster.js';
import { echoModule } from '../actor/helpers.js';
import { endpointsOf, errorCode, setSubsets, greeting, holdOpen, service, startBackends, until } from './helpers.js';

const ready = [{ to: 'kube-proxy', type: 'proxy.ready' }];

async function proxyCluster(t: Parameters<typeof startCluster>[0]) {
  const c = await startCluster(t, { children: [kubeProxyChildSpec({ sockets: true, retryListenMs: 50 })], ready });
  const stats = () => c.sup.request<KubeProxyStats>('kube-proxy', { type: 'proxy.stats' });
  return { ...c, stats };
}

test('connections to a ClusterIP reach every ready endpoint in turn; with ClientIP affinity each client sticks to one', async (t) => {
  const c = await proxyCluster(t);
  const pods = await startBackends(t, ['127.128.240.1', '127.128.240.2', '127.128.240.3'], 8080);
  const ips = pods.map((p) => p.ip);
  await c.api.create(services, service('web', '127.1.240.10', [{ port: 8000, targetPort: 8080 }]));
  await c.api.create(endpoints, endpointsOf('web', ips, 8080, { notReady: ['127.128.240.9'] }));
  await until(async () => (await c.stats()).listening === 1, 5_000, 'listener on 127.1.240.10:8000');
  const seen: string[] = [];
  for (let i = 0; i < 9; i++) seen.push(await greeting('127.1.240.10', 8000));
  t.deepEqual(
    pods.map((p) => seen.filter((s) => s === p.name).length),
    [3, 3, 3],
    `round robin over the three ready pods (the not-ready one gets nothing): ${seen.join(' ')}`,
  );

  await c.api.create(services, service('sticky', '127.1.240.11', [{ port: 8000, targetPort: 8080 }], { sessionAffinity: 'ClientIP' }));
  await c.api.create(endpoints, endpointsOf('sticky', ips, 8080));
  await until(async () => (await c.stats()).listening === 2, 5_000, 'listener on 127.1.240.11:8000');
  const clients = ['127.0.50.1', '127.0.50.2', '127.0.50.3', '127.0.50.4'];
  const byClient = new Map<string, Set<string>>();
  for (let round = 0; round < 4; round++) {
    for (const from of clients) {
      const got = await greeting('127.1.240.11', 8000, from);
      byClient.set(from, (byClient.get(from) ?? new Set()).add(got));
    }
  }
  for (const [from, got] of byClient) t.is(got.size, 1, `client ${from} always reached the same pod, got ${[...got].join(',')}`);
  t.true(new Set([...byClient.values()].map((s) => [...s][0])).size >= 2, 'different clients spread over the pods');
});

test('an endpoint that goes away: its open connection is closed and it gets no new ones within a second; none left: refused', async (t) => {
  const c = await proxyCluster(t);
  const pods = await startBackends(t, ['127.128.240.11', '127.128.240.12', '127.128.240.13'], 8080);
  await c.api.create(services, service('api', '127.1.240.20', [{ name: 'http', port: 8000, targetPort: 'http' }]));
  await c.api.create(endpoints, endpointsOf('api', pods.map((p) => p.ip), 8080, { portName: 'http' }));
  await until(async () => (await c.stats()).listening === 1, 5_000, 'listener');
  // One connection held open to each pod.
  const held = [await holdOpen('127.1.240.20', 8000), await holdOpen('127.1.240.20', 8000), await holdOpen('127.1.240.20', 8000)];
  t.deepEqual(held.map((h) => h.name).sort(), ['pod-0', 'pod-1', 'pod-2']);
  const gone = pods[1]!;
  const goneHeld = held.find((h) => h.name === gone.name)!;
  const acceptedBefore = gone.accepted;

  const changed = Date.now();
  await setSubsets(c.api, endpointsOf('api', [pods[0]!.ip, pods[2]!.ip], 8080, { portName: 'http' }));
  await goneHeld.closed;
  const drainMs = Date.now() - changed;
  t.log(`connection to the removed endpoint closed ${drainMs} ms after the Endpoints update`);
  t.true(drainMs < 2_000, `drained in ${drainMs} ms`);
  for (let i = 0; i < 6; i++) t.not(await greeting('127.1.240.20', 8000), gone.name);
  t.is(gone.accepted, acceptedBefore, 'no new connection reached the removed pod');
  t.false(held.filter((h) => h !== goneHeld).some((h) => h.socket.destroyed), 'connections to the remaining pods stay open');

  await setSubsets(c.api, endpointsOf('api', [], 8080, { notReady: [pods[0]!.ip] }));
  await until(async () => (await c.stats()).listening === 0, 2_000, 'listener closed with no ready endpoint');
  const err = await greeting('127.1.240.20', 8000).then(() => 'connected', errorCode);
  t.is(err, 'ECONNREFUSED', 'no ready endpoint: the connection is rejected');

  await setSubsets(c.api, endpointsOf('api', [pods[2]!.ip], 8080, { portName: 'http' }));
  await until(async () => (await c.stats()).listening === 1, 2_000, 'listener back');
  t.is(await greeting('127.1.240.20', 8000), 'pod-2');
  await c.api.delete(services, 'api', { namespace: 'default' });
  await until(async () => (await c.stats()).routes === 0, 2_000, 'routes gone with the Service');
  t.is(await greeting('127.1.240.20', 8000).then(() => 'connected', errorCode), 'ECONNREFUSED');
});

test('a NodePort service is served on 127.0.0.1:<nodePort> as well as on its ClusterIP; an endpoint that refuses is skipped', async (t) => {
  const c = await proxyCluster(t);
  const pods = await startBackends(t, ['127.128.240.21'], 8080);
  await c.api.create(services, service('np', '127.1.240.30', [{ port: 8000, targetPort: 8080, nodePort: 31_240 }], { type: 'NodePort' }));
  // 127.128.240.29 has no server: connections to it are refused and the proxy moves on.
  await c.api.create(endpoints, endpointsOf('np', ['127.128.240.29', pods[0]!.ip], 8080));
  await until(async () => (await c.stats()).listening === 2, 5_000, 'ClusterIP and NodePort listeners');
  const table = await c.sup.request<RouteInfo[]>('kube-proxy', { type: 'proxy.table' });
  t.deepEqual(table.map((r) => [r.frontend, r.kind, r.listening]).sort(), [['127.0.0.1:31240', 'NodePort', true], ['127.1.240.30:8000', 'ClusterIP', true]]);
  for (let i = 0; i < 4; i++) t.is(await greeting('127.0.0.1', 31_240), 'pod-0');
  for (let i = 0; i < 4; i++) t.is(await greeting('127.1.240.30', 8000), 'pod-0');
  t.true((await c.stats()).connections.upstreamFailures >= 4, 'the dead endpoint was tried and skipped');
});

test('killed with its thread, kube-proxy comes back and listens again; a port held by another program is retried until free', async (t) => {
  // kube-proxy shares its thread with an echo actor whose `exit` ends the thread, as a native crash would.
  const c = await startCluster(t, {
    children: [{ id: 'proxy-host', group: [{ address: 'kube-proxy', module: KUBE_PROXY_MODULE, args: { sockets: true, retryListenMs: 50 } }, { address: 'crasher', module: echoModule }] }],
    ready,
  });
  const stats = () => c.sup.request<KubeProxyStats>('kube-proxy', { type: 'proxy.stats' });
  const pods = await startBackends(t, ['127.128.240.31'], 8080);
  await c.api.create(services, service('svc', '127.1.240.40', [{ port: 8000, targetPort: 8080 }]));
  await c.api.create(endpoints, endpointsOf('svc', [pods[0]!.ip], 8080));
  await until(async () => (await stats()).listening === 1, 5_000, 'listener');
  t.is(await greeting('127.1.240.40', 8000), 'pod-0');

  const restarted = new Promise((resolve) => c.sup.once('restart', resolve));
  c.sup.send('crasher', { type: 'exit' });
  await restarted;
  await c.sup.request('kube-proxy', { type: 'proxy.ready' }, { timeoutMs: 20_000 });
  await until(async () => (await stats().catch(() => null))?.listening === 1, 5_000, 'listener after the restart');
  t.is(await greeting('127.1.240.40', 8000), 'pod-0', 'served again after the restart');

  // Someone else holds the next service's address: kube-proxy keeps trying, then takes it once freed.
  const { createServer } = await import('node:net');
  const squatter = createServer((s) => s.end('squatter\n'));
  await new Promise<void>((r) => squatter.listen(8000, '127.1.240.41', () => r()));
  await c.api.create(services, service('late', '127.1.240.41', [{ port: 8000, targetPort: 8080 }]));
  await c.api.create(endpoints, endpointsOf('late', [pods[0]!.ip], 8080));
  await until(async () => (await stats()).listenFailures > 0, 5_000, 'EADDRINUSE seen');
  t.is((await stats()).retrying, 1);
  await new Promise<void>((r) => squatter.close(() => r()));
  await until(async () => (await stats()).listening === 2, 5_000, 'listener taken over once free');
  t.is(await greeting('127.1.240.41', 8000), 'pod-0');
});

test('a proxy restarted in place without being stopped (an actor crash) takes its predecessor\'s listeners over', async (t) => {
  const { TcpProxy } = await import('../../actors/kube-proxy/tcp-proxy.js');
  const pods = await startBackends(t, ['127.128.240.41'], 8080);
  const endpoint = { ip: pods[0]!.ip, port: 8080 };
  const route = { frontend: '127.1.240.50:8000', ip: '127.1.240.50', port: 8000, service: 'default/x', portName: '', kind: 'ClusterIP' as const, endpoints: [endpoint], affinitySeconds: null };
  const opts = { pick: () => endpoint, retryListenMs: 50, connectAttempts: 1, warn: () => undefined };
  const first = TcpProxy.claim('kube-proxy-test', opts);
  first.upsert(route);
  await until(() => first.stats().listening === 1, 2_000, 'first listener');
  const second = TcpProxy.claim('kube-proxy-test', opts);
  t.teardown(() => second.close());
  second.upsert(route);
  await until(() => second.stats().listening === 1, 2_000, 'listener taken over');
  t.is(first.stats().listening, 0, 'the predecessor was closed');
  t.is(await greeting('127.1.240.50', 8000), 'pod-0');
});
