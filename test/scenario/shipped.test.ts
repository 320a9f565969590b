/** Every scenario shipped in scenarios/ validates, through loadScenario (file: workloads included). */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatErrors, loadScenario, parseScenario } from '../../lib/scenario/index.js';
import { ROOT, SCENARIOS_DIR, shippedScenarios } from './helpers.js';

const REQUIRED = ['quickstart.yaml', 'bin-packing.yaml', 'zone-outage.yaml', 'rolling-update.yaml', 'preemption.yaml', 'spread-and-affinity.yaml', 'k8s-max.yaml', 'real-processes.yaml'];

test('the scenarios the issue asks for are all shipped', (t) => {
  const shipped = shippedScenarios();
  for (const name of REQUIRED) t.true(shipped.includes(name), name);
});

for (const name of shippedScenarios()) {
  test(`${name} validates`, async (t) => {
    const r = await loadScenario(join(SCENARIOS_DIR, name));
    t.true(r.ok, r.ok ? '' : formatErrors(r.errors));
  });
}

test('quickstart has what it promises: a few nodes, a Deployment, a rolling update, a node failure, expectations', async (t) => {
  const r = await loadScenario(join(SCENARIOS_DIR, 'quickstart.yaml'));
  if (!r.ok) return t.fail(formatErrors(r.errors));
  const s = r.scenario;
  const nodes = s.cluster.nodePools.reduce((n, p) => n + p.count, 0);
  t.true(nodes >= 2 && nodes <= 10);
  t.true(s.workloads.some((w) => w.manifests.some((m) => m.kind === 'Deployment')));
  t.true(s.timeline.some((step) => step.action.type === 'patch'));
  t.true(s.timeline.some((step) => step.action.type === 'failNodes'));
  t.true(s.expect.length > 0);
  t.is(s.clock.mode, 'virtual');
});

test('real-processes runs a Service in front of real servers on process nodes, on the real clock, and checks the traffic', async (t) => {
  const r = await loadScenario(join(SCENARIOS_DIR, 'real-processes.yaml'));
  if (!r.ok) return t.fail(formatErrors(r.errors));
  const s = r.scenario;
  t.true(s.cluster.nodePools.every((p) => p.runtime === 'process'));
  t.deepEqual(s.clock, { mode: 'real', speed: 1 });
  t.true(s.workloads.some((w) => w.manifests.some((m) => m.kind === 'Service')));
  t.true(s.expect.some((e) => e.type === 'serviceTraffic'));
});

test('k8s-max is at Kubernetes limits: 5,000 nodes, 150,000 pods, 110 pods per node', async (t) => {
  const r = await loadScenario(join(SCENARIOS_DIR, 'k8s-max.yaml'));
  if (!r.ok) return t.fail(formatErrors(r.errors));
  const pools = r.scenario.cluster.nodePools;
  t.is(pools.reduce((n, p) => n + p.count, 0), 5000);
  for (const p of pools) t.is(p.capacity.pods, '110');
  const replicas = r.scenario.workloads
    .flatMap((w) => w.manifests)
    .filter((m) => m.kind === 'Deployment')
    .reduce((n, m) => n + ((m.object as unknown as { spec: { replicas: number } }).spec.replicas), 0);
  t.is(replicas, 150_000);
});

test('the complete example in docs/scenario-format.md validates and is quickstart.yaml', async (t) => {
  const doc = readFileSync(join(ROOT, 'docs/scenario-format.md'), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const example = blocks.at(-1)!;
  t.is(example, readFileSync(join(SCENARIOS_DIR, 'quickstart.yaml'), 'utf8'));
  const r = parseScenario(example, 'docs/scenario-format.md');
  t.true(r.ok, r.ok ? '' : formatErrors(r.errors));
});
