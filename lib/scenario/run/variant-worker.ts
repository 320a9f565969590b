/**
 * A piscina task: one run of a scenario (a variant, a seed) on a pool
 * thread. The task carries the parsed scenario (plain data) so the worker
 * does not read or validate the file again. Its supervisor and actors are
 * worker threads of this thread; progress is not reported from here (the
 * pool's caller prints lines when each run ends).
 */
import type { RunReport } from '../../report/types.js';
import type { Scenario } from '../types.js';
import { runOne } from './run-one.js';

export interface VariantTask {
  readonly scenario: Scenario;
  /** Index into scenario.variants, or -1 for the scenario as written. */
  readonly variant: number;
  readonly seed: number;
  readonly clock: 'virtual' | 'real';
}

export default async function runVariant(task: VariantTask): Promise<RunReport> {
  const variant = task.variant >= 0 ? task.scenario.variants[task.variant]! : null;
  return runOne(task.scenario, variant, { seed: task.seed, clock: task.clock });
}
