/**
 * Paginated lists over the in-process transport: the next page is asked for
 * while the caller decodes the current one (lib/client/in-process.ts). A
 * caller must see exactly the pages it would without that: each asked of the
 * server once, none reused for another request, and a page asked for ahead
 * that failed or cannot be read asked again.
 */
import test from 'ava';
import { ObjectCodec } from '../../actors/api-server/list-encoding.js';
import type { ApiRequest, ApiRequestMessage, ApiResponse } from '../../actors/api-server/messages.js';
import type { Address, Message, RequestOptions } from '../../lib/actor/types.js';
import { InProcessTransport, type Requester } from '../../lib/client/in-process.js';
import { startCluster } from './helpers.js';

type Call = Extract<ApiRequestMessage, { type: 'api.call' }>;

const list = (query: Record<string, string>, resource = 'configmaps'): ApiRequest => ({ verb: 'list', group: '', version: 'v1', resource, namespace: 'default', query });

test('paging through a real api-server: the same items as one plain list, each page asked of the server once, before the caller asks for it', async (t) => {
  const { sup } = await startCluster(t, { port: null });
  const asked: string[] = [];
  const counting: Requester = {
    request: <R, M extends Message>(to: Address, msg: M, options?: RequestOptions): Promise<R> => {
      const call = msg as unknown as Call;
      if (call.type === 'api.call' && call.request.verb === 'list') asked.push(call.request.query?.continue ?? 'first');
      return sup.request<R, M>(to, msg, options);
    },
    send: (to, msg) => sup.send(to, msg),
  };
  const transport = new InProcessTransport(counting);
  const cm = (i: number): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `ra-${String(i).padStart(3, '0')}`, labels: { app: 'ra' } }, data: { i: String(i) } });
  const created = await transport.batch(Array.from({ length: 100 }, (_, i) => ({ verb: 'create', group: '', version: 'v1', resource: 'configmaps', namespace: 'default', body: cm(i) })));
  t.true(created.every((r) => r.code === 201));
  const plain = await sup.request<ApiResponse, ApiRequestMessage>('api-server', { type: 'api.call', request: list({ labelSelector: 'app=ra' }) });

  const items: unknown[] = [];
  const tokens: string[] = [];
  let token: string | undefined;
  do {
    // A continue page was already asked for while the previous one was decoded.
    if (token) t.true(asked.includes(token), 'the page was asked for before the caller wants it');
    const page = await transport.call(list({ labelSelector: 'app=ra', limit: '30', ...(token ? { continue: token } : {}) }));
    t.is(page.code, 200);
    const body = page.body as { items: unknown[]; metadata: { continue?: string } };
    items.push(...body.items);
    token = body.metadata.continue || undefined;
    if (token) tokens.push(token);
  } while (token);
  t.deepEqual(items, (plain.body as { items: unknown[] }).items);
  t.is(items.length, 100);
  // Four pages, each asked once; the last has no continue token, so nothing after it.
  t.deepEqual(asked, ['first', ...tokens]);
  transport.close();
});

/** A fake api-server of one list: `total` ConfigMaps in pages, as records; `fail` answers a request with an error instead. */
function fakeServer(total: number, fail: (msg: Call, n: number) => boolean = () => false) {
  const codec = new ObjectCodec();
  const objects = Array.from({ length: total }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data: { i: String(i) } }));
  const asked: string[] = [];
  const requester: Requester = {
    request: <R>(_to: Address, msg: Message): Promise<R> => {
      const call = msg as Call;
      const q = call.request.query ?? {};
      asked.push(`${call.request.resource} ${q.limit ?? ''} ${q.continue ?? 'first'}`);
      if (fail(call, asked.length)) return Promise.reject(new Error('timed out'));
      const start = Number(q.continue ?? 0);
      const end = q.limit ? Math.min(total, start + Number(q.limit)) : total;
      const metadata = end < total ? { resourceVersion: '7', continue: String(end) } : { resourceVersion: '7' };
      const parts = objects.slice(start, end).map((o) => codec.encode(o)!);
      const res: ApiResponse = { code: 200, body: { kind: 'ConfigMapList', apiVersion: 'v1', metadata, items: [] }, encodedItems: codec.items(parts, call.known) };
      return Promise.resolve(res as R);
    },
    send: () => undefined,
  };
  return { objects, asked, requester };
}

async function pageAll(transport: InProcessTransport, limit: string, resource?: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await transport.call(list({ limit, ...(token ? { continue: token } : {}) }, resource));
    const body = page.body as { items: unknown[]; metadata: { continue?: string } };
    items.push(...body.items);
    token = body.metadata.continue || undefined;
  } while (token);
  return items;
}

test('a page asked for ahead that failed is asked again when the caller wants it, and the caller sees no error', async (t) => {
  // The second request (the first read-ahead) fails.
  const server = fakeServer(25, (_m, n) => n === 2);
  const transport = new InProcessTransport(server.requester);
  t.deepEqual(await pageAll(transport, '10'), server.objects);
  t.deepEqual(server.asked, ['configmaps 10 first', 'configmaps 10 10', 'configmaps 10 10', 'configmaps 10 20']);
});

test('a page asked for ahead answers only the same request: another limit or resource is asked afresh', async (t) => {
  const server = fakeServer(25);
  const transport = new InProcessTransport(server.requester);
  const first = await transport.call(list({ limit: '10' }));
  const token = (first.body as { metadata: { continue: string } }).metadata.continue;
  // Same token, other limit: not the page asked for ahead (limit 10).
  const other = await transport.call(list({ limit: '5', continue: token }));
  t.deepEqual((other.body as { items: unknown[] }).items, server.objects.slice(10, 15));
  const otherResource = await transport.call(list({ limit: '10', continue: token }, 'secrets'));
  t.is((otherResource.body as { items: unknown[] }).items.length, 10);
  // The page asked for ahead is still there for the request it was asked for.
  const asked = server.asked.length;
  const same = await transport.call(list({ continue: token, limit: '10' }));
  t.deepEqual((same.body as { items: unknown[] }).items, server.objects.slice(10, 20));
  t.is(server.asked.length, asked + 1, 'only the read-ahead of the page after it was sent');
  t.deepEqual(server.asked.slice(0, 4), ['configmaps 10 first', 'configmaps 10 10', 'configmaps 5 10', 'configmaps 5 15']);
});

test('a page asked for ahead whose table entries this thread no longer holds is asked again with what it holds', async (t) => {
  // Every reply from this server claims table entries far beyond what any receiver holds, except when asked without a mark.
  const server = fakeServer(20);
  const gapped: Requester = {
    request: async <R>(to: Address, msg: Message, options?: RequestOptions): Promise<R> => {
      const res = await server.requester.request<ApiResponse>(to, msg, options);
      const call = msg as Call;
      // The read-ahead (a continue page) comes back with a gap in its entries; the same page asked again does not.
      const gap = call.request.query?.continue !== undefined && server.asked.filter((a) => a.endsWith(` ${call.request.query!.continue!}`)).length === 1;
      return (gap ? { ...res, encodedItems: { ...res.encodedItems!, stringsFrom: res.encodedItems!.stringsFrom + 1_000 } } : res) as R;
    },
    send: () => undefined,
  };
  const transport = new InProcessTransport(gapped);
  t.deepEqual(await pageAll(transport, '10'), server.objects);
  t.deepEqual(server.asked, ['configmaps 10 first', 'configmaps 10 10', 'configmaps 10 10']);
});
