/**
 * HTTP watch clients that misbehave: ones that hang up mid-stream (the
 * server lets go of every one), one that stops reading (the server buffers
 * a bounded amount, then drops it with a 410 ERROR event and later closes
 * the connection, while a client that keeps up is left alone), and one
 * resuming from a resourceVersion older than the window (410 Expired).
 */
import test from 'ava';
import type { ApiStats } from '../../actors/api-server/messages.js';
import { ApiError, isGone } from '../../lib/client/errors.js';
import type { Status } from '../../lib/api/types/meta.js';
import { call, startCluster } from '../api-server/helpers.js';
import { drain, metric, openWatch, stalledWatch, until } from './http-watch.js';

const CMS = '/api/v1/namespaces/default/configmaps';
const configMap = (name: string, bytes = 10): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'w' } }, data: { k: 'x'.repeat(bytes) } });

async function createMany(url: string, names: string[], bytes: number, parallel = 8): Promise<void> {
  const queue = [...names];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const r = await call(url, 'POST', CMS, configMap(n, bytes));
        if (r.status !== 201) throw new Error(`create ${n}: ${r.status} ${r.text.slice(0, 200)}`);
      }
    }),
  );
}

test('watchers that hang up mid-stream are all let go: open watches and cache watchers back to where they were', async (t) => {
  const c = await startCluster(t);
  const stats = (): Promise<ApiStats> => c.sup.request<ApiStats>('api-server', { type: 'api.stats' });
  const baseline = (await stats()).watchers;
  const paths = [`${CMS}?watch=true`, `${CMS}?watch=true&labelSelector=app%3Dw`, '/api/v1/pods?watch=true', '/api/v1/configmaps?watch=1&allowWatchBookmarks=true', `${CMS}?watch=true&resourceVersion=0`];
  const watches = await Promise.all(Array.from({ length: 30 }, (_, i) => openWatch(c.url, paths[i % paths.length]!, i % 3 === 0 ? { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } : {})));
  await until(async () => (await metric(c.url, 'apiserver_longrunning_requests')) === 30, 10_000, '30 open watches');
  t.is((await stats()).watchers, baseline + 30);
  await createMany(c.url, ['a', 'b', 'c'], 10);
  const listening = watches.filter((_, i) => paths[i % paths.length]!.startsWith(CMS));
  await until(() => listening.every((w) => w.lines.length >= 3), 10_000, 'events on every configmap watch');
  // Hang up in different ways: abort the request, destroy the response's socket, end it politely.
  watches.forEach((w, i) => (i % 3 === 0 ? w.req.destroy() : i % 3 === 1 ? w.res.socket?.destroy() : w.res.socket?.end()));
  // Events keep flowing meanwhile, into sockets that are going away.
  await createMany(c.url, ['d', 'e'], 10);
  await until(async () => (await metric(c.url, 'apiserver_longrunning_requests')) === 0, 10_000, 'no open watch');
  await until(async () => (await stats()).watchers === baseline, 10_000, 'the cache let go of every watcher');
  t.is(await metric(c.url, 'berth_watch_buffered_bytes'), 0);
  t.is(await metric(c.url, 'apiserver_watch_requests_total'), 30);
  t.is((await call(c.url, 'GET', '/readyz')).status, 200);
});

test('a client that stops reading is dropped past a bounded buffer (410 ERROR, then closed); a client that keeps up is not', async (t) => {
  const cap = 256 * 1024;
  const c = await startCluster(t, { maxWatchBufferBytes: cap });
  const keepsUp = await openWatch(c.url, `${CMS}?watch=true`);
  const readsLate = await stalledWatch(c.url, `${CMS}?watch=true`);
  const neverReads = await stalledWatch(c.url, `${CMS}?watch=true`);
  await until(async () => (await metric(c.url, 'apiserver_longrunning_requests')) === 3, 10_000, '3 open watches');
  // About 16 MB of events for each watcher, far beyond what the socket buffers on both sides hold.
  const names = Array.from({ length: 80 }, (_, i) => `big-${i}`);
  let maxBuffered = 0;
  let writing = true;
  const sampler = (async () => {
    while (writing) {
      maxBuffered = Math.max(maxBuffered, await metric(c.url, 'berth_watch_buffered_bytes'));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const started = Date.now();
  const writes = createMany(c.url, names, 200 * 1024, 4);
  await until(async () => (await metric(c.url, 'berth_watch_dropped_total', { resource: 'configmaps' })) >= 1, 60_000, 'a slow watcher dropped');
  t.log(`first drop after ${Date.now() - started} ms`);
  // The first of the two stalled clients reads again right away: it gets what was buffered, then the 410.
  const late = drain(readsLate);
  await writes;
  writing = false;
  await sampler;
  const text = await late;
  const lastEvent = text.split('\n').filter((l) => l.startsWith('{"type"')).pop()!;
  const event = JSON.parse(lastEvent) as { type: string; object: Status };
  t.is(event.type, 'ERROR');
  t.is(event.object.code, 410);
  t.is(event.object.reason, 'Expired');
  t.true(isGone(new ApiError(event.object)), 'an informer lists again on this');
  // Dropped: both stalled clients. The one that never reads has its connection destroyed after the grace period.
  await until(async () => (await metric(c.url, 'apiserver_longrunning_requests')) === 1, 10_000, 'only the reader left open');
  t.is(await metric(c.url, 'berth_watch_dropped_total', { resource: 'configmaps' }), 2);
  // The bound: the cap plus at most one batch of events per watcher, never the 16 MB written.
  t.log(`at most ${maxBuffered} bytes buffered for the watchers`);
  t.true(maxBuffered < 2 * (cap + 4 * 1024 * 1024), `at most ${maxBuffered} bytes buffered`);
  await until(() => keepsUp.lines.length >= names.length, 20_000, 'the reader got every event');
  t.false(keepsUp.lines.some((l) => l.startsWith('{"type":"ERROR"')), 'the client that keeps up is never dropped');
  t.true((await metric(c.url, 'berth_watch_buffered_bytes')) < 1024 * 1024);
  // The dropped client lists again and sees everything.
  const list = await call(c.url, 'GET', `${CMS}?limit=500`);
  t.is(list.body.items.length, names.length);
  keepsUp.req.destroy();
  neverReads.destroy();
});

test('resuming a watch from a resourceVersion older than the window: 410 Expired', async (t) => {
  const c = await startCluster(t, { watchWindow: 20 });
  const first = await call(c.url, 'POST', CMS, configMap('first'));
  await createMany(c.url, Array.from({ length: 40 }, (_, i) => `n-${i}`), 10);
  const rv = first.body.metadata.resourceVersion as string;
  const old = await call(c.url, 'GET', `${CMS}?watch=true&resourceVersion=${rv}`);
  t.is(old.status, 410);
  t.is(old.body.reason, 'Expired');
  t.regex(old.body.message, /too old resource version/);
  // A recent one still resumes.
  const list = await call(c.url, 'GET', CMS);
  const recent = await openWatch(c.url, `${CMS}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
  await call(c.url, 'POST', CMS, configMap('after'));
  await until(() => recent.lines.length >= 1, 10_000, 'the event after the list');
  t.regex(recent.lines[0]!, /"type":"ADDED".*"name":"after"/);
  recent.req.destroy();
});
