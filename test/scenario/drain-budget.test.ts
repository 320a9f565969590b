/**
 * A timeline `drain` plays as `kubectl drain`: evictions a
 * PodDisruptionBudget holds back are asked again every 5 s of virtual time,
 * the step ends when the nodes hold no pod but DaemonSet pods, and a
 * `timeout` fails it with what is left. Real worker threads, virtual time.
 */
import test from 'ava';
import { failures } from '../../lib/report/terminal.js';
import { parseScenario } from '../../lib/scenario/parse.js';
import { runScenario } from '../../lib/scenario/run/run.js';

const scenario = (minAvailable: number, timeout: string): string => `name: drain-with-budget
seed: 1
duration: 3m
cluster:
  nodePools:
    - name: w
      count: 3
      capacity: { cpu: "8", memory: 16Gi }
      latency: { pull: { fixed: 1s }, start: { fixed: 1s } }
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 4
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec:
          containers: [{ name: web, image: nginx, resources: { requests: { cpu: 100m, memory: 64Mi } } }]
  - apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: { name: web }
    spec: { minAvailable: ${minAvailable}, selector: { matchLabels: { app: web } } }
timeline:
  - waitUntil:
      condition: { allPodsRunning: { selector: app=web, count: 4 } }
      deadline: 1m
  - id: drain
    drain: { names: [w-0, w-1], timeout: ${timeout} }
  - scale: { name: web, replicas: 5 }
  - waitUntil:
      condition: { allPodsRunning: { selector: app=web, count: 5 } }
      deadline: 1m
expect:
  - fieldPath: { kind: Deployment, name: web, path: .status.readyReplicas, op: '==', value: 5 }
`;

async function play(yaml: string) {
  const parsed = parseScenario(yaml, 'drain.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return (await runScenario(parsed.scenario, { file: 'drain.yaml' })).runs[0]!;
}

test('a budget that allows one disruption: the drain evicts one pod at a time, waits for each replacement, and the next step waits for the drain', async (t) => {
  const run = await play(scenario(3, '2m'));
  const drain = run.timeline.find((e) => e.action === 'drain')!;
  const scale = run.timeline.find((e) => e.action === 'scale')!;
  t.is(drain.status, 'done', drain.detail);
  const evicted = Number(/drained: (\d+) pods evicted/.exec(drain.detail ?? '')?.[1]);
  t.true(evicted >= 2, drain.detail);
  // One eviction per 5 s retry at most: the drain took at least (evicted - 1) retries.
  t.true(drain.doneAt! - drain.startedAt! >= (evicted - 1) * 5_000, `${drain.startedAt} -> ${drain.doneAt}`);
  t.true(scale.startedAt! >= drain.doneAt!, 'the step after the drain started once it finished');
  t.true(run.passed, failures(run).join('\n'));
  t.true(run.placements.filter((p) => / w-[01]$/.test(p)).length >= evicted, 'the evicted pods had been placed there');
});

test('a budget that allows nothing: the drain evicts nothing and fails at its timeout, naming the pods held back', async (t) => {
  const run = await play(scenario(4, '20s'));
  const drain = run.timeline.find((e) => e.action === 'drain')!;
  t.is(drain.status, 'failed');
  t.regex(drain.detail ?? '', /^timed out after 20s: 0 pods evicted, \d+ still on w-0, w-1, \d+ held by their disruption budget \(default\/web-/);
  t.true(drain.doneAt! - drain.startedAt! >= 20_000);
  t.is(run.summary.evictions, 0);
});
