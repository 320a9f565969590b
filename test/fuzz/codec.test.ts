/**
 * The message path under random bytes: frames injected into the store's
 * and the api-server's hosts (supervisor.injectFrame) that are random
 * bytes, valid frames cut short, or valid frames with bits flipped. Every
 * frame that does not decode is dead-lettered (one letter each), nothing
 * crashes or restarts, and both actors keep answering. Sizes scale with
 * BERTH_FUZZ_RUNS.
 */
import test from 'ava';
import fc from 'fast-check';
import type { ApiStats } from '../../actors/api-server/messages.js';
import { createPackr, decodeFrame, encodeFrame, FrameError, seedStructures } from '../../lib/actor/codec.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { fuzzSeed, scaledRuns } from './scale.js';

const TARGETS = ['store', 'api-server'] as const;
const packr = createPackr(seedStructures());

/** Messages as the runtime sends them: [clock, to, from, reqId, body]. */
const validFrame = fc
  .record({
    to: fc.constantFrom(...TARGETS),
    reqId: fc.integer({ min: -5, max: 5 }),
    body: fc.oneof(
      fc.constant({ type: 'api.stats' }),
      fc.constant({ type: 'store.stats' }),
      fc.record({ type: fc.constantFrom('api.call', 'store.write', 'x'), payload: fc.jsonValue({ maxDepth: 3 }) }),
      fc.constant({ type: 'pod', metadata: { name: 'p', namespace: 'default', uid: 'u', resourceVersion: '1' }, spec: { containers: [{ name: 'c', image: 'i' }] } }),
    ),
  })
  .map((f) => encodeFrame(packr, [0, f.to, 'fuzz', f.reqId, f.body]));

/** True when the bytes are not a frame: the host must dead-letter them. */
function undecodable(bytes: Uint8Array): boolean {
  try {
    decodeFrame(packr, bytes);
    return false;
  } catch (err) {
    if (err instanceof FrameError) return true;
    throw err;
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

async function stillAnswering(c: TestCluster): Promise<void> {
  await c.sup.request<ApiStats>('api-server', { type: 'api.stats' }, { timeoutMs: 10_000 });
  await c.sup.request('store', { type: 'store.stats' }, { timeoutMs: 10_000 });
}

test('random and truncated frames are each dead-lettered; nothing crashes; the actors keep answering', async (t) => {
  const c = await startCluster(t);
  const events: string[] = [];
  c.sup.on('crash', (e: { address: string }) => events.push(`crash ${e.address}`));
  c.sup.on('restart', (e: { child: string }) => events.push(`restart ${e.child}`));
  const runs = scaledRuns(200);
  let injected = 0;
  const badFrame = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 300 }),
    fc.tuple(validFrame, fc.double({ min: 0, max: 1, noNaN: true })).map(([f, cut]) => f.subarray(0, Math.min(f.length - 1, Math.floor(f.length * cut)))),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...TARGETS), fc.array(badFrame, { minLength: 1, maxLength: 20 }), async (target, frames) => {
      const bad = frames.filter(undecodable);
      const before = c.sup.deadLetterCount;
      for (const f of bad) c.sup.injectFrame(target, f);
      injected += bad.length;
      const all = await waitFor(() => c.sup.deadLetterCount >= before + bad.length, 10_000);
      if (!all) throw new Error(`${bad.length} bad frames to ${target}, ${c.sup.deadLetterCount - before} dead letters`);
      await stillAnswering(c);
      if (c.sup.deadLetterCount !== before + bad.length) throw new Error(`${bad.length} bad frames, ${c.sup.deadLetterCount - before} dead letters`);
      if (events.length) throw new Error(events.join('; '));
    }),
    { numRuns: runs, seed: fuzzSeed(), includeErrorInReport: true },
  );
  t.true(injected > runs, `${injected} frames injected`);
  t.log(`${injected} undecodable frames, each dead-lettered`);
  t.deepEqual(events, []);
  for (const a of TARGETS) t.is((await c.sup.inspect(a).stats()).restarts, 0, a);
});

test('valid frames with flipped bits: dead-lettered or delivered, never a crash', async (t) => {
  const c = await startCluster(t);
  const events: string[] = [];
  c.sup.on('crash', (e: { address: string }) => events.push(`crash ${e.address}`));
  c.sup.on('restart', (e: { child: string }) => events.push(`restart ${e.child}`));
  const flipped = fc.tuple(validFrame, fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 })).map(([f, flips]) => {
    const out = Uint8Array.prototype.slice.call(f);
    for (const [at, bit] of flips) out[Math.min(out.length - 1, Math.floor(at * out.length))]! ^= 1 << bit;
    return out;
  });
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...TARGETS), fc.array(flipped, { minLength: 1, maxLength: 20 }), async (target, frames) => {
      for (const f of frames) c.sup.injectFrame(target, f);
      await stillAnswering(c);
      if (events.length) throw new Error(events.join('; '));
    }),
    { numRuns: scaledRuns(100), seed: fuzzSeed(), includeErrorInReport: true },
  );
  t.deepEqual(events, []);
  for (const a of TARGETS) t.is((await c.sup.inspect(a).stats()).restarts, 0, a);
});
