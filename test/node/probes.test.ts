/**
 * Probes: the pure threshold logic, then startup, liveness and readiness on
 * simulated nodes under the virtual clock, their outcomes set per pod by the
 * `berth.dev/simulate` annotation.
 */
import test from 'ava';
import { armProbes, probeResult, probeSet, takeDueProbes } from '../../actors/node/probes.js';
import { pods } from '../../lib/api/resources/index.js';
import type { Pod, Probe } from '../../lib/api/types/pod.js';
import { runUntil, secondsBetween, startNodeCluster } from './cluster.js';

test('thresholds: readiness needs successThreshold successes and failureThreshold failures; liveness kills after failureThreshold', (t) => {
  const set = probeSet({ readinessProbe: { exec: { command: ['x'] }, successThreshold: 2, failureThreshold: 2 }, livenessProbe: { exec: { command: ['x'] }, failureThreshold: 3 } })!;
  armProbes(set, 0);
  const r = set.readiness!;
  const l = set.liveness!;
  let ready = false;
  const readiness = (ok: boolean, now: number): string => {
    takeDueProbes(set, now, 0);
    const a = probeResult(set, r, 0, ok, now, ready);
    if (a.type === 'ready') ready = a.ready;
    return a.type === 'ready' ? `ready=${a.ready}` : a.type;
  };
  t.deepEqual([true, true, false, true, false, false, true].map((ok, i) => readiness(ok, i * 10_000)), ['none', 'ready=true', 'none', 'none', 'none', 'ready=false', 'none']);
  const liveness = [false, false, true, false, false, false].map((ok, i) => {
    takeDueProbes(set, 100_000 + i * 10_000, 0);
    return probeResult(set, l, 0, ok, 0, true).type;
  });
  t.deepEqual(liveness, ['none', 'none', 'none', 'none', 'none', 'kill']);
  // A result for an older run (the container restarted meanwhile) changes nothing.
  takeDueProbes(set, 200_000, 0);
  t.is(probeResult(set, l, 1, false, 200_000, true).type, 'none');
});

test('the startup probe gates the others: they are not due until it succeeds', (t) => {
  const p: Probe = { exec: { command: ['x'] }, periodSeconds: 2, initialDelaySeconds: 1 };
  const set = probeSet({ startupProbe: p, readinessProbe: { ...p, initialDelaySeconds: 0 } })!;
  armProbes(set, 0);
  t.is(set.startup!.due, 1_000);
  t.is(set.readiness!.due, Infinity);
  t.deepEqual(takeDueProbes(set, 1_000, 0).map((x) => x.kind), ['startup']);
  t.is(set.startup!.due, 3_000, 'next period');
  t.is(probeResult(set, set.startup!, 0, true, 1_500, false).type, 'started');
  t.is(set.startup!.due, Infinity, 'done for this run');
  t.is(set.readiness!.due, 1_500);
});

function probed(name: string, sim: object, probes: Partial<Pick<NonNullable<Pod['spec']>['containers'][number], 'livenessProbe' | 'readinessProbe' | 'startupProbe'>>): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', annotations: { 'berth.dev/simulate': JSON.stringify(sim) } },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36', ...probes }] },
  };
}

const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type);
const exec = { exec: { command: ['true'] } };

test('simulated probes under the virtual clock: readiness fails after 20 s, liveness restarts the container, startup holds readiness back', async (t) => {
  const c = await startNodeCluster(t, 1);
  await c.api.create(pods, probed('ready-then-not', { probes: { readiness: { failAfterMs: 20_000 } } }, { readinessProbe: { ...exec, periodSeconds: 5, failureThreshold: 3 } }));
  await c.api.create(pods, probed('dies', { probes: { liveness: { failAfterMs: 15_000 } } }, { livenessProbe: { ...exec, periodSeconds: 5, failureThreshold: 2 } }));
  await c.api.create(pods, probed('slow-start', { probes: { startup: { passAfterMs: 12_000 } } }, { startupProbe: { ...exec, periodSeconds: 2, failureThreshold: 10 }, readinessProbe: { ...exec, periodSeconds: 5 } }));
  const get = (name: string): Promise<Pod> => c.api.get(pods, name, { namespace: 'default' });

  // slow-start: running but neither started nor Ready until its startup probe passes at 12 s.
  await runUntil(c.sup, async () => !!(await get('slow-start')).status?.containerStatuses?.[0]?.state?.running, 'slow-start running');
  await c.sup.clock.runFor(6_000);
  const early = await get('slow-start');
  t.is(early.status!.containerStatuses![0]!.started, false);
  t.is(cond(early, 'Ready')!.status, 'False');
  await runUntil(c.sup, async () => cond(await get('slow-start'), 'Ready')?.status === 'True', 'slow-start ready', 30_000);
  const late = await get('slow-start');
  t.true(late.status!.containerStatuses![0]!.started);
  const startedAt = late.status!.containerStatuses![0]!.state!.running!.startedAt;
  t.true(Math.abs(secondsBetween(startedAt, cond(late, 'Ready')!.lastTransitionTime) - 12) <= 1, 'ready when the startup probe passes, 12 s after start');

  // ready-then-not: Ready at once, then False after three failed probes from 20 s: at 30 s.
  const r = await get('ready-then-not');
  t.is(cond(r, 'Ready')!.status, 'True');
  await runUntil(c.sup, async () => cond(await get('ready-then-not'), 'Ready')?.status === 'False', 'unready', 60_000);
  const unready = await get('ready-then-not');
  const since = secondsBetween(unready.status!.containerStatuses![0]!.state!.running!.startedAt, cond(unready, 'Ready')!.lastTransitionTime);
  t.true(Math.abs(since - 30) <= 1, `unready ${since} s after start (failures at 20, 25, 30 s)`);
  t.is(cond(unready, 'ContainersReady')!.status, 'False');
  t.is(unready.status!.containerStatuses![0]!.restartCount, 0, 'readiness never restarts');
  t.is(unready.status!.phase, 'Running');

  // dies: liveness fails at 15 and 20 s: killed at 20 s, restarted after the 10 s back-off.
  await runUntil(c.sup, async () => (await get('dies')).status?.containerStatuses?.[0]?.restartCount === 1, 'liveness restart', 60_000);
  const d = (await get('dies')).status!.containerStatuses![0]!;
  const term = d.lastState!.terminated!;
  t.is(secondsBetween(term.startedAt, term.finishedAt), 20);
  t.truthy(d.state!.running);
});
