/**
 * Informers across an api-server restart (the actor crashes and the
 * supervisor starts it again on a new thread, relisting from the store):
 * over HTTP the watch connection breaks and the informer resumes or
 * re-lists against the new server on the same port; in process the
 * transport hears of the restart from the supervisor and ends its watches.
 * Either way the informer's cache ends equal to the server's list, with the
 * changes made after the restart in it.
 */
import test from 'ava';
import { configMaps } from '../../lib/api/resources/index.js';
import type { ConfigMap } from '../../lib/api/types/core.js';
import type { Message } from '../../lib/actor/types.js';
import { ApiClient } from '../../lib/client/client.js';
import { HttpTransport } from '../../lib/client/http.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import { Informer } from '../../lib/client/informer.js';
import { startCluster } from '../api-server/helpers.js';
import { freePort, until } from './http-watch.js';

const cm = (name: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });

/** Crash the api-server on purpose (its resync path) and wait for the supervisor to have started it again. */
async function restartApiServer(sup: Awaited<ReturnType<typeof startCluster>>['sup']): Promise<void> {
  const restarted = new Promise((resolve) => sup.once('restart', resolve));
  sup.send('api-server', { type: 'api.resync', reason: 'test: restart' } as Message);
  await restarted;
}

/** Retries a call while the api-server comes back. */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i > 200) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

for (const transport of ['http', 'in-process'] as const) {
  test(`${transport}: an informer keeps going across an api-server restart`, async (t) => {
    const port = await freePort();
    const c = await startCluster(t, { port });
    let client: ApiClient;
    if (transport === 'http') {
      const http = new HttpTransport({ server: c.url, maxSockets: 4 });
      t.teardown(() => http.close());
      client = new ApiClient(http, { fieldManager: 'fault-test' });
    } else {
      const inProcess = new InProcessTransport(c.sup);
      const onMessage = (m: Message): void => void inProcess.handleNotice(m);
      c.sup.on('message', onMessage);
      t.teardown(() => {
        c.sup.off('message', onMessage);
        inProcess.close();
      });
      client = new ApiClient(inProcess, { fieldManager: 'fault-test' });
    }
    const events: string[] = [];
    c.sup.on('crash', (e: { address: string; error: string }) => events.push(`crash ${e.address}: ${e.error}`));
    c.sup.on('escalated', (e: Error) => events.push(`escalated: ${e.message}`));
    for (const n of ['a', 'b', 'c']) await client.create(configMaps, cm(n), { namespace: 'default' });
    const errors: string[] = [];
    const informer = new Informer(client, configMaps, { namespace: 'default', backoffInitialMs: 20, backoffMaxMs: 500, onError: (e, during) => errors.push(`${during}: ${e instanceof Error ? e.message : String(e)}`) });
    informer.start();
    t.teardown(() => informer.stop());
    await informer.waitForSync();
    t.deepEqual(informer.store.keys().sort(), ['default/a', 'default/b', 'default/c']);
    const watchesBefore = informer.stats.watches;

    await restartApiServer(c.sup);
    // A watch opened at once, without a resourceVersion, starts with every existing object (not an empty cache's nothing).
    const initial: string[] = [];
    const w = await retry(() => client.watch(configMaps, { namespace: 'default' }, { onEvents: (es) => initial.push(...es.map((e) => `${e.type} ${(e.object.metadata as { name?: string }).name}`)), onEnded: () => undefined }));
    await until(() => initial.length >= 3, 10_000, 'the initial events');
    t.deepEqual(initial.slice(0, 3).sort(), ['ADDED a', 'ADDED b', 'ADDED c']);
    w.stop();
    await retry(() => client.create(configMaps, cm('after-restart'), { namespace: 'default' }));
    await retry(() => client.delete(configMaps, 'a', { namespace: 'default' }));
    await until(() => informer.store.getByName('default', 'after-restart') !== undefined && informer.store.getByName('default', 'a') === undefined, 20_000, 'the informer to see the changes made after the restart');
    const server = await client.list(configMaps, { namespace: 'default' });
    t.deepEqual(informer.store.keys().sort(), server.items.map((o) => `default/${o.metadata.name}`).sort());
    t.true(informer.stats.watches > watchesBefore, 'it watched again');
    t.true(informer.watching);
    t.is((await c.sup.inspect('api-server').stats()).restarts, 1);
    t.is(events.length, 1, `only the crash the test caused: ${events.join('; ')}`);
    t.log(`${transport}: ${JSON.stringify(informer.stats)}; ${errors.length} retried failures`);
  });
}
