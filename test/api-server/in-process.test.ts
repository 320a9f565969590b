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

test('lists with encoded items decode to exactly the plain list, pages and __proto__ keys included; brief batches answer names and revisions', async (t) => {
  const { sup } = await startCluster(t, { port: null });
  const { InProcessTransport } = await import('../../lib/client/in-process.js');
  const transport = new InProcessTransport(sup);
  const cm = (name: string, data: Record<string, string>): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'enc' } }, data });
  const req = (verb: 'create' | 'list', rest: Record<string, unknown>) => ({ verb, group: '', version: 'v1', resource: 'configmaps', ...rest });
  const created = await transport.batch(
    Array.from({ length: 30 }, (_, i) => req('create', { namespace: 'default', body: cm(`enc-${i}`, { i: String(i) }) })),
    { brief: true },
  );
  t.true(created.every((r) => r.code === 201));
  const first = created[0]!.body as { metadata: Record<string, unknown> };
  t.deepEqual(Object.keys(first.metadata), ['name', 'namespace', 'uid', 'resourceVersion']);
  // One object msgpack cannot carry (an own __proto__ data key): its page falls back to objects.
  const proto = cm('enc-proto', JSON.parse('{"__proto__":"x"}') as Record<string, string>);
  t.is((await transport.call(req('create', { namespace: 'default', body: proto }))).code, 201);
  const query = { labelSelector: 'app=enc' };
  const plain = async (q: Record<string, string>): Promise<ApiResponse> => sup.request<ApiResponse, ApiRequestMessage>('api-server', { type: 'api.call', request: req('list', { query: q }) });
  const viaBytes = await transport.call(req('list', { query }));
  t.deepEqual(viaBytes, await plain(query));
  t.is((viaBytes.body as { items: unknown[] }).items.length, 31);
  const raw = await sup.request<ApiResponse, ApiRequestMessage>('api-server', { type: 'api.call', request: req('list', { query: { ...query, limit: '10' } }), listItems: 'encoded' });
  t.truthy(raw.encodedItems, 'a page without __proto__ keys travels as bytes');
  // Paged: all 31 exactly once. (The page holding enc-proto travels as objects, as every list did before.)
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await transport.call(req('list', { query: { ...query, limit: '7', ...(token ? { continue: token } : {}) } }));
    const body = page.body as { items: { metadata: { name: string } }[]; metadata: { continue?: string } };
    for (const o of body.items) names.push(o.metadata.name);
    token = body.metadata.continue || undefined;
  } while (token);
  t.is(names.length, 31);
  t.is(new Set(names).size, 31);
  transport.close();
});

test('objects of many shapes and values decode exactly, in pages and in watch batches, as the tables grow between messages', async (t) => {
  const { sup } = await startCluster(t, { port: null });
  const { InProcessTransport } = await import('../../lib/client/in-process.js');
  const watching = new InProcessTransport(sup);
  const listing = new InProcessTransport(sup); // same thread: shares the tables the watch has learnt
  sup.on('message', (m: Message) => void (watching.handleNotice(m) || listing.handleNotice(m)));
  const req = (verb: 'create' | 'list' | 'watch', rest: Record<string, unknown>) => ({ verb, group: '', version: 'v1', resource: 'configmaps', ...rest });
  const seen = new Map<string, unknown>();
  const watch = await watching.watch(req('watch', { namespace: 'default', query: { labelSelector: 'app=shapes' } }), {
    onEvents: (events) => {
      for (const e of events) seen.set((e.object as { metadata: { name: string } }).metadata.name, e.object);
    },
    onEnded: (err) => t.fail(`watch ended: ${String(err)}`),
  });
  // Each ConfigMap has its own data keys (a shape of its own), values repeated across them (string ids).
  const cm = (i: number): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `shapes-${i}`, labels: { app: 'shapes', [`tier-${i % 5}`]: `v${i % 3}` } },
    data: Object.fromEntries(Array.from({ length: 1 + (i % 4) }, (_, k) => [`key-${i}-${k}`, `value-${(i + k) % 9}-${'é'.repeat(k)}`])),
  });
  for (let b = 0; b < 6; b++) {
    const out = await listing.batch(Array.from({ length: 60 }, (_, i) => req('create', { namespace: 'default', body: cm(b * 60 + i) })));
    t.true(out.every((r) => r.code === 201));
  }
  const plain = (await sup.request<ApiResponse, ApiRequestMessage>('api-server', { type: 'api.call', request: req('list', { query: { labelSelector: 'app=shapes' } }) }))
    .body as { items: { metadata: { name: string } }[] };
  t.is(plain.items.length, 360);
  const listed: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await listing.call(req('list', { query: { labelSelector: 'app=shapes', limit: '45', ...(token ? { continue: token } : {}) } }));
    const body = page.body as { items: unknown[]; metadata: { continue?: string } };
    listed.push(...body.items);
    token = body.metadata.continue || undefined;
  } while (token);
  t.deepEqual(listed, plain.items);
  const deadline = Date.now() + 10_000;
  while (seen.size < 360 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.deepEqual(
    plain.items.map((o) => seen.get(o.metadata.name)),
    plain.items,
  );
  watch.stop();
  watching.close();
  listing.close();
});
