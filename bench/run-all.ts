/**
 * `npm run bench` and `berth bench`: every benchmark in turn, each in its
 * own process so that one's threads and heap do not disturb the next. With
 * --json, one JSON array of { bench, case, metric, value, unit } rows from
 * all of them (baselines are rows of their own); --quick asks the benches
 * that have one for a short run (fewer rounds, smaller sizes).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow } from './lib/report.js';

export type { BenchRow } from './lib/report.js';

/** In the order they build on each other. */
export const benches = ['actor-messaging', 'store', 'api', 'scheduler', 'controllers', 'node', 'proxy', 'load'] as const;
export type BenchName = (typeof benches)[number];

export interface RunOptions {
  /** Collect rows (the benches print nothing else on stdout); otherwise they print their tables. */
  readonly json: boolean;
  readonly quick?: boolean;
}

export interface RunResult {
  readonly rows: BenchRow[];
  /** Benches that exited with an error (their stderr went through). */
  readonly failed: string[];
}

export function runBenches(names: readonly BenchName[], options: RunOptions): RunResult {
  const rows: BenchRow[] = [];
  const failed: string[] = [];
  for (const name of benches) {
    if (!names.includes(name)) continue;
    const file = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
    if (!existsSync(file)) {
      failed.push(`${name} (not built: ${file})`);
      continue;
    }
    const args = [file, ...(options.json ? ['--json'] : []), ...(options.quick ? ['--quick'] : [])];
    const run = spawnSync(process.execPath, args, { stdio: options.json ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) {
      failed.push(`${name} (exit status ${run.status ?? run.signal})`);
      continue;
    }
    if (options.json) rows.push(...(JSON.parse(run.stdout.trim().split('\n').pop()!) as BenchRow[]));
  }
  return { rows, failed };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--')) as BenchName[];
  const result = runBenches(only.length > 0 ? only : benches, { json, quick: process.argv.includes('--quick') });
  for (const f of result.failed) console.error(`bench ${f} failed`);
  if (json) process.stdout.write(JSON.stringify(result.rows) + '\n');
  process.exitCode = result.failed.length > 0 ? 1 : 0;
}
