/** ctx.monitor: an actor hears when a peer's thread dies, however it dies, and every time. */
import test from 'ava';
import { Supervisor } from '../../lib/actor/supervisor.js';
import { echoModule, msg, threadOf, waitFor } from './helpers.js';

const monitorModule = new URL('../fixtures/actors/monitor.js', import.meta.url).href;
type Downs = { address: string; reason: string }[];

test('a monitor gets a sys.down each time the monitored actor goes down: killed thread, crash; not for others', async (t) => {
  const sup = await Supervisor.start({
    children: [
      { id: 'target', module: echoModule },
      { id: 'bystander', module: echoModule },
      { id: 'watcher', module: monitorModule },
    ],
    logLevel: 'silent',
    policy: { intensity: 10 },
  });
  t.teardown(() => sup.stop());
  const downs = (): Promise<Downs> => sup.request<Downs>('watcher', msg('downs'));
  t.true(await sup.request('watcher', msg('monitor', { address: 'target' })));
  t.true(await sup.request('watcher', msg('monitor', { address: 'target' })), 'twice is once');

  let restarted = new Promise((resolve) => sup.once('restart', resolve));
  await sup.killHost('target', 'killed for the test');
  await restarted;
  await waitFor(async () => (await downs()).length === 1, 10_000, 'the first notice');
  t.like((await downs())[0], { address: 'target', reason: 'killed for the test' });

  restarted = new Promise((resolve) => sup.once('restart', resolve));
  sup.send('target', msg('crash'));
  await restarted;
  await waitFor(async () => (await downs()).length === 2, 10_000, 'the second notice');

  restarted = new Promise((resolve) => sup.once('restart', resolve));
  await sup.killHost('bystander');
  await restarted;
  await threadOf(sup, 'bystander');
  t.is((await downs()).length, 2, 'nothing for an actor it does not monitor');
});
