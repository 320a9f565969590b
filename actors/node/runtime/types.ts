/**
 * The container runtime interface the kubelet drives pods through, in the
 * spirit of the CRI: pull an image, create and start a container, stop it
 * (SIGTERM, then SIGKILL after the grace period), its status, its logs.
 *
 * Two runtimes implement it. The simulated one (simulated.ts) draws every
 * latency and outcome from the sim config under the virtual clock, so its
 * pulls, starts and stops are times returned to pod-state. The process
 * runtime (process.ts) runs real OS processes: `live.start`/`live.stop`
 * act at once and the outcome comes back later through RuntimeEvents.
 */
import type { LiveContainers, NodeEnv, ContainerRec, PodRec } from '../pod-state.js';
import type { ProbeRec } from '../probes.js';
import type { LogFollower, LogLine } from './log-file.js';
import type { LogOptions } from './log-read.js';

export type RuntimeKind = 'simulated' | 'process';

export interface ContainerRuntime extends NodeEnv {
  readonly kind: RuntimeKind;
  /** The scheme of its containerIDs. */
  readonly scheme: string;
  /** Pull image = NodeEnv.imageReadyAt; create + start and stop = `live` (absent: drawn by the sim). */
  readonly live?: LiveContainers;
  /** One probe run: its outcome now (simulated) or when it completes (process). */
  probe(pod: PodRec, c: ContainerRec, p: ProbeRec, t: number): boolean | Promise<boolean>;
  /** What the runtime knows of a running container (its pid for a process); undefined for none. */
  status(pod: PodRec, c: ContainerRec): ContainerRuntimeStatus | undefined;
  /** A container's log (a run), or an error message; the simulated runtime keeps none. */
  logs(pod: PodRec, c: ContainerRec, o: LogOptions): LogRead | { readonly error: string };
  /** The pod is gone: whatever it still holds (processes, log files) goes. */
  removePod(pod: PodRec): void;
  /** The node stops: its containers die with it. */
  shutdown(): void;
}

export interface ContainerRuntimeStatus {
  readonly pid: number;
  readonly run: number;
}

export interface LogRead {
  /** The run's lines so far. */
  readonly lines: readonly LogLine[];
  /** For follow: subscribe to later lines (ends when the run's output ends); undefined when the run is over. */
  readonly follow?: (f: LogFollower) => () => void;
}

/** How the process runtime reports back to the kubelet (on the kubelet's thread). */
export interface RuntimeEvents {
  started(podKey: string, uid: string, container: string, run: number, t: number): void;
  exited(podKey: string, uid: string, container: string, run: number, t: number, exitCode: number, reason: string, message?: string): void;
}
