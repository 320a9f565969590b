/** The routing table as data: which routes a Service and its Endpoints make, and how the balancer picks. */
import test from 'ava';
import { DEFAULT_AFFINITY_SECONDS, routesFor } from '../../actors/kube-proxy/routes.js';
import { RoutingTable } from '../../actors/kube-proxy/table.js';
import type { Endpoints, Service } from '../../lib/api/types/core.js';

const svc = (spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec });
const eps = (subsets: Endpoints['subsets']): Endpoints => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 's', namespace: 'ns' }, subsets });

test('each TCP service port is a route to the ready addresses of the subsets carrying that port name; UDP ports are left out', (t) => {
  const s = svc({ clusterIP: '127.1.0.7', ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'metrics', port: 9090 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
  const e = eps([
    { addresses: [{ ip: '127.128.0.2' }, { ip: '127.128.0.3' }], notReadyAddresses: [{ ip: '127.128.0.4' }], ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }] },
    // Pods whose named port resolves to another number form their own subset.
    { addresses: [{ ip: '127.128.1.2' }], ports: [{ name: 'http', port: 8081 }] },
  ]);
  const routes = routesFor(s, e, '127.0.0.1');
  t.deepEqual(routes.map((r) => [r.frontend, r.endpoints.map((x) => `${x.ip}:${x.port}`)]), [
    ['127.1.0.7:80', ['127.128.0.2:8080', '127.128.0.3:8080', '127.128.1.2:8081']],
    ['127.1.0.7:9090', ['127.128.0.2:9100', '127.128.0.3:9100']],
  ]);
  t.true(routes.every((r) => r.kind === 'ClusterIP' && r.affinitySeconds === null && r.service === 'ns/s'));
});

test('NodePort services get a second route on the node address, also when headless; ExternalName and missing Endpoints make none or empty ones', (t) => {
  const np = routesFor(svc({ type: 'NodePort', clusterIP: '127.1.0.8', sessionAffinity: 'ClientIP', ports: [{ port: 80, nodePort: 30080 }] }), undefined, '127.0.0.1');
  t.deepEqual(np.map((r) => [r.frontend, r.kind, r.endpoints.length, r.affinitySeconds]), [
    ['127.1.0.8:80', 'ClusterIP', 0, DEFAULT_AFFINITY_SECONDS],
    ['127.0.0.1:30080', 'NodePort', 0, DEFAULT_AFFINITY_SECONDS],
  ]);
  t.deepEqual(routesFor(svc({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80, nodePort: 30081 }] }), undefined, '127.0.0.9').map((r) => r.frontend), ['127.0.0.9:30081']);
  t.deepEqual(routesFor(svc({ type: 'ExternalName', externalName: 'example.org' }), undefined, '127.0.0.1'), []);
  t.deepEqual(routesFor(svc({ clusterIP: 'None', ports: [{ port: 80 }] }), eps([{ addresses: [{ ip: '127.128.0.2' }], ports: [{ port: 80 }] }]), '127.0.0.1'), [], 'headless: no virtual IP to proxy');
});

test('setService reports only what changed, and never takes a frontend another Service owns', (t) => {
  const table = new RoutingTable();
  const a = routesFor(svc({ clusterIP: '127.1.0.7', ports: [{ port: 80 }] }), eps([{ addresses: [{ ip: '127.128.0.2' }], ports: [{ port: 80 }] }]), '127.0.0.1');
  t.deepEqual(table.setService('ns/s', a).upserted.map((r) => r.frontend), ['127.1.0.7:80']);
  t.deepEqual(table.setService('ns/s', a), { upserted: [], removed: [] }, 'the same routes again: no change');
  t.deepEqual(table.setService('ns/other', a.map((r) => ({ ...r, service: 'ns/other' }))), { upserted: [], removed: [] });
  t.is(table.route('127.1.0.7:80')?.service, 'ns/s');
  t.deepEqual(table.setService('ns/s', []), { upserted: [], removed: ['127.1.0.7:80'] });
  t.is(table.size, 0);
});

test('pick: round robin in order; affinity sticks until its timeout and moves off an endpoint that left', (t) => {
  const table = new RoutingTable();
  const three = eps([{ addresses: [{ ip: '127.128.0.1' }, { ip: '127.128.0.2' }, { ip: '127.128.0.3' }], ports: [{ port: 80 }] }]);
  table.setService('ns/s', routesFor(svc({ clusterIP: '127.1.0.7', ports: [{ port: 80 }] }), three, '127.0.0.1'));
  t.deepEqual([0, 1, 2, 3].map(() => table.pick('127.1.0.7:80', '127.0.0.1', 0)?.ip), ['127.128.0.1', '127.128.0.2', '127.128.0.3', '127.128.0.1']);
  t.is(table.pick('127.1.0.9:80', undefined, 0), undefined, 'unknown frontend');

  const sticky = svc({ clusterIP: '127.1.0.8', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] });
  (sticky.spec as Record<string, unknown>)['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: 10 } };
  table.setService('ns/t', routesFor(sticky, three, '127.0.0.1'));
  const f = '127.1.0.8:80';
  const first = table.pick(f, '127.0.5.5', 0)!.ip;
  t.is(table.pick(f, '127.0.5.5', 9_000)!.ip, first);
  t.is(table.pick(f, '127.0.5.5', 18_000)!.ip, first, 'the timeout counts from the last connection');
  t.not(table.pick(f, '127.0.5.5', 28_001)!.ip, first, 'expired: placed by round robin again');
  const now = table.pick(f, '127.0.5.6', 30_000)!.ip;
  const rest = eps([{ addresses: [{ ip: '127.128.0.1' }, { ip: '127.128.0.2' }, { ip: '127.128.0.3' }].filter((a) => a.ip !== now), ports: [{ port: 80 }] }]);
  table.setService('ns/t', routesFor(sticky, rest, '127.0.0.1'));
  t.not(table.pick(f, '127.0.5.6', 30_001)!.ip, now, 'its endpoint left: the client goes elsewhere');
});
