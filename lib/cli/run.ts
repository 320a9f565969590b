/**
 * `berth run SCENARIO`: validate, play, report. Exit 0 when every
 * expectation passed, 1 when one failed (named in the summary), 2 when the
 * scenario is invalid (file:line:column messages). On a terminal a single
 * line shows progress; piped, each step and verdict is a plain line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { renderHtml } from '../report/html.js';
import { terminalSummary } from '../report/terminal.js';
import type { Report } from '../report/types.js';
import { formatDuration } from '../scenario/duration.js';
import { formatErrors } from '../scenario/errors.js';
import { loadScenario } from '../scenario/load.js';
import { runScenario } from '../scenario/run/run.js';
import type { Progress } from '../scenario/run/run-one.js';

export interface RunCliOptions {
  readonly seed?: number;
  readonly seeds?: number;
  readonly clock?: 'virtual' | 'real';
  readonly out?: string;
  readonly json?: boolean;
  readonly data?: string;
}

export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;

export async function runRun(file: string, options: RunCliOptions): Promise<number> {
  const loaded = await loadScenario(file);
  if (!loaded.ok) {
    process.stderr.write(`${formatErrors(loaded.errors)}\n${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'} in ${file}\n`);
    return EXIT_INVALID;
  }
  const scenario = loaded.scenario;
  // With --json, stdout carries the report alone.
  const log = options.json ? process.stderr : process.stdout;
  const tty = Boolean(log.isTTY);
  const bar = tty ? new ProgressLine(log) : null;
  const report = await runScenario(scenario, {
    file,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.seeds === undefined ? {} : { seeds: options.seeds }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.data === undefined ? {} : { dataDir: resolve(options.data) }),
    onProgress: bar ? (p) => bar.show(p) : everyTenSeconds((p) => log.write(`${progressText(p)}\n`)),
    onLine: (line) => (bar ? bar.line(line) : log.write(`${line}\n`)),
  });
  bar?.clear();
  const paths = outputPaths(scenario.outputs, options.out);
  writeOut(paths.json, `${JSON.stringify(report, null, 1)}\n`);
  writeOut(paths.html, renderHtml(report));
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(`${terminalSummary(report)}\n`);
    process.stdout.write(`report: ${paths.json}, ${paths.html}\n`);
  }
  return report.passed ? EXIT_PASSED : EXIT_FAILED;
}

/** --out DIR puts report.json and report.html there; otherwise the scenario's outputs (relative to cwd), or ./berth-report/. */
export function outputPaths(outputs: { readonly json?: string; readonly html?: string }, out: string | undefined): { json: string; html: string } {
  if (out !== undefined) return { json: resolve(out, 'report.json'), html: resolve(out, 'report.html') };
  return {
    json: resolve(outputs.json ?? join('berth-report', 'report.json')),
    html: resolve(outputs.html ?? join('berth-report', 'report.html')),
  };
}

function writeOut(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function progressText(p: Progress): string {
  const at = `${formatDuration(Math.round(p.now / 1000) * 1000)}${p.end ? `/${formatDuration(p.end)}` : ''}`;
  const phase = p.phase === 'play the timeline' ? '' : ` (${p.phase})`;
  return `${p.variant}${phase} ${at} | steps ${p.stepsDone}/${p.steps} | pods ${p.pods.ready} ready of ${p.pods.total}${p.pods.unscheduled ? `, ${p.pods.unscheduled} unscheduled` : ''}`;
}

/** Piped output: a progress line at most every 10 s of wall time (long runs show they are alive). */
function everyTenSeconds(write: (p: Progress) => void): (p: Progress) => void {
  let last = Date.now();
  return (p) => {
    const t = Date.now();
    if (t - last < 10_000) return;
    last = t;
    write(p);
  };
}

/** One line, rewritten in place (carriage return), on a terminal. */
class ProgressLine {
  private last = 0;
  private shown = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  show(p: Progress): void {
    const t = Date.now();
    if (t - this.last < 100) return;
    this.last = t;
    const width = 24;
    const frac = p.end ? Math.min(1, p.now / Math.max(1, p.end)) : 0;
    const bar = p.end ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ` : '';
    const text = `${bar}${progressText(p)}`;
    const cols = this.out.columns ?? 100;
    this.out.write(`\r${text.slice(0, cols - 1).padEnd(Math.min(cols - 1, 100))}`);
    this.shown = true;
  }

  line(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
  }

  clear(): void {
    if (!this.shown) return;
    this.out.write(`\r${' '.repeat(Math.min((this.out.columns ?? 100) - 1, 100))}\r`);
    this.shown = false;
  }
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError('expected an integer 0..4294967295');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** The `run` subcommand, for main.ts. */
export function runCommand(): Command {
  return new Command('run')
    .description('play a scenario file: build the cluster, play its timeline, check its expectations, write report.json and report.html')
    .argument('<scenario>', 'a scenario YAML file (see docs/scenario-format.md)')
    .option('--seed <n>', "override the scenario's seed", nonNegativeInt)
    .option('--seeds <n>', 'sweep: run seeds seed..seed+n-1 (in a worker pool) and report them side by side', positiveInt)
    .addOption(new Option('--clock <clock>', "override the scenario's clock").choices(['virtual', 'real']))
    .option('--out <dir>', "write report.json and report.html here (default: the scenario's outputs, or ./berth-report/)")
    .option('--data <dir>', 'keep the LMDB store in this directory (default: a temporary one, removed)')
    .option('--json', 'print report.json on stdout (progress goes to stderr)')
    .addHelpText('after', '\nExit codes: 0 every expectation passed, 1 one failed, 2 the scenario is invalid.\n\nExamples:\n  berth run scenarios/quickstart.yaml\n  berth run scenarios/bin-packing.yaml --out ./reports\n  berth run scenarios/zone-outage.yaml --seed 7 --json | jq .passed\n  berth run scenarios/quickstart.yaml --seeds 5')
    .action(async (file: string, opts: RunCliOptions) => {
      try {
        process.exitCode = await runRun(file, opts);
      } catch (err) {
        // Not a verdict on the scenario: the cluster itself could not run it.
        process.stderr.write(`berth run: the run could not complete: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = EXIT_FAILED;
      }
    });
}
