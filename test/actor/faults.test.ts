/** Host-level faults: a crashed thread full of actors, and shutdown against an actor that ignores it. */
import test from 'ava';
import { Supervisor } from '../../lib/actor/supervisor.js';
import type { Sender } from '../../lib/actor/types.js';
import { echoModule, msg, threadOf } from './helpers.js';

test('a crashed host that carried 1,000 actors brings all of them back on a new thread', async (t) => {
  const group = Array.from({ length: 1_000 }, (_, i) => ({ address: `node/node-${String(i).padStart(4, '0')}`, module: echoModule }));
  const sup = await Supervisor.start({ children: [{ id: 'nodes', group }, { id: 'other', module: echoModule }], logLevel: 'silent' });
  t.teardown(() => sup.stop());
  const before = await threadOf(sup, 'node/node-0000');
  const otherThread = await threadOf(sup, 'other');
  const restarted = new Promise((resolve) => sup.once('restart', resolve));
  sup.send('node/node-0500', msg('exit'));
  await restarted;
  const answers = await Promise.all(group.map((a) => sup.request<number>(a.address, msg('thread'), { timeoutMs: 10_000 })));
  t.is(new Set(answers).size, 1, 'all on one thread');
  t.not(answers[0], before, 'a new thread');
  t.is(await threadOf(sup, 'other'), otherThread, 'one_for_one: the sibling was left alone');
  t.is((await sup.inspect('node/node-0999').stats()).restarts, 1);
});

test('shutdown ends within its deadline even when an actor ignores it', async (t) => {
  const sup = await Supervisor.start({
    children: [
      { id: 'polite', module: echoModule },
      { id: 'stubborn', module: echoModule, args: { ignoreStop: true }, shutdownMs: 300 },
      { id: 'busy', module: echoModule, shutdownMs: 300 },
    ],
    logLevel: 'silent',
  });
  sup.send('busy', msg('hang'));
  const started = Date.now();
  await sup.stop();
  const took = Date.now() - started;
  t.true(took < 300 + 300 + 1_500, `stopped in ${took} ms`);
  t.is(sup.state, 'stopped');
  await t.throwsAsync(sup.request('polite', msg('echo', { value: 1 }), { timeoutMs: 1_000 }), { code: 'ACTOR_DOWN' });
});

test('children stop in reverse start order', async (t) => {
  const ids = ['first', 'second', 'third'];
  const sup = await Supervisor.start({
    children: ids.map((id) => ({ id, module: echoModule, args: { reportStop: true } })),
    logLevel: 'silent',
  });
  const stopped: string[] = [];
  sup.on('message', (m: { type: string; address: string }, from: Sender) => {
    if (m.type !== 'stopping') return;
    stopped.push(m.address);
    sup.reply(from, null);
  });
  await sup.stop();
  t.deepEqual(stopped, ['third', 'second', 'first']);
});
