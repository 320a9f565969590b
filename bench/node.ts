/**
 * Question: how much memory does one simulated node and one simulated pod
 * cost in a node-host thread, and how many pod starts per second does one
 * thread drive?
 *
 * 1,000 Kubelets (the actor's logic, without the actor shell) in this
 * thread over a fake transport that answers at once (no api-server: its cost
 * is the api bench's question); then 10,000 pods (10 per node) arrive on
 * their watches and are driven to Running and Ready (pull 1 s, start 0.5 s,
 * readiness 1 s) by firing the kubelets' timers in time order. That is one
 * round; the pods are then deleted (DELETED events, not measured) and the
 * next round starts 10,000 new ones: the figures are the rounds' medians (3
 * with --quick, else 5), as one round of about a second swings with the
 * machine's other work. Heap is measured after a forced GC, after the first
 * round: nodes registered vs none, pods running vs none. Per pod includes
 * the informer's cached Pod object (the largest part).
 *
 * The fake API does what the api-server does with each status write: the
 * kubelet's strategic merge patch is applied to the stored pod (a new
 * object, new resourceVersion), the result is encoded in the records
 * encoding the api-server sends in-process watchers (its ObjectCodec) and
 * reaches the kubelet's informer as a MODIFIED watch event before the write
 * is answered (the api-server waits for its watch cache); the answer is
 * brief. Pods arrive the same way, as ADDED events. Pods carry the
 * managedFields the api-server keeps (the ReplicaSet controller's entry):
 * the node's decoder skips over them in the bytes, as the kubelet actor's
 * transport does (its informer would drop them).
 *
 * Whose work is whose. In the real system encoding the kubelet's requests
 * into frames (the actor runtime's codec), unframing the answers and the
 * watch notices, decoding the events (ItemsDecoder, as InProcessTransport
 * does), the informer and the kubelet run on the node-host thread;
 * unframing the requests, applying patches, building the new objects,
 * encoding and framing them run on the api-server's thread. (Not modelled:
 * the runtime's mailboxes, request bookkeeping and postMessage on either
 * side.) This bench runs both in
 * one thread, so the fake api-server's sections are timed apart (wall
 * time; process.cpuUsage per section would cost more than it measures) and
 * reported on their own line ("the fake api-server's share"). The headline
 * figures are the node-host thread's share: wall time less those sections,
 * and the thread's CPU time (Linux schedstat: this thread alone, not V8's
 * GC helper and compiler threads) less the same fraction of it. GC pauses
 * are reported for the whole thread (both shares' garbage: no split is
 * honest there).
 *
 * Baseline in the same run: the same input pods and status patches through
 * the same fake API into bare informers that cache as the kubelet's does,
 * without kubelets (floorCpu): the node-host share of a pod start that is
 * not the kubelet's (decoding, the informer's cache).
 *
 * Then the process runtime (bench/node-process.ts): time from a pod bound
 * to its container running, beside child_process.spawn of the same program.
 *
 * Run: npm run build && node --expose-gc dist/bench/node.js [--json]
 * (without --expose-gc it re-execs itself with it)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import type { ApiRequest } from '../actors/api-server/messages.js';
import { Kubelet, type KubeletHost } from '../actors/node/kubelet.js';
import type { KubeletMessage } from '../actors/node/messages.js';
import { nodeSettings } from '../actors/node/settings.js';
import type { Pod } from '../lib/api/types/pod.js';
import { admitPod, advance } from '../actors/node/pod-state.js';
import { statusDiff } from '../actors/node/status-diff.js';
import { pods } from '../lib/api/resources/index.js';
import { ApiClient } from '../lib/client/client.js';
import { Informer } from '../lib/client/informer.js';
import { trimDecoded } from '../lib/client/trim.js';
import { FakeClock } from '../lib/client/fake-clock.js';
import type { ObjectCache } from '../lib/client/object-cache.js';
import { apiSide, apiStart, applyStatusPatch, FakeTransport, MANAGED_FIELDS, resetCodec } from './fixtures/node-fake-api.js';
import { log, median, printRows, type BenchRow } from './lib/report.js';
import { processRuntimeRows } from './node-process.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const bench = 'node';
const NODES = 1_000;
/** The pod starts are measured this many times (10,000 pods each, deleted after); the figures are the rounds' medians. */
const ROUNDS = process.argv.includes('--quick') ? 3 : 5;
const PODS_PER_NODE = 10;

interface Entry {
  readonly k: Kubelet;
  readonly msg: KubeletMessage;
  readonly id: number;
}

/** Every kubelet's timers, fired in time order (ties in the order set). */
class Timers {
  now = 0;
  private next = 1;
  private readonly buckets = new Map<number, Entry[]>();
  private readonly cancelled = new Set<number>();
  fired = 0;

  host(k: () => Kubelet): KubeletHost {
    return {
      now: () => this.now,
      setTimer: (ms, msg) => {
        const id = this.next++;
        // Heartbeats and the eviction manager's period are left out: the question is pods.
        if (msg.type === 'kubelet.lease' || msg.type === 'kubelet.status' || msg.type === 'kubelet.eviction') return id;
        const at = this.now + Math.max(0, ms);
        let b = this.buckets.get(at);
        if (!b) this.buckets.set(at, (b = []));
        b.push({ k: k(), msg, id });
        return id;
      },
      cancelTimer: (id) => void this.cancelled.add(id),
      track: (w) => w,
      warn: (msg, fields) => log(`warn: ${msg} ${JSON.stringify(fields)}`),
      // Events come through the records decoder, as InProcessTransport's (actor.ts says the same).
      decodedStrings: true,
    };
  }

  async drain(): Promise<void> {
    while (this.buckets.size > 0) {
      const at = Math.min(...this.buckets.keys());
      const b = this.buckets.get(at)!;
      this.buckets.delete(at);
      this.now = at;
      for (const e of b) {
        if (this.cancelled.delete(e.id)) continue;
        this.fired++;
        if (e.msg.type === 'kubelet.pods') e.k.onPodsTimer(e.msg.at);
        else if (e.msg.type === 'kubelet.flush') e.k.onFlush();
      }
      // Let the fake batches answer (they resolve at once) before the next instant.
      for (let i = 0; i < 4; i++) await Promise.resolve();
    }
  }
}

/** A pod as the api-server stores it after defaulting and binding: pod `i` of node `n` in round `round`. */
function pod(n: number, i: number, round: number): Pod {
  const node = `node-${n}`;
  const name = `web-7d4b9c8f5-${node}-${i}-r${round}`;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: `00000000-${String(round).padStart(4, '0')}-4000-8000-${String(n * PODS_PER_NODE + i).padStart(12, '0')}`, resourceVersion: String(100 + i),
      creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'web', 'pod-template-hash': '7d4b9c8f5' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c8f5', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
      managedFields: MANAGED_FIELDS,
    },
    spec: {
      nodeName: node, restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
      containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '128Mi' } }, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
    },
    status: { phase: 'Pending', qosClass: 'Burstable', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  };
}

/** A node's pods of one round, as the api-server has them (its thread's work). */
function podsOf(n: number, round: number): Pod[] {
  return Array.from({ length: PODS_PER_NODE }, (_, i) => pod(n, i, round));
}

/** The round's pods are deleted (DELETED events: records, timers and IPs go), outside the measured windows. */
function deleteRound(ts: readonly FakeTransport[], round: number): void {
  for (let n = 0; n < ts.length; n++) ts[n]!.deliver('DELETED', podsOf(n, round));
}

/**
 * The same work without kubelets, in the same run: the same input pods and
 * the same status patches (made beforehand with the kubelet's own status
 * code for the same latencies, outside the measured window) through the same
 * fake API into bare informers that cache as the kubelet's does. What a pod
 * start costs this thread before any kubelet work: the floor under the
 * figure above. CPU milliseconds of the node-host share, per round.
 */
async function floorCpu(): Promise<number[]> {
  const ts: FakeTransport[] = [];
  for (let n = 0; n < NODES; n++) {
    const t = new FakeTransport(`node-${n}`);
    // The kubelet's informer as actors/node/actor.ts has it (records-decoded events).
    const informer = new Informer<Pod>(new ApiClient(t), pods, { clock: new FakeClock(), fieldSelector: `spec.nodeName=node-${n}`, transform: trimDecoded });
    informer.addHandlers({ onAdd: () => undefined, onUpdate: () => undefined });
    t.current = (ns, podName) => informer.store.getByName(ns, podName);
    informer.start();
    await informer.waitForSync();
    ts.push(t);
  }
  const out: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const waves: ApiRequest[][][] = [[], [], []];
    for (let n = 0; n < NODES; n++) {
      const s = nodeSettings(`node-${n}`, { index: n, sim });
      const env = { imageReadyAt: (_image: string, at: number, ms: number) => at + ms };
      for (const w of waves) w.push([]);
      for (const [i, input] of podsOf(n, round).entries()) {
        const name = input.metadata.name!;
        const rec = admitPod({ key: `default/${name}`, namespace: 'default', name, uid: input.metadata.uid!, initContainers: [], containers: input.spec!.containers }, sim, s.cidr.base + 2 + i, 0, env);
        let shown = input.status!;
        [0, 1_500, 2_500].forEach((at, w) => {
          advance(rec, at, env);
          const patch = statusDiff(rec, shown, s.internalIP, 'berth-sim');
          if (!patch) throw new Error(`no write at ${at} ms`);
          shown = applyStatusPatch(shown, patch);
          waves[w]![n]!.push({ verb: 'patch', group: '', version: 'v1', resource: 'pods', namespace: 'default', name, subresource: 'status', patchType: 'strategic', body: { status: patch }, query: { fieldManager: 'kubelet' } });
        });
      }
    }
    heap();
    const c0 = cpuMsNow();
    const w0 = performance.now();
    const api0 = apiSide.ms;
    for (let n = 0; n < NODES; n++) {
      const t0 = apiStart();
      ts[n]!.deliver('ADDED', podsOf(n, round), t0);
    }
    for (const w of waves) {
      for (let n = 0; n < NODES; n++) await ts[n]!.batch(w[n]!);
    }
    out.push((cpuMsNow() - c0) * (1 - (apiSide.ms - api0) / (performance.now() - w0)));
    deleteRound(ts, round);
  }
  return out;
}

/**
 * CPU milliseconds of this thread alone where Linux says (schedstat, in ns):
 * the process's CPU time also counts V8's GC helper and compiler threads,
 * which on a busy machine swing from run to run. Elsewhere the process's.
 */
const threadCpu = existsSync('/proc/thread-self/schedstat');
function cpuMsNow(): number {
  if (threadCpu) return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

function heap(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const timers = new Timers();
const sim = { pullMs: 1_000, startMs: 500, readyDelayMs: 1_000 };
const nodes: { k: Kubelet; t: FakeTransport; name: string }[] = [];

const h0 = heap();
for (let n = 0; n < NODES; n++) {
  const name = `node-${n}`;
  const t = new FakeTransport(name);
  let k!: Kubelet;
  k = new Kubelet(nodeSettings(name, { index: n, sim }), new ApiClient(t), new FakeClock(), timers.host(() => k));
  t.current = (ns, podName) => k.informer.store.getByName(ns, podName);
  if (n === 0) t.bodyBytes = 0;
  nodes.push({ k, t, name });
  await k.start();
  await k.waitForReady();
}
const h1 = heap();

/** Per round: the node-host share of CPU and wall, the fake api-server's CPU, the whole wall time and the GC pauses in it, in ms. */
const perRound: { nodeCpuMs: number; nodeWallMs: number; apiMs: number; wallMs: number; gcMs: number }[] = [];
/** GC pauses of this thread (start, duration), to tell how much of a round they took (both shares' garbage). */
const pauses: [number, number][] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push([e.startTime, e.duration]);
});
gcObserver.observe({ entryTypes: ['gc'] });
const pausedIn = (from: number, to: number): number => pauses.reduce((sum, [at, ms]) => (at >= from && at < to ? sum + ms : sum), 0);
let h2 = 0;
let h3 = 0;
let running = 0;
for (let round = 0; round < ROUNDS; round++) {
  if (round > 0) heap();
  const api0 = apiSide.ms;
  const started = performance.now();
  const cpu0 = cpuMsNow();
  for (let n = 0; n < NODES; n++) {
    // The api-server's pods (its thread's work, timed apart), decoded here from the watch frame.
    const t0 = apiStart();
    nodes[n]!.t.deliver('ADDED', podsOf(n, round), t0);
  }
  await timers.drain();
  const wallMs = performance.now() - started;
  // On a machine shared with other work the wall figure swings (waits for a core); this thread's CPU time does much less.
  const cpuMs = cpuMsNow() - cpu0;
  const apiWallMs = apiSide.ms - api0;
  // The node-host thread's share: the fake api-server's work is the api-server thread's in the real system.
  const apiMs = cpuMs * (apiWallMs / wallMs);
  // GC entries are delivered later, from a timer turn.
  await new Promise((resolve) => setTimeout(resolve, 20));
  perRound.push({ nodeCpuMs: cpuMs - apiMs, nodeWallMs: wallMs - apiWallMs, apiMs, wallMs, gcMs: pausedIn(started, started + wallMs) });
  running = nodes.reduce((s, x) => s + x.k.stats().running, 0);
  if (running !== NODES * PODS_PER_NODE) throw new Error(`round ${round}: only ${running} pods running`);
  // What the API shows: every write reached it.
  for (const x of nodes) {
    for (const p of x.k.informer.store.list()) {
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      const c = p.status?.containerStatuses?.[0];
      if (p.status?.phase !== 'Running' || ready !== 'True' || !c?.ready || !c.state?.running || !p.status.podIP) throw new Error(`${p.metadata.name}: the API shows ${JSON.stringify(p.status)}`);
    }
  }
  if (round === 0) {
    // The fake api-server's tables (what it remembers of strings it wrote) are not this thread's: a new one from here.
    resetCodec();
    h2 = heap();
    // The kubelets' own records without the informer caches' Pod objects (the deletions below need only the keys).
    for (const x of nodes) {
      const cache = x.k.informer.store as ObjectCache<Pod>;
      for (const key of cache.keys()) cache.delete(key);
    }
    h3 = heap();
  }
  deleteRound(nodes.map((x) => x.t), round);
  await timers.drain();
  if (nodes.some((x) => x.k.stats().pods > 0)) throw new Error(`round ${round}: pods left after their deletion`);
}
const writes = nodes.reduce((s, x) => s + x.t.writes, 0) / ROUNDS;
const mid = (f: (r: (typeof perRound)[number]) => number): number => median(perRound.map(f));
const nodeCpuMs = mid((r) => r.nodeCpuMs);
const nodeWallMs = mid((r) => r.nodeWallMs);
const apiMs = mid((r) => r.apiMs);
const wallMs = mid((r) => r.wallMs);
const gcMs = mid((r) => r.gcMs);
gcObserver.disconnect();

log(`${NODES} nodes, ${running} pods Ready in each of ${ROUNDS} rounds; ${timers.fired} timers, ${writes} status writes a round; medians of the rounds below`);
log(`node-host share per round, µs a pod start: CPU ${perRound.map((r) => Math.round((r.nodeCpuMs * 1000) / (NODES * PODS_PER_NODE))).join(' ')}; wall ${perRound.map((r) => Math.round((r.nodeWallMs * 1000) / (NODES * PODS_PER_NODE))).join(' ')}`);
const bodyMean = nodes[0]!.t.bodyBytes! / nodes[0]!.t.writes;
nodes.length = 0;
const floorRounds = await floorCpu();
const floorCpuMs = median(floorRounds);
log(`baseline without kubelets: ${floorRounds.map((ms) => Math.round(ms)).join(' ')} ms CPU (node-host share) for the same ${NODES * PODS_PER_NODE} pods and writes, by round`);
const rows: BenchRow[] = [
  { bench, case: `${NODES} nodes`, metric: 'heap per node', value: (h1 - h0) / NODES, unit: 'B' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'heap per pod (incl. informer cache)', value: (h2 - h1) / (NODES * PODS_PER_NODE), unit: 'B' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'of which the kubelet\'s own records', value: (h3 - h1) / (NODES * PODS_PER_NODE), unit: 'B' },
  // The headline: what one node-host thread does per pod start, the fake api-server's work (its own thread's, in the real system) taken out.
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'pod starts per second, node-host thread (wall, fake api-server apart)', value: (NODES * PODS_PER_NODE) / (nodeWallMs / 1000), unit: 'pods/s' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: `pod starts per CPU second, node-host share (${threadCpu ? 'this thread' : 'the process, GC and JIT threads too'})`, value: (NODES * PODS_PER_NODE) / (nodeCpuMs / 1000), unit: 'pods/s' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'CPU per pod start, node-host share', value: (nodeCpuMs * 1000) / (NODES * PODS_PER_NODE), unit: 'µs' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'baseline: the same without kubelets (decoding, informer), node-host share', value: (floorCpuMs * 1000) / (NODES * PODS_PER_NODE), unit: 'µs' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'the fake api-server\'s share, measured apart (patches, objects, encoding)', value: (apiMs * 1000) / (NODES * PODS_PER_NODE), unit: 'µs' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'GC pauses per pod start, this thread (both shares\' garbage)', value: (gcMs * 1000) / (NODES * PODS_PER_NODE), unit: 'µs' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'pod starts per second, whole run (both shares, one thread)', value: (NODES * PODS_PER_NODE) / (wallMs / 1000), unit: 'pods/s' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'status writes per pod start', value: writes / (NODES * PODS_PER_NODE), unit: '' },
  { bench, case: `${PODS_PER_NODE} pods of one node`, metric: 'status write body, mean (JSON)', value: bodyMean, unit: 'B' },
  { bench, case: '5,000 nodes + 150,000 pods', metric: 'projected heap', value: ((h1 - h0) / NODES * 5_000 + (h2 - h1) / (NODES * PODS_PER_NODE) * 150_000) / 2 ** 20, unit: 'MiB' },
];
// The process runtime: bound -> running beside a plain spawn of the same program (bench/node-process.ts).
rows.push(...(await processRuntimeRows(bench, process.argv.includes('--quick') ? 8 : 40)));
printRows(rows);
