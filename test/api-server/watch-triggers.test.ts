/**
 * Watches that pin spec.nodeName (every kubelet's) are indexed: each sees
 * exactly the events of pods on its node, including a pod arriving there
 * by binding and leaving by deletion; other watches see everything.
 */
import test from 'ava';
import type { ApiNotice, ApiRequest, ApiRequestMessage, ApiResponse, WatchEventOut } from '../../actors/api-server/messages.js';
import type { Message } from '../../lib/actor/types.js';
import { pod, startCluster } from './helpers.js';

test('a watch with fieldSelector spec.nodeName=N sees exactly the pods of node N; an unindexed watch sees all', async (t) => {
  const { sup } = await startCluster(t, { port: null });
  const seen = new Map<string, string[]>();
  sup.on('message', (m: Message) => {
    const n = m as ApiNotice;
    if (n.type !== 'api.watch-events') return;
    const list = seen.get(n.watchId) ?? [];
    for (const e of n.events as WatchEventOut[]) list.push(`${e.type} ${(e.object as { metadata: { name: string } }).metadata.name}`);
    seen.set(n.watchId, list);
  });
  const call = (request: ApiRequest): Promise<ApiResponse> => sup.request<ApiResponse, ApiRequestMessage>('api-server', { type: 'api.call', request });
  const watch = async (watchId: string, fieldSelector: string): Promise<void> => {
    const r = await sup.request<ApiResponse, ApiRequestMessage>('api-server', {
      type: 'api.watch',
      watchId,
      request: { verb: 'watch', group: '', version: 'v1', resource: 'pods', query: { resourceVersion: '1', fieldSelector } },
    });
    t.is(r.code, 200);
  };
  const nodes = ['n0', 'n1', 'n2', 'n3'];
  for (const n of nodes) await watch(`node-${n}`, `spec.nodeName=${n}`);
  await watch('other-form', 'spec.nodeName==n1,metadata.namespace=default');
  await watch('unscheduled', 'spec.nodeName!=n0');

  // p0..p7: even ones created bound, odd ones bound afterwards through pods/binding.
  for (let i = 0; i < 8; i++) {
    const body = pod(`p${i}`) as { spec: Record<string, unknown> };
    if (i % 2 === 0) body.spec.nodeName = nodes[i % 4];
    t.is((await call({ verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: 'default', body })).code, 201);
  }
  for (let i = 1; i < 8; i += 2) {
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: `p${i}` }, target: { kind: 'Node', name: nodes[i % 4] } };
    t.is((await call({ verb: 'create', group: '', version: 'v1', resource: 'pods', subresource: 'binding', name: `p${i}`, namespace: 'default', body: binding })).code, 201);
  }
  t.is((await call({ verb: 'delete', group: '', version: 'v1', resource: 'pods', name: 'p5', namespace: 'default', query: { gracePeriodSeconds: '0' } })).code, 200);

  const expected: Record<string, string[]> = {
    'node-n0': ['ADDED p0', 'ADDED p4'],
    'node-n1': ['ADDED p1', 'ADDED p5', 'DELETED p5'],
    'node-n2': ['ADDED p2', 'ADDED p6'],
    'node-n3': ['ADDED p3', 'ADDED p7'],
    'other-form': ['ADDED p1', 'ADDED p5', 'DELETED p5'],
  };
  const deadline = Date.now() + 10_000;
  const done = (): boolean => Object.entries(expected).every(([id, ev]) => (seen.get(id)?.length ?? 0) >= ev.length) && (seen.get('unscheduled')?.length ?? 0) >= 11;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100)); // nothing more may arrive
  for (const [id, ev] of Object.entries(expected)) t.deepEqual(seen.get(id), ev, id);
  // Unindexed (!=): every pod never on n0, MODIFIED when bound (nodeName '' -> n), the deletion.
  t.deepEqual(seen.get('unscheduled'), [
    'ADDED p1', 'ADDED p2', 'ADDED p3', 'ADDED p5', 'ADDED p6', 'ADDED p7',
    'MODIFIED p1', 'MODIFIED p3', 'MODIFIED p5', 'MODIFIED p7',
    'DELETED p5',
  ]);
});
