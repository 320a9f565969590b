/**
 * Question: how fast is the store, durably, through its actor, compared with
 * the ceiling of raw LMDB puts in one transaction on the same disk?
 *
 * - raw lmdb (ceiling): one transaction of Pod-sized puts (msgpack encoding
 *   included), awaited until durable;
 * - durable Pod creates/s through the store actor: batches of 500, 8 in flight,
 *   values encoded on the sending thread (writeEncoded, timed: straight into
 *   the op batch that travels, lib/store/op-batch.ts) so the store thread
 *   only checks the bytes and stores them in place; brief (compact) replies;
 *   the ratio to the ceiling both per round (median) and of the medians;
 * - CPU per write of both (process.cpuUsage over the phase: every thread of
 *   the process, so sender, store and LMDB's write thread together): the
 *   figure to compare on a shared machine, where rates are noisy;
 * - compare-and-swap updates/s through the actor (update with expectedRevision), the same way;
 * - range scan entries/s: in-process (the api-server's watch cache loads this
 *   way at start), and through the actor in pages of 500;
 * - live watch through actors: 10 watcher actors (one group, one host thread)
 *   each receive the 100,000 creates of a write run as store.events bytes;
 *   time from the first write to the last event, and the lag after the last ack;
 * - live fan-out in-process: 10 library watchers during 100,000 writes; the
 *   time spent in the hub's fan-out (stats().fanOutMs), not the write time;
 * - replay: 10 library watchers replaying the same 100,000 events from the log.
 *
 * Run: npm run bench (all), or: npm run build && node dist/bench/store.js [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { Packr } from 'msgpackr';
import { StoreClient } from '../actors/store/client.js';
import type { WaitReply } from './fixtures/store-watcher.js';
import { storeChildSpec } from '../actors/store/spec.js';
import { Supervisor } from '../lib/actor/supervisor.js';
import { openLmdbStore } from '../lib/store/index.js';
import type { WriteOp } from '../lib/store/types.js';
import { makePod } from './fixtures/pod.js';
import { Samples, log, printRows, type BenchRow } from './lib/report.js';

const bench = 'store';
const count = 100_000;
const batch = 500;
const inFlight = 8;
const rounds = 3;
const samples = new Samples(bench);
const sample = (kase: string, value: number, unit: string, metric?: string): void => samples.add(kase, value, unit, metric);
/** CPU time of the whole process (all threads) since `from`, in µs. */
const cpuMicros = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return d.user + d.system;
};
/** The ceiling of the current round, for the per-round ratio. */
let lastRawRate = NaN;

const watcherCount = 10;
const watcherModule = new URL('./fixtures/store-watcher.js', import.meta.url).href;
const watcherAddresses = Array.from({ length: watcherCount }, (_, i) => `watcher/${i}`);
const pods = Array.from({ length: 1_000 }, (_, i) => makePod(i));
const podKey = (round: number, i: number): string => `/registry/core/pods/bench-${round}/pod-${i}`;

async function rawCeiling(round: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-raw-'));
  const db = open({ path: dir, encoding: 'binary' });
  const packr = new Packr({ useRecords: false });
  const cpu = process.cpuUsage();
  const started = performance.now();
  await db.transaction(() => {
    for (let i = 0; i < count; i++) db.put(podKey(round, i), packr.pack(pods[i % pods.length]));
  });
  lastRawRate = (count * 1_000) / (performance.now() - started);
  sample('raw lmdb puts, one transaction (ceiling)', lastRawRate, 'writes/s');
  sample('raw lmdb puts: CPU per write, all threads', cpuMicros(cpu) / count, 'µs/write', 'cpu');
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Run `make(i)` batches with `inFlight` requests outstanding; returns ops/s. */
async function pump(total: number, send: (from: number, to: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      const from = next;
      next = Math.min(total, next + batch);
      await send(from, next);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return (total * 1_000) / (performance.now() - started);
}

async function throughActor(round: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-store-'));
  const sup = await Supervisor.start({
    children: [
      storeChildSpec({ path: dir, retainRevisions: 4 * count }),
      { id: 'watchers', group: watcherAddresses.map((address) => ({ address, module: watcherModule })) },
    ],
    logLevel: 'warn',
  });
  const store = new StoreClient(sup);
  const revisions = new Array<number>(count);
  const cpu = process.cpuUsage();
  const createRate = await pump(count, async (from, to) => {
    const ops: WriteOp[] = [];
    for (let i = from; i < to; i++) ops.push({ op: 'create', key: podKey(round, i), value: pods[i % pods.length] });
    const results = await store.writeEncoded(ops);
    results.forEach((r, j) => {
      if (!r.ok) throw new Error(`create failed: ${r.code}`);
      revisions[from + j] = r.revision;
    });
  });
  sample('durable Pod creates through the store actor', createRate, 'writes/s');
  sample('durable Pod creates through the store actor: CPU per write, all threads', cpuMicros(cpu) / count, 'µs/write', 'cpu');
  samples.add('actor creates / raw ceiling, per round', createRate / lastRawRate, 'x', 'ratio');
  const casCount = 20_000;
  const casRate = await pump(casCount, async (from, to) => {
    const ops: WriteOp[] = [];
    for (let i = from; i < to; i++) ops.push({ op: 'update', key: podKey(round, i), value: pods[(i + 1) % pods.length], expectedRevision: revisions[i] });
    for (const r of await store.writeEncoded(ops)) if (!r.ok) throw new Error(`CAS failed: ${r.code}`);
  });
  sample('compare-and-swap updates through the store actor', casRate, 'writes/s');
  await watchThroughActors(sup, store, round);
  let scanned = 0;
  let token: string | undefined;
  const scanStart = performance.now();
  do {
    const page = await store.range({ prefix: `/registry/core/pods/bench-${round}/`, limit: batch, continue: token });
    scanned += page.items.length;
    token = page.continue;
  } while (token);
  if (scanned !== count) throw new Error(`scanned ${scanned}`);
  sample('range scan through the store actor, pages of 500', (scanned * 1_000) / (performance.now() - scanStart), 'entries/s');
  await sup.stop();

  // In-process: the same directory, opened by the library directly.
  const lib = openLmdbStore({ path: dir, retainRevisions: 4 * count });
  const libStart = performance.now();
  const all = lib.rangeSync({ prefix: `/registry/core/pods/bench-${round}/` });
  sample('range scan in-process, one page', (all.items.length * 1_000) / (performance.now() - libStart), 'entries/s');

  // Live fan-out in-process: 10 watchers while 100,000 more Pods are written; hub time only.
  await liveInProcess(lib, round);

  // Watch replay: 10 watchers replay the 100,000 creates from the event log.
  const since = revisions[0]! - 1;
  const watchers = watcherCount;
  const got = new Array<number>(watchers).fill(0);
  const watchStart = performance.now();
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    for (let w = 0; w < watchers; w++) {
      lib.watchSync({
        prefix: `/registry/core/pods/bench-${round}/`,
        sinceRevision: since,
        onEvents: (events) => {
          got[w]! += events.length;
          if (got[w] === count && ++done === watchers) resolve();
        },
        onError: reject,
      });
    }
  });
  const watchMs = performance.now() - watchStart;
  sample('watch replay: 100,000 events to each of 10 watchers', watchMs, 'ms');
  sample('watch replay, all watchers', (watchers * count * 1_000) / watchMs, 'events/s');
  await lib.close();
  rmSync(dir, { recursive: true, force: true });
}

/** 10 watcher actors on one host thread receive the live events of 100,000 encoded creates. */
async function watchThroughActors(sup: Supervisor, store: StoreClient, round: number): Promise<void> {
  const prefix = `/registry/core/pods/live-${round}/`;
  await Promise.all(watcherAddresses.map((w) => sup.request(w, { type: 'bench.watch', prefix })));
  const fanOutBefore = (await store.stats()).fanOutMs;
  const wait = { type: 'bench.wait', count };
  const waits = watcherAddresses.map((w) => sup.request<WaitReply>(w, wait, { timeoutMs: 120_000 }));
  const started = performance.timeOrigin + performance.now();
  await pump(count, async (from, to) => {
    const ops: WriteOp[] = [];
    for (let i = from; i < to; i++) ops.push({ op: 'create', key: `${prefix}pod-${i}`, value: pods[i % pods.length] });
    for (const r of await store.writeEncoded(ops)) if (!r.ok) throw new Error(`create failed: ${r.code}`);
  });
  const acked = performance.timeOrigin + performance.now();
  const replies = await Promise.all(waits);
  const done = Math.max(...replies.map((r) => r.lastAt));
  if (replies.some((r) => r.seen !== count)) throw new Error(`watchers saw ${replies.map((r) => r.seen).join(',')}`);
  const fanOut = (await store.stats()).fanOutMs - fanOutBefore;
  sample('live watch through actors: 100,000 events to each of 10 watcher actors', done - started, 'ms');
  sample('live watch through actors, all watchers', (watcherCount * count * 1_000) / (done - started), 'events/s');
  sample('live watch through actors: last event after the last write ack', Math.max(0, done - acked), 'ms');
  sample('live watch through actors: store-thread fan-out time', fanOut, 'ms');
  await Promise.all(watcherAddresses.map((w) => sup.request(w, { type: 'bench.unwatch' })));
}

/** 10 in-process watchers, live, during 100,000 object writes: the time spent in the hub's fan-out. */
async function liveInProcess(lib: ReturnType<typeof openLmdbStore>, round: number): Promise<void> {
  const prefix = `/registry/core/pods/inproc-${round}/`;
  const got = new Array<number>(watcherCount).fill(0);
  const watches = got.map((_, w) => lib.watchSync({ prefix, onEvents: (events) => void (got[w]! += events.length) }));
  const before = lib.stats().fanOutMs;
  await pump(count, async (from, to) => {
    const ops: WriteOp[] = [];
    for (let i = from; i < to; i++) ops.push({ op: 'create', key: `${prefix}pod-${i}`, value: pods[i % pods.length] });
    await lib.write(ops, { brief: true });
  });
  const ms = lib.stats().fanOutMs - before;
  if (got.some((n) => n !== count)) throw new Error(`in-process watchers saw ${got.join(',')}`);
  for (const w of watches) w.cancel();
  sample('live fan-out in-process: 100,000 events to each of 10 watchers (hub time)', ms, 'ms');
  sample('live fan-out in-process, all watchers', (watcherCount * count * 1_000) / ms, 'events/s');
}

log(`${bench}: durable writes, CAS, scans and watch fan-out (${count.toLocaleString('en-US')} Pods; median of ${rounds} interleaved rounds)`);
for (let round = 0; round < rounds; round++) {
  await rawCeiling(round);
  await throughActor(round);
}
const rows: BenchRow[] = samples.rows();
const value = (kase: string): number => rows.find((r) => r.case === kase)!.value;
rows.push({
  bench,
  case: 'actor creates / raw ceiling',
  metric: 'ratio',
  value: value('durable Pod creates through the store actor') / value('raw lmdb puts, one transaction (ceiling)'),
  unit: 'x',
});
printRows(rows);
