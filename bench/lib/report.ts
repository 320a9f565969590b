/**
 * How every benchmark reports: rows of { bench, case, metric, value, unit },
 * printed as a table, or as one JSON array with --json (what `berth bench
 * --json` collects). Baselines are rows of their own.
 */
import type { Statistics } from 'tinybench';

export interface BenchRow {
  readonly bench: string;
  readonly case: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

export const jsonOutput = process.argv.includes('--json');

export function printRows(rows: readonly BenchRow[]): void {
  if (jsonOutput) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  const widths = [0, 0, 0];
  const cells = rows.map((r) => [r.case, r.metric, formatValue(r.value, r.unit)] as const);
  for (const c of cells) for (let i = 0; i < 3; i++) widths[i] = Math.max(widths[i]!, c[i]!.length);
  for (const c of cells) console.log(`  ${c[0].padEnd(widths[0]!)}  ${c[1].padEnd(widths[1]!)}  ${c[2].padStart(widths[2]!)}`);
}

function formatValue(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} ${unit}`;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Items per second from a task's median time for a batch of `items`. */
export function ratePerSecond(latency: Statistics, items: number): number {
  return (items * 1_000) / latency.p50;
}

export function log(line: string): void {
  if (!jsonOutput) console.log(line);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Figures collected over interleaved rounds (so that noise hits baseline and
 * candidate alike), reported as one row per case with the median.
 */
export class Samples {
  private readonly byCase = new Map<string, { metric: string; unit: string; values: number[] }>();

  constructor(private readonly bench: string) {}

  add(kase: string, value: number, unit: string, metric = unit === 'ms' ? 'time' : 'rate'): void {
    const key = `${kase}\u0000${metric}`;
    const s = this.byCase.get(key) ?? { metric, unit, values: [] };
    s.values.push(value);
    this.byCase.set(key, s);
  }

  rows(): BenchRow[] {
    return [...this.byCase].map(([key, s]) => ({ bench: this.bench, case: key.split('\u0000')[0]!, metric: s.metric, value: median(s.values), unit: s.unit }));
  }
}
