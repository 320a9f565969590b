/** The in-process protocol: api.call and api.watch messages run the same handlers as HTTP. */
import test from 'ava';
import type { ApiNotice, ApiRequestMessage, ApiResponse, WatchEventOut } from '../../actors/api-server/messages.js';
import type { Message } from '../../lib/actor/types.js';
import { pod, startCluster } from './helpers.js';

test('api.call creates and lists; api.watch delivers batches to the watcher; errors come back as Status', async (t) => {
  const { sup } = await startCluster(t, { port: null });
  const events: WatchEventOut[] = [];
  sup.on('message', (m: Message) => {
    const n = m as ApiNotice;
    if (n.type === 'api.watch-events' && n.watchId === 'w1') events.push(...n.events);
  });
  const started = await sup.request<ApiResponse, ApiRequestMessage>('api-server', { type: 'api.watch', watchId: 'w1', request: { verb: 'watch', group: '', version: 'v1', resource: 'pods', namespace: 'default', query: { resourceVersion: '1' } } });
  t.is(started.code, 200);
  const created = await sup.request<ApiResponse, ApiRequestMessage>('api-server', { type: 'api.call', request: { verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: 'default', body: pod('in-proc') } });
  t.is(created.code, 201);
  const dup = await sup.request<ApiResponse, ApiRequestMessage>('api-server', { type: 'api.call', request: { verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: 'default', body: pod('in-proc') } });
  t.is(dup.code, 409);
  t.like(dup.body, { kind: 'Status', reason: 'AlreadyExists' });
  const list = await sup.request<ApiResponse, ApiRequestMessage>('api-server', { type: 'api.call', request: { verb: 'list', group: '', version: 'v1', resource: 'pods', query: { labelSelector: 'app=in-proc' } } });
  t.deepEqual((list.body as { items: { metadata: { name: string } }[] }).items.map((p) => p.metadata.name), ['in-proc']);
  const deadline = Date.now() + 5_000;
  while (events.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.deepEqual(events.map((e) => `${e.type} ${(e.object as { metadata: { name: string } }).metadata.name}`), ['ADDED in-proc']);
  const address = await sup.request<{ port: number | null }>('api-server', { type: 'api.address' });
  t.is(address.port, null);
});
