/**
 * report.html: one self-contained page (inline CSS and SVG, no script, no
 * external font or image), so it opens offline and can be mailed around.
 * Runs of several variants get a side-by-side table first.
 */
import { ms, pct, secs, startupSlo } from './format.js';
import { esc, heatmapChart, histogramChart, lineChart, type Line } from './svg.js';
import type { PhaseName, Report, RunReport } from './types.js';

const PHASE_COLORS: Record<PhaseName, string> = {
  Unscheduled: '#d62728',
  Pending: '#ff7f0e',
  Running: '#bcbd22',
  Ready: '#2ca02c',
  Succeeded: '#1f77b4',
  Failed: '#8c564b',
  Terminating: '#7f7f7f',
};

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f6f6f6}
.pass{color:#1a7f37;font-weight:600}.fail{color:#c62828;font-weight:600}.muted{color:#777}
figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}svg{width:100%;height:auto;max-width:760px;display:block}
.axis{stroke:#444}.grid{stroke:#eee}.tick{font-size:10px;fill:#555}.legend{font-size:12px;margin-top:2px}.key{margin-right:10px;white-space:nowrap}
.key i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}code{background:#f4f4f4;padding:0 3px}`;

export function renderHtml(report: Report): string {
  const s = report.scenario;
  const verdict = report.passed ? '<span class="pass">PASSED</span>' : '<span class="fail">FAILED</span>';
  const body = [
    `<h1>${esc(s.name)} ${verdict}</h1>`,
    `<p>${s.description ? `${esc(s.description)}<br>` : ''}<code>${esc(s.file)}</code>, seed ${s.seed}, ${esc(s.clock)} clock, ${secs(report.wallMs)} of wall time.</p>`,
    report.runs.length > 1 ? comparison(report.runs) : '',
    ...report.runs.map((r) => run(r, report.runs.length > 1)),
  ];
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(s.name)}: berth run report</title><style>${CSS}</style></head><body>${body.join('\n')}</body></html>\n`;
}

function comparison(runs: readonly RunReport[]): string {
  const row = (name: string, cells: string[]): string => `<tr><th>${esc(name)}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  return `<h2>Side by side</h2><table>${[
    row('', runs.map((r) => esc(r.variant))),
    row('result', runs.map((r) => (r.passed ? '<span class="pass">passed</span>' : '<span class="fail">failed</span>'))),
    row('scheduler', runs.map((r) => esc(`${r.scheduler.profile} ${JSON.stringify(r.scheduler.weights)}`))),
    row('nodes used', runs.map((r) => `${r.summary.nodes.used} of ${r.summary.nodes.total}`)),
    row('cpu requested', runs.map((r) => pct(r.summary.nodes.cpu))),
    row('fragmentation', runs.map((r) => pct(r.summary.nodes.fragmentation))),
    row('scheduling p99', runs.map((r) => ms(r.summary.scheduling.latency.p99))),
    row('startup p50 / p99', runs.map((r) => `${ms(r.summary.startup.p50)} / ${ms(r.summary.startup.p99)}`)),
    row('wall time', runs.map((r) => secs(r.wallMs))),
  ].join('')}</table>`;
}

function run(r: RunReport, named: boolean): string {
  const m = r.summary;
  const lines: Line[] = (Object.keys(PHASE_COLORS) as PhaseName[]).map((p) => ({ name: p, color: PHASE_COLORS[p], values: r.series.phases[p] }));
  const status = (ok: boolean): string => (ok ? '<span class="pass">pass</span>' : '<span class="fail">FAIL</span>');
  return [
    `<h2>${named ? `${esc(r.variant)}: ` : ''}${status(r.passed)} ${ms(r.endedAt)} of cluster time in ${secs(r.wallMs)}</h2>`,
    '<h3>Expectations</h3>',
    `<table><tr><th></th><th>expectation</th><th>why</th></tr>${r.expectations.map((e) => `<tr><td>${status(e.passed)}</td><td>${esc(e.name)}</td><td>${esc(e.detail)}</td></tr>`).join('')}</table>`,
    '<h3>Timeline</h3>',
    r.timeline.length === 0 ? '<p class="muted">no steps</p>' : `<table><tr><th>at</th><th></th><th>step</th><th>result</th></tr>${r.timeline.map((s) => `<tr><td>${s.startedAt === undefined ? '-' : esc(ms(s.startedAt))}${s.doneAt !== undefined && s.doneAt !== s.startedAt ? `–${esc(ms(s.doneAt))}` : ''}</td><td>${s.status === 'done' ? status(true) : s.status === 'failed' ? status(false) : '<span class="muted">not run</span>'}</td><td>${esc(s.description)}</td><td>${esc(s.detail ?? '')}</td></tr>`).join('')}</table>`,
    '<h3>Figures</h3>',
    `<table>
<tr><th>pods</th><td>${m.pods.created} created, ${m.pods.scheduled} bound</td></tr>
<tr><th>scheduling</th><td>${m.scheduling.attempts} attempts, ${m.scheduling.unschedulable} unschedulable, ${m.scheduling.preemptions} preemptions; ${m.scheduling.podsPerWallSecond} pods/s wall, ${m.scheduling.podsPerVirtualSecond}/s virtual</td></tr>
<tr><th>scheduling latency</th><td>${latency(m.scheduling.latency)}</td></tr>
<tr><th>pod startup (to Ready)</th><td>${latency(m.startup)}${m.startup.count > 0 ? `; ${esc(startupSlo(m.startup.p99))}` : ''}</td></tr>
${m.allReady ? `<tr><th>all pods Ready</th><td>${m.allReady.pods} pods at ${esc(ms(m.allReady.at))} of cluster time, ${secs(m.allReady.wallMs)} wall</td></tr>` : ''}
<tr><th>nodes</th><td>${m.nodes.used} of ${m.nodes.total} used; cpu ${pct(m.nodes.cpu)}, memory ${pct(m.nodes.memory)} requested; fragmentation ${pct(m.nodes.fragmentation)}</td></tr>
<tr><th>api</th><td>${m.api.requests} requests, ${m.api.writes} writes</td></tr>
<tr><th>faults</th><td>${m.restarts} actor restarts, ${m.evictions} evictions, ${m.deadLetters} dead letters</td></tr>
<tr><th>wall time by phase</th><td>${r.phases.map((p) => `${esc(p.name)} ${secs(p.wallMs)}`).join('; ')}</td></tr>
</table>`,
    lineChart(r.series.t, lines, 'Pods by phase over time'),
    histogramChart(r.latency.scheduling, 'Scheduling latency (creation to bound), pods per bucket', '#1f77b4'),
    histogramChart(r.latency.startup, 'Pod startup latency (creation to Ready), pods per bucket', '#2ca02c'),
    heatmapChart(r.heatmap, 'Node utilization (cpu requested) over time'),
    r.warnings.length ? `<h3>Warnings</h3><ul>${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '',
    `<details><summary>Placements (${r.placements.length})</summary><pre>${esc(r.placements.slice(0, 2_000).join('\n'))}${r.placements.length > 2_000 ? '\n…' : ''}</pre></details>`,
  ].join('\n');
}

function latency(s: RunReport['summary']['startup']): string {
  return s.count === 0 ? 'none' : `p50 ${ms(s.p50)}, p90 ${ms(s.p90)}, p99 ${ms(s.p99)}, max ${ms(s.max)} over ${s.count} pods`;
}
