/**
 * Question: how many messages per second go from one actor to another on a
 * different thread, and with what latency, compared with raw postMessage?
 *
 * Throughput: an actor sends a burst to an actor on another thread, which
 * counts it; the figure is burst size / median burst time. Cases: batched
 * over direct ports, batched and relayed by the supervisor, unbatched; small
 * messages and ~1.5 KB Pod objects. Baseline, same run: two bare workers posting
 * plain objects one by one over a MessageChannel.
 * Latency: sequential request/reply round trips, actor to actor (p50/p99).
 * Where a Pod burst's time goes: one frame of 1,024 Pods encoded on the main
 * thread by msgpackr's pack (what the codec used before) and by encodeFrame
 * (the frame writer, lib/actor/codec-writer.ts), per Pod.
 *
 * Run: npm run bench (all), or: npm run build && node dist/bench/actor-messaging.js [--json]
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { createPackr, encodeFrame, seedStructures } from '../lib/actor/codec.js';
import { Supervisor, type SupervisorOptions } from '../lib/actor/supervisor.js';
import type { Message } from '../lib/actor/types.js';
import { makePod } from './fixtures/pod.js';
import { Samples, log, percentile, printRows, ratePerSecond, type BenchRow } from './lib/report.js';

/** --quick (`berth bench --quick`, tests): one short round with small bursts; figures are rough. */
const quick = process.argv.includes('--quick');
const burst = quick ? ({ small: 5_000, pod: 1_000 } as const) : ({ small: 50_000, pod: 10_000 } as const);
const berthPayloads = ['small', 'pod'] as const;
const rttCount = quick ? 200 : 2_000;
const actorsModule = new URL('./fixtures/messaging-actors.js', import.meta.url).href;
const rawWorkerUrl = new URL('./fixtures/raw-worker.js', import.meta.url);
const rounds = quick ? 1 : 3;
const bench = 'actor-messaging';
/** Every case is measured once per round, rounds interleaved, so that noise hits baseline and Berth alike; rows report the median over rounds. */
const samples = new Samples(bench);
const row = (kase: string, metric: string, value: number, unit: string): void => samples.add(kase, value, unit, metric);

async function rawBaseline(): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const producer = new Worker(rawWorkerUrl, { workerData: { role: 'producer', port: port1 }, transferList: [port1] });
  const consumer = new Worker(rawWorkerUrl, { workerData: { role: 'consumer', port: port2 }, transferList: [port2] });
  const next = <T>(w: Worker): Promise<T> => new Promise((resolve) => w.once('message', resolve));
  const b = new Bench(quick ? { time: 0, iterations: 2, warmup: false } : { time: 500, iterations: 5 });
  for (const payload of ['small', 'pod'] as const) {
    b.add(`raw postMessage, unbatched, ${payload}`, async () => {
      const done = next<number>(consumer);
      producer.postMessage({ n: burst[payload], payload });
      if ((await done) !== burst[payload]) throw new Error('raw baseline lost messages');
    });
  }
  await b.run();
  for (const [i, payload] of (['small', 'pod'] as const).entries()) {
    row(b.tasks[i]!.name, 'messages/s', ratePerSecond(resultOf(b, i).latency, burst[payload]), 'msg/s');
  }
  const rttDone = next<number[]>(producer);
  producer.postMessage({ n: rttCount, payload: 'rtt' });
  const rtts = (await rttDone).sort((a, c) => a - c);
  row('raw postMessage round trip', 'p50', percentile(rtts, 50) * 1_000, 'µs');
  row('raw postMessage round trip', 'p99', percentile(rtts, 99) * 1_000, 'µs');
  await producer.terminate();
  await consumer.terminate();
}

async function berthCase(label: string, options: Pick<SupervisorOptions, 'routing' | 'batch'>): Promise<void> {
  const sup = await Supervisor.start({
    ...options,
    children: [
      { id: 'producer', module: actorsModule, export: 'producer' },
      { id: 'consumer', module: actorsModule, export: 'consumer' },
    ],
    logLevel: 'warn',
  });
  const done = (): Promise<number> =>
    new Promise((resolve) => {
      const on = (m: Message & { count?: number }): void => {
        if (m.type !== 'bench.done') return;
        sup.off('message', on);
        resolve(m.count ?? -1);
      };
      sup.on('message', on);
    });
  const b = new Bench(quick ? { time: 0, iterations: 2, warmup: false } : { time: 500, iterations: 5 });
  for (const payload of berthPayloads) {
    b.add(`berth ${label}, ${payload}`, async () => {
      const finished = done();
      await sup.request('producer', { type: 'bench.burst', to: 'consumer', n: burst[payload], payload } as Message, { timeoutMs: 120_000 });
      const count = await finished;
      if (count !== burst[payload]) throw new Error(`lost messages: ${count} of ${burst[payload]}`);
    });
  }
  await b.run();
  for (const [i, payload] of berthPayloads.entries()) {
    row(b.tasks[i]!.name, 'messages/s', ratePerSecond(resultOf(b, i).latency, burst[payload]), 'msg/s');
  }
  const rtts = (await sup.request<number[]>('producer', { type: 'bench.rtt', to: 'consumer', n: rttCount } as Message, { timeoutMs: 120_000 })).sort((a, c) => a - c);
  row(`berth ${label} round trip`, 'p50', percentile(rtts, 50) * 1_000, 'µs');
  row(`berth ${label} round trip`, 'p99', percentile(rtts, 99) * 1_000, 'µs');
  await sup.stop();
}

/** The sender's main cost for Pods, alone on one thread: encoding a full frame (1,024 envelopes, the batch limit). */
async function encodeCost(): Promise<void> {
  const packr = createPackr(seedStructures());
  const frame: unknown[] = [0];
  for (let i = 0; i < 1_024; i++) frame.push('consumer', 'producer', 0, { type: 'bench.pod', payload: makePod(i) });
  const b = new Bench(quick ? { time: 0, iterations: 2, warmup: false } : { time: 300, iterations: 10 });
  b.add('encode a frame of Pods, msgpackr pack + copy', () => {
    Uint8Array.prototype.slice.call(packr.pack(frame));
  });
  b.add('encode a frame of Pods, encodeFrame (frame writer)', () => {
    encodeFrame(packr, frame);
  });
  await b.run();
  for (const [i, task] of b.tasks.entries()) row(task.name, 'per Pod', (resultOf(b, i).latency.p50 * 1_000) / 1_024, 'µs');
}

function resultOf(b: Bench, i: number): { latency: import('tinybench').Statistics } {
  const r = b.tasks[i]!.result;
  if (r.state !== 'completed') throw new Error(`${b.tasks[i]!.name}: ${r.state}${'error' in r ? `: ${String(r.error)}` : ''}`);
  return r;
}

log(`${bench}: actor to actor across threads (burst ${burst.small} small / ${burst.pod} Pod messages; median of ${rounds} interleaved rounds)`);
for (let round = 0; round < rounds; round++) {
  await rawBaseline();
  await berthCase('batched, direct ports', { routing: 'direct', batch: true });
  await berthCase('batched, relayed by supervisor', { routing: 'relay', batch: true });
  await berthCase('unbatched, direct ports', { routing: 'direct', batch: false });
  await encodeCost();
}

const rows: BenchRow[] = samples.rows();
const rate = (name: string): number => rows.find((r) => r.case === name && r.metric === 'messages/s')!.value;
for (const payload of berthPayloads) {
  const ratio = rate(`berth batched, direct ports, ${payload}`) / rate(`raw postMessage, unbatched, ${payload}`);
  rows.push({ bench, case: `batched direct / raw postMessage, ${payload}`, metric: 'ratio', value: ratio, unit: 'x' });
}
printRows(rows);
