/** Container log files: the CRI line format, partial lines, size rotation, reading with tail/since/timestamps, follow, and the query. */
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerLog, runFiles, type LogLine } from '../../actors/node/runtime/log-file.js';
import { readRun, select } from '../../actors/node/runtime/log-read.js';
import { logOptions } from '../../actors/node/runtime/log-server.js';

function dir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'berth-logs-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('lines are written in the CRI format; a chunk without newline waits for the rest; close writes the unterminated tail', (t) => {
  const d = dir(t);
  let now = Date.parse('2026-01-02T03:04:05.678Z');
  const log = new ContainerLog(d, 0, { maxBytes: 1 << 20, maxFiles: 5 }, () => now);
  log.write('stdout', 'hello\nwor');
  now += 1;
  log.write('stderr', 'oops\n');
  log.write('stdout', 'ld\nlast');
  log.close();
  t.is(readFileSync(join(d, '0.log'), 'utf8'), [
    '2026-01-02T03:04:05.678000000Z stdout F hello',
    '2026-01-02T03:04:05.679000000Z stderr F oops',
    '2026-01-02T03:04:05.679000000Z stdout F world',
    '2026-01-02T03:04:05.679000000Z stdout F last',
    '',
  ].join('\n'));
});

test('a very long line is split into partial (P) records and joined again when read', (t) => {
  const d = dir(t);
  const log = new ContainerLog(d, 0, { maxBytes: 1 << 20, maxFiles: 5 });
  const long = 'x'.repeat(40_000);
  log.write('stdout', `${long}\nshort\n`);
  log.close();
  const raw = readFileSync(join(d, '0.log'), 'utf8').split('\n');
  t.deepEqual(raw.slice(0, 3).map((l) => l.split(' ')[2]), ['P', 'P', 'F']);
  t.deepEqual(readRun([join(d, '0.log')]).map((l) => l.text), [long, 'short']);
});

test('rotation by size keeps maxFiles files per run, newest rotated as .1; reading goes oldest first', (t) => {
  const d = dir(t);
  const log = new ContainerLog(d, 2, { maxBytes: 200, maxFiles: 3 });
  for (let i = 0; i < 40; i++) log.write('stdout', `line ${String(i).padStart(2, '0')}\n`);
  log.close();
  t.deepEqual(readdirSync(d).sort(), ['2.log', '2.log.1', '2.log.2']);
  for (const f of readdirSync(d)) t.true(readFileSync(join(d, f)).length <= 200, `${f} within the size limit`);
  const lines = readRun(runFiles(d, 2, 3)).map((l) => l.text);
  t.is(lines.at(-1), 'line 39');
  t.true(lines.length < 40, 'the oldest lines were rotated away');
  t.deepEqual(lines, [...lines].sort(), 'in order');
});

test('select: tailLines, sinceMs and timestamps as kubectl logs asks', (t) => {
  const lines: LogLine[] = [0, 1, 2, 3].map((i) => ({ time: Date.parse('2026-01-01T00:00:00Z') + i * 1000, stream: 'stdout', partial: false, text: `l${i}` }));
  t.deepEqual(select(lines, { follow: false, previous: false, timestamps: false, tailLines: 2 }), ['l2\n', 'l3\n']);
  t.deepEqual(select(lines, { follow: false, previous: false, timestamps: false, tailLines: 0 }), []);
  t.deepEqual(select(lines, { follow: false, previous: false, timestamps: true, sinceMs: Date.parse('2026-01-01T00:00:03Z') }), ['2026-01-01T00:00:03.000000000Z l3\n']);
});

test('followers get each line as it is written and an end when the run closes', (t) => {
  const d = dir(t);
  const log = new ContainerLog(d, 0, { maxBytes: 1 << 20, maxFiles: 5 });
  const got: string[] = [];
  let ended = false;
  log.write('stdout', 'before\n');
  const stop = log.follow({ line: (l) => got.push(l.text), end: () => (ended = true) });
  log.write('stdout', 'a\nb\n');
  log.close();
  t.deepEqual(got, ['a', 'b']);
  t.true(ended);
  stop();
  let late = false;
  log.follow({ line: () => undefined, end: () => (late = true) });
  t.true(late, 'following a closed run ends at once');
});

test('the log query: integers checked, sinceSeconds and sinceTime become a start time', (t) => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  t.deepEqual(logOptions(new URLSearchParams('follow=true&tailLines=10&timestamps=true'), now), { follow: true, previous: false, timestamps: true, tailLines: 10 });
  t.deepEqual(logOptions(new URLSearchParams('sinceSeconds=30&previous=true'), now), { follow: false, previous: true, timestamps: false, sinceMs: now - 30_000 });
  t.like(logOptions(new URLSearchParams('sinceTime=2026-01-01T00:00:00Z'), now), { sinceMs: Date.parse('2026-01-01T00:00:00Z') });
  t.deepEqual(logOptions(new URLSearchParams('tailLines=ten'), now), { error: 'tailLines: "ten" is not an integer' });
});
