/**
 * Control messages between the supervisor and a host worker (the `sys` plane).
 * They travel as plain objects over the worker's own port; data messages
 * between actors travel as msgpack frames (see codec.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import type { ActorSpec, Address, LogLevel } from './types.js';

export type HostId = string;
export const MAIN_HOST: HostId = 'main';
export const SUPERVISOR_ADDRESS: Address = 'supervisor';

export type ClockKind = 'real' | 'virtual';
export type Routing = 'direct' | 'relay';

/** Given to each host worker at spawn. */
export interface HostBoot {
  readonly hostId: HostId;
  readonly structures: string[][];
  readonly clock: ClockKind;
  readonly routing: Routing;
  readonly batch: boolean;
  readonly maxMessageBytes: number;
  readonly logLevel: LogLevel;
  readonly inspectPort: MessagePort;
}

export interface DeadLetter {
  readonly at: number;
  readonly from: Address | HostId;
  readonly to: Address | HostId;
  readonly type: string;
  readonly reason: string;
}

export interface TimerSet {
  readonly id: number;
  readonly at: number;
  readonly address: Address;
  readonly seq: number;
}

/** Envelopes sent to and received from each peer thread since its link was made. */
export interface MessageCounters {
  readonly sent: Readonly<Record<HostId, number>>;
  readonly recv: Readonly<Record<HostId, number>>;
}

/**
 * Control messages that give a host work: it counts them, and the virtual
 * clock trusts an idle report only once the host has seen all it was sent.
 */
export function isWork(msg: ToHost): boolean {
  return msg.k !== 'ping' && msg.k !== 'frame';
}

/**
 * Every message to a host may carry the supervisor's clock reading, so that a
 * host (new, or idle for long) never schedules virtual timers from a stale time.
 */
export type ToHost = ToHostBody & { now?: number };

type ToHostBody =
  | { k: 'start'; op: number; specs: ActorSpec[] }
  | { k: 'restart'; op: number; addresses: Address[] }
  | { k: 'stop'; op: number; addresses: Address[] }
  | { k: 'routes'; set: [Address, HostId][]; del: Address[] }
  | { k: 'link'; host: HostId; port: MessagePort | null }
  | { k: 'down'; addresses: Address[]; reason: string }
  | { k: 'frame'; from: HostId; bytes: Uint8Array }
  | { k: 'fire'; now: number; ids: number[] }
  | { k: 'ping'; n: number };

export type FromHost =
  | { k: 'ready'; threadId: number }
  | { k: 'done'; op: number; failed: { address: Address; error: string }[] }
  | { k: 'crashed'; address: Address; error: string }
  | { k: 'frame'; to: HostId; bytes: Uint8Array }
  | { k: 'timers'; set: TimerSet[]; cancel: number[] }
  | ({ k: 'idle'; control: number } & MessageCounters)
  | { k: 'pong'; n: number }
  | { k: 'dead'; letters: DeadLetter[] };
