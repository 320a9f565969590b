/**
 * Inline SVG charts for report.html, written by hand so the page needs no
 * script, font or stylesheet from anywhere: a line chart (pods by phase
 * over time), a bar chart (a latency histogram), a heat map (node
 * utilization over time).
 */
import { ms } from './format.js';
import type { Heatmap, Histogram } from './types.js';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface Line {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

const W = 720;
const H = 240;
const PAD = { l: 48, r: 12, t: 12, b: 28 };

export function lineChart(t: readonly number[], lines: readonly Line[], title: string): string {
  const shown = lines.filter((l) => l.values.some((v) => v > 0));
  const tMax = Math.max(1, t[t.length - 1] ?? 1);
  const yMax = niceMax(Math.max(1, ...shown.flatMap((l) => l.values)));
  const x = (v: number): number => PAD.l + (v / tMax) * (W - PAD.l - PAD.r);
  const y = (v: number): number => H - PAD.b - (v / yMax) * (H - PAD.t - PAD.b);
  const parts: string[] = [axes(x, y, tMax, yMax)];
  for (const l of shown) {
    const pts = l.values.map((v, i) => `${x(t[i]!).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${l.color}" stroke-width="1.8" points="${pts}"><title>${esc(l.name)}</title></polyline>`);
  }
  const legend = shown.map((l) => `<span class="key"><i style="background:${l.color}"></i>${esc(l.name)}</span>`).join(' ');
  return figure(title, `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg><div class="legend">${legend}</div>`);
}

export function histogramChart(h: Histogram, title: string, color: string): string {
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (total === 0) return figure(title, '<p class="muted">no samples</p>');
  const n = h.counts.length;
  const yMax = niceMax(Math.max(...h.counts));
  const bw = (W - PAD.l - PAD.r) / n;
  const y = (v: number): number => H - PAD.b - (v / yMax) * (H - PAD.t - PAD.b);
  const parts: string[] = [yAxis(y, yMax)];
  h.counts.forEach((c, i) => {
    const label = i < h.bounds.length ? `≤${ms(h.bounds[i]!)}` : `>${ms(h.bounds[h.bounds.length - 1]!)}`;
    const x0 = PAD.l + i * bw;
    parts.push(`<rect x="${(x0 + 2).toFixed(1)}" y="${y(c).toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${(H - PAD.b - y(c)).toFixed(1)}" fill="${color}"><title>${esc(label)}: ${c} pods</title></rect>`);
    parts.push(`<text x="${(x0 + bw / 2).toFixed(1)}" y="${H - PAD.b + 14}" class="tick" text-anchor="middle">${esc(label)}</text>`);
  });
  return figure(title, `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg>`);
}

export function heatmapChart(hm: Heatmap, title: string): string {
  if (hm.rows.length === 0 || hm.t.length === 0) return figure(title, '<p class="muted">no samples</p>');
  const labelW = 150;
  const cell = Math.max(2, Math.min(16, Math.floor((W - labelW) / hm.t.length)));
  const rowH = Math.max(3, Math.min(14, Math.floor(600 / hm.rows.length)));
  const width = labelW + cell * hm.t.length + 8;
  const height = rowH * hm.rows.length + 24;
  const parts: string[] = [];
  const labelEvery = Math.ceil(10 / rowH);
  hm.rows.forEach((row, r) => {
    if (r % labelEvery === 0) parts.push(`<text x="${labelW - 4}" y="${r * rowH + rowH - 1}" class="tick" text-anchor="end">${esc(row)}</text>`);
    hm.values[r]!.forEach((v, c) => {
      parts.push(`<rect x="${labelW + c * cell}" y="${r * rowH}" width="${cell}" height="${rowH}" fill="${heat(v)}"><title>${esc(row)} at ${ms(hm.t[c]!)}: ${(v * 100).toFixed(0)}% cpu</title></rect>`);
    });
  });
  const last = hm.t[hm.t.length - 1]!;
  parts.push(`<text x="${labelW}" y="${height - 6}" class="tick">0s</text><text x="${labelW + cell * hm.t.length}" y="${height - 6}" class="tick" text-anchor="end">${esc(ms(last))}</text>`);
  const scale = [0, 0.25, 0.5, 0.75, 1].map((v) => `<span class="key"><i style="background:${heat(v)}"></i>${v * 100}%</span>`).join(' ');
  return figure(title, `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg><div class="legend">cpu requested / allocatable: ${scale}</div>`);
}

/** White (idle) through yellow to dark red (full). */
function heat(v: number): string {
  const x = Math.max(0, Math.min(1, v));
  if (x === 0) return '#f4f4f4';
  const hue = 55 - 55 * x;
  const light = 85 - 50 * x;
  return `hsl(${hue.toFixed(0)},90%,${light.toFixed(0)}%)`;
}

function figure(title: string, body: string): string {
  return `<figure><figcaption>${esc(title)}</figcaption>${body}</figure>`;
}

function axes(x: (v: number) => number, y: (v: number) => number, tMax: number, yMax: number): string {
  const parts = [yAxis(y, yMax), `<line x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}" class="axis"/>`];
  for (let i = 0; i <= 4; i++) {
    const t = (tMax * i) / 4;
    parts.push(`<text x="${x(t).toFixed(1)}" y="${H - PAD.b + 16}" class="tick" text-anchor="middle">${esc(ms(t))}</text>`);
  }
  return parts.join('');
}

function yAxis(y: (v: number) => number, yMax: number): string {
  const parts = [`<line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}" class="axis"/>`];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${PAD.l}" y1="${y(v).toFixed(1)}" x2="${W - PAD.r}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${PAD.l - 6}" y="${(y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`);
  }
  return parts.join('');
}

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
