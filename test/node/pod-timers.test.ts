/**
 * The kubelet's pod timers and status writes, driven by hand: a Kubelet over
 * a transport that applies each status patch with the api-server's strategic
 * merge code and echoes the result on the watch, and a host whose timers
 * fire in virtual-time order. One node's pods due at one instant share one
 * timer (actors/node/kubelet.ts, the timer wheel); transitions due at one
 * instant go out as one write; the latencies hold; and what the API shows in
 * the end is the kubelet's full status.
 */
import test from 'ava';
import type { ApiRequest, ApiResponse } from '../../actors/api-server/messages.js';
import { Kubelet, type KubeletHost } from '../../actors/node/kubelet.js';
import type { KubeletMessage } from '../../actors/node/messages.js';
import { containerStatuses } from '../../actors/node/pod-status.js';
import { admitPod, advance } from '../../actors/node/pod-state.js';
import { nodeSettings } from '../../actors/node/settings.js';
import type { SimConfig } from '../../actors/node/sim.js';
import { statusDiff } from '../../actors/node/status-diff.js';
import { applyStrategicMergePatch, podSchema } from '../../lib/api/patch/index.js';
import type { ContainerStatus, Pod, PodStatus } from '../../lib/api/types/pod.js';
import { ApiClient } from '../../lib/client/client.js';
import { FakeClock } from '../../lib/client/fake-clock.js';
import type { Transport, TransportWatchHandlers } from '../../lib/client/types.js';

interface Fired {
  readonly at: number;
  readonly msg: KubeletMessage;
}

/** A single kubelet's world: virtual time, its timers, and an API holding its pods. */
class World implements Transport {
  now = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; msg: KubeletMessage }>();
  readonly fired: Fired[] = [];
  readonly writes: { at: number; body: Record<string, unknown> }[] = [];
  readonly stored = new Map<string, Pod>();
  private rev = 100;
  private handlers: TransportWatchHandlers | null = null;
  kubelet!: Kubelet;

  host(): KubeletHost {
    return {
      now: () => this.now,
      setTimer: (ms, msg) => {
        const id = ++this.seq;
        // Heartbeats are not the question here.
        if (msg.type === 'kubelet.pods' || msg.type === 'kubelet.flush') this.timers.set(id, { at: this.now + Math.max(0, ms), msg });
        return id;
      },
      cancelTimer: (id) => void this.timers.delete(id),
      track: (w) => w,
      warn: () => undefined,
    };
  }

  /** Fire every timer in time order (ties in the order set) until none is left or `until`. */
  async run(until = Infinity): Promise<void> {
    for (;;) {
      let next: [number, { at: number; msg: KubeletMessage }] | undefined;
      for (const e of this.timers) if (!next || e[1].at < next[1].at) next = e;
      if (!next || next[1].at > until) return;
      this.timers.delete(next[0]);
      this.now = next[1].at;
      this.fired.push({ at: this.now, msg: next[1].msg });
      if (next[1].msg.type === 'kubelet.pods') this.kubelet.onPodsTimer(next[1].msg.at);
      else if (next[1].msg.type === 'kubelet.flush') this.kubelet.onFlush();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
  }

  add(pod: Pod): void {
    const stored: Pod = { ...pod, metadata: { ...pod.metadata, resourceVersion: String(++this.rev) } };
    this.stored.set(pod.metadata.name!, stored);
    this.handlers!.onEvents([{ type: 'ADDED', object: structuredClone(stored) }]);
  }

  call(req: ApiRequest): Promise<ApiResponse> {
    if (req.verb === 'list') return Promise.resolve({ code: 200, body: { metadata: { resourceVersion: String(this.rev) }, items: [] } });
    return Promise.resolve({ code: 200, body: (req.body ?? {}) as Record<string, unknown> });
  }

  /** Status patches applied with the api-server's code; each result echoed as MODIFIED before the answer. */
  /** Batches to refuse (the api-server unreachable). */
  failBatches = 0;

  batch(reqs: readonly ApiRequest[]): Promise<ApiResponse[]> {
    if (this.failBatches > 0) {
      this.failBatches--;
      return Promise.reject(new Error('api-server unavailable'));
    }
    const out: ApiResponse[] = [];
    for (const r of reqs) {
      const cur = this.stored.get(r.name!);
      if (!cur || r.subresource !== 'status' || r.patchType !== 'strategic') throw new Error(`unexpected ${r.verb} ${r.name}`);
      this.writes.push({ at: this.now, body: (r.body as { status: Record<string, unknown> }).status });
      const res = applyStrategicMergePatch(cur, r.body, podSchema);
      if (!res.ok) throw new Error(res.error);
      const next = { ...(res.value as unknown as Pod), metadata: { ...cur.metadata, resourceVersion: String(++this.rev) } };
      this.stored.set(r.name!, next);
      this.handlers!.onEvents([{ type: 'MODIFIED', object: structuredClone(next) }]);
      out.push({ code: 200, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: r.name, namespace: r.namespace, resourceVersion: next.metadata.resourceVersion } } });
    }
    return Promise.resolve(out);
  }

  watch(_req: ApiRequest, h: TransportWatchHandlers): Promise<{ stop(): void }> {
    this.handlers = h;
    return Promise.resolve({ stop: () => undefined });
  }

  close(): void {}
}

async function world(sim: SimConfig): Promise<World> {
  const w = new World();
  w.kubelet = new Kubelet(nodeSettings('node-0', { sim }), new ApiClient(w), new FakeClock(), w.host());
  await w.kubelet.start();
  await w.kubelet.waitForReady();
  return w;
}

function pod(name: string, containers = ['web']): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName: 'node-0', containers: containers.map((c) => ({ name: c, image: 'nginx:1.27' })) },
    status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '1970-01-01T00:00:00Z' }] },
  };
}

const condition = (s: PodStatus | undefined, type: string) => s?.conditions?.find((c) => c.type === type);

test('pods of a node due at one instant share one timer, and reach Running and Ready at the configured latencies', async (t) => {
  const w = await world({ pullMs: 1_000, startMs: 500, readyDelayMs: 1_000 });
  for (let i = 0; i < 10; i++) w.add(pod(`p${i}`));
  await w.run();
  const podTimers = w.fired.filter((f) => f.msg.type === 'kubelet.pods');
  // The pull ends at 1 s (one pull of the image for all ten), then started at 1.5 s and ready at 2.5 s: two instants, one timer each.
  t.deepEqual(podTimers.map((f) => f.at), [1_500, 2_500]);
  t.is(w.writes.length, 30, 'three writes a pod: Pending, Running, Ready');
  t.deepEqual([...new Set(w.writes.map((x) => x.at))], [0, 1_500, 2_500]);
  for (const p of w.stored.values()) {
    const s = p.status!;
    t.is(s.phase, 'Running');
    t.is(condition(s, 'Ready')?.status, 'True');
    t.is(condition(s, 'Ready')?.lastTransitionTime, '1970-01-01T00:00:02Z');
    t.is(s.containerStatuses?.[0]?.state?.running?.startedAt, '1970-01-01T00:00:01Z');
    t.true(s.containerStatuses?.[0]?.ready);
    t.is(condition(s, 'PodScheduled')?.status, 'True', 'the scheduler\'s condition stays');
    t.truthy(s.podIP);
  }
  t.is(w.kubelet.stats().running, 10);
});

test('transitions due at one instant go out as one write, with the same final status and transition times', async (t) => {
  // Pulled, started and ready at the same instant (2 s): one write after the first, not three.
  const w = await world({ pullMs: 2_000, startMs: 0, readyDelayMs: 0 });
  w.add(pod('p', ['web', 'side']));
  await w.run();
  t.deepEqual(w.writes.map((x) => x.at), [0, 2_000]);
  const last = w.writes[1]!.body;
  t.is(last['phase'], 'Running');
  const s = w.stored.get('p')!.status!;
  for (const type of ['Ready', 'ContainersReady']) {
    t.is(condition(s, type)?.status, 'True');
    t.is(condition(s, type)?.lastTransitionTime, '1970-01-01T00:00:02Z');
    t.is(condition(s, type)?.reason, undefined, 'the reason of the False condition went');
  }
  t.is(condition(s, 'Initialized')?.lastTransitionTime, '1970-01-01T00:00:00Z');
  t.deepEqual(s.conditions!.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  t.deepEqual(s.containerStatuses!.map((c) => [c.name, c.ready, c.started, c.state?.running?.startedAt]), [
    ['web', true, true, '1970-01-01T00:00:02Z'],
    ['side', true, true, '1970-01-01T00:00:02Z'],
  ]);
  // The same as a pod that was written at every step.
  const stepped = admitPod({ key: 'default/p', namespace: 'default', name: 'p', uid: 'uid-p', initContainers: [], containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'side', image: 'nginx:1.27' }] }, { pullMs: 2_000 }, 1, 0, { imageReadyAt: (_i, t0, ms) => t0 + ms });
  advance(stepped, 2_000, { imageReadyAt: (_i, t0, ms) => t0 + ms });
  t.deepEqual(s.containerStatuses!.map((c) => c.containerID), containerStatuses(stepped, false)!.map((c) => c.containerID));
});

test('a pod deleted from the node takes its timer with it: nothing fires for it later', async (t) => {
  const w = await world({ pullMs: 1_000, startMs: 500, readyDelayMs: 1_000 });
  w.add(pod('a'));
  w.add(pod('b'));
  await w.run(0);
  // 'a' goes away before it starts; 'b' keeps the instant's timer.
  w.stored.delete('a');
  (w as unknown as { handlers: TransportWatchHandlers }).handlers.onEvents([{ type: 'DELETED', object: pod('a') }]);
  await w.run();
  t.deepEqual(w.fired.filter((f) => f.msg.type === 'kubelet.pods').map((f) => f.at), [1_500, 2_500]);
  t.is(w.kubelet.stats().pods, 1);
  t.is(condition(w.stored.get('b')!.status, 'Ready')?.status, 'True');
  // Only 'a' due: its timer is cancelled with it, and nothing fires.
  const w2 = await world({ pullMs: 1_000, startMs: 500 });
  w2.add(pod('a'));
  await w2.run(0);
  (w2 as unknown as { handlers: TransportWatchHandlers }).handlers.onEvents([{ type: 'DELETED', object: pod('a') }]);
  await w2.run();
  t.deepEqual(w2.fired.filter((f) => f.msg.type === 'kubelet.pods'), []);
});

test('a failed write is retried a second later, not at the next pod instant; the retry carries what changed meanwhile', async (t) => {
  const w = await world({ pullMs: 200, startMs: 0, readyDelayMs: 0 });
  w.failBatches = 1;
  w.add(pod('p'));
  await w.run();
  // Refused at 0; Running and Ready by 200 ms, written with the retry at 1 s in one write.
  t.deepEqual(w.writes.map((x) => x.at), [1_000]);
  const s = w.stored.get('p')!.status!;
  t.is(s.phase, 'Running');
  t.is(condition(s, 'Ready')?.status, 'True');
  t.is(s.containerStatuses?.[0]?.state?.running?.startedAt, '1970-01-01T00:00:00Z');
  t.is(condition(s, 'Ready')?.lastTransitionTime, '1970-01-01T00:00:00Z', 'the transition time is when it happened, not when it was written');
});

test('a container status is compared field by field: any one field that differs is written', (t) => {
  // A crash-looped container, running again: state, lastState and containerID all shown.
  const env = { imageReadyAt: (_i: string, t0: number, ms: number) => t0 + ms };
  const p = admitPod({ key: 'ns/p', namespace: 'ns', name: 'p', uid: 'u', initContainers: [], containers: [{ name: 'c', image: 'nginx' }] }, { startMs: 1_000, exitAfterMs: 5_000, exitCode: 1 }, 1, 0, env);
  advance(p, 20_000, env);
  const want = containerStatuses(p, false, 'berth-sim')!;
  t.is(want[0]!.restartCount, 1);
  t.truthy(want[0]!.lastState?.terminated);
  const shown = (cs: ContainerStatus[]): PodStatus => ({ ...{ phase: 'Running' }, containerStatuses: cs });
  const base = statusDiff(p, shown(want), '127.2.0.1', 'berth-sim');
  t.false(base !== null && 'containerStatuses' in base, 'the same statuses: nothing to write for them');
  const changes: [string, (c: ContainerStatus) => void][] = [
    ['ready', (c) => void (c.ready = !c.ready)],
    ['restartCount', (c) => void (c.restartCount += 1)],
    ['image', (c) => void (c.image = 'other')],
    ['imageID', (c) => void (c.imageID = '')],
    ['started', (c) => void (c.started = !c.started)],
    ['containerID', (c) => void (c.containerID = 'berth-sim://0')],
    ['state', (c) => void (c.state = { waiting: { reason: 'ContainerCreating' } })],
    ['running.startedAt', (c) => void (c.state!.running!.startedAt = '2000-01-01T00:00:00Z')],
    ['lastState exit code', (c) => void (c.lastState!.terminated!.exitCode = 2)],
    ['lastState containerID', (c) => void (c.lastState!.terminated!.containerID = 'x')],
    ['lastState gone', (c) => void (c.lastState = {})],
    ['a field someone added', (c) => void ((c as ContainerStatus & { resources?: object }).resources = {})],
  ];
  for (const [what, change] of changes) {
    const have = structuredClone(want);
    change(have[0]!);
    t.deepEqual(statusDiff(p, shown(have), '127.2.0.1', 'berth-sim')?.['containerStatuses'], want, what);
  }
});
