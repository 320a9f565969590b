/**
 * The kubelet's status writes are strategic merge patches of what changed
 * (status-diff.ts): applied by the api-server's patch code one after the
 * other, they leave exactly the status the kubelet reports, keep what other
 * writers own, and carry only what a transition changed. And a status
 * another writer changes (the node lifecycle controller's MarkPodsNotReady)
 * is written back.
 */
import test from 'ava';
import { admitPod, advance, beginStop, type NodeEnv, type PodRec } from '../../actors/node/pod-state.js';
import { podStatus } from '../../actors/node/pod-status.js';
import type { SimConfig } from '../../actors/node/sim.js';
import { statusDiff } from '../../actors/node/status-diff.js';
import { nodeAddress } from '../../actors/node/spec.js';
import { applyStrategicMergePatch, podSchema } from '../../lib/api/patch/index.js';
import { pods } from '../../lib/api/resources/index.js';
import type { Pod, PodCondition, PodStatus } from '../../lib/api/types/pod.js';
import { runUntil, startNodeCluster } from './cluster.js';

const HOST = '127.2.0.1';
const SCHEME = 'berth-sim';
const noPull: NodeEnv = { imageReadyAt: (_image, t, ms) => t + ms };
const scheduled: PodCondition = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' };
/** A condition someone else owns (a readiness gate's). */
const gate: PodCondition = { type: 'example.com/gate', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' };

function admit(sim: SimConfig, init: string[] = [], restartPolicy?: 'Always' | 'Never'): PodRec {
  return admitPod(
    { key: 'ns/p', namespace: 'ns', name: 'p', uid: 'u', restartPolicy, initContainers: init.map((name) => ({ name, image: 'busybox' })), containers: [{ name: 'c', image: 'nginx' }, { name: 'side', image: 'envoy' }] },
    sim, 1, 0, noPull,
  );
}

/**
 * What the API should show: the kubelet's full status, PodScheduled and the
 * gate kept, lastProbeTime null not stored; a released pod IP stays shown.
 */
function expected(p: PodRec, before: PodStatus): PodStatus {
  const s = podStatus(p, HOST, scheduled, SCHEME);
  s.conditions = [...s.conditions!.map((c) => (c === scheduled ? c : stripProbeTime(c))), gate];
  if (!p.ip && before.podIP) Object.assign(s, { podIP: before.podIP, podIPs: before.podIPs });
  return { qosClass: 'BestEffort', ...s };
}

function stripProbeTime(c: PodCondition): PodCondition {
  const { lastProbeTime: _, ...rest } = c;
  return rest;
}

/** Drive the pod second by second; after each change, apply the kubelet's patch with the api-server's code. */
function run(t: import('ava').ExecutionContext, p: PodRec, untilMs: number, during?: (ms: number) => void): Record<string, unknown>[] {
  let stored: PodStatus = { phase: 'Pending', qosClass: 'BestEffort', conditions: [scheduled, gate] };
  const patches: Record<string, unknown>[] = [];
  for (let ms = 0; ms <= untilMs; ms += 1_000) {
    during?.(ms);
    advance(p, ms, noPull);
    const patch = statusDiff(p, stored, HOST, SCHEME);
    if (!patch) continue;
    patches.push(patch);
    const r = applyStrategicMergePatch({ status: stored }, { status: patch }, podSchema);
    if (!r.ok) return t.fail(`patch at ${ms} ms refused: ${r.error}`) as never;
    const before = stored;
    stored = (r.value as unknown as { status: PodStatus }).status;
    t.deepEqual(stored, expected(p, before), `after the write at ${ms} ms`);
    t.is(statusDiff(p, stored, HOST, SCHEME), null, `nothing left to write at ${ms} ms`);
  }
  return patches;
}

test('Pending -> Running -> Ready: three patches, the later ones only what changed', (t) => {
  const patches = run(t, admit({ pullMs: 2_000, startMs: 1_000, readyDelayMs: 3_000 }), 20_000);
  t.is(patches.length, 3);
  t.deepEqual(Object.keys(patches[1]!).sort(), ['containerStatuses', 'phase']);
  t.deepEqual(Object.keys(patches[2]!).sort(), ['conditions', 'containerStatuses']);
  // Ready and ContainersReady turn True: their reason and message go.
  t.deepEqual(patches[2]!['conditions'], [
    { type: 'Ready', status: 'True', lastTransitionTime: '1970-01-01T00:00:06Z', reason: null, message: null },
    { type: 'ContainersReady', status: 'True', lastTransitionTime: '1970-01-01T00:00:06Z', reason: null, message: null },
  ]);
  t.true('$setElementOrder/conditions' in patches[0]!, 'the first write places the new conditions');
});

test('init containers, a crash loop, and a graceful deletion: the patched status is always the kubelet\'s', (t) => {
  const p = admit({ initRunMs: 2_000, startMs: 1_000, exitAfterMs: 5_000, exitCode: 1, stopMs: 2_000, containers: { side: { exitAfterMs: undefined } } }, ['setup', 'migrate']);
  const patches = run(t, p, 120_000, (ms) => {
    if (ms === 90_000) beginStop(p, ms, 30_000);
  });
  t.true(p.stopped);
  t.true(patches.length > 10);
});

test('a kubelet eviction: Failed, reason Evicted, DisruptionTarget; the pod keeps its IP', (t) => {
  const p = admit({ startMs: 1_000 });
  run(t, p, 30_000, (ms) => {
    if (ms !== 10_000) return;
    p.evicted = 'The node was low on resource: memory.';
    p.evictedAt = ms;
    beginStop(p, ms, 0);
    p.ip = 0;
  });
  t.is(p.evicted, 'The node was low on resource: memory.');
  t.is(p.ip, 0);
});

test('a pod another writer marks not Ready (MarkPodsNotReady) is Ready again from its kubelet', async (t) => {
  const c = await startNodeCluster(t, 1, { sim: { startMs: 1_000 } });
  await c.api.create(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } });
  const ready = async (): Promise<string | undefined> => (await c.api.get(pods, 'p', { namespace: 'default' })).status?.conditions?.find((x) => x.type === 'Ready')?.status;
  await runUntil(c.sup, async () => (await ready()) === 'True', 'pod Ready');
  const writesBefore = (await c.sup.request<{ statusWrites: number }>(nodeAddress('node-0'), { type: 'kubelet.stats' })).statusWrites;
  const cur = await c.api.get(pods, 'p', { namespace: 'default' });
  const next: Pod = structuredClone(cur);
  next.status!.conditions!.find((x) => x.type === 'Ready')!.status = 'False';
  await c.api.updateStatus(pods, next);
  await runUntil(c.sup, async () => (await ready()) === 'True', 'Ready written back', 5_000);
  const after = await c.api.get(pods, 'p', { namespace: 'default' });
  t.is(after.status?.phase, 'Running');
  t.is(after.status?.conditions?.find((x) => x.type === 'Ready')?.lastTransitionTime, cur.status?.conditions?.find((x) => x.type === 'Ready')?.lastTransitionTime);
  const writes = (await c.sup.request<{ statusWrites: number }>(nodeAddress('node-0'), { type: 'kubelet.stats' })).statusWrites - writesBefore;
  t.is(writes, 1, 'one write puts it back; its own echo starts no other');
});
