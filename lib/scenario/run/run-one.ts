/**
 * One run of a scenario (one variant, one seed): start the cluster on a
 * supervisor, create the workloads, play the timeline while sampling,
 * decide the expectations, collect the figures, stop. Virtual time steps
 * by at most a second (the sampling period), and lands exactly on every
 * `at`, delay, deadline and `by`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiStats } from '../../../actors/api-server/messages.js';
import type { SchedulerStats } from '../../../actors/scheduler/messages.js';
import { Supervisor } from '../../actor/supervisor.js';
import type { Message } from '../../actor/types.js';
import { ApiClient } from '../../client/client.js';
import { realClock } from '../../client/clock.js';
import { InProcessTransport } from '../../client/in-process.js';
import type { PhaseReport, RunReport, StepReport } from '../../report/types.js';
import { formatDuration } from '../duration.js';
import type { Scenario, SchedulerOptions, Variant } from '../types.js';
import { perform } from './actions.js';
import { buildCluster } from './build.js';
import type { RunContext } from './context.js';
import { ExpectationChecker } from './expectations.js';
import { clusterNodes } from './nodes.js';
import { Observer } from './observer.js';
import { Sampler } from './sampler.js';
import { histogram, latencyStats } from './stats.js';
import { TimelinePlayer } from './timeline.js';
import { NodeFailurePlayer } from './node-failures.js';
import { killPidFileProcesses } from '../../../actors/node/runtime/process.js';

export const SAMPLE_MS = 1_000;
export const PROCESS_CLOCK_WARNING = 'the scenario has process-runtime pools: it ran on the real clock (the virtual clock does not apply to real processes)';
/** Without `duration`, a run that never finishes its timeline stops here. */
export const DEFAULT_LIMIT_MS = 2 * 60 * 60_000;

export interface RunOneOptions {
  readonly seed: number;
  readonly clock: 'virtual' | 'real';
  /** Where the store's LMDB goes; default a temporary directory removed afterwards. */
  readonly dataDir?: string;
  readonly onProgress?: (p: Progress) => void;
  /**
   * Wall-clock ms between progress reports while virtual time stands still
   * (default 5 s): at large sizes one step of virtual time, or bringing the
   * cluster up, takes minutes, and a silent run looks hung.
   */
  readonly progressEveryMs?: number;
  /** A line for the log: a step ran, an expectation was decided. */
  readonly onLine?: (line: string) => void;
}

export interface Progress {
  readonly variant: string;
  readonly phase: string;
  /** Virtual ms since the start, and the end if known. */
  readonly now: number;
  readonly end?: number;
  readonly pods: { readonly total: number; readonly ready: number; readonly unscheduled: number };
  readonly stepsDone: number;
  readonly steps: number;
}

export async function runOne(scenario: Scenario, variant: Variant | null, options: RunOneOptions): Promise<RunReport> {
  const wallStart = Date.now();
  const variantName = variant?.name ?? 'default';
  const base = scenario.cluster.controlPlane.scheduler;
  const scheduler: SchedulerOptions = { ...base, ...(variant?.scheduler.profile ? { profile: variant.scheduler.profile } : {}), weights: { ...base.weights, ...variant?.scheduler.weights } };
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'berth-run-'));
  const built = buildCluster(scenario, scheduler, options.seed, dataDir);
  const warnings = [...built.warnings];
  // Real processes run on the wall clock whatever --clock says (the validator makes the scenario say clock: real).
  const clock = built.processNodesDir !== undefined ? 'real' : options.clock;
  if (clock !== options.clock) warnings.push(PROCESS_CLOCK_WARNING);
  if (scenario.clock.mode === 'real' && scenario.clock.speed !== 1 && clock === 'real') warnings.push(`clock speed ${scenario.clock.speed}: the real clock runs at speed 1`);
  const phases: PhaseReport[] = [];
  let phaseWall = Date.now();
  let phaseVirtual = 0;
  let phaseName = 'start the cluster';
  const line = options.onLine ?? (() => undefined);

  const nodeCount = scenario.cluster.nodePools.reduce((n, p) => n + p.count, 0);
  const sup = await Supervisor.start({
    clock,
    children: built.children,
    logLevel: 'silent',
    // killActor crashes actors on purpose, maybe several within seconds (the scheduler, then a
    // controller-manager replica): OTP's default (one restart per 5 s) would give up on the whole cluster.
    policy: { intensity: 10, periodMs: 5_000 },
    // A big cluster keeps its api-server and node hosts busy for long stretches (5,000 nodes registering
    // at once); a host silent for the default 10 s would be killed mid-run as if it hung.
    heartbeat: { timeoutMs: Math.max(10_000, nodeCount * 30) },
  });
  const transport = new InProcessTransport(sup);
  const onMessage = (m: Message): void => void transport.handleNotice(m);
  sup.on('message', onMessage);
  let restarts = 0;
  sup.on('restart', (e: { addresses?: string[]; children?: string[] }) => (restarts += e.addresses?.length ?? e.children?.length ?? 1));
  const api = new ApiClient(transport, { fieldManager: 'berth-run' });
  /** Virtual time when the cluster was up; undefined until then (cluster time before it is not the scenario's). */
  let origin: number | undefined;
  const now = (): number => sup.clock.now() - (origin ?? sup.clock.now());
  const observer = new Observer(api, realClock, now);
  const nodes = clusterNodes(scenario.cluster.nodePools);
  const ctx: RunContext = { sup, api, observer, scenario, seed: options.seed, nodes, now, evictions: 0, stepsRun: new Set() };
  const nextPhase = (name: string): void => {
    const t = Date.now();
    phases.push({ name: phaseName, wallMs: t - phaseWall, virtualFrom: phaseVirtual, virtualTo: Math.max(0, now()) });
    phaseWall = t;
    phaseVirtual = Math.max(0, now());
    phaseName = name;
  };
  let lastProgress: Omit<Progress, 'variant' | 'pods' | 'phase'> = { now: 0, stepsDone: 0, steps: scenario.timeline.length };
  const progress = (p: Omit<Progress, 'variant' | 'pods' | 'phase'>): void => {
    lastProgress = p;
    options.onProgress?.({ variant: variantName, phase: phaseName, pods: { total: observer.pods.size, ready: observer.counts.Ready, unscheduled: observer.counts.Unscheduled }, ...p });
  };
  const heartbeat = options.onProgress ? setInterval(() => progress({ ...lastProgress, now: Math.max(0, now()) }), options.progressEveryMs ?? 5_000) : undefined;
  heartbeat?.unref();

  try {
    await sup.request('api-server', { type: 'api.address' }, { timeoutMs: 60_000 });
    const ready = Promise.all([
      // A standby replica is ready once it has seen who leads.
      ...built.schedulers.map((a) => sup.request(a, { type: 'scheduler.ready' }, { timeoutMs: 600_000 })),
      ...built.controllerManagers.map((a) => sup.request(a, { type: 'cm.ready' }, { timeoutMs: 600_000 })),
      ...(built.kubeProxy ? [sup.request('kube-proxy', { type: 'proxy.ready' }, { timeoutMs: 600_000 })] : []),
      ...nodes.map((n) => sup.request(`node/${n.name}`, { type: 'kubelet.ready' }, { timeoutMs: 600_000 })),
    ]);
    // Time goes on while the cluster comes up: a kubelet whose registration failed retries on a timer.
    let up = false;
    void ready.then(() => (up = true), () => (up = true));
    while (!up) {
      const step = sup.clock.runFor(SAMPLE_MS);
      await Promise.race([ready, step]);
      await step; // one advance at a time: the next runUntil must not overlap it
    }
    await ready;
    await observer.start();
    origin = sup.clock.now();
    nextPhase('create the workloads');
    for (const w of scenario.workloads) await perform(ctx, { type: 'apply', workload: w }, -1);

    nextPhase('play the timeline');
    const player = new TimelinePlayer(ctx, scenario.timeline, (s) => line(stepLine(variantName, s)));
    const checker = new ExpectationChecker(ctx);
    const nodeFailures = new NodeFailurePlayer(ctx, (s) => line(stepLine(variantName, s)));
    const sampler = new Sampler(observer, () => Date.now() - wallStart);
    const limit = scenario.duration ?? DEFAULT_LIMIT_MS;
    const stepsDone = (): number => player.report().filter((s) => s.status !== 'not-run').length;
    for (;;) {
      const t = now();
      await player.tick(t);
      await nodeFailures.tick(t);
      await checker.tick(t);
      sampler.sample(t);
      const endKnown = player.finished ? Math.max(checker.lastBy, t) : undefined;
      progress({ now: t, ...(endKnown !== undefined || scenario.duration !== undefined ? { end: Math.min(endKnown ?? limit, limit) } : {}), stepsDone: stepsDone(), steps: scenario.timeline.length });
      if ((player.finished && t >= checker.lastBy) || t >= limit) {
        if (!player.finished && scenario.duration === undefined) warnings.push(`the timeline had not finished after ${formatDuration(limit)}; the run stopped there`);
        break;
      }
      const candidates = [t + SAMPLE_MS, limit, player.nextDue(t), nodeFailures.nextDue(t), checker.nextDue(t)].filter((x): x is number => x !== undefined && x > t);
      await sup.clock.runUntil(origin + Math.min(...candidates));
    }
    const endedAt = now();
    nextPhase('check and collect');
    const expectations = await checker.finish(endedAt);
    for (const e of expectations) line(`${variantName}: ${e.passed ? 'PASS' : 'FAIL'} ${e.name}: ${e.detail}`);
    const planned = player.report();
    // Random node failures among the planned steps, in time order (a stable sort: steps that never started stay last, in order).
    const timeline = [...planned, ...nodeFailures.report(planned.length)].sort((a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity));
    const schedStats = sumStats(await Promise.all(built.schedulers.map((a) => sup.request<SchedulerStats>(a, { type: 'scheduler.stats' }, { timeoutMs: 30_000 }))));
    const apiStats = await sup.request<ApiStats>('api-server', { type: 'api.stats' }, { timeoutMs: 30_000 });
    const apiHandled = (await sup.inspect('api-server').stats()).handled;
    const report = collect({
      observer, sampler, expectations, timeline, schedStats, apiStats, apiHandled, restarts, evictions: ctx.evictions + observer.evictedFromDownNodes + schedStats.victimsDeleted,
      deadLetters: sup.deadLetterCount, endedAt, variantName, seed: options.seed, scheduler: built.scheduler, warnings,
    });
    observer.stop();
    nextPhase('');
    return { ...report, phases, wallMs: Date.now() - wallStart };
  } finally {
    clearInterval(heartbeat);
    observer.stop();
    sup.off('message', onMessage);
    transport.close();
    await sup.stop();
    // A process node whose thread ended before it could stop its containers leaves them running: their pid files name them.
    if (built.processNodesDir !== undefined) for (const n of nodes) killPidFileProcesses(join(built.processNodesDir, n.name, 'pids'));
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Collected {
  readonly observer: Observer;
  readonly sampler: Sampler;
  readonly expectations: RunReport['expectations'];
  readonly timeline: StepReport[];
  readonly schedStats: SchedulerStats;
  readonly apiStats: ApiStats;
  readonly apiHandled: number;
  readonly restarts: number;
  readonly evictions: number;
  readonly deadLetters: number;
  readonly endedAt: number;
  readonly variantName: string;
  readonly seed: number;
  readonly scheduler: RunReport['scheduler'];
  readonly warnings: string[];
}

function collect(c: Collected): Omit<RunReport, 'phases' | 'wallMs'> {
  const o = c.observer;
  const scheduling: number[] = [];
  const startup: number[] = [];
  for (const p of o.pods.values()) {
    if (p.scheduledAt >= 0) scheduling.push(p.scheduledAt - p.createdAt);
    if (p.readyAt >= 0) startup.push(p.readyAt - p.createdAt);
  }
  let allocCpu = 0;
  let usedCpu = 0;
  let allocMem = 0;
  let usedMem = 0;
  let used = 0;
  let stranded = 0;
  for (const n of o.nodes.values()) {
    allocCpu += n.allocCpu;
    usedCpu += n.usedCpu;
    allocMem += n.allocMemory;
    usedMem += n.usedMemory;
    if (n.pods > 0) {
      used++;
      stranded += Math.max(0, n.allocCpu - n.usedCpu);
    }
  }
  const free = allocCpu - usedCpu;
  // At least a virtual second: bindings in one instant are not an infinite rate.
  const bindSpanVirtual = Math.max(1_000, o.lastBindAt - o.firstBindAt);
  const bindSpanWall = Math.max(1, o.lastBindWall - o.firstBindWall);
  const bound = o.bindings.length;
  const passed = c.expectations.every((e) => e.passed) && c.timeline.every((s) => s.status !== 'failed');
  return {
    variant: c.variantName,
    seed: c.seed,
    scheduler: c.scheduler,
    passed,
    endedAt: c.endedAt,
    timeline: c.timeline,
    expectations: c.expectations,
    summary: {
      pods: { created: o.pods.size, scheduled: bound, final: { ...o.counts } },
      scheduling: {
        attempts: c.schedStats.attempts,
        scheduled: c.schedStats.scheduled,
        unschedulable: c.schedStats.unschedulable,
        preemptions: c.schedStats.preemptions,
        podsPerWallSecond: bound <= 1 ? 0 : Math.round((bound / bindSpanWall) * 1000),
        podsPerVirtualSecond: bound <= 1 ? 0 : Math.round((bound / bindSpanVirtual) * 1000 * 100) / 100,
        latency: latencyStats(scheduling),
      },
      startup: latencyStats(startup),
      ...(c.sampler.allReady ? { allReady: c.sampler.allReady } : {}),
      nodes: {
        total: o.nodes.size,
        used,
        cpu: ratio(usedCpu, allocCpu),
        memory: ratio(usedMem, allocMem),
        fragmentation: ratio(stranded, free),
      },
      api: { requests: c.apiHandled, writes: c.apiStats.revision },
      restarts: c.restarts,
      evictions: c.evictions,
      deadLetters: c.deadLetters,
    },
    series: c.sampler.series(),
    latency: { scheduling: histogram(scheduling), startup: histogram(startup) },
    heatmap: c.sampler.heatmap(),
    placements: [...o.bindings].sort(),
    warnings: c.warnings,
  };
}

/** The replicas' counts together (a standby's are of the terms it led: none, or before it lost the Lease). */
function sumStats(all: readonly SchedulerStats[]): SchedulerStats {
  const sum = (f: (s: SchedulerStats) => number): number => all.reduce((n, s) => n + f(s), 0);
  return {
    ...all[0]!,
    attempts: sum((s) => s.attempts),
    scheduled: sum((s) => s.scheduled),
    unschedulable: sum((s) => s.unschedulable),
    preemptions: sum((s) => s.preemptions),
    victimsDeleted: sum((s) => s.victimsDeleted),
  };
}

function ratio(a: number, b: number): number {
  return b <= 0 ? 0 : Math.round((a / b) * 1000) / 1000;
}

function stepLine(variant: string, s: StepReport): string {
  const at = formatDuration(s.doneAt ?? s.startedAt ?? 0);
  return `${variant}: [${at}] ${s.status === 'failed' ? 'FAILED ' : ''}${s.description}${s.detail ? ` -> ${s.detail}` : ''}`;
}
