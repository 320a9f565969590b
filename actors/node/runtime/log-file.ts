/**
 * One container run's log, written as the CRI runtimes write them
 * (`<RFC3339Nano> <stdout|stderr> <F|P> <text>` per line; P marks a partial
 * line continued by the next) to `<run>.log` in the container's directory,
 * rotated by size like the kubelet's containerLogMaxSize/MaxFiles:
 * `<run>.log.1` is the newest rotated file. Followers (`kubectl logs -f`)
 * get each line as it is written and an end when the run's output closes.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type Stream = 'stdout' | 'stderr';

export interface LogLine {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly stream: Stream;
  readonly partial: boolean;
  readonly text: string;
}

export interface LogFollower {
  line(l: LogLine): void;
  end(): void;
}

export interface LogLimits {
  readonly maxBytes: number;
  readonly maxFiles: number;
}

/** A partial line is cut at this size (as containerd's 16 KiB buffer). */
const MAX_LINE = 16 * 1024;

export function criTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function formatLine(l: LogLine): string {
  return `${criTime(l.time)} ${l.stream} ${l.partial ? 'P' : 'F'} ${l.text}\n`;
}

/** The files of one run, oldest first. */
export function runFiles(dir: string, run: number, maxFiles: number): string[] {
  const out: string[] = [];
  for (let i = maxFiles - 1; i >= 1; i--) {
    const f = join(dir, `${run}.log.${i}`);
    if (existsSync(f)) out.push(f);
  }
  const cur = join(dir, `${run}.log`);
  if (existsSync(cur)) out.push(cur);
  return out;
}

export class ContainerLog {
  readonly path: string;
  private fd: number;
  private size: number;
  private readonly pending: Record<Stream, string> = { stdout: '', stderr: '' };
  private readonly followers = new Set<LogFollower>();
  private closed = false;

  constructor(
    readonly dir: string,
    readonly run: number,
    private readonly limits: LogLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.path = join(dir, `${run}.log`);
    this.fd = openSync(this.path, 'a');
    this.size = statSync(this.path).size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  follow(f: LogFollower): () => void {
    if (this.closed) {
      f.end();
      return () => undefined;
    }
    this.followers.add(f);
    return () => this.followers.delete(f);
  }

  write(stream: Stream, chunk: Buffer | string): void {
    if (this.closed) return;
    let text = this.pending[stream] + chunk.toString();
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      let line = text.slice(0, nl);
      text = text.slice(nl + 1);
      for (; line.length > MAX_LINE; line = line.slice(MAX_LINE)) this.emit({ time: this.now(), stream, partial: true, text: line.slice(0, MAX_LINE) });
      this.emit({ time: this.now(), stream, partial: false, text: line });
    }
    while (text.length >= MAX_LINE) {
      this.emit({ time: this.now(), stream, partial: true, text: text.slice(0, MAX_LINE) });
      text = text.slice(MAX_LINE);
    }
    this.pending[stream] = text;
  }

  /** The run's output ended: a last unterminated line is written whole; followers end. */
  close(): void {
    if (this.closed) return;
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.pending[s]) this.emit({ time: this.now(), stream: s, partial: false, text: this.pending[s] });
      this.pending[s] = '';
    }
    this.closed = true;
    closeSync(this.fd);
    for (const f of this.followers) f.end();
    this.followers.clear();
  }

  private emit(l: LogLine): void {
    const data = formatLine(l);
    const bytes = Buffer.byteLength(data);
    if (this.size > 0 && this.size + bytes > this.limits.maxBytes) this.rotate();
    writeSync(this.fd, data);
    this.size += bytes;
    for (const f of this.followers) f.line(l);
  }

  /** current -> .1 -> .2 …; the oldest beyond maxFiles goes. */
  private rotate(): void {
    closeSync(this.fd);
    const keep = Math.max(1, this.limits.maxFiles);
    const oldest = join(this.dir, `${this.run}.log.${keep - 1}`);
    if (keep === 1) rmSync(this.path, { force: true });
    else {
      rmSync(oldest, { force: true });
      for (let i = keep - 2; i >= 1; i--) {
        const f = join(this.dir, `${this.run}.log.${i}`);
        if (existsSync(f)) renameSync(f, join(this.dir, `${this.run}.log.${i + 1}`));
      }
      renameSync(this.path, join(this.dir, `${this.run}.log.1`));
    }
    this.fd = openSync(this.path, 'a');
    this.size = 0;
  }
}
