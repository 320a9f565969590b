/**
 * Question: how much memory does one simulated node and one simulated pod
 * cost in a node-host thread, and how many pod starts per second does one
 * thread drive?
 *
 * 1,000 Kubelets (the actor's logic, without the actor shell) in this
 * thread over a fake transport that answers at once (no api-server: its cost
 * is the api bench's question); then 10,000 pods (10 per node) arrive on
 * their watches and are driven to Running and Ready (pull 1 s, start 0.5 s,
 * readiness 1 s) by firing the kubelets' timers in time order. Heap is
 * measured after a forced GC: nodes registered vs none, pods running vs none.
 * Per pod includes the informer's cached Pod object (the largest part).
 *
 * The fake API does what the api-server does with each status write: the
 * kubelet's strategic merge patch is applied to the stored pod (a new
 * object, new resourceVersion; unchanged parts shared, as a decoded watch
 * frame would not share them but would cost the api-server's thread, not
 * this one), the result goes to the kubelet's informer as a MODIFIED watch
 * event before the write is answered (the api-server waits for its watch
 * cache), and the answer is brief. At the end every pod must show Running
 * and Ready in the informer's copy.
 *
 * Baseline in the same run: the same input pods and status patches through
 * the same fake API into bare informers, without kubelets (floorCpu): the
 * part of a pod start that is not the kubelet's.
 *
 * Then the process runtime (bench/node-process.ts): time from a pod bound
 * to its container running, beside child_process.spawn of the same program.
 *
 * Run: npm run build && node --expose-gc dist/bench/node.js [--json]
 * (without --expose-gc it re-execs itself with it)
 */
import { spawnSync } from 'node:child_process';
import type { ApiRequest, ApiResponse } from '../actors/api-server/messages.js';
import { Kubelet, type KubeletHost } from '../actors/node/kubelet.js';
import type { KubeletMessage } from '../actors/node/messages.js';
import { nodeSettings } from '../actors/node/settings.js';
import type { Pod, PodStatus } from '../lib/api/types/pod.js';
import { admitPod, advance } from '../actors/node/pod-state.js';
import { statusDiff } from '../actors/node/status-diff.js';
import { pods } from '../lib/api/resources/index.js';
import { ApiClient } from '../lib/client/client.js';
import { Informer } from '../lib/client/informer.js';
import { trimForCache } from '../lib/client/trim.js';
import { FakeClock } from '../lib/client/fake-clock.js';
import type { ObjectCache } from '../lib/client/object-cache.js';
import type { Transport, TransportWatchHandlers } from '../lib/client/types.js';
import { log, printRows, type BenchRow } from './lib/report.js';
import { processRuntimeRows } from './node-process.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const bench = 'node';
const NODES = 1_000;
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

/** The api-server's revision counter (one store for every fake). */
let revision = 1_000_000;

/** Answers everything at once: lists are empty, watches stay open and are fed by hand. */
class FakeTransport implements Transport {
  handlers: TransportWatchHandlers | null = null;
  writes = 0;
  /** JSON bytes of the status write bodies, counted on one node only (stringifying is not the kubelet's cost). */
  bodyBytes: number | null = null;
  call(req: ApiRequest): Promise<ApiResponse> {
    if (req.verb === 'list') return Promise.resolve({ code: 200, body: { metadata: { resourceVersion: '1' }, items: [] } });
    return Promise.resolve({ code: 200, body: (req.body ?? {}) as Record<string, unknown> });
  }
  /** Status patches are applied and come back on the watch as MODIFIED, before the answer, as from the api-server. */
  batch(reqs: readonly ApiRequest[]): Promise<ApiResponse[]> {
    this.writes += reqs.length;
    if (this.bodyBytes !== null) for (const r of reqs) this.bodyBytes += JSON.stringify(r.body).length;
    const events: Parameters<TransportWatchHandlers['onEvents']>[0][number][] = [];
    const out: ApiResponse[] = [];
    for (const r of reqs) {
      const cur = this.current?.(r.namespace ?? '', r.name ?? '');
      if (!cur || r.subresource !== 'status' || r.patchType !== 'strategic') throw new Error(`unexpected request ${r.verb} ${r.name} ${r.patchType}`);
      const resourceVersion = String(++revision);
      const object: Pod = { ...cur, metadata: { ...cur.metadata, resourceVersion }, status: applyStatusPatch(cur.status ?? {}, (r.body as { status: Json }).status) };
      events.push({ type: 'MODIFIED' as const, object });
      out.push({ code: 200, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: r.name, namespace: r.namespace, uid: cur.metadata.uid, resourceVersion } } });
    }
    this.handlers?.onEvents(events);
    return Promise.resolve(out);
  }
  current: ((namespace: string, name: string) => Readonly<Pod> | undefined) | null = null;
  watch(_req: ApiRequest, h: TransportWatchHandlers): Promise<{ stop(): void }> {
    this.handlers = h;
    return Promise.resolve({ stop: () => undefined });
  }
  close(): void {}
}

type Json = Record<string, unknown>;

/**
 * A strategic merge patch of a pod status, as the api-server applies it
 * (lib/api/patch/strategic.ts) for what the kubelet sends: null deletes;
 * conditions merge by type, podIPs and hostIPs by ip; other lists are
 * replaced; `$setElementOrder/conditions` orders the conditions (every one
 * named in this bench). Unchanged parts are shared with the old status.
 */
function applyStatusPatch(cur: Readonly<PodStatus>, patch: Json): PodStatus {
  const out = mergeMap(cur as Json, patch);
  for (const k in patch) {
    const v = patch[k];
    if (k === 'conditions') out[k] = mergeByKey((cur.conditions ?? []) as unknown as Json[], v as Json[], 'type', patch['$setElementOrder/conditions'] as Json[] | undefined);
    else if (k === 'podIPs' || k === 'hostIPs') out[k] = mergeByKey((cur[k] ?? []) as Json[], v as Json[], 'ip', undefined);
  }
  return out as PodStatus;
}

/** One map merged: the old fields the patch does not delete, then the patch's (directives aside). Built anew, as decoded. */
function mergeMap(old: Json, patch: Json): Json {
  const out: Json = {};
  for (const f in old) if (patch[f] !== null) out[f] = old[f];
  for (const f in patch) if (patch[f] !== null && !f.startsWith('$')) out[f] = patch[f];
  return out;
}

function mergeByKey(live: readonly Json[], patch: readonly Json[], key: string, order: readonly Json[] | undefined): Json[] {
  let merged = [...live];
  for (const p of patch) {
    const i = merged.findIndex((x) => x[key] === p[key]);
    if (i >= 0) merged[i] = mergeMap(merged[i]!, p);
    else merged.push(mergeMap({}, p));
  }
  // Exactly sized, as a decoded list (pushes leave spare capacity).
  if (merged.length !== live.length) merged = merged.slice();
  if (!order) return merged;
  // Named items in the order list's order, then the others as they were.
  const out: Json[] = new Array<Json>(merged.length);
  let n = 0;
  for (let i = 0; i < order.length; i++) for (let j = 0; j < merged.length; j++) if (merged[j]![key] === order[i]![key]) out[n++] = merged[j]!;
  for (let j = 0; j < merged.length; j++) {
    let named = false;
    for (let i = 0; i < order.length; i++) if (merged[j]![key] === order[i]![key]) named = true;
    if (!named) out[n++] = merged[j]!;
  }
  return out;
}

/** A pod as the api-server stores it after defaulting and binding. */
function pod(node: string, i: number): Pod {
  const name = `web-7d4b9c8f5-${node}-${i}`;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resourceVersion: String(100 + i),
      creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'web', 'pod-template-hash': '7d4b9c8f5' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c8f5', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: node, restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
      containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '128Mi' } }, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
    },
    status: { phase: 'Pending', qosClass: 'Burstable', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  };
}

/**
 * The same work without kubelets, in the same run: the same input pods and
 * the same status patches (made beforehand with the kubelet's own status
 * code for the same latencies, outside the measured window) through the same
 * fake API into bare informers that cache as the kubelet's does. What a pod
 * start costs this thread before any kubelet work: the floor under the
 * figure above. CPU milliseconds.
 */
async function floorCpu(): Promise<number> {
  const ts: FakeTransport[] = [];
  const waves: ApiRequest[][][] = [[], [], []];
  for (let n = 0; n < NODES; n++) {
    const t = new FakeTransport();
    const informer = new Informer<Pod>(new ApiClient(t), pods, { clock: new FakeClock(), fieldSelector: `spec.nodeName=node-${n}`, transform: trimForCache });
    informer.addHandlers({ onAdd: () => undefined, onUpdate: () => undefined });
    t.current = (ns, podName) => informer.store.getByName(ns, podName);
    informer.start();
    await informer.waitForSync();
    ts.push(t);
    const s = nodeSettings(`node-${n}`, { index: n, sim });
    const env = { imageReadyAt: (_image: string, at: number, ms: number) => at + ms };
    for (const w of waves) w.push([]);
    for (let i = 0; i < PODS_PER_NODE; i++) {
      const input = pod(`node-${n}`, i);
      const rec = admitPod({ key: `default/${input.metadata.name!}`, namespace: 'default', name: input.metadata.name!, uid: input.metadata.uid!, initContainers: [], containers: input.spec!.containers }, sim, s.cidr.base + 2 + i, 0, env);
      let shown = input.status!;
      [0, 1_500, 2_500].forEach((at, w) => {
        advance(rec, at, env);
        const patch = statusDiff(rec, shown, s.internalIP, 'berth-sim');
        if (!patch) throw new Error(`no write at ${at} ms`);
        shown = applyStatusPatch(shown, patch);
        waves[w]![n]!.push({ verb: 'patch', group: '', version: 'v1', resource: 'pods', namespace: 'default', name: input.metadata.name!, subresource: 'status', patchType: 'strategic', body: { status: patch }, query: { fieldManager: 'kubelet' } });
      });
    }
  }
  heap();
  const c0 = process.cpuUsage();
  for (let n = 0; n < NODES; n++) ts[n]!.handlers!.onEvents(Array.from({ length: PODS_PER_NODE }, (_, i) => ({ type: 'ADDED' as const, object: pod(`node-${n}`, i) })));
  for (const w of waves) {
    for (let n = 0; n < NODES; n++) await ts[n]!.batch(w[n]!);
  }
  const c = process.cpuUsage(c0);
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
  const t = new FakeTransport();
  const name = `node-${n}`;
  let k!: Kubelet;
  k = new Kubelet(nodeSettings(name, { index: n, sim }), new ApiClient(t), new FakeClock(), timers.host(() => k));
  t.current = (ns, podName) => k.informer.store.getByName(ns, podName);
  if (n === 0) t.bodyBytes = 0;
  nodes.push({ k, t, name });
  await k.start();
  await k.waitForReady();
}
const h1 = heap();

const started = performance.now();
const cpu0 = process.cpuUsage();
for (let n = 0; n < NODES; n++) {
  // Fresh objects, as decoded from a watch frame.
  nodes[n]!.t.handlers!.onEvents(Array.from({ length: PODS_PER_NODE }, (_, i) => ({ type: 'ADDED' as const, object: pod(`node-${n}`, i) })));
}
await timers.drain();
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
// On a machine shared with other work the wall figure swings; CPU time of this thread's work does much less.
const cpuMs = (cpu.user + cpu.system) / 1000;
const running = nodes.reduce((s, x) => s + x.k.stats().running, 0);
if (running !== NODES * PODS_PER_NODE) throw new Error(`only ${running} pods running`);
// What the API shows: every write reached it.
for (const x of nodes) {
  for (const p of x.k.informer.store.list()) {
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const c = p.status?.containerStatuses?.[0];
    if (p.status?.phase !== 'Running' || ready !== 'True' || !c?.ready || !c.state?.running || !p.status.podIP) throw new Error(`${p.metadata.name}: the API shows ${JSON.stringify(p.status)}`);
  }
}
const h2 = heap();
const writes = nodes.reduce((s, x) => s + x.t.writes, 0);
// The kubelets' own records without the informer caches' Pod objects.
for (const x of nodes) {
  const cache = x.k.informer.store as ObjectCache<Pod>;
  for (const key of cache.keys()) cache.delete(key);
}
const h3 = heap();

log(`${NODES} nodes, ${running} pods Ready; ${timers.fired} timers, ${writes} status writes`);
const bodyMean = nodes[0]!.t.bodyBytes! / nodes[0]!.t.writes;
nodes.length = 0;
const floorCpuMs = await floorCpu();
log(`baseline without kubelets: ${Math.round(floorCpuMs)} ms CPU for the same ${NODES * PODS_PER_NODE} pods and writes`);
const rows: BenchRow[] = [
  { bench, case: `${NODES} nodes`, metric: 'heap per node', value: (h1 - h0) / NODES, unit: 'B' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'heap per pod (incl. informer cache)', value: (h2 - h1) / (NODES * PODS_PER_NODE), unit: 'B' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'of which the kubelet\'s own records', value: (h3 - h1) / (NODES * PODS_PER_NODE), unit: 'B' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'pod starts per second (one thread, fake api)', value: (NODES * PODS_PER_NODE) / (wallMs / 1000), unit: 'pods/s' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'pod starts per CPU second (same run)', value: (NODES * PODS_PER_NODE) / (cpuMs / 1000), unit: 'pods/s' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'CPU per pod start', value: (cpuMs * 1000) / (NODES * PODS_PER_NODE), unit: 'µs' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'baseline: the same without kubelets (input pods, informer, fake api)', value: (floorCpuMs * 1000) / (NODES * PODS_PER_NODE), unit: 'µs' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'status writes per pod start', value: writes / (NODES * PODS_PER_NODE), unit: '' },
  { bench, case: `${PODS_PER_NODE} pods of one node`, metric: 'status write body, mean (JSON)', value: bodyMean, unit: 'B' },
  { bench, case: '5,000 nodes + 150,000 pods', metric: 'projected heap', value: ((h1 - h0) / NODES * 5_000 + (h2 - h1) / (NODES * PODS_PER_NODE) * 150_000) / 2 ** 20, unit: 'MiB' },
];
// The process runtime: bound -> running beside a plain spawn of the same program (bench/node-process.ts).
rows.push(...(await processRuntimeRows(bench, process.argv.includes('--quick') ? 8 : 40)));
printRows(rows);
