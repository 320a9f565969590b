/**
 * StoreClient.writeEncoded's large calls are encoded one per event-loop turn
 * (actors/store/encode-queue.ts), so each batch leaves as soon as it is
 * encoded; a client's calls still reach the store in the order made.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreClient } from '../../actors/store/client.js';
import { DEFER_FROM, EncodeQueue } from '../../actors/store/encode-queue.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { WriteCoalescer } from '../../actors/store/write-coalescer.js';
import { Supervisor } from '../../lib/actor/supervisor.js';
import { InvalidArgumentError, StoreError } from '../../lib/store/errors.js';
import type { OpSegment } from '../../lib/store/op-batch.js';
import type { WriteOp, WriteResult } from '../../lib/store/types.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const ops = (name: string, n: number): WriteOp[] => Array.from({ length: n }, (_, i) => ({ op: 'create', key: `/registry/core/pods/x/${name}${i}`, value: { metadata: { name } } }));
const large = (name: string): WriteOp[] => ops(name, DEFER_FROM);
const small = (name: string): WriteOp[] => ops(name, 1);
const nameOf = (calls: readonly WriteOp[]): string => calls[0]!.key.split('/').pop()!.replace(/\d+$/, '');

/** A queue whose steps are written down: pack X, submit X, send. */
function recorded(options: { failPack?: string } = {}): { queue: EncodeQueue; events: string[]; tracked: Promise<void>[] } {
  const events: string[] = [];
  const tracked: Promise<void>[] = [];
  const queue = new EncodeQueue({
    pack: (calls) => {
      const name = nameOf(calls);
      if (name === options.failPack) throw new InvalidArgumentError(`cannot encode ${name}`);
      events.push(`pack ${name}`);
      return { count: calls.length, bytes: Buffer.alloc(8) } satisfies OpSegment;
    },
    submit: async (calls) => {
      events.push(`submit ${nameOf(calls)}`);
      return calls.map((op, i): WriteResult => ({ ok: true, op: op.op, key: op.key, revision: i + 1, value: undefined, prevRevision: 0 }));
    },
    send: () => events.push('send'),
    track: (work) => void tracked.push(work),
  });
  return { queue, events, tracked };
}

test('large calls are encoded in later turns, one per turn, each sent before the next is encoded', async (t) => {
  const { queue, events, tracked } = recorded();
  const done = [queue.write(large('a')), queue.write(large('b'))];
  t.deepEqual(events, [], 'nothing is encoded in the caller’s turn');
  t.is(tracked.length, 2, 'waiting calls count as work (virtual clock, shutdown)');
  await turn();
  t.deepEqual(events, ['pack a', 'submit a', 'send']);
  await turn();
  t.deepEqual(events, ['pack a', 'submit a', 'send', 'pack b', 'submit b', 'send']);
  t.deepEqual((await Promise.all(done)).map((r) => r.length), [DEFER_FROM, DEFER_FROM]);
  await Promise.all(tracked);
});

test('a small call is encoded at once when nothing waits, and behind waiting large calls otherwise', async (t) => {
  const { queue, events } = recorded();
  void queue.write(small('s'));
  t.deepEqual(events, ['pack s', 'submit s'], 'at once (the coalescer merges it with its turn’s neighbours)');
  void queue.write(large('a'));
  void queue.write(small('t'));
  void queue.write(large('b'));
  t.deepEqual(events, ['pack s', 'submit s']);
  await turn();
  t.deepEqual(events.slice(2), ['pack a', 'submit a', 'pack t', 'submit t', 'send'], 'the small call right behind a large one goes with it, in order');
  await turn();
  t.deepEqual(events.slice(7), ['pack b', 'submit b', 'send']);
});

test('drain encodes and hands on everything waiting at once, in order', async (t) => {
  const { queue, events } = recorded();
  const done = [queue.write(large('a')), queue.write(small('s')), queue.write(large('b'))];
  queue.drain();
  t.deepEqual(events, ['pack a', 'submit a', 'pack s', 'submit s', 'pack b', 'submit b']);
  await turn();
  t.is(events.length, 6, 'the scheduled turn finds nothing left');
  t.is((await Promise.all(done)).length, 3);
});

test('a call that cannot be encoded fails alone; the calls after it go on', async (t) => {
  const { queue, events } = recorded({ failPack: 'bad' });
  const outcomes = Promise.allSettled([queue.write(large('a')), queue.write(large('bad')), queue.write(large('b'))]);
  await turn();
  await turn();
  await turn();
  const settled = await outcomes;
  t.deepEqual(settled.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
  t.true((settled[1] as PromiseRejectedResult).reason instanceof InvalidArgumentError);
  t.deepEqual(events.filter((e) => e.startsWith('pack')), ['pack a', 'pack b']);
});

/** A store actor in a temp directory, removed at teardown, and a client of it. */
async function storeActor(t: { teardown(fn: () => Promise<void>): void }): Promise<StoreClient> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-encode-queue-'));
  const sup = await Supervisor.start({ children: [storeChildSpec({ path: dir })], logLevel: 'silent' });
  t.teardown(async () => {
    await sup.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return new StoreClient(sup);
}

test('through the store actor: a write made right after a large writeEncoded is applied after it', async (t) => {
  const store = await storeActor(t);
  const creates = ops('p', 2 * DEFER_FROM);
  // Same turn: the creates wait for a turn of their own, the update and the delete must still come after them.
  const created = store.writeEncoded(creates);
  const updated = store.write([{ op: 'update', key: creates[0]!.key, value: { metadata: { name: 'p0' }, spec: 1 } }]);
  const deleted = store.writeEncoded([{ op: 'delete', key: creates[1]!.key }]);
  const [c, [u], [d]] = await Promise.all([created, updated, deleted]);
  t.true(c.every((r) => r.ok));
  t.true(u!.ok, `update after the creates: ${u!.ok ? '' : u!.code}`);
  t.true(d!.ok, `delete after the creates: ${d!.ok ? '' : d!.code}`);
  t.true(u!.ok && c[0]!.ok && u!.revision > c[0]!.revision);
  t.is(await store.get(creates[1]!.key), undefined);
  const bad = await t.throwsAsync(store.writeEncoded([...ops('q', DEFER_FROM), { op: 'create', key: 'not a key', value: {} }]));
  t.true(bad instanceof StoreError && bad.code === 'INVALID_ARGUMENT', String(bad));
});

test('writes of both reply forms made in one turn are sent in the order made (small runs of one form merge)', async (t) => {
  const sent: [string[], boolean][] = [];
  const c = new WriteCoalescer(async (calls, brief) => {
    sent.push([calls.map((op) => nameOf([op])), brief]);
    return calls.map((op, i): WriteResult => ({ ok: true, op: op.op, key: op.key, revision: i + 1, value: undefined, prevRevision: 0 }));
  });
  await Promise.all([c.write(small('a'), true), c.write(small('b'), true), c.write(small('w'), false), c.write(small('c'), true), c.write(large('L'), true), c.write(small('x'), false)]);
  t.deepEqual(sent, [
    [['a', 'b'], true],
    [['w'], false],
    [['c'], true],
    [Array.from({ length: DEFER_FROM }, () => 'L'), true],
    [['x'], false],
  ]);
});

test('through the store actor: batches written one after another into reused buffers all land whole', async (t) => {
  const store = await storeActor(t);
  const value = (b: number, i: number): Record<string, unknown> => ({ metadata: { name: `p${b}-${i}` }, spec: { b, i, pad: 'x'.repeat(300 + ((b * 7 + i) % 50)) } });
  const key = (b: number, i: number): string => `/registry/core/pods/reuse/p${b}-${i}`;
  // Two lanes, so that buffers are released and reused while other batches are in flight.
  await Promise.all(
    [0, 1].map(async (lane) => {
      for (let b = lane; b < 12; b += 2) {
        const results = await store.writeEncoded(Array.from({ length: 200 }, (_, i) => ({ op: 'create', key: key(b, i), value: value(b, i) })));
        t.true(results.every((r) => r.ok));
      }
    }),
  );
  const page = await store.range({ prefix: '/registry/core/pods/reuse/' });
  t.is(page.items.length, 12 * 200);
  for (const item of page.items) {
    const [b, i] = item.key.split('/').pop()!.slice(1).split('-').map(Number) as [number, number];
    const { metadata, ...rest } = item.value as { metadata: Record<string, unknown> };
    t.deepEqual({ metadata: { name: metadata['name'] }, ...rest }, value(b, i), item.key);
  }
});
