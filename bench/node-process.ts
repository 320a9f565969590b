/**
 * Question: how long from a pod bound to the node until its container runs
 * under the process runtime, beside spawning the same program with
 * child_process.spawn directly, in the same run?
 *
 * One Kubelet with the process runtime (the actor's logic, real timers) over
 * a fake API that answers at once; a pod running `node -e <idle loop>`
 * arrives on its watch (as bound by the scheduler) and the time is taken
 * when the runtime reports the process spawned (the moment the status says
 * running); then the pod is deleted and its process killed before the next.
 * The baseline spawns the same program with the same stdio and waits for the
 * same 'spawn' event. Rounds alternate, one process alive at a time.
 *
 * Run: npm run build && node dist/bench/node.js (with the simulated figures)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiRequest, ApiResponse } from '../actors/api-server/messages.js';
import { Kubelet, type KubeletHost } from '../actors/node/kubelet.js';
import { nodeSettings } from '../actors/node/settings.js';
import type { Pod } from '../lib/api/types/pod.js';
import { ApiClient } from '../lib/client/client.js';
import { FakeClock } from '../lib/client/fake-clock.js';
import type { Transport, TransportWatchHandlers } from '../lib/client/types.js';
import { percentile, type BenchRow } from './lib/report.js';

const PROGRAM = 'setInterval(() => {}, 1 << 30)';

class FakeApi implements Transport {
  handlers: TransportWatchHandlers | null = null;
  call(req: ApiRequest): Promise<ApiResponse> {
    if (req.verb === 'list') return Promise.resolve({ code: 200, body: { metadata: { resourceVersion: '1' }, items: [] } });
    if (req.verb === 'get') return Promise.resolve({ code: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', status: 'Failure', message: 'not found' } });
    return Promise.resolve({ code: 200, body: (req.body ?? {}) as Record<string, unknown> });
  }
  batch(reqs: readonly ApiRequest[]): Promise<ApiResponse[]> {
    return Promise.resolve(reqs.map(() => ({ code: 200, body: {} })));
  }
  watch(_req: ApiRequest, h: TransportWatchHandlers): Promise<{ stop(): void }> {
    this.handlers = h;
    return Promise.resolve({ stop: () => undefined });
  }
  close(): void {}
}

function pod(i: number): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: 'default', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resourceVersion: String(100 + i) },
    spec: { nodeName: 'bench-node', restartPolicy: 'Always', containers: [{ name: 'web', image: 'node:20', args: ['-e', PROGRAM] }] },
    status: { phase: 'Pending' },
  };
}

function rawSpawn(): Promise<{ ms: number; kill: () => Promise<void> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', PROGRAM], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { PATH: process.env.PATH ?? '' } });
  child.stdout.resume();
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () =>
      resolve({
        ms: performance.now() - t0,
        kill: () =>
          new Promise<void>((done) => {
            child.once('close', () => done());
            child.kill('SIGKILL');
          }),
      }),
    );
  });
}

export async function processRuntimeRows(bench: string, rounds: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-proc-'));
  const api = new FakeApi();
  let k!: Kubelet;
  const host: KubeletHost = {
    now: () => Date.now(),
    setTimer: (ms, msg) => {
      if (msg.type === 'kubelet.lease' || msg.type === 'kubelet.status') return 0;
      return Number(setTimeout(() => (msg.type === 'kubelet.pods' ? k.onPodsTimer(msg.at) : msg.type === 'kubelet.flush' ? k.onFlush() : undefined), ms));
    },
    cancelTimer: (id) => clearTimeout(id),
    track: (w) => w,
    warn: (msg, fields) => console.error(`warn: ${msg} ${JSON.stringify(fields)}`),
  };
  k = new Kubelet(nodeSettings('bench-node', { runtime: 'process', dataDir: dir, index: 200 }), new ApiClient(api), new FakeClock(), host);
  await k.start();
  await k.waitForReady();
  // Time the runtime's report that the process runs (the status then says running).
  let onStarted: (() => void) | null = null;
  const started = k.bridge.started.bind(k.bridge);
  k.bridge.started = (...a) => {
    started(...a);
    onStarted?.();
  };
  const viaKubelet: number[] = [];
  const direct: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const p = pod(i);
      const running = new Promise<void>((resolve) => (onStarted = resolve));
      const t0 = performance.now();
      api.handlers!.onEvents([{ type: 'ADDED', object: p }]);
      await running;
      viaKubelet.push(performance.now() - t0);
      api.handlers!.onEvents([{ type: 'DELETED', object: p }]);
      const raw = await rawSpawn();
      direct.push(raw.ms);
      await raw.kill();
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    k.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  viaKubelet.sort((a, b) => a - b);
  direct.sort((a, b) => a - b);
  const c = `${rounds} pods, one at a time (node -e)`;
  return [
    { bench, case: c, metric: 'bound -> running, process runtime p50', value: percentile(viaKubelet, 50), unit: 'ms' },
    { bench, case: c, metric: 'bound -> running, process runtime p99', value: percentile(viaKubelet, 99), unit: 'ms' },
    { bench, case: c, metric: 'baseline: child_process.spawn p50', value: percentile(direct, 50), unit: 'ms' },
    { bench, case: c, metric: 'baseline: child_process.spawn p99', value: percentile(direct, 99), unit: 'ms' },
    { bench, case: c, metric: 'ratio p50 (process runtime / spawn)', value: percentile(viaKubelet, 50) / percentile(direct, 50), unit: 'x' },
  ];
}
