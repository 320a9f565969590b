/**
 * The actor contract: what an actor is, what it receives, and what it may do.
 *
 * Messages are plain data (`{ type: 'ns.verb', ... }`), encoded with msgpack
 * between threads; no classes or closures cross a thread boundary.
 */

/** Where an actor lives, by name: `scheduler`, `node/node-0042`. */
export type Address = string;

/** Every message is a plain object with a `type`; `sys.*` is reserved. */
export interface Message {
  readonly type: string;
}

/** Who sent a message; `reqId` is set when the sender awaits a reply. */
export interface Sender {
  readonly address: Address;
  readonly reqId: number;
}

export type TimerId = number;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface RequestOptions {
  /** Reject with RequestTimeoutError after this long (clock time). Default 30 s. */
  readonly timeoutMs?: number;
}

/** What a running actor may do. Effects go only through here. */
export interface ActorContext {
  readonly self: Address;
  /** Milliseconds: wall time under the real clock, virtual time under the virtual one. */
  now(): number;
  send<M extends Message>(to: Address, msg: M): void;
  request<R = unknown, M extends Message = Message>(to: Address, msg: M, options?: RequestOptions): Promise<R>;
  /** Answer a request; a no-op when the sender did not ask for a reply. */
  reply(to: Sender, value: unknown): void;
  /** Answer a request with an error the requester receives as a RemoteError. */
  replyError(to: Sender, code: string, message: string): void;
  /** Deliver `msg` to this actor's own mailbox after `delayMs` of clock time. */
  setTimer<M extends Message>(delayMs: number, msg: M): TimerId;
  cancelTimer(id: TimerId): void;
  /**
   * Count background work (an LMDB commit, a child process) as busy time, so
   * the virtual clock does not advance past it and shutdown waits for it.
   */
  track<T>(work: Promise<T>): Promise<T>;
  /**
   * OTP's monitor: from now on, whenever the host thread of `address` dies
   * (killed, or taken down by a crash before the restart on a new thread), a
   * DownNotice arrives in this actor's mailbox. A peer that restarts has
   * forgotten what it held for us (watches, above all), and would never say
   * so. A group member restarted in place on its thread sends none. Idempotent.
   */
  monitor(address: Address): void;
  readonly log: Logger;
}

/** What a monitor delivers (see ActorContext.monitor); `sys.*` messages come from the runtime. */
export interface DownNotice extends Message {
  readonly type: 'sys.down';
  readonly address: Address;
  readonly reason: string;
}

export function isDownNotice(msg: Message): msg is DownNotice {
  return msg.type === 'sys.down';
}

/** A running actor: one mailbox, `receive` is never re-entered. */
export interface ActorBehavior<M extends Message = Message> {
  receive(msg: M, from: Sender): void | Promise<void>;
  /** Called on orderly shutdown; the supervisor waits for it until the child's deadline. */
  stop?(): void | Promise<void>;
}

/**
 * An actor's logic, exported from a module so that a host thread can load it
 * by name. `start` builds the behavior from plain-data arguments.
 */
export interface ActorDefinition<M extends Message = Message, A = unknown> {
  readonly kind: 'berth.actor';
  start(ctx: ActorContext, args: A): ActorBehavior<M> | Promise<ActorBehavior<M>>;
}

export function defineActor<M extends Message = Message, A = unknown>(
  start: (ctx: ActorContext, args: A) => ActorBehavior<M> | Promise<ActorBehavior<M>>,
): ActorDefinition<M, A> {
  return { kind: 'berth.actor', start };
}

/** Where to find an actor's definition: a module URL (or path) and its export. */
export interface ActorModule {
  readonly module: string;
  /** Export name; default `default`. */
  readonly export?: string;
}

/** One actor placed on a host. */
export interface ActorSpec extends ActorModule {
  readonly address: Address;
  readonly args?: unknown;
}
