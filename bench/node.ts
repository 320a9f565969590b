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
import type { Pod } from '../lib/api/types/pod.js';
import { ApiClient } from '../lib/client/client.js';
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
        if (e.msg.type === 'kubelet.pod') e.k.onPodTimer(e.msg.key);
        else if (e.msg.type === 'kubelet.flush') e.k.onFlush();
      }
      // Let the fake batches answer (they resolve at once) before the next instant.
      for (let i = 0; i < 4; i++) await Promise.resolve();
    }
  }
}

/** Answers everything at once: lists are empty, watches stay open and are fed by hand. */
class FakeTransport implements Transport {
  handlers: TransportWatchHandlers | null = null;
  writes = 0;
  call(req: ApiRequest): Promise<ApiResponse> {
    if (req.verb === 'list') return Promise.resolve({ code: 200, body: { metadata: { resourceVersion: '1' }, items: [] } });
    return Promise.resolve({ code: 200, body: (req.body ?? {}) as Record<string, unknown> });
  }
  /** Status patches come back on the watch as MODIFIED, as from the api-server, so the informer caches full objects. */
  batch(reqs: readonly ApiRequest[]): Promise<ApiResponse[]> {
    this.writes += reqs.length;
    const events: Parameters<TransportWatchHandlers['onEvents']>[0][number][] = [];
    for (const r of reqs) {
      const cur = this.current?.(r.namespace ?? '', r.name ?? '');
      if (cur && r.subresource === 'status') events.push({ type: 'MODIFIED' as const, object: { ...cur, status: { ...cur.status, ...(r.body as Pod).status } } });
    }
    if (events.length > 0) queueMicrotask(() => this.handlers?.onEvents(events));
    return Promise.resolve(reqs.map(() => ({ code: 200, body: {} })));
  }
  current: ((namespace: string, name: string) => Readonly<Pod> | undefined) | null = null;
  watch(_req: ApiRequest, h: TransportWatchHandlers): Promise<{ stop(): void }> {
    this.handlers = h;
    return Promise.resolve({ stop: () => undefined });
  }
  close(): void {}
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
const h2 = heap();
const writes = nodes.reduce((s, x) => s + x.t.writes, 0);
// The kubelets' own records without the informer caches' Pod objects.
for (const x of nodes) {
  const cache = x.k.informer.store as ObjectCache<Pod>;
  for (const key of cache.keys()) cache.delete(key);
}
const h3 = heap();

log(`${NODES} nodes, ${running} pods Ready; ${timers.fired} timers, ${writes} status writes`);
const rows: BenchRow[] = [
  { bench, case: `${NODES} nodes`, metric: 'heap per node', value: (h1 - h0) / NODES, unit: 'B' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'heap per pod (incl. informer cache)', value: (h2 - h1) / (NODES * PODS_PER_NODE), unit: 'B' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'of which the kubelet\'s own records', value: (h3 - h1) / (NODES * PODS_PER_NODE), unit: 'B' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'pod starts per second (one thread, fake api)', value: (NODES * PODS_PER_NODE) / (wallMs / 1000), unit: 'pods/s' },
  { bench, case: `${NODES * PODS_PER_NODE} pods`, metric: 'pod starts per CPU second (same run)', value: (NODES * PODS_PER_NODE) / (cpuMs / 1000), unit: 'pods/s' },
  { bench, case: '5,000 nodes + 150,000 pods', metric: 'projected heap', value: ((h1 - h0) / NODES * 5_000 + (h2 - h1) / (NODES * PODS_PER_NODE) * 150_000) / 2 ** 20, unit: 'MiB' },
];
// The process runtime: bound -> running beside a plain spawn of the same program (bench/node-process.ts).
rows.push(...(await processRuntimeRows(bench, process.argv.includes('--quick') ? 8 : 40)));
printRows(rows);
