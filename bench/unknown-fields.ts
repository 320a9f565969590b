/**
 * Question: what does the unknown-field check (fieldValidation, run on every
 * create and update) cost per Pod, next to the copy of the body every write
 * already makes?
 *
 * Cases, one ~1.5 KB Pod with status (bench/fixtures/pod.ts): the walk of a
 * clean Pod (the usual case: nothing found, nothing allocated), and of a Pod
 * with two unknown fields dropped (Warn). Baseline, same run: deepClone of
 * the same Pod (one copy of a body, as checkBody makes of patched objects). And the scan of an HTTP
 * JSON body for repeated keys, against JSON.parse of the same text.
 *
 * Run: npm run build && node dist/bench/unknown-fields.js [--json]
 */
import { Bench } from 'tinybench';
import { deepClone, type JsonValue } from '../lib/api/patch/json-value.js';
import { duplicateJsonFields } from '../lib/api/validation/duplicate-fields.js';
import { unknownFieldPaths } from '../lib/api/validation/unknown-fields.js';
import { makePod } from './fixtures/pod.js';
import { log, printRows, type BenchRow } from './lib/report.js';

const quick = process.argv.includes('--quick');
const pods = Array.from({ length: 1000 }, (_, i) => makePod(i));
const dirty = pods.map((p) => {
  const d = deepClone(p as JsonValue) as Record<string, Record<string, unknown>>;
  d['spec']!['replica'] = 3;
  (d['spec']!['containers'] as Record<string, unknown>[])[0]!['imagee'] = 'nginx';
  return d;
});
let sink = 0;
let i = 0;

const b = new Bench(quick ? { time: 50, warmup: false } : { time: 1000, warmupTime: 300 });
b.add('baseline: deepClone of the Pod (one copy of a body)', () => {
  sink += (deepClone(pods[i++ % pods.length] as JsonValue) as object) ? 1 : 0;
});
b.add('unknown fields: clean Pod', () => {
  sink += unknownFieldPaths('', 'v1', 'Pod', pods[i++ % pods.length], { drop: false }).length;
});
b.add('unknown fields: Pod with 2 unknown fields, dropped (Warn)', () => {
  // Dropping mutates: walk a fresh copy each time and subtract the copy's cost (the baseline row).
  const d = deepClone(dirty[i++ % dirty.length] as JsonValue);
  sink += unknownFieldPaths('', 'v1', 'Pod', d, { drop: true }).length;
});
// HTTP JSON bodies are also scanned for repeated keys (Strict and Warn); baseline: JSON.parse of the same text.
const texts = pods.map((p) => JSON.stringify(p));
b.add('baseline: JSON.parse of the Pod\'s JSON text (every HTTP body)', () => {
  sink += (JSON.parse(texts[i++ % texts.length]!) as object) ? 1 : 0;
});
b.add('duplicate-key scan of the Pod\'s JSON text', () => {
  sink += duplicateJsonFields(texts[i++ % texts.length]!).length + 1;
});
await b.run();

const rows: BenchRow[] = b.tasks.map((t) => {
  const r = t.result as unknown as { latency?: { p50?: number }; p50?: number };
  const medianMs = r.latency?.p50 ?? r.p50 ?? NaN;
  return { bench: 'unknown-fields', case: t.name, metric: 'median', value: medianMs * 1000, unit: 'µs/pod' };
});
printRows(rows);
const [base, clean, , parse, scan] = rows;
log(`clean Pod walk / deepClone: ${(clean!.value / base!.value).toFixed(2)}x; duplicate scan / JSON.parse: ${(scan!.value / parse!.value).toFixed(2)}x (sink ${sink > 0 ? 'ok' : 'empty'})`);
