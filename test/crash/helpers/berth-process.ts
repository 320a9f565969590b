/**
 * `berth up` as a child process that the crash suite kills with SIGKILL:
 * start it on a data directory, learn its URL from what it prints, kill it
 * abruptly (no shutdown runs: no stop hooks, no LMDB close, container
 * processes left behind), or stop it with Ctrl-C at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../../lib/cli/main.js', import.meta.url));

export interface BerthProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Real ms from spawn to the "serving on" line. */
  readonly startMs: number;
  readonly output: () => string;
  /** SIGKILL; resolves when the process is gone. */
  kill(): Promise<void>;
  /** Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function startBerth(dataDir: string, nodes: number): Promise<BerthProcess> {
  const at = Date.now();
  const child = spawn(process.execPath, [cli, 'up', '--data', dataDir, '--port', '0', '--nodes', String(nodes), '--runtime', 'process'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`berth up did not serve within 60 s: ${out}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /serving on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`berth up exited with ${code} before serving: ${out}`));
    });
  });
  const startMs = Date.now() - at;
  return {
    child,
    url,
    startMs,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Processes on this machine whose command line contains `marker`, with the POD_NAME of their environment. */
export function markedProcesses(marker: string): { pid: number; pod: string }[] {
  const found: { pid: number; pod: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) continue;
      // A zombie (exited, not yet reaped by its parent) is not running.
      if (readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0] === 'Z') continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const pod = env.find((e) => e.startsWith('POD_NAME='))?.slice('POD_NAME='.length) ?? '?';
      found.push({ pid: Number(entry), pod });
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}
