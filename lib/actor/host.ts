/**
 * A host: one worker thread running one or many actors, one mailbox each,
 * one message at a time per actor, never re-entrant. It reports crashes to
 * the supervisor and never lets one actor's failure take down the others.
 */
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { ActorCell, type ActorStats } from './actor-cell.js';
import type { FromHost, HostId, TimerSet } from './control.js';
import { messageType } from './codec.js';
import { errorText } from './errors.js';
import { Endpoint, type EndpointOptions } from './endpoint.js';
import { createLogger } from './logger.js';
import type { Envelope } from './mailbox.js';
import { VirtualTimers } from './timers.js';
import type { ActorContext, ActorDefinition, ActorSpec, Address, DownNotice, LogLevel, Message, Sender } from './types.js';

export interface HostOptions extends EndpointOptions {
  readonly logLevel: LogLevel;
  /** The control plane to the supervisor. */
  readonly control: (msg: FromHost) => void;
}

/** Messages handled per pump before yielding to I/O (heartbeats, frames). */
const pumpBudget = 20_000;

export class Host extends Endpoint {
  private readonly cells = new Map<Address, ActorCell>();
  /** Messages for actors routed here whose start order has not arrived yet. */
  private readonly early = new Map<Address, Envelope[]>();
  private runQueue: ActorCell[] = [];
  private runHead = 0;
  private pumping = false;
  private pumpScheduled = false;
  private busyCells = 0;
  private tracked = 0;
  /** Something happened since the last idle report (virtual clock). */
  private activity = true;
  /** Work messages from the supervisor handled so far. */
  private controlSeen = 0;
  private readonly pendingTimers: { set: TimerSet[]; cancel: number[] } = { set: [], cancel: [] };
  private readonly control: (msg: FromHost) => void;
  private readonly logLevel: LogLevel;
  /** In-place restarts per address, counted here; the supervisor adds host restarts. */
  readonly restarts = new Map<Address, number>();
  /** ctx.monitor: the cells to tell when an address goes down. */
  private readonly monitors = new Map<Address, Set<ActorCell>>();

  constructor(options: HostOptions) {
    super(options);
    this.control = options.control;
    this.logLevel = options.logLevel;
  }

  /** Virtual timers register with the supervisor's heap through the control plane, batched per turn. */
  static virtualSink(host: () => Host): { set(t: TimerSet): void; cancel(id: number): void } {
    return {
      set: (t) => host().queueTimer(t),
      cancel: (id) => host().queueCancel(id),
    };
  }

  private queueTimer(t: TimerSet): void {
    this.pendingTimers.set.push(t);
    this.scheduleTurn();
  }

  private queueCancel(id: number): void {
    this.pendingTimers.cancel.push(id);
    this.scheduleTurn();
  }

  // ---- lifecycle -------------------------------------------------------

  /**
   * Create every cell at once, so that messages sent to these actors from now
   * on queue in their mailboxes, then run their starts in order. An actor may
   * send requests while it starts: its address is routed before it starts.
   */
  async start(specs: readonly ActorSpec[]): Promise<{ address: Address; error: string }[]> {
    const cells: ActorCell[] = [];
    for (const spec of specs) {
      const existing = this.cells.get(spec.address);
      if (existing && (existing.state === 'starting' || existing.state === 'running')) continue;
      const cell = new ActorCell(spec);
      for (const env of this.early.get(spec.address) ?? []) cell.mailbox.push(env);
      this.early.delete(spec.address);
      this.cells.set(spec.address, cell);
      cells.push(cell);
    }
    const failed: { address: Address; error: string }[] = [];
    for (const cell of cells) {
      const error = await this.startOne(cell);
      if (error) failed.push({ address: cell.address, error });
    }
    return failed;
  }

  private async startOne(cell: ActorCell): Promise<string | null> {
    const spec = cell.spec;
    try {
      const mod = (await import(toModuleUrl(spec.module))) as Record<string, unknown>;
      const def = mod[spec.export ?? 'default'] as ActorDefinition | undefined;
      if (!def || def.kind !== 'berth.actor') {
        throw new TypeError(`${spec.module} has no actor definition export "${spec.export ?? 'default'}"`);
      }
      cell.behavior = await def.start(this.contextFor(cell), spec.args);
      cell.state = 'running';
      this.activity = true;
      if (cell.mailbox.length > 0) this.enqueue(cell);
      return null;
    } catch (err) {
      cell.state = 'crashed';
      cell.lastError = errorText(err);
      this.cleanUp(cell, 'failed to start');
      return cell.lastError;
    }
  }

  async stop(addresses: readonly Address[]): Promise<void> {
    for (const address of addresses) {
      const cell = this.cells.get(address);
      if (!cell) continue;
      await this.stopOne(cell);
    }
  }

  private async stopOne(cell: ActorCell): Promise<void> {
    if (cell.state === 'running' || cell.state === 'starting') {
      cell.state = 'stopping';
      if (cell.current) await cell.current.catch(() => undefined);
      try {
        await cell.behavior?.stop?.();
      } catch (err) {
        cell.lastError = errorText(err);
      }
    }
    cell.state = 'stopped';
    this.cleanUp(cell, 'stopped');
    if (this.cells.get(cell.address) === cell) this.cells.delete(cell.address);
  }

  async restart(addresses: readonly Address[]): Promise<{ address: Address; error: string }[]> {
    const specs: ActorSpec[] = [];
    for (const address of addresses) {
      const cell = this.cells.get(address);
      if (!cell) continue;
      specs.push(cell.spec);
      await this.stopOne(cell);
      this.restarts.set(address, (this.restarts.get(address) ?? 0) + 1);
    }
    return this.start(specs);
  }

  stats(address: Address): Omit<ActorStats, 'restarts'> | null {
    const cell = this.cells.get(address);
    if (!cell) return null;
    return {
      address,
      state: cell.state,
      threadId,
      mailboxDepth: cell.mailbox.length,
      handled: cell.handled,
      lastError: cell.lastError,
    };
  }

  // ---- delivery --------------------------------------------------------

  /**
   * Every frame counts as activity, replies included: a reply is delivered to
   * a pending request, not a mailbox, and without this the host would not
   * report idle again with its new counters, and the virtual clock would
   * wait for it forever.
   */
  override onFrame(source: HostId, bytes: Uint8Array): void {
    this.activity = true;
    super.onFrame(source, bytes);
  }

  protected deliverLocal(to: Address, from: Address, reqId: number, body: unknown): void {
    const cell = this.cells.get(to);
    const sender: Sender = { address: from, reqId };
    if (!cell && this.routes.get(to) === this.hostId) {
      // Routed here, but the start order has not been read yet (it travels on another port): hold it.
      let early = this.early.get(to);
      if (!early) this.early.set(to, (early = []));
      early.push({ sender, body });
      this.activity = true;
      return;
    }
    if (!cell || cell.state === 'stopping' || cell.state === 'stopped' || cell.state === 'crashed') {
      this.refuse({ sender, body }, to, cell ? `actor ${cell.state}` : 'no such actor on this host');
      return;
    }
    this.activity = true;
    cell.mailbox.push({ sender, body });
    if (cell.state === 'running' && !cell.busy) this.enqueue(cell);
  }

  /** A message for an actor that cannot take it: a request gets an error reply, anything else is a dead letter. */
  private refuse(env: Envelope, to: Address, reason: string): void {
    if (env.sender.reqId > 0) {
      this.reply(to, env.sender, { ok: false, code: 'ACTOR_DOWN', message: `actor ${to} is down: ${reason}` });
    } else {
      this.deadLetter(env.sender.address, to, messageType(env.body), reason);
    }
  }

  private enqueue(cell: ActorCell): void {
    if (cell.queued) return;
    cell.queued = true;
    this.runQueue.push(cell);
    if (!this.pumping && !this.pumpScheduled) {
      this.pumpScheduled = true;
      queueMicrotask(this.pump);
    }
  }

  private readonly pump = (): void => {
    this.pumpScheduled = false;
    this.pumping = true;
    let budget = pumpBudget;
    while (this.runHead < this.runQueue.length && budget-- > 0) {
      const cell = this.runQueue[this.runHead++]!;
      cell.queued = false;
      if (cell.state !== 'running' || cell.busy) continue;
      const env = cell.mailbox.shift();
      if (env) this.handle(cell, env);
      if (cell.mailbox.length > 0 && !cell.busy && cell.state === 'running') this.enqueue(cell);
    }
    if (this.runHead >= this.runQueue.length) {
      this.runQueue = [];
      this.runHead = 0;
    } else if (this.runHead > 4096) {
      this.runQueue = this.runQueue.slice(this.runHead);
      this.runHead = 0;
    }
    this.pumping = false;
    // Out of budget: let I/O in, then go on.
    if (this.runHead < this.runQueue.length) {
      this.pumpScheduled = true;
      setImmediate(this.pump);
    }
    this.scheduleTurn();
  };

  private handle(cell: ActorCell, env: Envelope): void {
    cell.busy = true;
    let result: void | Promise<void>;
    try {
      result = cell.behavior!.receive(env.body as Message, env.sender);
    } catch (err) {
      cell.busy = false;
      this.crash(cell, err, env);
      return;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      this.busyCells++;
      cell.current = (result as Promise<void>).then(
        () => {
          this.busyCells--;
          cell.busy = false;
          cell.current = null;
          cell.handled++;
          if (cell.state === 'running' && cell.mailbox.length > 0) this.enqueue(cell);
          this.scheduleTurn();
        },
        (err: unknown) => {
          this.busyCells--;
          cell.busy = false;
          cell.current = null;
          if (cell.state === 'running') this.crash(cell, err, env);
          this.scheduleTurn();
        },
      );
      return;
    }
    cell.busy = false;
    cell.handled++;
  }

  /** A handler threw: only this actor dies; the supervisor decides what follows. */
  private crash(cell: ActorCell, err: unknown, env: Envelope): void {
    cell.state = 'crashed';
    cell.lastError = errorText(err);
    const log = createLogger(this.logLevel, { host: this.hostId, actor: cell.address });
    log.error('actor crashed', { error: cell.lastError, messageType: messageType(env.body) });
    if (env.sender.reqId > 0) {
      this.reply(cell.address, env.sender, {
        ok: false,
        code: 'ACTOR_DOWN',
        message: `actor ${cell.address} is down: crashed while handling ${messageType(env.body)}: ${firstLine(cell.lastError)}`,
      });
    }
    this.cleanUp(cell, 'crashed');
    // Replies (to the failed request, to queued ones) go out before the supervisor hears of the crash:
    // it may kill this thread at once, and a reply still batched would be lost.
    this.flushFrames();
    this.control({ k: 'crashed', address: cell.address, error: cell.lastError });
  }

  /** The host of these addresses died: besides failing requests to them, tell their monitors. */
  override markDown(addresses: readonly Address[], reason: string): void {
    super.markDown(addresses, reason);
    for (const address of addresses) {
      for (const cell of this.monitors.get(address) ?? []) {
        if (this.cells.get(cell.address) !== cell || (cell.state !== 'running' && cell.state !== 'starting')) continue;
        this.activity = true;
        cell.mailbox.push({ sender: { address, reqId: 0 }, body: { type: 'sys.down', address, reason } satisfies DownNotice });
        if (cell.state === 'running' && !cell.busy) this.enqueue(cell);
      }
    }
  }

  /** Whatever a dead actor leaves behind: queued requests fail, timers, monitors and own requests go. */
  private cleanUp(cell: ActorCell, reason: string): void {
    for (const watchers of this.monitors.values()) watchers.delete(cell);
    for (const env of cell.mailbox.drain()) this.refuse(env, cell.address, reason);
    this.timers.cancelOwner(cell.address);
    this.forgetRequestsOf(cell.address);
  }

  // ---- context -----------------------------------------------------------

  private contextFor(cell: ActorCell): ActorContext {
    const self = cell.address;
    const host = this;
    const alive = (): boolean => host.cells.get(self) === cell && (cell.state === 'running' || cell.state === 'starting' || cell.state === 'stopping');
    return {
      self,
      now: () => host.timers.now(),
      send: (to, msg) => {
        if (alive()) host.send(self, to, msg);
      },
      request: <R,>(to: Address, msg: Message, options?: { timeoutMs?: number }) => host.request<R>(self, to, msg, options?.timeoutMs),
      reply: (to, value) => host.reply(self, to, { ok: true, value }),
      replyError: (to, code, message) => host.reply(self, to, { ok: false, code, message }),
      setTimer: (delayMs, msg) =>
        host.timers.schedule(self, delayMs, () => {
          if (alive()) host.deliverLocal(self, self, 0, msg);
        }),
      cancelTimer: (id) => host.timers.cancel(id),
      track: <T>(work: Promise<T>) => {
        host.tracked++;
        const done = (): void => {
          host.tracked--;
          host.scheduleTurn();
        };
        work.then(done, done);
        return work;
      },
      monitor: (address) => {
        let watchers = host.monitors.get(address);
        if (!watchers) host.monitors.set(address, (watchers = new Set()));
        watchers.add(cell);
      },
      log: createLogger(this.logLevel, { host: this.hostId, actor: self }),
    };
  }

  // ---- time and idleness -----------------------------------------------

  fire(now: number, ids: readonly number[]): void {
    (this.timers as VirtualTimers).fire(now, ids);
    this.scheduleTurn();
  }

  get idle(): boolean {
    return this.runHead >= this.runQueue.length && this.busyCells === 0 && this.tracked === 0;
  }

  protected afterTurn(): void {
    if (this.deadLetters.length > 0) {
      this.control({ k: 'dead', letters: this.deadLetters });
      this.deadLetters = [];
    }
    if (this.pendingTimers.set.length > 0 || this.pendingTimers.cancel.length > 0) {
      this.control({ k: 'timers', set: this.pendingTimers.set.splice(0), cancel: this.pendingTimers.cancel.splice(0) });
    }
    if (this.timers instanceof VirtualTimers && this.activity && this.idle) {
      this.activity = false;
      this.control({ k: 'idle', control: this.controlSeen, sent: { ...this.sentTo }, recv: { ...this.recvFrom } });
    }
  }

  /**
   * A supervisor order (start, restart, stop) in progress counts as busy: an
   * actor's start may register timers after an await, and an idle report sent
   * meanwhile would let the virtual clock move on without them.
   */
  async runOrder<T>(order: Promise<T>): Promise<T> {
    this.tracked++;
    try {
      return await order;
    } finally {
      this.tracked--;
      this.scheduleTurn();
    }
  }

  /** Work arrived from the supervisor: count it, for the idle protocol. */
  touch(): void {
    this.controlSeen++;
    this.activity = true;
    this.scheduleTurn();
  }
}

function toModuleUrl(module: string): string {
  return module.startsWith('file:') || module.startsWith('data:') || module.startsWith('node:') ? module : pathToFileURL(module).href;
}


function firstLine(text: string): string {
  const i = text.indexOf('\n');
  return i < 0 ? text : text.slice(0, i);
}
