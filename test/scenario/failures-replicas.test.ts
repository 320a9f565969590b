/**
 * The runner plays node pools' random node failures (nodeFailures) from the
 * seed, and replicated control planes (leader election): the same seed
 * repeats every failure at the same virtual millisecond and every
 * placement, byte for byte. Real worker threads, virtual time.
 */
import test from 'ava';
import { failures } from '../../lib/report/terminal.js';
import { parseScenario } from '../../lib/scenario/parse.js';
import type { RunContext } from '../../lib/scenario/run/context.js';
import { drawMs, NodeFailurePlayer } from '../../lib/scenario/run/node-failures.js';
import { clusterNodes, mulberry32 } from '../../lib/scenario/run/nodes.js';
import { runScenario } from '../../lib/scenario/run/run.js';
import type { Scenario } from '../../lib/scenario/types.js';

const FLAKY = `name: flaky
seed: 3
duration: 1m
cluster:
  nodePools:
    - name: w
      count: 4
      capacity: { cpu: "4", memory: 8Gi }
      zones: [a, b]
      latency: { pull: { lognormal: { median: 400ms, sigma: 0.5 } }, start: { uniform: { min: 50ms, max: 150ms } } }
      nodeFailures:
        uptime: { exponential: { mean: 30s } }
        downtime: { uniform: { min: 5s, max: 15s } }
  controlPlane:
    scheduler: { replicas: 2 }
    controllerManager: { replicas: 2 }
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 8
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec:
          tolerations:
            - { key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5 }
            - { key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 5 }
          containers: [{ name: web, image: nginx, resources: { requests: { cpu: 300m, memory: 256Mi } } }]
timeline:
  - at: 20s
    killActor: scheduler
  - at: 21s
    killActor: controller-manager-2
  - at: 25s
    scale: { name: web, replicas: 12 }
  - waitUntil:
      condition: { allPodsRunning: { selector: app=web, count: 12 } }
      deadline: 30s
expect:
  - fieldPath: { kind: Deployment, name: web, path: .status.readyReplicas, op: '==', value: 12 }
`;

function scenario(): Scenario {
  const r = parseScenario(FLAKY, 'flaky.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

test('random node failures and two-replica control planes: the same seed repeats every failure and placement byte for byte', async (t) => {
  const s = scenario();
  const [a, b] = [(await runScenario(s, { file: 'flaky.yaml' })).runs[0]!, (await runScenario(s, { file: 'flaky.yaml' })).runs[0]!];
  t.true(a.passed, failures(a).join('\n'));
  t.deepEqual(a.warnings, [], 'replicas and node failures are played, not warned about');
  const random = a.timeline.filter((e) => e.description.includes('(nodeFailures'));
  t.true(random.some((e) => e.action === 'failNodes' && e.status === 'done'), a.timeline.map((e) => e.description).join('\n'));
  t.true(random.some((e) => e.action === 'recoverNodes' && e.status === 'done'), 'a failed node came back after its downtime');
  t.is(a.timeline.find((e) => e.description.includes('killActor controller-manager-2'))?.status, 'done', 'the second replica exists and was killed');
  t.true(a.summary.restarts >= 2, `restarts: ${a.summary.restarts}`);
  t.is(JSON.stringify(a.placements), JSON.stringify(b.placements));
  t.deepEqual(a.timeline.map((e) => [e.description, e.startedAt, e.status]), b.timeline.map((e) => [e.description, e.startedAt, e.status]));
  const started = a.timeline.filter((e) => e.startedAt !== undefined).map((e) => e.startedAt!);
  t.deepEqual(started, [...started].sort((x, y) => x - y), 'planned steps and random failures in time order');
});

test('node failure times come from the seed and each node\'s name: another seed, other times', (t) => {
  const s = scenario();
  const firstFailure = (seed: number): number | undefined => {
    const ctx = { scenario: s, seed, nodes: clusterNodes(s.cluster.nodePools), observer: { downNodes: new Set<string>() } } as unknown as RunContext;
    return new NodeFailurePlayer(ctx).nextDue(0);
  };
  t.is(firstFailure(3), firstFailure(3));
  t.not(firstFailure(3), firstFailure(4));
  t.true(firstFailure(3)! > 0);
});

test('distribution draws have the asked-for means (exponential uptimes: the MTBF)', (t) => {
  const next = mulberry32(99);
  const mean = (d: Parameters<typeof drawMs>[0], n = 20_000): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += drawMs(d, next);
    return sum / n;
  };
  const within = (got: number, want: number): boolean => Math.abs(got - want) / want < 0.05;
  const exp = mean({ type: 'exponential', mean: 60_000 });
  t.true(within(exp, 60_000), `exponential mean ${exp}`);
  const uni = mean({ type: 'uniform', min: 1_000, max: 3_000 });
  t.true(within(uni, 2_000), `uniform mean ${uni}`);
  const norm = mean({ type: 'normal', mean: 10_000, stddev: 1_000 });
  t.true(within(norm, 10_000), `normal mean ${norm}`);
  t.is(drawMs({ type: 'fixed', value: 0 }, next), 1, 'never 0: a node neither fails nor recovers in the instant it changed');
});
