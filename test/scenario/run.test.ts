/**
 * The scenario runner end to end, in process: every shipped scenario but
 * k8s-max plays to the end and passes its own expectations, and the same
 * seed gives the same placements. Real worker threads, virtual time.
 */
import test from 'ava';
import { join } from 'node:path';
import { loadScenario } from '../../lib/scenario/load.js';
import { parseScenario } from '../../lib/scenario/parse.js';
import { runScenario } from '../../lib/scenario/run/run.js';
import { failures, terminalSummary } from '../../lib/report/terminal.js';
import type { Scenario } from '../../lib/scenario/types.js';
import type { Progress } from '../../lib/scenario/run/run-one.js';
import { SCENARIOS_DIR, shippedScenarios } from './helpers.js';

const SHIPPED = shippedScenarios().filter((f) => f !== 'k8s-max.yaml');

async function load(file: string): Promise<Scenario> {
  const r = await loadScenario(join(SCENARIOS_DIR, file));
  if (!r.ok) throw new Error(`${file} does not validate`);
  return r.scenario;
}

for (const file of SHIPPED) {
  test(`shipped scenario ${file} plays to the end and meets its expectations`, async (t) => {
    const scenario = await load(file);
    const report = await runScenario(scenario, { file, threads: 2 });
    const problems = report.runs.flatMap((r) => failures(r).map((f) => `${r.variant}: ${f}`));
    t.true(report.passed, problems.join('\n'));
    t.is(report.runs.length, Math.max(1, scenario.variants.length));
    for (const r of report.runs) {
      t.true(r.placements.length > 0, `${r.variant}: no pod was ever bound`);
      t.true(r.series.t.length > 1, `${r.variant}: no samples`);
      t.is(r.timeline.filter((s) => s.status === 'not-run').length, 0, `${r.variant}: steps not run`);
    }
  });
}

const SMALL = `name: small
seed: 3
duration: 40s
cluster:
  nodePools:
    - name: w
      count: 3
      capacity: { cpu: "2", memory: 4Gi }
      zones: [a, b]
      latency: { pull: { lognormal: { median: 400ms, sigma: 0.5 } }, start: { uniform: { min: 50ms, max: 150ms } }, ready: { normal: { mean: 300ms, stddev: 100ms } } }
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 6
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec:
          containers: [{ name: web, image: nginx, resources: { requests: { cpu: 300m, memory: 256Mi } } }]
timeline:
  - at: 10s
    scale: { name: web, replicas: 9 }
  - at: 15s
    killActor: scheduler
  - at: 16s
    killActor: kubelet/w-0
  - at: 18s
    partition: { names: [w-1], for: 10s }
  - at: 20s
    cordon: { count: 1 }
  - at: 21s
    patch: { kind: Deployment, name: web, patch: { spec: { template: { spec: { containers: [{ name: web, image: nginx:2 }] } } } } }
expect:
  - allPodsRunning: { selector: app=web, count: 9, by: 40s }
`;

test('the same seed gives byte-identical placement lists and timings, across actor crashes and a partition; another seed gives other choices', async (t) => {
  const parsed = parseScenario(SMALL, 'small.yaml');
  if (!parsed.ok) return t.fail(JSON.stringify(parsed.errors));
  const [a, b] = [await runScenario(parsed.scenario, { file: 'small.yaml' }), await runScenario(parsed.scenario, { file: 'small.yaml' })];
  const ra = a.runs[0]!;
  const rb = b.runs[0]!;
  t.true(ra.passed, failures(ra).join('\n'));
  t.deepEqual(ra.timeline.map((s) => s.status), ra.timeline.map(() => 'done'));
  t.true(ra.summary.restarts >= 2, `restarts: ${ra.summary.restarts}`); // the scheduler, the kubelet
  t.truthy(ra.timeline.find((s) => s.description.startsWith('recoverNodes w-1')), 'the end of the partition is a step of its own');
  t.true(ra.placements.length >= 18, `placements: ${ra.placements.length}`); // 9 pods, then 9 more for the new image
  t.is(JSON.stringify(ra.placements), JSON.stringify(rb.placements));
  t.deepEqual(ra.timeline.map((s) => [s.startedAt, s.detail]), rb.timeline.map((s) => [s.startedAt, s.detail]));
  t.deepEqual(ra.summary.startup, rb.summary.startup);
  const other = (await runScenario(parsed.scenario, { file: 'small.yaml', seed: 4 })).runs[0]!;
  t.notDeepEqual(other.placements, ra.placements);
});

test('progress also comes on a wall-clock beat, so bringing the cluster up or a long step of virtual time does not look hung', async (t) => {
  const parsed = parseScenario(SMALL, 'small.yaml');
  if (!parsed.ok) return t.fail(JSON.stringify(parsed.errors));
  const seen: Progress[] = [];
  const report = await runScenario(parsed.scenario, { file: 'small.yaml', onProgress: (p) => seen.push(p), progressEveryMs: 10 });
  t.true(report.passed, failures(report.runs[0]!).join('\n'));
  // The timeline loop reports once per step of virtual time; while the cluster comes up only the beat does.
  const early = seen.filter((p) => p.phase === 'start the cluster');
  t.true(early.length > 0, `phases seen: ${[...new Set(seen.map((p) => p.phase))].join(', ')}`);
  t.true(early.every((p) => p.now === 0 && p.stepsDone === 0));
  const played = seen.filter((p) => p.phase === 'play the timeline').map((p) => p.now);
  t.deepEqual(played, [...played].sort((a, b) => a - b), 'virtual time never goes back');
  // When the workload first came up, in cluster time and wall time, and the summary says so.
  const r = report.runs[0]!;
  const up = r.summary.allReady;
  if (!up) return t.fail('the 6 replicas were all Ready before the scale-up at 10s');
  t.is(up.pods, 6);
  t.true(up.at > 0 && up.at < 10_000, `at ${up.at}`);
  t.true(up.wallMs > 0 && up.wallMs <= r.wallMs);
  const i = r.series.t.indexOf(up.at);
  t.true(i < 0 || r.series.phases.Ready[i] === 6, 'the series agrees');
  t.regex(terminalSummary(report), /all 6 pods Ready at \S+ of cluster time, [\d.]+ s wall/);
});
