/** Starting `berth up` as a child process for the CLI tests, and waiting on what it does (real clock). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cli = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));

export interface RunningUp {
  readonly child: ChildProcess;
  readonly kubeconfig: string;
  /** The api-server's URL as `berth up` printed it (http:// or https://). */
  readonly url: string;
  /** Everything it wrote so far (stdout and stderr). */
  readonly output: () => string;
  /** Ctrl-C; resolves with its exit code (at once if it already exited). */
  readonly stop: () => Promise<number | null>;
}

/** `berth up <args>`; resolves once it printed the export line, rejects if it exits before. */
export async function startUp(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<RunningUp> {
  const child = spawn(process.execPath, [cli, 'up', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  const printed = await new Promise<{ kubeconfig: string; url: string }>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const k = /export KUBECONFIG=(\S+)/.exec(out);
      const u = /serving on (\S+)/.exec(out);
      if (k && u) resolve({ kubeconfig: k[1]!, url: u[1]! });
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`berth up exited with ${code}: ${out}`)));
  });
  const stop = (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    return exited;
  };
  return { child, ...printed, output: () => out, stop };
}

/** Polls `check` until it returns a value; throws naming `what` after `ms`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export { alive } from '../helpers/processes.js';
