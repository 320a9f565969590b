/** The api-server gives NodePort Services their node ports (what kube-proxy then serves on 127.0.0.1). */
import test from 'ava';
import { services } from '../../lib/api/resources/index.js';
import type { Service } from '../../lib/api/types/core.js';
import { ApiError } from '../../lib/client/errors.js';
import { startCluster } from '../helpers/cluster.js';

const np = (name: string, ports: NonNullable<Service['spec']>['ports'], type: 'NodePort' | 'ClusterIP' = 'NodePort'): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type, ports },
});

test('a NodePort Service gets a free node port in 30000-32767 per port; an update that leaves it out keeps it', async (t) => {
  const c = await startCluster(t);
  const a = await c.api.create(services, np('a', [{ name: 'http', port: 80 }, { name: 'https', port: 443 }]));
  const [p1, p2] = a.spec!.ports!.map((p) => p.nodePort!);
  for (const p of [p1!, p2!]) t.true(p >= 30_000 && p <= 32_767, `node port ${p}`);
  t.not(p1, p2);
  const plain = await c.api.create(services, np('plain', [{ port: 80 }], 'ClusterIP'));
  t.is(plain.spec!.ports![0]!.nodePort, undefined, 'ClusterIP services get none');

  const put = { ...a, spec: { ...a.spec, ports: a.spec!.ports!.map(({ nodePort: _n, ...rest }) => rest) } };
  const updated = await c.api.update(services, put);
  t.deepEqual(updated.spec!.ports!.map((p) => p.nodePort), [p1, p2], 'PUT without node ports keeps them');
  const patched = await c.api.patch(services, 'a', 'merge', { metadata: { labels: { x: 'y' } } }, { namespace: 'default' });
  t.deepEqual(patched.spec!.ports!.map((p) => p.nodePort), [p1, p2]);
});

test('a node port given must be in range and free, or the create is Invalid naming the field', async (t) => {
  const c = await startCluster(t);
  await c.api.create(services, np('first', [{ port: 80, nodePort: 31_000 }]));
  const taken = await t.throwsAsync(c.api.create(services, np('second', [{ port: 80, nodePort: 31_000 }])), { instanceOf: ApiError });
  t.is(taken?.status.code, 422);
  t.regex(taken?.message ?? '', /spec\.ports\[0\]\.nodePort: Invalid value: 31000: provided port is already allocated/);
  const outside = await t.throwsAsync(c.api.create(services, np('third', [{ port: 80, nodePort: 8_080 }])), { instanceOf: ApiError });
  t.regex(outside?.message ?? '', /provided port is not in the valid range\. The range of valid ports is 30000-32767/);
  await c.api.delete(services, 'first', { namespace: 'default' });
  const again = await c.api.create(services, np('second', [{ port: 80, nodePort: 31_000 }]));
  t.is(again.spec!.ports![0]!.nodePort, 31_000, 'free again once its Service is gone');
});
