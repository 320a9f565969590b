/** The terminal summary of a report: plain text, one block per run, then the verdict. */
import { formatDuration } from '../scenario/duration.js';
import { ms, pct, secs, startupSlo } from './format.js';
import type { LatencyStats, Report, RunReport } from './types.js';

export function terminalSummary(report: Report): string {
  const out: string[] = [];
  const s = report.scenario;
  out.push(`scenario ${s.name} (${s.file}), seed ${s.seed}, ${s.clock} clock${s.description ? `: ${s.description}` : ''}`);
  for (const r of report.runs) out.push('', ...runBlock(r, report.runs.length > 1));
  if (report.runs.length > 1) out.push('', ...comparison(report.runs));
  out.push('');
  const failed = report.runs.flatMap((r) => failures(r).map((f) => (report.runs.length > 1 ? `${r.variant}: ${f}` : f)));
  out.push(report.passed ? `PASSED in ${secs(report.wallMs)} wall` : `FAILED (${failed.length}) in ${secs(report.wallMs)} wall:\n${failed.map((f) => `  - ${f}`).join('\n')}`);
  return out.join('\n');
}

function runBlock(r: RunReport, named: boolean): string[] {
  const m = r.summary;
  const lines: string[] = [];
  lines.push(`${named ? `== ${r.variant} ` : ''}${formatDuration(r.endedAt)} of cluster time in ${secs(r.wallMs)} wall; scheduler ${r.scheduler.profile}${weights(r.scheduler.weights)}`);
  lines.push(`  pods: ${m.pods.created} created, ${m.pods.scheduled} bound; at the end ${Object.entries(m.pods.final).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`);
  lines.push(`  scheduling: ${m.scheduling.attempts} attempts, ${m.scheduling.podsPerWallSecond} pods/s wall (${m.scheduling.podsPerVirtualSecond}/s virtual); latency ${lat(m.scheduling.latency)}`);
  lines.push(`  pod startup (creation to Ready, virtual): ${lat(m.startup)}${m.startup.count > 0 ? `; ${startupSlo(m.startup.p99)}` : ''}`);
  if (m.allReady) lines.push(`  all ${m.allReady.pods} pods Ready at ${formatDuration(m.allReady.at)} of cluster time, ${secs(m.allReady.wallMs)} wall`);
  lines.push(`  nodes: ${m.nodes.used} of ${m.nodes.total} used; cpu ${pct(m.nodes.cpu)}, memory ${pct(m.nodes.memory)} requested; fragmentation ${pct(m.nodes.fragmentation)}`);
  lines.push(`  api: ${m.api.requests} requests, ${m.api.writes} writes; restarts ${m.restarts}, evictions ${m.evictions}, dead letters ${m.deadLetters}`);
  lines.push(`  wall by phase: ${r.phases.map((p) => `${p.name} ${secs(p.wallMs)}`).join(', ')}`);
  for (const s of r.timeline) {
    const at = s.startedAt === undefined ? '     -' : formatDuration(s.doneAt ?? s.startedAt).padStart(6);
    lines.push(`  ${at} ${mark(s.status === 'done', s.status === 'not-run')} ${s.description}${s.detail ? ` -> ${s.detail}` : ''}`);
  }
  for (const e of r.expectations) lines.push(`  expect ${mark(e.passed, false)} ${e.name}: ${e.detail}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

function comparison(runs: readonly RunReport[]): string[] {
  const rows = [
    ['', ...runs.map((r) => r.variant)],
    ['nodes used', ...runs.map((r) => `${r.summary.nodes.used}/${r.summary.nodes.total}`)],
    ['cpu requested', ...runs.map((r) => pct(r.summary.nodes.cpu))],
    ['fragmentation', ...runs.map((r) => pct(r.summary.nodes.fragmentation))],
    ['scheduling p99', ...runs.map((r) => ms(r.summary.scheduling.latency.p99))],
    ['startup p99', ...runs.map((r) => ms(r.summary.startup.p99))],
    ['passed', ...runs.map((r) => (r.passed ? 'yes' : 'NO'))],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return ['side by side:', ...rows.map((row) => `  ${row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`)];
}

export function failures(r: RunReport): string[] {
  return [
    ...r.timeline.filter((s) => s.status === 'failed').map((s) => `step ${s.id ?? s.index + 1} (${s.description}): ${s.detail ?? 'failed'}`),
    ...r.expectations.filter((e) => !e.passed).map((e) => `expectation "${e.name}": ${e.detail}`),
  ];
}

function lat(s: LatencyStats): string {
  return s.count === 0 ? 'none' : `p50 ${ms(s.p50)}, p90 ${ms(s.p90)}, p99 ${ms(s.p99)}, max ${ms(s.max)} (${s.count} pods)`;
}

function mark(ok: boolean, skipped: boolean): string {
  return skipped ? '[skip]' : ok ? '[ ok ]' : '[FAIL]';
}

function weights(w: Readonly<Record<string, number>>): string {
  const e = Object.entries(w);
  return e.length === 0 ? '' : ` (${e.map(([k, v]) => `${k}=${v}`).join(', ')})`;
}
