/**
 * kube-proxy without sockets (simulated nodes) under the virtual clock: the
 * same routing table, asked where a connection would go.
 */
import test from 'ava';
import type { KubeProxyMessage, RouteAnswer, RouteInfo } from '../../actors/kube-proxy/messages.js';
import { kubeProxyChildSpec } from '../../actors/kube-proxy/spec.js';
import { endpoints, services } from '../../lib/api/resources/index.js';
import type { Service } from '../../lib/api/types/core.js';
import { startCluster } from '../helpers/cluster.js';
import { runUntil } from '../node/cluster.js';
import { endpointsOf, service, setSubsets } from './helpers.js';

async function simCluster(t: Parameters<typeof startCluster>[0]) {
  const c = await startCluster(t, { clock: 'virtual', children: [kubeProxyChildSpec()], ready: [{ to: 'kube-proxy', type: 'proxy.ready' }] });
  const route = (clusterIP: string, port: number, clientIP?: string) => c.sup.request<RouteAnswer, KubeProxyMessage>('kube-proxy', { type: 'proxy.route', clusterIP, port, ...(clientIP ? { clientIP } : {}) });
  const table = () => c.sup.request<RouteInfo[]>('kube-proxy', { type: 'proxy.table' });
  return { ...c, route, table };
}

test('proxy.route names the endpoint a connection would reach: round robin over ready pods, with pod and node', async (t) => {
  const c = await simCluster(t);
  const svc = await c.api.create(services, service('web', '', [{ port: 80, targetPort: 8080 }]));
  const ip = svc.spec!.clusterIP!;
  t.regex(ip, /^127\.1\./, 'a ClusterIP from the service range');
  const none = await c.route('127.1.255.254', 80);
  t.like(none, { ok: false, reason: 'NoService' });
  await runUntil(c.sup, async () => (await c.table()).length === 1, 'route programmed');
  t.like(await c.route(ip, 80), { ok: false, service: 'default/web', reason: 'NoEndpoints' }, 'no endpoints: rejected');

  await c.api.create(endpoints, endpointsOf('web', ['127.128.0.2', '127.128.1.2', '127.128.2.2'], 8080, { notReady: ['127.128.3.2'] }));
  await runUntil(c.sup, async () => (await c.table())[0]!.endpoints.length === 3, 'endpoints programmed');
  const picks: RouteAnswer[] = [];
  for (let i = 0; i < 6; i++) picks.push(await c.route(ip, 80, '127.0.0.1'));
  const eps = picks.map((p) => (p.ok ? `${p.endpoint.ip}:${p.endpoint.port}` : p.reason));
  t.deepEqual(eps.slice(0, 3).sort(), ['127.128.0.2:8080', '127.128.1.2:8080', '127.128.2.2:8080']);
  t.deepEqual(eps.slice(3), eps.slice(0, 3), 'the same order again');
  t.like(picks[0], { ok: true, service: 'default/web', endpoint: { nodeName: 'node-0' } });
  t.regex(picks[0]!.ok ? picks[0]!.endpoint.pod ?? '' : '', /^default\/web-\d$/);

  await setSubsets(c.api, endpointsOf('web', ['127.128.1.2'], 8080));
  await runUntil(c.sup, async () => (await c.table())[0]!.endpoints.length === 1, 'endpoint removal programmed');
  for (let i = 0; i < 3; i++) t.like(await c.route(ip, 80), { ok: true, endpoint: { ip: '127.128.1.2' } });
  await c.api.delete(services, 'web', { namespace: 'default' });
  await runUntil(c.sup, async () => (await c.table()).length === 0, 'route removed');
  t.like(await c.route(ip, 80), { ok: false, reason: 'NoService' });
});

test('ClientIP affinity holds for its timeout of virtual time since the client last connected, then round robin picks again', async (t) => {
  const c = await simCluster(t);
  const svc: Service = service('sticky', '', [{ port: 80, targetPort: 8080 }], { sessionAffinity: 'ClientIP' });
  (svc.spec as Record<string, unknown>)['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: 60 } };
  const created = await c.api.create(services, svc);
  const ip = created.spec!.clusterIP!;
  await c.api.create(endpoints, endpointsOf('sticky', ['127.128.0.5', '127.128.0.6'], 8080));
  await runUntil(c.sup, async () => (await c.table())[0]?.endpoints.length === 2, 'programmed');
  const [route] = await c.table();
  t.is(route!.affinitySeconds, 60, 'sessionAffinityConfig.clientIP.timeoutSeconds is honoured');
  const first = await c.route(ip, 80, '127.0.9.1');
  const firstIp = first.ok ? first.endpoint.ip : '';
  const other = await c.route(ip, 80, '127.0.9.2');
  t.not(other.ok ? other.endpoint.ip : '', firstIp, 'a second client gets the next endpoint');
  for (let i = 0; i < 5; i++) {
    await c.sup.clock.runFor(50_000); // under the timeout since the last connection each time
    t.like(await c.route(ip, 80, '127.0.9.1'), { ok: true, endpoint: { ip: firstIp } });
  }
  // A third client takes firstIp in turn, so round robin points at the other endpoint;
  // past the timeout the first client is placed afresh, there.
  t.like(await c.route(ip, 80, '127.0.9.3'), { ok: true, endpoint: { ip: firstIp } });
  await c.sup.clock.runFor(61_000);
  const after = await c.route(ip, 80, '127.0.9.1');
  t.not(after.ok ? after.endpoint.ip : '', firstIp);
});
