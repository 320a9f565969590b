/**
 * Question: how many pods per second does the scheduler place, and how does
 * the cost per pod grow with the number of nodes, compared with the
 * straightforward reference scheduler on the same cluster and pods?
 *
 * - clusters of 1,000 / 5,000 / 15,000 nodes (3 zones, 10% tainted gpu nodes
 *   labelled node-type=gpu), pods from 10 workloads, each pod a fresh object;
 * - profile "default": kube's default plugins; pods request cpu and memory and
 *   carry a required node affinity (node-type NotIn gpu): resources, node
 *   affinity, taints, LeastAllocated + BalancedAllocation scoring, every
 *   feasible node scored (no sampling);
 * - profile "anti+spread": the same plus required pod anti-affinity on
 *   hostname against the pod's own workload and a zone topology spread
 *   (DoNotSchedule, maxSkew 1);
 * - fast: pods queued then placed with scheduleBatch (compile + queue + filter
 *   + score + assume all timed); reference: ReferenceScheduler.scheduleAndAssume
 *   on the first K pods of the same sequence (K small at large sizes: it is
 *   quadratic), with the fast scheduler timed on the same K pods for the ratio;
 * - anti+spread with 150,000 pods at 5,000 nodes only (the other sizes add little but time);
 * - rounds interleaved, medians reported; slope = least-squares µs per pod
 *   per 1,000 nodes over the three sizes.
 * - percentageOfNodesToScore=10 (sampling, kube's option) at 5,000 nodes, separately.
 *
 * - every rate also per CPU-second of this process (process.cpuUsage): the
 *   "on one core" figure when other work shares the machine's cores.
 *
 * Run: npm run build && node dist/bench/scheduler.js [--json] [--quick]
 */
import type { Node } from '../lib/api/types/core.js';
import type { Pod } from '../lib/api/types/pod.js';
import { Scheduler } from '../actors/scheduler/scheduler.js';
import { ReferenceScheduler } from '../actors/scheduler/reference.js';
import { DEFAULT_PROFILE, type Profile } from '../actors/scheduler/framework.js';
import { Samples, log, printRows, type BenchRow } from './lib/report.js';

const bench = 'scheduler';
const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : 3;
const sizes = [1_000, 5_000, 15_000];

function makeNode(i: number): Node {
  const gpu = i % 10 === 9;
  const name = `node-${i}`;
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}`, 'node-type': gpu ? 'gpu' : 'general' } },
    spec: { taints: gpu ? [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] : [] },
    status: { allocatable: { cpu: '64', memory: '256Gi', pods: '250', 'ephemeral-storage': '100Gi' } },
  };
}

type Kind = 'default' | 'anti+spread';

function makePod(i: number, kind: Kind, apps: number): Pod {
  const app = `app-${i % apps}`;
  const sel = { matchLabels: { app } };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'bench', uid: `uid-${i}`, labels: { app } },
    spec: {
      containers: [{ name: 'c', image: `registry/${app}:1`, resources: { requests: { cpu: `${100 + (i % 10) * 10}m`, memory: `${128 + (i % 10) * 32}Mi` } } }],
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-type', operator: 'NotIn', values: ['gpu'] }] }] } },
        podAntiAffinity: kind === 'anti+spread' ? { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: sel }] } : undefined,
      },
      topologySpreadConstraints: kind === 'anti+spread' ? [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: sel }] : undefined,
    },
  };
}

const profileFor = (pct?: number): Profile => (pct ? { ...DEFAULT_PROFILE, percentageOfNodesToScore: pct } : DEFAULT_PROFILE);

/** CPU time of this process (all its threads, GC helpers included) since `from`, in ms. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1_000;
}

/**
 * Pods placed per CPU-second by the last runFast: on a machine whose cores
 * other work shares, wall time counts the time this thread waited for a core;
 * CPU time is the "on one core" figure (it still suffers the shared caches).
 */
let lastCpuRate = 0;

/** Pods placed per second (wall) by the fast scheduler, from an empty cluster. */
function runFast(nodes: number, pods: number, kind: Kind, apps: number, pct?: number): number {
  const s = new Scheduler({ profile: profileFor(pct), seed: 1, now: () => 0 });
  for (let i = 0; i < nodes; i++) s.addNode(makeNode(i));
  const list = Array.from({ length: pods }, (_, i) => makePod(i, kind, apps));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const p of list) s.addPod(p);
  let placed = 0;
  for (;;) {
    const d = s.scheduleBatch(1_000);
    placed += d.bindings.length;
    if (d.bindings.length + d.failures.length === 0) break;
  }
  const ms = performance.now() - t0;
  lastCpuRate = (pods * 1_000) / cpuMs(c0);
  if (placed !== pods) throw new Error(`fast placed ${placed}/${pods} (${kind}, ${nodes} nodes)`);
  return (pods * 1_000) / ms;
}

function runReference(nodes: number, pods: number, kind: Kind, apps: number): number {
  const r = new ReferenceScheduler(DEFAULT_PROFILE, 1);
  for (let i = 0; i < nodes; i++) r.addNode(makeNode(i));
  const list = Array.from({ length: pods }, (_, i) => makePod(i, kind, apps));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const p of list) if (!r.scheduleAndAssume(p).node) throw new Error('reference could not place a pod');
  lastCpuRate = (pods * 1_000) / cpuMs(c0);
  return (pods * 1_000) / (performance.now() - t0);
}

const samples = new Samples(bench);
const sample = (kase: string, metric: string, value: number, unit: string): void => samples.add(kase, value, unit, metric);

const refPods = (nodes: number, kind: Kind) => (kind === 'default' ? (nodes <= 1_000 ? 300 : nodes <= 5_000 ? 100 : 30) : nodes <= 1_000 ? 60 : nodes <= 5_000 ? 20 : 8);
/** anti+spread runs 150,000 pods at 5,000 nodes only (~15 s a run). */
const fastPods = (kind: Kind, nodes: number, _round: number) => (kind === 'default' || nodes === 5_000 ? [10_000, 150_000] : [10_000]);
const appsFor = (pods: number, nodes: number) => Math.max(10, Math.ceil((pods / (nodes * 0.9)) * 1.5));

// Warm-up (discarded): let the JIT settle before the first measured case.
runFast(1_000, 5_000, 'default', 10);
runFast(1_000, 2_000, 'anti+spread', 10);
runReference(1_000, 20, 'default', 10);

for (let round = 0; round < rounds; round++) {
  for (const nodes of sizes) {
    for (const kind of ['default', 'anti+spread'] as const) {
      for (const pods of fastPods(kind, nodes, round)) {
        const apps = appsFor(pods, nodes);
        sample(`${kind}, ${nodes} nodes, ${pods} pods`, 'fast', runFast(nodes, pods, kind, apps), 'pods/s');
        sample(`${kind}, ${nodes} nodes, ${pods} pods`, 'fast, per CPU-second', lastCpuRate, 'pods/s');
      }
      const k = refPods(nodes, kind);
      const apps = appsFor(10_000, nodes);
      const ref = runReference(nodes, k, kind, apps);
      const refCpu = lastCpuRate;
      const fast = runFast(nodes, k, kind, apps);
      sample(`${kind}, ${nodes} nodes, first ${k} pods`, 'reference (baseline)', ref, 'pods/s');
      sample(`${kind}, ${nodes} nodes, first ${k} pods`, 'fast, same pods', fast, 'pods/s');
      sample(`${kind}, ${nodes} nodes, first ${k} pods`, 'fast / reference', fast / ref, 'x');
      sample(`${kind}, ${nodes} nodes, first ${k} pods`, 'fast / reference, CPU time', lastCpuRate / refCpu, 'x');
      log(`  round ${round + 1}: ${kind} ${nodes} nodes done`);
    }
  }
  sample('default, 5000 nodes, 10000 pods, percentageOfNodesToScore=10', 'fast (sampling)', runFast(5_000, 10_000, 'default', 10, 10), 'pods/s');
  sample('default, 5000 nodes, 10000 pods, percentageOfNodesToScore=10', 'fast (sampling), per CPU-second', lastCpuRate, 'pods/s');
}

const rows: BenchRow[] = samples.rows();
// Slope: µs per pod against nodes, least squares over the sizes (10,000 pods).
for (const kind of ['default', 'anti+spread'] as const) {
  const pts = sizes.map((n) => {
    const r = rows.find((x) => x.case === `${kind}, ${n} nodes, 10000 pods` && x.metric === 'fast')!;
    return [n / 1_000, 1e6 / r.value] as const;
  });
  const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  const slope = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  rows.push({ bench, case: `${kind}, 10000 pods, 1k..15k nodes`, metric: 'slope (fast)', value: slope, unit: 'µs/pod per 1k nodes' });
}
printRows(rows);
