/** The simulated runtime's pure parts: a pod's transitions, draws, and pod IPs. */
import test from 'ava';
import { PodIpAllocator, parsePodCidr } from '../../actors/node/ipam.js';
import { intToIp, ipToInt } from '../../lib/net/ipv4.js';
import { admitPod, advance, beginStop, podPhase, type NodeEnv, type PodRec } from '../../actors/node/pod-state.js';
import { podStatus } from '../../actors/node/pod-status.js';
import { draw, podBehaviour, seedOf, type SimConfig } from '../../actors/node/sim.js';

const noPull: NodeEnv = { imageReadyAt: (_image, t, ms) => t + ms };

function pod(sim: SimConfig, extra: { init?: string[]; restartPolicy?: 'Always' | 'OnFailure' | 'Never' } = {}): PodRec {
  return admitPod(
    { key: 'ns/p', namespace: 'ns', name: 'p', uid: 'u', restartPolicy: extra.restartPolicy, initContainers: (extra.init ?? []).map((name) => ({ name, image: 'busybox' })), containers: [{ name: 'c', image: 'nginx' }] },
    sim, 1, 0, noPull,
  );
}

/** Advance in 1 s steps to `until`, recording [t, what] whenever the summary changes. */
function timeline(p: PodRec, until: number, what: (p: PodRec) => string): [number, string][] {
  const out: [number, string][] = [[0, what(p)]];
  for (let t = 1_000; t <= until; t += 1_000) {
    advance(p, t, noPull);
    const w = what(p);
    if (w !== out[out.length - 1]![1]) out.push([t / 1000, w]);
  }
  return out;
}

const main = (p: PodRec): string => {
  const c = p.containers[p.containers.length - 1]!;
  return `${podPhase(p)} ${c.stage} r${c.restarts}${c.ready ? ' ready' : ''}`;
};

test('a pod goes Pending -> Running -> Ready after pull, start and readiness delay', (t) => {
  t.deepEqual(timeline(pod({ pullMs: 2_000, startMs: 1_000, readyDelayMs: 3_000 }), 10_000, main), [
    [0, 'Pending pulling r0'],
    [2, 'Pending starting r0'],
    [3, 'Running running r0'],
    [6, 'Running running r0 ready'],
  ]);
});

test('init containers run in order before the container; Initialized follows the last', (t) => {
  const p = pod({ initRunMs: 2_000, startMs: 1_000 }, { init: ['a', 'b'] });
  const stages = (x: PodRec): string => x.containers.map((c) => `${c.name}:${c.stage}`).join(' ');
  t.deepEqual(timeline(p, 10_000, stages), [
    [0, 'a:pulling b:pulling c:pulling'],
    [1, 'a:running b:pulling c:pulling'],
    [3, 'a:done b:starting c:pulling'],
    [4, 'a:done b:running c:pulling'],
    [6, 'a:done b:done c:starting'],
    [7, 'a:done b:done c:running'],
  ]);
  t.is(p.initializedAt, 6_000);
  const s = podStatus(p, '127.2.0.1', undefined);
  t.is(s.initContainerStatuses![0]!.state!.terminated!.reason, 'Completed');
  t.is(s.conditions!.find((c) => c.type === 'Initialized')!.lastTransitionTime, '1970-01-01T00:00:06Z');
});

test('CrashLoopBackOff: 10 s doubling, capped at 5 min', (t) => {
  const p = pod({ exitAfterMs: 1_000, exitCode: 1 });
  const restarts: number[] = [];
  for (let s = 1; s <= 1_500; s++) {
    const before = p.containers[0]!.restarts;
    advance(p, s * 1_000, noPull);
    if (p.containers[0]!.restarts > before) restarts.push(s);
  }
  // Exit 1 s after each start; back-off 10, 20, 40, 80, 160, 300, 300 s.
  t.deepEqual(restarts, [11, 32, 73, 154, 315, 616, 917, 1218]);
  t.is(podPhase(p), 'Running');
});

test('restartPolicy decides: Never fails, OnFailure completes on exit 0', (t) => {
  const never = pod({ exitAfterMs: 1_000, exitCode: 2 }, { restartPolicy: 'Never' });
  advance(never, 60_000, noPull);
  t.is(podPhase(never), 'Failed');
  t.is(never.containers[0]!.restarts, 0);
  const ok = pod({ exitAfterMs: 1_000, exitCode: 0 }, { restartPolicy: 'OnFailure' });
  advance(ok, 60_000, noPull);
  t.is(podPhase(ok), 'Succeeded');
});

test('graceful stop: exit 0 within the grace period, 137 when SIGTERM is ignored', (t) => {
  for (const [sim, code, at] of [[{ stopMs: 3_000 }, 0, 3_000], [{ ignoreSigterm: true }, 137, 30_000]] as const) {
    const p = pod(sim);
    advance(p, 1_000, noPull);
    beginStop(p, 1_000, 30_000);
    advance(p, 1_000 + at - 1, noPull);
    t.false(p.stopped);
    advance(p, 1_000 + at, noPull);
    t.true(p.stopped);
    t.is(p.containers[0]!.term!.exitCode, code);
  }
});

test('draws repeat for the same seed and follow their distribution', (t) => {
  t.is(draw(250, 1), 250);
  const u = Array.from({ length: 1_000 }, (_, i) => draw({ min: 100, max: 200 }, seedOf('p', i)));
  t.true(u.every((x) => x >= 100 && x <= 200));
  t.deepEqual(u, Array.from({ length: 1_000 }, (_, i) => draw({ min: 100, max: 200 }, seedOf('p', i))));
  const e = Array.from({ length: 5_000 }, (_, i) => draw({ mean: 1_000 }, seedOf('e', i)));
  const mean = e.reduce((a, b) => a + b, 0) / e.length;
  t.true(mean > 900 && mean < 1_100, `mean ${mean}`);
  t.deepEqual(podBehaviour({ pullMs: 5 }, { 'berth.dev/simulate': '{"exitAfterMs":5000,"exitCode":1}' }), { ok: true, value: { pullMs: 5, exitAfterMs: 5000, exitCode: 1 } });
  t.false(podBehaviour({}, { 'berth.dev/simulate': '{nope' }).ok);
});

test('pod IPs: inside the podCIDR, never network, gateway or broadcast, released and reused round robin', (t) => {
  const cidr = parsePodCidr('127.128.3.0/29');
  if (!cidr.ok) return t.fail(cidr.error);
  const a = new PodIpAllocator(cidr.value);
  const got = [a.allocate(), a.allocate(), a.allocate(), a.allocate(), a.allocate()].map(intToIp);
  t.deepEqual(got, ['127.128.3.2', '127.128.3.3', '127.128.3.4', '127.128.3.5', '127.128.3.6']);
  t.is(a.allocate(), 0, 'full');
  a.release(ipToInt('127.128.3.4')!);
  t.is(intToIp(a.allocate()), '127.128.3.4');
  t.false(parsePodCidr('10.0.0.0/24').ok);
});
