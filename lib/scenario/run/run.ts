/**
 * A whole `berth run`: the scenario once, or once per variant and per seed
 * of a sweep. Several runs go to a piscina pool (a run is stateless batch
 * work: a scenario in, a report out), one run stays on this thread so its
 * progress can be shown live. Pool tasks start timers (their supervisors'
 * heartbeats), so the pool runs with atomics disabled: with piscina's
 * default, a timer in a pool thread does not fire between tasks.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { REPORT_VERSION, type Report, type RunReport } from '../../report/types.js';
import type { Scenario } from '../types.js';
import { PROCESS_CLOCK_WARNING, runOne, type Progress } from './run-one.js';
import type { VariantTask } from './variant-worker.js';

export interface RunOptions {
  /** The scenario file, for the report. */
  readonly file: string;
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Runs seeds seed, seed+1, ... seed+seeds-1 (default 1). */
  readonly seeds?: number;
  /** Overrides the scenario's clock. */
  readonly clock?: 'virtual' | 'real';
  /** The store's directory (single runs only); default a temporary one. */
  readonly dataDir?: string;
  /** Pool threads for several runs; default min(runs, cores). */
  readonly threads?: number;
  readonly onProgress?: (p: Progress) => void;
  /** See RunOneOptions.progressEveryMs (single runs). */
  readonly progressEveryMs?: number;
  readonly onLine?: (line: string) => void;
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<Report> {
  const wallStart = Date.now();
  const seed = options.seed ?? scenario.seed;
  // Real processes keep wall time: a scenario with process pools runs on the real clock whatever is asked.
  const processes = scenario.cluster.nodePools.some((p) => p.runtime === 'process');
  const clock = processes ? 'real' : (options.clock ?? scenario.clock.mode);
  const variants = scenario.variants.length === 0 ? [-1] : scenario.variants.map((_, i) => i);
  const seeds = Array.from({ length: Math.max(1, options.seeds ?? 1) }, (_, i) => (seed + i) >>> 0);
  const tasks: VariantTask[] = seeds.flatMap((s) => variants.map((v) => ({ scenario, variant: v, seed: s, clock })));
  let runs: RunReport[];
  if (tasks.length === 1) {
    const t = tasks[0]!;
    runs = [await runOne(scenario, t.variant >= 0 ? scenario.variants[t.variant]! : null, { seed: t.seed, clock, dataDir: options.dataDir, onProgress: options.onProgress, progressEveryMs: options.progressEveryMs, onLine: options.onLine })];
  } else {
    runs = await runPooled(tasks, options);
  }
  if (seeds.length > 1) runs = runs.map((r) => ({ ...r, variant: `${r.variant} seed ${r.seed}` }));
  if (processes && options.clock === 'virtual') runs = runs.map((r) => ({ ...r, warnings: [...r.warnings, PROCESS_CLOCK_WARNING] }));
  return {
    version: REPORT_VERSION,
    scenario: { name: scenario.name, ...(scenario.description ? { description: scenario.description } : {}), file: options.file, seed, clock },
    passed: runs.every((r) => r.passed),
    wallMs: Date.now() - wallStart,
    runs,
  };
}

async function runPooled(tasks: readonly VariantTask[], options: RunOptions): Promise<RunReport[]> {
  const threads = options.threads ?? Math.max(1, Math.min(tasks.length, availableParallelism()));
  const pool = new Piscina<VariantTask, RunReport>({
    filename: new URL('./variant-worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    atomics: 'disabled',
    idleTimeout: 1_000,
  });
  try {
    options.onLine?.(`running ${tasks.length} runs on ${threads} pool threads`);
    return await Promise.all(
      tasks.map(async (t) => {
        const r = await pool.run(t);
        options.onLine?.(`${r.variant} (seed ${r.seed}): ${r.passed ? 'passed' : 'FAILED'} in ${(r.wallMs / 1000).toFixed(1)} s wall`);
        return r;
      }),
    );
  } finally {
    await pool.destroy();
  }
}
