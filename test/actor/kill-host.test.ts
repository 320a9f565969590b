/** supervisor.killHost: the chaos suite's way to make a host thread die abruptly. */
import test from 'ava';
import { Supervisor } from '../../lib/actor/supervisor.js';
import { echoModule, msg, threadOf } from './helpers.js';

test('killHost on a group member takes the whole thread down; every actor of the group comes back on a new thread', async (t) => {
  const group = ['node/a', 'node/b', 'node/c'].map((address) => ({ address, module: echoModule }));
  const sup = await Supervisor.start({ children: [{ id: 'nodes', group }, { id: 'other', module: echoModule }], logLevel: 'silent' });
  t.teardown(() => sup.stop());
  const before = await threadOf(sup, 'node/a');
  const other = await threadOf(sup, 'other');
  const restarted = new Promise<{ child: string; reason: string }>((resolve) => sup.once('restart', resolve));
  await sup.killHost('node/b');
  const e = await restarted;
  t.is(e.child, 'nodes');
  t.regex(e.reason, /killed by fault injection/);
  const after = await Promise.all(group.map((a) => threadOf(sup, a.address)));
  t.is(new Set(after).size, 1, 'still one thread for the group');
  t.not(after[0], before, 'a new thread, not a restart in place');
  t.is(await threadOf(sup, 'other'), other, 'one_for_one: the sibling kept its thread');
  for (const a of group) t.is((await sup.inspect(a.address).stats()).restarts, 1);
});

test('killHost on a child with its own thread restarts it; an unknown address is rejected', async (t) => {
  const sup = await Supervisor.start({ children: [{ id: 'solo', module: echoModule }], logLevel: 'silent', policy: { intensity: 5 } });
  t.teardown(() => sup.stop());
  const before = await threadOf(sup, 'solo');
  const restarted = new Promise((resolve) => sup.once('restart', resolve));
  await sup.killHost('solo', 'chaos kill #1');
  await restarted;
  t.not(await threadOf(sup, 'solo'), before);
  t.is(await sup.request('solo', msg('echo', { value: 7 })), 7);
  t.is((await sup.inspect('solo').stats()).lastError, 'chaos kill #1');
  await t.throwsAsync(sup.killHost('nobody'), { code: 'ACTOR_DOWN' });
});
