/**
 * Why the full chaos run (10,000 pods) hung after its last kill: its first
 * check lists every pod in one reply, about 24 MB, over the runtime's 16 MiB
 * message limit. The reply was dead-lettered on the api-server's thread and
 * the request was left to its timeout, which is virtual: the embedder was
 * awaiting the list, not running the clock, so it never fired and every
 * thread sat idle. Now a reply that cannot be sent (oversized, unencodable)
 * is answered with a short MESSAGE_REJECTED error instead, at once.
 *
 * The requests below are awaited without moving virtual time, as the chaos
 * run did; a real-time guard turns "never answered" into a failure.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { MessageRejectedError } from '../../lib/actor/errors.js';
import { Supervisor } from '../../lib/actor/supervisor.js';
import type { Message } from '../../lib/actor/types.js';
import { configMaps } from '../../lib/api/resources/index.js';
import { ApiClient } from '../../lib/client/client.js';
import { InProcessTransport } from '../../lib/client/in-process.js';

const bigReply = new URL('./fixtures/big-reply.js', import.meta.url).href;
const LIMIT = 64 * 1024;

/** The promise's outcome, or 'never answered' after `ms` of real time. */
async function within<T>(ms: number, p: Promise<T>): Promise<{ value: T } | { error: unknown } | 'never answered'> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'never answered'>((resolve) => (timer = setTimeout(() => resolve('never answered'), ms)));
  try {
    return await Promise.race([p.then((value) => ({ value }), (error: unknown) => ({ error })), guard]);
  } finally {
    clearTimeout(timer);
  }
}

test('a reply over the message limit fails its request at once (embedder and actor requesters), under the virtual clock', async (t) => {
  const sup = await Supervisor.start({
    clock: 'virtual',
    maxMessageBytes: LIMIT,
    logLevel: 'silent',
    children: [
      { id: 'big', module: bigReply },
      { id: 'asker', module: bigReply },
    ],
  });
  t.teardown(() => sup.stop());
  const fromEmbedder = await within(10_000, sup.request<string>('big', { type: 'big', bytes: 2 * LIMIT } as Message));
  t.not(fromEmbedder, 'never answered', 'the request was left waiting for a reply that was dropped');
  if (fromEmbedder !== 'never answered') {
    t.true('error' in fromEmbedder && fromEmbedder.error instanceof MessageRejectedError, JSON.stringify(fromEmbedder));
    if ('error' in fromEmbedder) t.regex(String(fromEmbedder.error), /oversized/);
  }
  // An actor waiting on such a reply (its host busy meanwhile) hears of it too, and time can move again.
  const fromActor = await within(10_000, sup.request<string>('asker', { type: 'ask-big', to: 'big', bytes: 2 * LIMIT } as Message));
  t.true(fromActor !== 'never answered' && 'value' in fromActor && /^failed: .*oversized/.test(fromActor.value), JSON.stringify(fromActor));
  t.not(await within(10_000, sup.clock.runFor(1_000)), 'never answered', `virtual time moves: ${sup.clock.describe()}`);
  // Replies that fit still arrive, and both actors are still there.
  t.deepEqual(await within(10_000, sup.request<string>('asker', { type: 'ask-big', to: 'big', bytes: LIMIT / 2 } as Message)), { value: `got ${LIMIT / 2} bytes` });
  t.true(sup.deadLetters.some((d) => d.from === 'big' && /oversized/.test(d.reason)), 'the dropped reply is still in the dead-letter log');
});

test('a list too large for one message fails with an error instead of hanging; a paged list of the same objects works', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-oversized-'));
  const sup = await Supervisor.start({
    clock: 'virtual',
    maxMessageBytes: LIMIT,
    logLevel: 'silent',
    children: [storeChildSpec({ path: dir }), apiServerChildSpec({ port: null })],
  });
  const transport = new InProcessTransport(sup);
  t.teardown(async () => {
    transport.close();
    await sup.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await sup.request('api-server', { type: 'api.address' } as Message, { timeoutMs: 20_000 });
  const api = new ApiClient(transport, { fieldManager: 'oversized-test' });
  // 60 ConfigMaps of 2 KB: about 120 KB listed, twice the limit.
  for (let i = 0; i < 60; i++) await api.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { pad: 'x'.repeat(2_000) } }, { namespace: 'default' });
  const whole = await within(10_000, api.list(configMaps, { namespace: 'default' }));
  t.not(whole, 'never answered', 'the list was left waiting for a reply that was dropped');
  t.true(whole !== 'never answered' && 'error' in whole && /oversized/.test(String(whole.error)), JSON.stringify(whole));
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await api.list(configMaps, { namespace: 'default', limit: 10, continue: token });
    names.push(...page.items.map((o) => o.metadata.name!));
    token = page.metadata.continue || undefined;
  } while (token);
  t.is(names.length, 60);
});
