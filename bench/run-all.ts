/**
 * `npm run bench`: every benchmark in turn, each in its own process so that
 * one's threads and heap do not disturb the next. With --json, one JSON
 * array of rows from all of them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './lib/report.js';

/** In the order they build on each other. */
export const benches = ['actor-messaging', 'store', 'api', 'scheduler', 'node'] as const;

const json = process.argv.includes('--json');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const all: BenchRow[] = [];
let failed = false;

for (const name of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  const file = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  if (!existsSync(file)) continue;
  const run = spawnSync(process.execPath, [file, ...(json ? ['--json'] : [])], {
    stdio: json ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    failed = true;
    console.error(`bench ${name} failed with status ${run.status}`);
    continue;
  }
  if (json) all.push(...(JSON.parse(run.stdout.trim().split('\n').pop()!) as BenchRow[]));
}
if (json) process.stdout.write(JSON.stringify(all) + '\n');
process.exitCode = failed ? 1 : 0;
