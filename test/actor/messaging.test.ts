/** Messages between actors on real threads: order, requests, errors, dead letters, introspection. */
import test from 'ava';
import { Packr } from 'msgpackr';
import { createPackr, encodeFrame, seedStructures } from '../../lib/actor/codec.js';
import { ActorDownError, MessageRejectedError, RequestTimeoutError, UnroutableError } from '../../lib/actor/errors.js';
import { Supervisor } from '../../lib/actor/supervisor.js';
import { echoModule, msg, waitFor } from './helpers.js';

for (const routing of ['direct', 'relay'] as const) {
  test(`order is kept between every sender and the receiver (${routing} routing)`, async (t) => {
    const sup = await Supervisor.start({
      routing,
      children: [
        { id: 'sink', module: echoModule },
        { id: 's1', module: echoModule },
        { id: 'local', group: [{ address: 's2', module: echoModule }, { address: 'sink2', module: echoModule }] },
      ],
      logLevel: 'silent',
    });
    t.teardown(() => sup.stop());
    const n = 2_000;
    for (let i = 1; i <= n; i++) {
      // Three senders on three threads, interleaved: the supervisor's thread, s1's and s2's.
      sup.send('sink', msg('seq', { from: 'supervisor', n: i }));
      sup.send('s1', msg('forward', { to: 'sink', msg: msg('seq', { from: 's1', n: i }) }));
      sup.send('s2', msg('forward', { to: 'sink', msg: msg('seq', { from: 's2', n: i }) }));
      sup.send('s2', msg('forward', { to: 'sink2', msg: msg('seq', { from: 's2', n: i }) }));
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(async () => (await sup.request<{ count: number }>('sink', msg('seq.report'))).count === 3 * n);
    t.deepEqual(await sup.request('sink', msg('seq.report')), { count: 3 * n, outOfOrder: 0 });
    await waitFor(async () => (await sup.request<{ count: number }>('sink2', msg('seq.report'))).count === n);
    t.deepEqual(await sup.request('sink2', msg('seq.report')), { count: n, outOfOrder: 0 }, 'same-thread delivery keeps order too');
  });
}

test('request/reply across threads, and between actors', async (t) => {
  const sup = await Supervisor.start({ children: [{ id: 'a', module: echoModule }, { id: 'b', module: echoModule }], logLevel: 'silent' });
  t.teardown(() => sup.stop());
  t.deepEqual(await sup.request('a', msg('echo', { value: { pod: 'web-1', cpu: 250 } })), { pod: 'web-1', cpu: 250 });
  t.deepEqual(await sup.request('a', msg('ask', { to: 'b', msg: msg('echo', { value: 'hi' }) })), { ok: true, value: 'hi' });
});

test('an actor can make requests while it starts, and is sent messages before its start completes', async (t) => {
  const sup = await Supervisor.start({
    children: [
      { id: 'a', module: echoModule },
      // b asks a during its start; c, in the same group, asks b (which is still starting) during its own.
      { id: 'g', group: [{ address: 'b', module: echoModule, args: { askOnStart: 'a' } }] },
      { id: 'c', module: echoModule, args: { askOnStart: 'b' } },
    ],
    logLevel: 'silent',
  });
  t.teardown(() => sup.stop());
  t.is(await sup.request('b', msg('start.answer')), 'hello from b');
  t.is(await sup.request('c', msg('start.answer')), 'hello from c');
});

test('a request to an actor that dies while handling it rejects with ActorDownError', async (t) => {
  const sup = await Supervisor.start({ children: [{ id: 'a', module: echoModule }], policy: { intensity: 5 }, logLevel: 'silent' });
  t.teardown(() => sup.stop());
  const err = await t.throwsAsync(sup.request('a', msg('crash.async')), { instanceOf: ActorDownError });
  t.regex(err!.message, /crashed while handling crash\.async/);
});

test('requests queued on a host that is killed reject with ActorDownError, and the host comes back', async (t) => {
  const sup = await Supervisor.start({
    children: [{ id: 'a', module: echoModule }],
    heartbeat: { intervalMs: 100, timeoutMs: 600 },
    logLevel: 'silent',
  });
  t.teardown(() => sup.stop());
  const before = await sup.request<number>('a', msg('thread'));
  sup.send('a', msg('block', { ms: 3_000 })); // the thread stops answering heartbeats
  const queued = sup.request('a', msg('echo', { value: 1 }), { timeoutMs: 20_000 });
  await t.throwsAsync(queued, { instanceOf: ActorDownError });
  await waitFor(async () => {
    try {
      return (await sup.request<number>('a', msg('thread'), { timeoutMs: 500 })) !== before;
    } catch {
      return false;
    }
  });
  t.is((await sup.inspect('a').stats()).restarts, 1);
  t.regex((await sup.inspect('a').stats()).lastError ?? '', /no heartbeat/);
});

test('request timeouts reject with RequestTimeoutError, between actors too', async (t) => {
  const sup = await Supervisor.start({
    children: [
      { id: 'a', module: echoModule },
      { id: 'b', module: echoModule, shutdownMs: 200 },
    ],
    logLevel: 'silent',
  });
  t.teardown(() => sup.stop());
  // b hangs in its handler from here on: nothing more it is sent gets an answer.
  await t.throwsAsync(sup.request('b', msg('hang'), { timeoutMs: 100 }), { instanceOf: RequestTimeoutError, code: 'REQUEST_TIMEOUT' });
  t.deepEqual(await sup.request('a', msg('ask', { to: 'b', msg: msg('echo', { value: 1 }), timeoutMs: 100 })), {
    ok: false,
    name: 'RequestTimeoutError',
    code: 'REQUEST_TIMEOUT',
  });
});

test('unroutable, unencodable and oversized messages are refused with a reason; the actors keep running', async (t) => {
  const sup = await Supervisor.start({ children: [{ id: 'a', module: echoModule }], maxMessageBytes: 64 * 1024, logLevel: 'silent' });
  t.teardown(() => sup.stop());
  await t.throwsAsync(sup.request('nobody', msg('echo')), { instanceOf: UnroutableError });
  sup.send('nobody', msg('echo'));
  const big = 'x'.repeat(100 * 1024);
  await t.throwsAsync(sup.request('a', msg('echo', { value: big })), { instanceOf: MessageRejectedError, message: /oversized/ });
  sup.send('a', msg('echo', { value: big }));
  // An oversized message batched with good ones fails alone.
  const good = sup.request('a', msg('echo', { value: 'fine' }));
  sup.send('a', msg('echo', { value: big }));
  t.is(await good, 'fine');
  await t.throwsAsync(sup.request('a', msg('echo', { value: Symbol('x') })), { instanceOf: MessageRejectedError, message: /unencodable/ });
  await waitFor(() => sup.deadLetters.length >= 3);
  const reasons = sup.deadLetters.map((d) => `${d.from}->${d.to}:${d.reason.split(':')[0]}`);
  t.true(reasons.includes('supervisor->nobody:unroutable'), reasons.join(', '));
  t.is(reasons.filter((r) => r === 'supervisor->a:oversized').length, 2, reasons.join(', '));
  t.is(await sup.request('a', msg('echo', { value: 'still here' })), 'still here');
});

test('a batch larger than a frame is split, and every message still arrives, in order', async (t) => {
  const sup = await Supervisor.start({ children: [{ id: 'sink', module: echoModule }], maxMessageBytes: 64 * 1024, logLevel: 'silent' });
  t.teardown(() => sup.stop());
  const pad = 'p'.repeat(40 * 1024); // each message fits a frame; 50 of them in one turn do not
  for (let n = 1; n <= 50; n++) sup.send('sink', msg('seq', { from: 'supervisor', n, pad }));
  t.deepEqual(await sup.request('sink', msg('seq.report')), { count: 50, outOfOrder: 0 });
  t.is(sup.deadLetters.length, 0);
});

test('undecodable and malformed frames reach the dead-letter log; nothing else breaks', async (t) => {
  const sup = await Supervisor.start({ children: [{ id: 'a', module: echoModule }], logLevel: 'silent' });
  t.teardown(() => sup.stop());
  const thread = await sup.request<number>('a', msg('thread'));
  sup.injectFrame('a', new Uint8Array([0xc1, 0xff, 0x00, 0x13]));
  // Well-formed msgpack from a packr that does not share the seed: not a frame.
  sup.injectFrame('a', new Packr().pack({ hello: 'world' }));
  // A frame whose envelope is bad: a message without a type.
  sup.injectFrame('a', encodeFrame(createPackr(seedStructures()), [0, 'a', 'intruder', 0, { notype: true }]));
  await waitFor(() => sup.deadLetters.length >= 3);
  const letters = sup.deadLetters.slice(0, 3);
  t.regex(letters[0]!.reason, /undecodable frame/);
  t.is(letters[0]!.from, 'inject');
  t.regex(letters[1]!.reason, /not a clock reading followed by envelopes|undecodable/);
  t.deepEqual([letters[2]!.from, letters[2]!.reason], ['intruder', 'message without a string type']);
  t.is(await sup.request<number>('a', msg('thread')), thread, 'same thread: the host was never restarted');
  // The foreign packr's inline records reused shared ids: later frames must still decode right.
  t.deepEqual(await sup.request('a', msg('echo', { value: { type: 'pod', n: 1 } })), { type: 'pod', n: 1 });
  t.is((await sup.inspect('a').stats()).restarts, 0);
});

test('inspect gives mailbox depth, messages handled, restarts and last error', async (t) => {
  const sup = await Supervisor.start({ children: [{ id: 'a', module: echoModule }], logLevel: 'silent' });
  t.teardown(() => sup.stop());
  const remote = sup.inspect('a');
  for (let i = 0; i < 5; i++) await sup.request('a', msg('echo', { value: i }));
  const slow = sup.request('a', msg('slow', { ms: 300 }));
  for (let i = 0; i < 3; i++) sup.send('a', msg('echo', { value: i }));
  await waitFor(async () => (await remote.stats()).mailboxDepth === 3, 5_000, 'three queued messages');
  await slow;
  const stats = await remote.stats();
  t.is(stats.address, 'a');
  t.is(stats.state, 'running');
  t.true(stats.handled >= 6);
  t.is(stats.restarts, 0);
  t.is(stats.lastError, null);
  t.is(await remote.threadId(), await sup.request<number>('a', msg('thread')));
});
