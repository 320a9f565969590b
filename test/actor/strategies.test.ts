/** Supervision with real worker threads: each strategy restarts the right children on fresh threads. */
import test from 'ava';
import { EscalationError } from '../../lib/actor/errors.js';
import { Supervisor } from '../../lib/actor/supervisor.js';
import type { Strategy } from '../../lib/actor/supervision.js';
import { echoModule, msg, threadOf, waitFor } from './helpers.js';

async function threads(sup: Supervisor, ids: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const id of ids) out[id] = await threadOf(sup, id);
  return out;
}

const cases: [Strategy, string[]][] = [
  ['one_for_one', ['b']],
  ['one_for_all', ['a', 'b', 'c']],
  ['rest_for_one', ['b', 'c']],
];

for (const [strategy, expected] of cases) {
  test(`${strategy}: a crash in b restarts ${expected.join(', ')} on new threads`, async (t) => {
    const ids = ['a', 'b', 'c'];
    const sup = await Supervisor.start({
      policy: { strategy, intensity: 5, periodMs: 10_000 },
      children: ids.map((id) => ({ id, module: echoModule })),
      logLevel: 'silent',
    });
    t.teardown(() => sup.stop());
    const before = await threads(sup, ids);
    const restarted = new Promise((resolve) => sup.once('restart', resolve));
    sup.send('b', msg('crash'));
    await restarted;
    const after = await threads(sup, ids);
    const changed = ids.filter((id) => before[id] !== after[id]);
    t.deepEqual(changed, expected);
    for (const id of ids) t.is((await sup.inspect(id).stats()).restarts, expected.includes(id) ? 1 : 0, id);
    t.regex((await sup.inspect('b').stats()).lastError ?? '', /crash on purpose/);
  });
}

test('exceeding the intensity escalates: children stop and the owner hears of it', async (t) => {
  const sup = await Supervisor.start({
    policy: { strategy: 'one_for_one', intensity: 1, periodMs: 60_000 },
    children: [
      { id: 'a', module: echoModule },
      { id: 'b', module: echoModule },
    ],
    logLevel: 'silent',
  });
  t.teardown(() => sup.stop());
  const escalated = new Promise<EscalationError>((resolve) => sup.once('escalated', resolve));
  sup.send('b', msg('crash'));
  await new Promise((resolve) => sup.once('restart', resolve));
  await threadOf(sup, 'b');
  sup.send('b', msg('crash'));
  const err = await escalated;
  t.true(err instanceof EscalationError);
  t.is(err.childId, 'b');
  t.is(await sup.done, err);
  t.is(sup.state, 'failed');
  await t.throwsAsync(sup.request('a', msg('echo', { value: 1 }), { timeoutMs: 2_000 }), { code: 'ACTOR_DOWN' });
});

test('a temporary child that crashes is not restarted and leaves', async (t) => {
  const sup = await Supervisor.start({
    children: [
      { id: 'keep', module: echoModule },
      { id: 'once', module: echoModule, restart: 'temporary' },
    ],
    logLevel: 'silent',
  });
  t.teardown(() => sup.stop());
  sup.send('once', msg('crash'));
  await waitFor(async () => {
    try {
      await sup.request('once', msg('echo', { value: 1 }), { timeoutMs: 500 });
      return false;
    } catch (err) {
      return (err as { code?: string }).code === 'UNROUTABLE';
    }
  });
  t.is(await sup.request('keep', msg('echo', { value: 2 })), 2);
});

test('an actor that fails to start fails Supervisor.start with its error, and nothing is left running', async (t) => {
  await t.throwsAsync(
    Supervisor.start({
      children: [
        { id: 'ok', module: echoModule },
        { id: 'bad', module: echoModule, args: { failStart: true } },
      ],
      logLevel: 'silent',
    }),
    { message: /child bad failed to start: .*start failed on purpose/ },
  );
});

test('inside a group, a crashed actor restarts in place on the same thread', async (t) => {
  const sup = await Supervisor.start({
    children: [{ id: 'nodes', group: ['node/n1', 'node/n2'].map((address) => ({ address, module: echoModule })) }],
    logLevel: 'silent',
  });
  t.teardown(() => sup.stop());
  const before = await threadOf(sup, 'node/n1');
  const restarted = new Promise((resolve) => sup.once('restart', resolve));
  sup.send('node/n1', msg('crash'));
  await restarted;
  t.is(await threadOf(sup, 'node/n1'), before);
  t.is((await sup.inspect('node/n1').stats()).restarts, 1);
  t.is((await sup.inspect('node/n2').stats()).restarts, 0);
});
