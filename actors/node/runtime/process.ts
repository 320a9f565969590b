/**
 * The process runtime: a container is a real OS process (child_process.spawn,
 * no shell) in its own process group, with the environment of env.ts, its
 * stdout and stderr written to CRI log files under the node's data
 * directory (`pods/<ns>_<name>_<uid>/<container>/<run>.log`, the current
 * and the previous run kept). Exit codes as Kubernetes reports them: the
 * program's code, or 128 + the signal number (137 for SIGKILL); a program
 * that cannot start gets 128 and reason StartError; one over its memory
 * limit is killed and reported OOMKilled (memory-limit.ts).
 *
 * Processes die with the node: `shutdown` SIGKILLs every process group.
 * Each running container has a pid file; a kubelet that starts again (after
 * a crash that skipped shutdown) kills what the files name and its pods'
 * containers start anew: it restarts, it does not re-adopt.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../../lib/api/types/pod.js';
import { intToIp } from '../../../lib/net/ipv4.js';
import { lastTerminated, type ContainerRec, type LiveContainers, type PodRec } from '../pod-state.js';
import type { ProbeRec } from '../probes.js';
import { containerEnv, type EnvSources } from './env.js';
import { ContainerLog, runFiles, type LogLimits } from './log-file.js';
import { memoryLimitBytes, MemoryWatch } from './memory-limit.js';
import { readRun, type LogOptions } from './log-read.js';
import { runProbe } from './probe-run.js';
import { programOf } from './program.js';
import type { ContainerRuntime, ContainerRuntimeStatus, LogRead, RuntimeEvents } from './types.js';

export interface ProcessRuntimeOptions {
  readonly dataDir: string;
  readonly nodeName: string;
  readonly limits: LogLimits;
  readonly events: RuntimeEvents;
  readonly env: EnvSources;
  /** The cluster DNS (host:port) containers get as BERTH_DNS. */
  readonly dns?: string;
  /** The pod object as last seen (its spec: command, args, env, workingDir, probes). */
  podOf(key: string): Readonly<Pod> | undefined;
  now(): number;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

interface Proc {
  readonly pod: PodRec;
  readonly container: string;
  readonly run: number;
  child: ChildProcess | null;
  pid: number;
  log: ContainerLog | null;
  /** Set by stop before the process exists: kill it as soon as it does. */
  stopGraceMs: number;
  killTimer: NodeJS.Timeout | null;
  exited: boolean;
  /** The container's environment (exec probes run with it). */
  env: Record<string, string> | null;
  /** Killed for going over its memory limit: reported as OOMKilled. */
  oom: boolean;
  unwatch: (() => void) | null;
}

export class ProcessRuntime implements ContainerRuntime {
  readonly kind = 'process' as const;
  readonly scheme = 'berth-process';
  readonly live: LiveContainers;
  private readonly procs = new Map<string, Proc>();
  private readonly pidDir: string;
  private readonly openLogs = new Map<string, ContainerLog>();
  private readonly memory = new MemoryWatch();

  constructor(private readonly o: ProcessRuntimeOptions) {
    this.pidDir = join(o.dataDir, 'pids');
    mkdirSync(this.pidDir, { recursive: true });
    this.killLeftovers();
    this.live = {
      start: (pod, c) => this.start(pod, c),
      stop: (pod, c, _t, graceMs) => this.stop(pod, c, graceMs),
    };
  }

  imageReadyAt(_image: string, t: number): number {
    // Nothing to pull: the image names a program on this machine.
    return t;
  }

  podDir(pod: PodRec): string {
    return join(this.o.dataDir, 'pods', `${pod.namespace}_${pod.name}_${pod.uid}`);
  }

  private containerDir(pod: PodRec, container: string): string {
    return join(this.podDir(pod), container);
  }

  private start(pod: PodRec, c: ContainerRec): void {
    const proc: Proc = { pod, container: c.name, run: c.restarts, child: null, pid: 0, log: null, stopGraceMs: -1, killTimer: null, exited: false, env: null, oom: false, unwatch: null };
    this.procs.set(procKey(pod.uid, c.name), proc);
    void this.launch(proc, c.init).catch((err: unknown) => this.failStart(proc, err instanceof Error ? err.message : String(err)));
  }

  private failStart(proc: Proc, message: string): void {
    if (proc.exited) return;
    proc.exited = true;
    proc.log?.close();
    this.openLogs.delete(logKey(proc.pod.uid, proc.container, proc.run));
    if (this.procs.get(procKey(proc.pod.uid, proc.container)) === proc) this.procs.delete(procKey(proc.pod.uid, proc.container));
    this.o.events.exited(proc.pod.key, proc.pod.uid, proc.container, proc.run, this.o.now(), 128, 'StartError', message);
  }

  private async launch(proc: Proc, init: boolean): Promise<void> {
    const { pod } = proc;
    const obj = this.o.podOf(pod.key);
    const spec = (init ? obj?.spec?.initContainers : obj?.spec?.containers)?.find((x) => x.name === proc.container);
    if (!obj || !spec) return this.failStart(proc, `container "${proc.container}" is not in pod "${pod.name}"`);
    const ip = pod.ip ? intToIp(pod.ip) : '127.0.0.1';
    const env = await containerEnv(obj as Pod, spec, { podIP: ip, nodeName: this.o.nodeName, ...(this.o.dns ? { dns: this.o.dns } : {}) }, this.o.env);
    // Stopped or removed while the environment was being read: never start it.
    if (proc.stopGraceMs >= 0) return this.failStart(proc, 'stopped before it started');
    if (!env.ok) return this.failStart(proc, env.error);
    proc.env = env.env;
    const program = programOf(spec, env.env);
    if (!program.ok) return this.failStart(proc, program.error);
    const dir = this.containerDir(pod, proc.container);
    mkdirSync(dir, { recursive: true });
    const cwd = spec.workingDir ?? this.podDir(pod);
    try {
      if (!statSync(cwd).isDirectory()) return this.failStart(proc, `workingDir "${cwd}" is not a directory`);
    } catch {
      return this.failStart(proc, `workingDir "${cwd}" does not exist`);
    }
    // Kubernetes keeps the current and the previous run's log.
    for (const f of readdirSync(dir)) {
      const run = Number(f.split('.')[0]);
      if (Number.isInteger(run) && run < proc.run - 1) rmSync(join(dir, f), { force: true });
    }
    const log = new ContainerLog(dir, proc.run, this.o.limits, this.o.now);
    proc.log = log;
    this.openLogs.set(logKey(pod.uid, proc.container, proc.run), log);
    const child = spawn(program.file, [...program.args], { cwd, env: env.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    proc.child = child;
    child.stdout!.on('data', (d: Buffer) => log.write('stdout', d));
    child.stderr!.on('data', (d: Buffer) => log.write('stderr', d));
    child.once('error', (err) => {
      // ENOENT, EACCES: the program never ran.
      if (proc.pid === 0) {
        log.write('stderr', `berth: cannot start ${program.file}: ${err.message}\n`);
        log.close();
        this.failStart(proc, `cannot start "${program.file}": ${err.message}`);
      }
    });
    child.once('spawn', () => {
      proc.pid = child.pid ?? 0;
      writeFileSync(join(this.pidDir, String(proc.pid)), `${program.file}\n`);
      const limit = memoryLimitBytes(spec.resources?.limits);
      if (limit !== undefined) {
        proc.unwatch = this.memory.add({
          pid: proc.pid,
          limitBytes: limit,
          overLimit: () => {
            proc.oom = true;
            killGroup(proc.pid, 'SIGKILL');
          },
        });
      }
      this.o.events.started(pod.key, pod.uid, proc.container, proc.run, this.o.now());
      if (proc.stopGraceMs >= 0) this.signal(proc, proc.stopGraceMs);
    });
    child.once('exit', () => {
      // Whatever the program left in its group dies with it (as a container's processes do).
      killGroup(proc.pid, 'SIGKILL');
    });
    child.once('close', (code, signal) => {
      if (proc.pid === 0) return;
      log.close();
      // Only a run still writing can be followed; the files stay for `kubectl logs` (and --previous).
      this.openLogs.delete(logKey(pod.uid, proc.container, proc.run));
      rmSync(join(this.pidDir, String(proc.pid)), { force: true });
      if (proc.killTimer) clearTimeout(proc.killTimer);
      proc.unwatch?.();
      proc.exited = true;
      if (this.procs.get(procKey(pod.uid, proc.container)) === proc) this.procs.delete(procKey(pod.uid, proc.container));
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      this.o.events.exited(pod.key, pod.uid, proc.container, proc.run, this.o.now(), exitCode, proc.oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error');
    });
  }

  private stop(pod: PodRec, c: ContainerRec, graceMs: number): void {
    const proc = this.procs.get(procKey(pod.uid, c.name));
    if (!proc || proc.exited) return;
    if (proc.stopGraceMs >= 0) return;
    proc.stopGraceMs = graceMs;
    if (proc.pid) this.signal(proc, graceMs);
  }

  /** SIGTERM now, SIGKILL to the whole group when the grace period ends. */
  private signal(proc: Proc, graceMs: number): void {
    try {
      process.kill(proc.pid, 'SIGTERM');
    } catch {
      // Already gone: its close event reports the exit.
    }
    proc.killTimer = setTimeout(() => killGroup(proc.pid, 'SIGKILL'), graceMs);
  }

  probe(pod: PodRec, c: ContainerRec, p: ProbeRec): Promise<boolean> {
    const obj = this.o.podOf(pod.key);
    const spec = obj?.spec?.containers.find((x) => x.name === c.name);
    const ip = pod.ip ? intToIp(pod.ip) : '127.0.0.1';
    // exec runs with the container's own environment, as inside the container.
    const env = this.procs.get(procKey(pod.uid, c.name))?.env ?? { PATH: process.env.PATH ?? '', POD_IP: ip, POD_NAME: pod.name, POD_NAMESPACE: pod.namespace };
    return runProbe(p.spec, { ip, image: spec?.image, ports: spec?.ports ?? [], cwd: spec?.workingDir ?? this.podDir(pod), env });
  }

  status(pod: PodRec, c: ContainerRec): ContainerRuntimeStatus | undefined {
    const proc = this.procs.get(procKey(pod.uid, c.name));
    return proc && proc.pid && !proc.exited ? { pid: proc.pid, run: proc.run } : undefined;
  }

  logs(pod: PodRec, c: ContainerRec, o: LogOptions): LogRead | { error: string } {
    let run: number;
    const last = lastTerminated(c);
    if (o.previous) {
      // As the kubelet: the container of lastState (while backing off, the run that just ended).
      if (!last) return { error: `previous terminated container "${c.name}" in pod "${pod.name}" not found` };
      run = last.run;
    } else if (c.stage === 'running' || c.stage === 'stopping') {
      run = c.restarts;
    } else if (c.term) {
      // Backing off or done: the run that ended.
      run = c.term.run;
    } else {
      return { error: `container "${c.name}" in pod "${pod.name}" is waiting to start: ${c.restarts > 0 ? 'CrashLoopBackOff' : 'ContainerCreating'}` };
    }
    const live = this.openLogs.get(logKey(pod.uid, c.name, run));
    const lines = readRun(runFiles(this.containerDir(pod, c.name), run, this.o.limits.maxFiles));
    if (live && !live.isClosed) return { lines, follow: (f) => live.follow(f) };
    return { lines };
  }

  removePod(pod: PodRec): void {
    for (const [k, proc] of this.procs) {
      if (proc.pod.uid !== pod.uid) continue;
      killGroup(proc.pid, 'SIGKILL');
      proc.stopGraceMs = 0;
      this.procs.delete(k);
    }
    for (const [k, log] of this.openLogs) {
      if (!k.startsWith(`${pod.uid}/`)) continue;
      log.close();
      this.openLogs.delete(k);
    }
    rmSync(this.podDir(pod), { recursive: true, force: true });
  }

  shutdown(): void {
    this.memory.stop();
    for (const proc of this.procs.values()) {
      proc.stopGraceMs = 0;
      killGroup(proc.pid, 'SIGKILL');
      if (proc.pid) rmSync(join(this.pidDir, String(proc.pid)), { force: true });
    }
    this.procs.clear();
  }

  /** Processes a previous run of this node left behind (it crashed without shutdown). */
  private killLeftovers(): void {
    for (const { pid, program } of killPidFileProcesses(this.pidDir)) this.o.warn('killed a container process left by a previous run of this node', { pid, program });
  }
}

/**
 * Kill the process groups the pid files in `pidDir` name and remove the
 * files; a pid now running another program (reused) is left alone. Also
 * for whoever runs nodes (berth up) after they stopped: a node whose
 * thread was terminated never ran its shutdown.
 */
export function killPidFileProcesses(pidDir: string): { pid: number; program: string }[] {
  const killed: { pid: number; program: string }[] = [];
  let files: string[];
  try {
    files = readdirSync(pidDir);
  } catch {
    return killed;
  }
  for (const f of files) {
    const pid = Number(f);
    if (!Number.isInteger(pid) || pid <= 1) continue;
    const program = readFileSync(join(pidDir, f), 'utf8').trim();
    if (commandOf(pid)?.startsWith(program)) {
      killGroup(pid, 'SIGKILL');
      killed.push({ pid, program });
    }
    rmSync(join(pidDir, f), { force: true });
  }
  return killed;
}

function procKey(uid: string, container: string): string {
  return `${uid}/${container}`;
}

function logKey(uid: string, container: string, run: number): string {
  return `${uid}/${container}/${run}`;
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  if (pid <= 1) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // The group is gone already.
  }
}

/** argv[0] of a live process (Linux /proc), or undefined. */
function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  } catch {
    return undefined;
  }
}
