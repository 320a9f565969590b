/**
 * Reading container logs for pods/log: parse the CRI lines of a run's files,
 * join partial lines, then sinceTime, tailLines, timestamps and limitBytes
 * as the kubelet applies them.
 */
import { readFileSync } from 'node:fs';
import { criTime, type LogLine } from './log-file.js';

export interface LogOptions {
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  /** Last N lines; undefined for all. */
  readonly tailLines?: number;
  readonly limitBytes?: number;
  /** Only lines at or after (ms since the epoch). */
  readonly sinceMs?: number;
}

const LINE = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/;

export function parseLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  let carry: LogLine | null = null;
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    const m = LINE.exec(raw);
    if (!m) continue;
    const l: LogLine = { time: Date.parse(m[1]!), stream: m[2] as LogLine['stream'], partial: m[3] === 'P', text: m[4]! };
    const joined: LogLine = carry ? { ...carry, partial: l.partial, text: carry.text + l.text } : l;
    if (joined.partial) carry = joined;
    else {
      carry = null;
      out.push(joined);
    }
  }
  if (carry) out.push(carry);
  return out;
}

export function readRun(files: readonly string[]): LogLine[] {
  const out: LogLine[] = [];
  for (const f of files) {
    try {
      out.push(...parseLines(readFileSync(f, 'utf8')));
    } catch (err) {
      // Rotated away between listing and reading: its lines are gone, as with the kubelet.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return out;
}

export function render(l: LogLine, timestamps: boolean): string {
  return timestamps ? `${criTime(l.time)} ${l.text}\n` : `${l.text}\n`;
}

/** The lines a request asks for, already rendered. */
export function select(lines: readonly LogLine[], o: LogOptions): string[] {
  let ls = o.sinceMs === undefined ? lines : lines.filter((l) => l.time >= o.sinceMs!);
  if (o.tailLines !== undefined) ls = o.tailLines <= 0 ? [] : ls.slice(-o.tailLines);
  return ls.map((l) => render(l, o.timestamps));
}
