/** Running the real kubectl binaries (kubectl.1.27 .. kubectl.1.33 beside the dispatcher on PATH). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readlinkSync, realpathSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';

function kubectlDir(): string {
  const onPath = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
  let target = onPath;
  try {
    target = realpathSync(onPath);
  } catch {
    target = readlinkSync(onPath);
  }
  return dirname(target);
}

/** The path of kubectl.1.<minor>; throws (failing the test) if it is not installed. */
export function kubectlBinary(minor: number): string {
  const path = join(kubectlDir(), `kubectl.1.${minor}`);
  if (!existsSync(path)) throw new Error(`${path} is not installed`);
  return path;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class Kubectl {
  readonly binary: string;
  constructor(
    minor: number,
    private readonly kubeconfig: string,
  ) {
    this.binary = kubectlBinary(minor);
  }

  /** Runs one command with a fresh discovery cache (so it sees this server's resource list). */
  run(args: readonly string[], stdin?: string): Promise<KubectlResult> {
    const cache = mkdtempSync(join(tmpdir(), 'berth-kcache-'));
    return new Promise((resolve) => {
      const child = execFile(
        this.binary,
        ['--kubeconfig', this.kubeconfig, '--cache-dir', cache, ...args],
        { timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: tmpdir() } },
        (err, stdout, stderr) => {
          const code = err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) ?? 1 : 0;
          resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
        },
      );
      if (stdin !== undefined) child.stdin!.end(stdin);
      else child.stdin!.end();
    });
  }

  /** Starts a long-running command (get -w); the caller kills it by its pid. */
  spawn(args: readonly string[]): { child: ChildProcess; output: () => string } {
    const cache = mkdtempSync(join(tmpdir(), 'berth-kcache-'));
    const child = spawn(this.binary, ['--kubeconfig', this.kubeconfig, '--cache-dir', cache, ...args], { env: { PATH: process.env.PATH ?? '', HOME: tmpdir() } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    return { child, output: () => out };
  }
}
