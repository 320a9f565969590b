/** Short texts for figures in the terminal summary and report.html. */
import { formatDuration } from '../scenario/duration.js';

/** 234ms, 1.23s, 4m5s. */
export function ms(v: number): string {
  if (v < 1_000) return `${Math.round(v)}ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(2).replace(/\.?0+$/, '')}s`;
  return formatDuration(Math.round(v / 1000) * 1000);
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function secs(wallMs: number): string {
  return `${(wallMs / 1000).toFixed(2)} s`;
}
