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

/**
 * Kubernetes' pod startup SLO (sig-scalability): p99 of pod startup,
 * excluding image pulls, under 5 s at up to 5,000 nodes and 150,000 pods.
 * Reports show it beside the measured p99 as the outside anchor.
 */
export const STARTUP_SLO_P99_MS = 5_000;

/** The anchor text next to a startup p99: where it stands against Kubernetes' SLO. */
export function startupSlo(p99Ms: number): string {
  return `Kubernetes' SLO, p99 under 5s excluding image pulls: ${p99Ms < STARTUP_SLO_P99_MS ? 'within' : 'over'}`;
}
