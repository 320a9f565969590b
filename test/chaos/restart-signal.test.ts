/**
 * The two silent losses the chaos run found, each alone: a peer that
 * restarts on a new thread has forgotten the watches it served, and the
 * watcher must hear of it (ctx.monitor -> sys.down -> the client ends its
 * watches, so informers and the watch cache list again).
 * - store killed: the api-server's watch cache stops getting events, so a
 *   write the store acknowledges never shows in reads (the writer waits 5 s
 *   for its own event, then answers; the cache stays stale); with the
 *   signal the api-server watches the new store from its cache's revision,
 *   without a restart (so OTP's default intensity does not escalate).
 * - api-server killed: the controller-manager's informers stop getting
 *   events, so nothing is reconciled again; with the signal they re-list.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { Supervisor } from '../../lib/actor/supervisor.js';
import type { ChildSpec } from '../../lib/actor/supervision.js';
import type { Message } from '../../lib/actor/types.js';
import { configMaps, deployments, pods } from '../../lib/api/resources/index.js';
import { ApiClient } from '../../lib/client/client.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import { deploymentObject } from './helpers/driver.js';

/** A client whose calls fail after 10 s of wall time rather than the default 60 s. */
function quickClient(t: { teardown(fn: () => void): void }, sup: Supervisor): ApiClient {
  const transport = new InProcessTransport(sup, { timeoutMs: 10_000 });
  const onMessage = (m: Message): void => void transport.handleNotice(m);
  sup.on('message', onMessage);
  t.teardown(() => {
    sup.off('message', onMessage);
    transport.close();
  });
  return new ApiClient(transport, { fieldManager: 'restart-signal-test' });
}

/** store + api-server (+ children) under the virtual clock, with OTP's default restart policy (1 restart in 5 s). */
async function startCluster(t: { teardown(fn: () => Promise<void>): void }, children: ChildSpec[] = []): Promise<{ sup: Supervisor }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-restart-signal-'));
  const sup = await Supervisor.start({ clock: 'virtual', logLevel: 'silent', children: [storeChildSpec({ path: dir }), apiServerChildSpec({ port: null }), ...children] });
  t.teardown(async () => {
    await sup.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await sup.request('api-server', { type: 'api.address' }, { timeoutMs: 20_000 });
  for (const c of children) if (c.id === 'controller-manager') await sup.request(c.id, { type: 'cm.ready' }, { timeoutMs: 20_000 });
  return { sup };
}

/** Calls while the killed actor comes back fail fast (actor down): try again, moving virtual time. */
async function retry<T>(sup: { clock: { runFor(ms: number): Promise<void> } }, call: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= 40) throw err;
      await sup.clock.runFor(250);
    }
  }
}

test('after the store thread is killed, the api-server watches the new store and acknowledged writes show up in reads', async (t) => {
  const c = await startCluster(t);
  c.sup.on('restart', (e: { child: string }) => t.log(`restart of ${e.child}`));
  const api = quickClient(t, c.sup);
  await api.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before' }, data: { a: '1' } }, { namespace: 'default' });
  await c.sup.killHost('store', 'test: store thread killed');
  const created = await retry(c.sup, () => api.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' }, data: { a: '2' } }, { namespace: 'default' }));
  // The api-server may be restarting now (it heard of the store's restart): reads are retried too.
  await c.sup.clock.runFor(1_000);
  const names = (await retry(c.sup, () => api.list(configMaps, { namespace: 'default' }))).items.map((o) => o.metadata.name).sort();
  t.deepEqual(names, ['after', 'before']);
  t.is((await retry(c.sup, () => api.get(configMaps, 'after', { namespace: 'default' }))).metadata.resourceVersion, created.metadata.resourceVersion);
  t.is((await c.sup.inspect('api-server').stats()).restarts, 0, 'the api-server watched the new store without restarting');
  t.is(c.sup.state, 'running', 'nothing escalated under the default policy');
});

test('after the api-server thread is killed, the controller-manager still reconciles new objects', async (t) => {
  const c = await startCluster(t, [controllerManagerChildSpec()]);
  const api = quickClient(t, c.sup);
  await c.sup.killHost('api-server', 'test: api-server thread killed');
  await retry(c.sup, () => api.create(deployments, deploymentObject('web', 3, 'nginx:1'), { namespace: 'default' }));
  let got = 0;
  for (let i = 0; i < 60 && got < 3; i++) {
    await c.sup.clock.runFor(1_000);
    got = (await api.list(pods, { namespace: 'default' })).items.length;
  }
  t.is(got, 3, 'the Deployment got its ReplicaSet and pods');
});
