/**
 * `berth bench [scheduler|store|actors|api|node|all] [--json] [--quick]`:
 * runs the benchmarks (bench/run-all, each bench in its own process). On a
 * terminal each bench prints its table (figures beside the baseline measured
 * in the same run, and the ratios); with --json, stdout is one array of
 * { bench, case, metric, value, unit } rows, baselines as rows of their own.
 */
import { Argument, Command } from 'commander';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type RunAll = typeof import('../../bench/run-all.js');
type BenchName = RunAll['benches'][number];

/** Short names for the benches whose file names are long; any bench's file name works too. */
const ALIASES: Readonly<Record<string, BenchName>> = { actors: 'actor-messaging' };

export interface BenchOptions {
  readonly json?: boolean;
  readonly quick?: boolean;
}

export async function runBench(which: readonly string[], options: BenchOptions): Promise<number> {
  const runAllUrl = new URL('../../bench/run-all.js', import.meta.url);
  if (!existsSync(fileURLToPath(runAllUrl))) {
    console.error(`berth bench: the benchmarks are not built (${fileURLToPath(runAllUrl)}); run it from a checkout after \`npm run build\``);
    return 2;
  }
  const { runBenches, benches } = (await import(runAllUrl.href)) as RunAll;
  const known = new Set<string>(benches);
  const unknown = which.filter((w) => w !== 'all' && !ALIASES[w] && !known.has(w));
  if (unknown.length > 0) {
    console.error(`berth bench: no benchmark named ${unknown.map((u) => `"${u}"`).join(', ')}; choose from ${[...Object.keys(ALIASES), ...benches, 'all'].join(', ')}`);
    return 2;
  }
  const wanted = which.length === 0 || which.includes('all') ? benches : which.map((w) => ALIASES[w] ?? (w as BenchName));
  const names = [...new Set(wanted)];
  const started = Date.now();
  const result = runBenches(names, { json: options.json === true, quick: options.quick === true });
  for (const f of result.failed) console.error(`berth bench: ${f} failed`);
  if (options.json) process.stdout.write(JSON.stringify(result.rows) + '\n');
  else console.log(`\n${names.length - result.failed.length} of ${names.length} benchmarks ran in ${((Date.now() - started) / 1000).toFixed(1)} s${options.quick ? ' (--quick: rough figures)' : ''}`);
  return result.failed.length > 0 ? 1 : 0;
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('run the benchmarks (tinybench, each beside a baseline measured in the same run) and print their tables')
    .addArgument(new Argument('[which...]', 'which benchmarks: actors (actor-messaging), store, api, scheduler, node, ... or all').default([], 'all'))
    .option('--json', 'print one JSON array of { bench, case, metric, value, unit } rows (baselines included) instead of tables')
    .option('--quick', 'short runs (fewer rounds, smaller sizes) where a bench supports it: for smoke tests, not for figures')
    .addHelpText(
      'after',
      [
        '',
        'Benchmarks: actors (actor-messaging), store, api, scheduler, node, and the others in bench/; all is the default.',
        'Medians over interleaved rounds; see bench/RESULTS.md for recorded figures.',
        '',
        'Examples:',
        '  berth bench scheduler',
        '  berth bench actors store --json > rows.json',
        "  berth bench all --json | jq '.[] | select(.metric == \"ratio\")'",
      ].join('\n'),
    )
    .action(async (which: string[], opts: BenchOptions) => {
      process.exitCode = await runBench(which, opts);
    });
}
