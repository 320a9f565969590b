/** Small pieces of the format: durations, suggestions, error formatting, node naming, defaults. */
import test from 'ava';
import {
  formatDuration, formatError, formatErrors, nodeName, nodeZone, parseDuration, parseScenario, poolOfNode, type ScenarioError,
} from '../../lib/scenario/index.js';
import { editDistance, suggest } from '../../lib/scenario/suggest.js';
import { BASE } from './helpers.js';

test('durations parse to milliseconds, Go-style', (t) => {
  const cases: [string | number, number | undefined][] = [
    ['30s', 30_000], ['5m', 300_000], ['1h30m', 5_400_000], ['250ms', 250], ['1.5s', 1500], ['2h', 7_200_000], ['1m30s500ms', 90_500],
    [0, 0], ['0s', 0], ['', undefined], ['30', undefined], [30, undefined], ['-1s', undefined], ['1d', undefined], ['s', undefined], ['1 s', undefined], ['1us', undefined],
  ];
  for (const [input, want] of cases) t.is(parseDuration(input), want, JSON.stringify(input));
  t.is(formatDuration(90_500), '1m30s500ms');
  t.is(formatDuration(0), '0s');
});

test('suggestions are made for near misses only', (t) => {
  t.is(editDistance('zone', 'zones'), 1);
  t.is(suggest('nodepools', ['nodePools', 'controlPlane']), 'nodePools');
  t.is(suggest('replcas', ['replicas', 'profile']), 'replicas');
  t.is(suggest('banana', ['replicas', 'profile']), undefined);
});

test('formatErrors: file:line:col: path: message, sorted by position', (t) => {
  const e = (line: number, column: number, path: string): ScenarioError => ({ code: 'value', file: 's.yaml', line, column, path, message: 'bad' });
  t.is(formatError(e(3, 4, 'a.b')), 's.yaml:3:4: a.b: bad');
  t.is(formatError(e(1, 1, '')), 's.yaml:1:1: bad');
  t.is(formatErrors([e(9, 1, 'z'), e(2, 5, 'y'), e(2, 1, 'x')]), 's.yaml:2:1: x: bad\ns.yaml:2:5: y: bad\ns.yaml:9:1: z: bad');
});

test('nodes are named <pool>-<index> and spread over zones round-robin', (t) => {
  const r = parseScenario(BASE, 'b.yaml');
  if (!r.ok) return t.fail();
  const pool = r.scenario.cluster.nodePools[0]!;
  t.is(nodeName(pool.name, 2), 'worker-2');
  t.deepEqual([0, 1, 2].map((i) => nodeZone(pool, i)), ['zone-a', 'zone-b', 'zone-a']);
  t.is(poolOfNode([pool], 'worker-2'), pool);
  t.is(poolOfNode([pool], 'worker-3'), undefined);
  t.is(poolOfNode([pool], 'worker-01'), undefined);
});

test('defaults: seed, virtual clock, simulated runtime, 110 pods, default scheduler profile', (t) => {
  const r = parseScenario(BASE.replace('seed: 1\n', ''), 'b.yaml');
  if (!r.ok) return t.fail();
  const s = r.scenario;
  t.is(s.seed, 1);
  t.deepEqual(s.clock, { mode: 'virtual' });
  t.is(s.cluster.nodePools[0]!.runtime, 'simulated');
  t.deepEqual(s.cluster.nodePools[0]!.capacity, { cpu: '4', memory: '8Gi', pods: '110' });
  t.deepEqual(s.cluster.controlPlane.scheduler, { profile: 'default', weights: {}, replicas: 1 });
  t.deepEqual(s.timeline[0]!.when, { type: 'at', at: 10_000 });
  t.deepEqual(s.timeline[1]!.action, { type: 'failNodes', nodes: { type: 'zone', zone: 'zone-a' } });
  t.deepEqual(s.expect[0], { type: 'allPodsRunning', selector: 'app=web', by: 60_000 });
});

test('distributions, failures and the real clock read into plain data', (t) => {
  const text = BASE.replace('      zones: [zone-a, zone-b]\n', `      zones: 3
      latency:
        pull: { lognormal: { median: 1s, sigma: 0.5 } }
        start: { uniform: { min: 100ms, max: 1s } }
        ready: 2s
      failures:
        - { type: oomKill, probability: 0.1, after: { normal: { mean: 30s, stddev: 5s } } }
        - { type: crashLoop, probability: 0.01, selector: app=web }
`).replace('seed: 1', 'seed: 1\nclock: { mode: real, speed: 10 }');
  const r = parseScenario(text, 'd.yaml');
  if (!r.ok) return t.fail(formatErrors(r.errors));
  const p = r.scenario.cluster.nodePools[0]!;
  t.deepEqual(p.zones, ['zone-a', 'zone-b', 'zone-c']);
  t.deepEqual(p.latency, { pull: { type: 'lognormal', median: 1000, sigma: 0.5 }, start: { type: 'uniform', min: 100, max: 1000 }, ready: { type: 'fixed', value: 2000 } });
  t.deepEqual(p.failures, [
    { type: 'oomKill', probability: 0.1, after: { type: 'normal', mean: 30_000, stddev: 5000 } },
    { type: 'crashLoop', probability: 0.01, exitCode: 1, selector: 'app=web' },
  ]);
  t.deepEqual(r.scenario.clock, { mode: 'real', speed: 10 });
});

test('latency on a process-runtime pool is an error', (t) => {
  const r = parseScenario(BASE.replace('seed: 1', 'seed: 1\nclock: real').replace('      zones: [zone-a, zone-b]\n', '      zones: [zone-a, zone-b]\n      runtime: process\n      latency: { pull: 1s }\n'), 'p.yaml');
  if (r.ok) return t.fail();
  t.is(r.errors[0]!.path, 'cluster.nodePools[0].latency');
  t.regex(r.errors[0]!.message, /simulated runtime only/);
});

test('node failures, control-plane replicas and serviceTraffic read into plain data', (t) => {
  const text = BASE.replace('seed: 1', 'seed: 1\nclock: real')
    .replace('      zones: [zone-a, zone-b]\n', `      zones: [zone-a, zone-b]
      nodeFailures: { uptime: { exponential: { mean: 30m } }, downtime: { uniform: { min: 1m, max: 3m } } }
    - name: proc
      count: 1
      capacity: { cpu: "2", memory: 4Gi }
      runtime: process
  controlPlane: { scheduler: { replicas: 2 }, controllerManager: { replicas: 3 } }
`)
    .replace('  - at: 10s\n', '  - at: 5s\n    killActor: controller-manager-3\n  - at: 10s\n')
    .replace('workloads:\n', 'workloads:\n  - { apiVersion: v1, kind: Service, metadata: { name: web }, spec: { selector: { app: web }, ports: [{ port: 80 }] } }\n')
    .concat('  - serviceTraffic: { name: web, port: 80, requests: 9 }\n');
  const r = parseScenario(text, 'f.yaml');
  if (!r.ok) return t.fail(formatErrors(r.errors));
  const [w, proc] = r.scenario.cluster.nodePools;
  t.deepEqual(w!.nodeFailures, { uptime: { type: 'exponential', mean: 1_800_000 }, downtime: { type: 'uniform', min: 60_000, max: 180_000 } });
  t.is(proc!.runtime, 'process');
  t.is(proc!.nodeFailures, undefined);
  t.is(r.scenario.cluster.controlPlane.scheduler.replicas, 2);
  t.is(r.scenario.cluster.controlPlane.controllerManager.replicas, 3);
  t.deepEqual(r.scenario.timeline[0]!.action, { type: 'killActor', actor: 'controller-manager-3' });
  t.deepEqual(r.scenario.expect.at(-1), { type: 'serviceTraffic', target: { apiVersion: 'v1', kind: 'Service', name: 'web', namespace: 'default' }, port: 80, path: '/', requests: 9 });
});

test('after: { step } must name an earlier step', (t) => {
  const text = BASE.replace('  - at: 20s\n', '  - after: { step: later }\n').replace('expect:', '  - id: later\n    at: 30s\n    cordon: { all: true }\nexpect:');
  const r = parseScenario(text, 's.yaml');
  if (r.ok) return t.fail();
  t.is(r.errors[0]!.path, 'timeline[1].after.step');
  t.is(r.errors[0]!.code, 'reference');
});

test('duration must cover every step and deadline', (t) => {
  const r = parseScenario(BASE.replace('seed: 1', 'seed: 1\nduration: 30s'), 's.yaml');
  if (r.ok) return t.fail();
  t.is(r.errors[0]!.path, 'duration');
  t.regex(r.errors[0]!.message, /before a step or expectation at 1m/);
});
