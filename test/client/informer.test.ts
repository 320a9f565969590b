/**
 * Informers against a real store + api-server, over both transports: the
 * cache and handlers follow adds, updates and deletes; a dropped watch is
 * resumed, and when the server's window no longer reaches back (410 Gone,
 * forced with a tiny watchWindow) the informer re-lists and ends with a
 * cache equal to the server's list.
 */
import test from 'ava';
import { pods } from '../../lib/api/resources/index.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { ApiClient } from '../../lib/client/client.js';
import { TransportError } from '../../lib/client/errors.js';
import { FakeClock } from '../../lib/client/fake-clock.js';
import { Informer } from '../../lib/client/informer.js';
import { trimDecoded, trimForCache } from '../../lib/client/trim.js';
import type { ApiRequest, Transport, TransportWatchHandlers, Watch } from '../../lib/client/types.js';
import { eventually, startClients } from './helpers.js';

const pod = (name: string, labels: Record<string, string> = { app: 'inf' }): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
});

/** Wraps a transport so a test can drop every open watch, as a broken connection would. */
class DroppingTransport implements Transport {
  private readonly open = new Set<{ w: Watch; h: TransportWatchHandlers }>();
  constructor(private readonly inner: Transport) {}
  call = (r: ApiRequest) => this.inner.call(r);
  batch = (r: readonly ApiRequest[]) => this.inner.batch(r);
  close = () => this.inner.close();
  async watch(r: ApiRequest, h: TransportWatchHandlers): Promise<Watch> {
    const entry = { w: null as unknown as Watch, h };
    entry.w = await this.inner.watch(r, { onEvents: h.onEvents, onEnded: (e) => (this.open.delete(entry), h.onEnded(e)) });
    this.open.add(entry);
    return { stop: () => (this.open.delete(entry), entry.w.stop()) };
  }
  dropAll(): number {
    const all = [...this.open];
    this.open.clear();
    for (const { w, h } of all) {
      w.stop();
      h.onEnded(new TransportError('connection dropped (test)'));
    }
    return all.length;
  }
}

const summary = (items: readonly Pod[]): string[] => items.map((p) => `${p.metadata.namespace}/${p.metadata.name}@${p.metadata.resourceVersion}`).sort();

for (const transport of ['in-process', 'http'] as const) {
  test(`${transport}: the informer's cache and handlers follow adds, updates and deletes`, async (t) => {
    const clients = await startClients(t);
    const client = transport === 'http' ? clients.http! : clients.inProcess;
    await client.create(pods, pod('before'), { namespace: 'default' });
    const informer = new Informer(client, pods, { namespace: 'default', labelSelector: 'app=inf' });
    const seen: string[] = [];
    informer.addHandlers({
      onAdd: (p) => seen.push(`add ${p.metadata.name}`),
      onUpdate: (old, p) => seen.push(`update ${p.metadata.name} ${old.metadata.labels?.v ?? '-'}->${p.metadata.labels?.v}`),
      onDelete: (p) => seen.push(`delete ${p.metadata.name}`),
    });
    informer.start();
    t.teardown(() => informer.stop());
    await informer.waitForSync();
    t.deepEqual(informer.store.keys(), ['default/before']);
    const a = await client.create(pods, pod('a'), { namespace: 'default' });
    await client.create(pods, pod('other', { app: 'other' }), { namespace: 'default' });
    await client.update(pods, { ...a, metadata: { ...a.metadata, labels: { app: 'inf', v: '2' } } });
    await client.delete(pods, 'before', { namespace: 'default', gracePeriodSeconds: 0 });
    t.true(await eventually(() => seen.length >= 4), seen.join(', '));
    t.deepEqual(seen, ['add before', 'add a', 'update a -->2', 'delete before']);
    t.deepEqual(informer.store.keys(), ['default/a']);
    t.is(informer.store.getByName('default', 'a')?.metadata.labels?.v, '2');
    const late: string[] = [];
    informer.addHandlers({ onAdd: (p) => late.push(p.metadata.name!) });
    t.deepEqual(late, ['a'], 'a handler added after sync is given the cache');
  });

  test(`${transport}: after a dropped watch and a 410, the informer re-lists and its cache equals the server's list`, async (t) => {
    const clients = await startClients(t, { watchWindow: 5 });
    const base = transport === 'http' ? clients.http! : clients.inProcess;
    const dropping = new DroppingTransport(base.transport);
    const client = new ApiClient(dropping);
    for (let i = 0; i < 5; i++) await base.create(pods, pod(`p${i}`), { namespace: 'default' });
    const clock = new FakeClock();
    const errors: string[] = [];
    const informer = new Informer(client, pods, { clock, pageSize: 2, backoffInitialMs: 100, onError: (e, during) => errors.push(`${during}: ${String(e)}`) });
    const deleted: string[] = [];
    const added: string[] = [];
    informer.addHandlers({ onAdd: (p) => added.push(p.metadata.name!), onDelete: (p) => deleted.push(p.metadata.name!) });
    informer.start();
    t.teardown(() => informer.stop());
    await informer.waitForSync();
    t.is(informer.store.size, 5);

    // A small gap: resumed from the last resourceVersion, no re-list.
    t.true(await eventually(() => informer.watching));
    t.is(dropping.dropAll(), 1);
    await base.create(pods, pod('gap'), { namespace: 'default' });
    clock.advance(100);
    t.true(await eventually(() => informer.store.getByName('default', 'gap') !== undefined));
    t.is(informer.stats.gone, 0);
    t.is(informer.stats.lists, 1);

    // A gap wider than the window: 410, re-list, cache equal to the server's.
    t.true(await eventually(() => informer.watching));
    t.is(dropping.dropAll(), 1);
    for (let i = 5; i < 15; i++) await base.create(pods, pod(`p${i}`), { namespace: 'default' });
    await base.delete(pods, 'p0', { namespace: 'default', gracePeriodSeconds: 0 });
    const p1 = await base.get(pods, 'p1', { namespace: 'default' });
    await base.update(pods, { ...p1, metadata: { ...p1.metadata, labels: { app: 'inf', v: 'x' } } });
    clock.advance(200); // the second failure in a row backs off 200 ms
    t.true(await eventually(() => informer.stats.gone === 1 && informer.stats.lists === 2 && informer.store.size === 15));
    const server = await base.list(pods, {});
    t.deepEqual(summary(informer.store.list()), summary(server.items));
    t.true(deleted.includes('p0'));
    t.true(added.includes('p14'));
    // Still live after the re-list.
    await base.create(pods, pod('after'), { namespace: 'default' });
    t.true(await eventually(() => informer.store.getByName('default', 'after') !== undefined));
    t.true(errors.every((e) => e.startsWith('watch: TransportError') || e.startsWith('watch: ')), errors.join('\n'));
  });
}

test('a transform (trimForCache) applies to listed and watched objects alike: no managedFields, the rest intact', async (t) => {
  const { inProcess: client } = await startClients(t, { port: null });
  const listed = await client.create(pods, pod('listed'), { namespace: 'default' });
  t.true((listed.metadata.managedFields?.length ?? 0) > 0, 'the server records field owners');
  const informer = new Informer(client, pods, { namespace: 'default', transform: trimForCache });
  const updates: string[] = [];
  informer.addHandlers({ onUpdate: (old, p) => updates.push(`${String(old.metadata.managedFields)} ${String(p.metadata.managedFields)} ${p.metadata.labels?.v}`) });
  informer.start();
  t.teardown(() => informer.stop());
  await informer.waitForSync();
  const watched = await client.create(pods, pod('watched', { app: 'inf', tier: 'a-value-longer-than-thirteen' }), { namespace: 'default' });
  await client.update(pods, { ...watched, metadata: { ...watched.metadata, labels: { ...watched.metadata.labels, v: '2' } } });
  t.true(await eventually(() => updates.length === 1), updates.join(', '));
  t.deepEqual(updates, ['undefined undefined 2']);
  for (const [name, server] of [['listed', listed], ['watched', await client.get(pods, 'watched', { namespace: 'default' })]] as const) {
    const cached = informer.store.getByName('default', name)!;
    t.is(cached.metadata.managedFields, undefined, name);
    const { managedFields: _m, ...meta } = server.metadata;
    t.deepEqual({ ...cached, metadata: cached.metadata }, { ...server, metadata: meta }, `${name}: everything else as the server has it`);
  }
  // Writing back a copy of a trimmed object keeps the server's field owners.
  const cached = informer.store.getByName('default', 'listed')!;
  const written = await client.update(pods, { ...cached, metadata: { ...cached.metadata, labels: { app: 'inf', v: '3' } } });
  t.true((written.metadata.managedFields?.length ?? 0) > 0);
});

for (const [via, transform] of [['http', trimForCache], ['in-process', trimDecoded]] as const) {
  test(`${via}: an update shares what did not change with the version it replaces (${transform.name}); each version is the server's`, async (t) => {
    const clients = await startClients(t);
    const client = via === 'http' ? clients.http! : clients.inProcess;
    const first = await client.create(pods, pod('shared', { app: 'inf', v: '1' }), { namespace: 'default' });
    const informer = new Informer(client, pods, { namespace: 'default', transform });
    const updates: [Readonly<Pod>, Readonly<Pod>][] = [];
    informer.addHandlers({ onUpdate: (old, p) => void updates.push([old, p]) });
    informer.start();
    t.teardown(() => informer.stop());
    await informer.waitForSync();
    await client.update(pods, { ...first, metadata: { ...first.metadata, labels: { app: 'inf', v: '2' } } });
    t.true(await eventually(() => updates.length === 1));
    const [old, cur] = updates[0]!;
    t.not(cur, old);
    t.is(cur.spec, old.spec, 'the unchanged spec is the cached one');
    t.not(cur.metadata, old.metadata);
    t.deepEqual([old.metadata.labels, cur.metadata.labels], [{ app: 'inf', v: '1' }, { app: 'inf', v: '2' }], 'the old version is left as it was');
    const server = await client.get(pods, 'shared', { namespace: 'default' });
    const { managedFields: _m, ...meta } = server.metadata;
    t.deepEqual(informer.store.getByName('default', 'shared'), { ...server, metadata: meta });
  });
}
