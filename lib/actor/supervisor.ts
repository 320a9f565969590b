/**
 * The supervisor: starts host threads, owns every channel, routes, restarts
 * with OTP semantics, and owns the clock. It runs in the embedding thread.
 *
 * Every change to the set of running children (start, restart, stop) runs
 * through one queue, so a failure that arrives during a restart is handled
 * after it, against the state it left.
 */
import { EventEmitter } from 'node:events';
import { createPackr, seedStructures } from './codec.js';
import { MAIN_HOST, SUPERVISOR_ADDRESS, type DeadLetter, type FromHost, type HostId } from './control.js';
import { ActorDownError, EscalationError } from './errors.js';
import { HostHandle } from './host-handle.js';
import { HostTable } from './host-table.js';
import type { ActorInspector } from './inspect.js';
import { ActorRecords } from './actor-records.js';
import { MainEndpoint } from './main-endpoint.js';
import {
  childrenToRestart,
  defaultGroupPolicy,
  defaultRestartPolicy,
  defaultShutdownMs,
  isGroupSpec,
  recordRestart,
  shouldRestart,
  validateChildSpecs,
  type ChildSpec,
  type ExitReason,
  type RestartPolicy,
  type RestartType,
} from './supervision.js';
import type { TimerService } from './timers.js';
import type { Address, Message, RequestOptions, Sender } from './types.js';
import type { VirtualClock } from './virtual-clock.js';
import { DEFAULT_MAX_MESSAGE_BYTES, actorSpecsOf, hostBoot, linkHost } from './host-wiring.js';
import { DeadLetterLog } from './dead-letters.js';
import type { SupervisorOptions } from './supervisor-options.js';
import { supervisorTime, type SupervisorClock } from './supervisor-time.js';
import type { ActorStats } from './actor-cell.js';
import type { Cluster, ClusterOptions } from '../cluster/types.js';

export type { SupervisorOptions } from './supervisor-options.js';
export type { SupervisorClock } from './supervisor-time.js';

interface ChildState {
  readonly spec: ChildSpec;
  readonly addresses: readonly Address[];
  host: HostHandle | null;
  incarnation: number;
  /** Group children: the in-place restart window. */
  groupWindow: number[];
}

export type SupervisorState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export class Supervisor extends EventEmitter {
  state: SupervisorState = 'starting';
  private readonly policy: RestartPolicy;
  private readonly children = new Map<string, ChildState>();
  private order: string[] = [];
  private readonly addressToChild = new Map<Address, string>();
  private readonly hosts = new HostTable();
  private readonly expectedExits = new WeakSet<HostHandle>();
  private readonly records = new ActorRecords();
  private window: number[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly main: MainEndpoint;
  private readonly timers: TimerService;
  private readonly vclock: VirtualClock | null;
  private readonly structures: string[][];
  private readonly deadLetterLog: DeadLetterLog;
  readonly clock: SupervisorClock;
  /** Resolves when the supervisor has stopped, or failed after escalation. */
  readonly done: Promise<EscalationError | null>;
  private finish!: (outcome: EscalationError | null) => void;

  private constructor(private readonly options: SupervisorOptions) {
    super();
    this.policy = { ...defaultRestartPolicy, ...options.policy };
    this.structures = seedStructures({ structures: options.structures ?? [] });
    this.deadLetterLog = new DeadLetterLog(options.deadLetterLimit ?? 1_000);
    this.done = new Promise((resolve) => (this.finish = resolve));
    let main!: MainEndpoint;
    const time = supervisorTime(options.clock, {
      hosts: () => this.hosts.liveIds(),
      mainCounters: () => {
        main.flushFrames();
        return { sent: main.sentTo, recv: main.recvFrom };
      },
      fireOnHost: (host, now, ids) => this.hosts.get(host)?.post({ k: 'fire', now, ids }),
      controlSent: (host) => this.hosts.get(host)?.controlSent ?? 0,
    });
    this.timers = time.timers;
    this.vclock = time.vclock;
    this.clock = time.clock;
    main = new MainEndpoint({
      packr: createPackr(this.structures),
      timers: this.timers,
      batch: options.batch ?? true,
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      onMessage: (msg, from) => this.onOwnMessage(msg, from),
      onDeadLetters: (letters) => this.recordDeadLetters(letters),
      onTurn: () => this.vclock?.scheduleCheck(),
    });
    this.main = main;
  }

  /**
   * Two forms, told apart by `children`. With `children`: this supervisor
   * over exactly those child specs (the runtime). Without: a whole cluster
   * (store, api-server, controller-manager, scheduler, simulated nodes; see
   * lib/cluster/), which owns a supervisor of this kind underneath.
   */
  static start(options: SupervisorOptions & { readonly children: readonly ChildSpec[] }): Promise<Supervisor>;
  static start(options?: ClusterOptions): Promise<Cluster>;
  static async start(options: SupervisorOptions | ClusterOptions = {}): Promise<Supervisor | Cluster> {
    if (options.children === undefined) {
      // Imported at call time: lib/cluster imports this module.
      const { startCluster } = await import('../cluster/cluster.js');
      return startCluster(options as ClusterOptions);
    }
    return Supervisor.startRuntime(options as SupervisorOptions);
  }

  private static async startRuntime(options: SupervisorOptions): Promise<Supervisor> {
    const children = options.children ?? [];
    validateChildSpecs(children);
    const sup = new Supervisor(options);
    try {
      for (const spec of children) await sup.serialized(() => sup.addChild(spec));
    } catch (err) {
      await sup.stop();
      throw err;
    }
    sup.state = 'running';
    return sup;
  }

  // ---- the embedding's messaging ----------------------------------------

  send<M extends Message>(to: Address, msg: M): void {
    this.main.send(SUPERVISOR_ADDRESS, to, msg);
  }

  request<R = unknown, M extends Message = Message>(to: Address, msg: M, options?: RequestOptions): Promise<R> {
    return this.main.request<R>(SUPERVISOR_ADDRESS, to, msg, options?.timeoutMs);
  }

  /** Answer a request that an actor sent to `supervisor`. */
  reply(to: Sender, value: unknown): void {
    this.main.reply(SUPERVISOR_ADDRESS, to, { ok: true, value });
  }

  /**
   * Fault injection: deliver raw bytes as a frame to the host of `address`, as
   * if another thread had sent them (codec fuzzing, undecodable-message tests).
   */
  injectFrame(address: Address, bytes: Uint8Array): void {
    const hostId = this.main.routes.get(address);
    const host = hostId ? this.hosts.get(hostId) : undefined;
    if (!host) throw new ActorDownError(address, 'not running');
    const copy = Uint8Array.prototype.slice.call(bytes);
    // From a pseudo-peer named 'inject', so that the virtual clock's link counters are untouched.
    host.post({ k: 'frame', from: 'inject', bytes: copy }, [copy.buffer as ArrayBuffer]);
  }

  get deadLetters(): readonly DeadLetter[] {
    return this.deadLetterLog.letters;
  }

  get deadLetterCount(): number {
    return this.deadLetterLog.total;
  }

  /** A typed remote view of one actor, answered by its host over comlink. */
  inspect(address: Address): ActorInspector {
    return this.records.inspect(address, () => this.hostOf(address)?.handle ?? null);
  }

  /** Every running actor's stats, gathered from each host thread at once (what /metrics aggregates). */
  actorStats(): Promise<ActorStats[]> {
    return this.records.stats(this.children.values());
  }

  /** A message to `supervisor`: `sys.stats` requests are answered here, anything else goes to `message` listeners. */
  private onOwnMessage(msg: Message, from: Sender): void {
    if (msg.type !== 'sys.stats') {
      this.emit('message', msg, from);
      return;
    }
    void this.actorStats().then(
      (stats) => this.reply(from, stats),
      (err: unknown) => this.main.reply(SUPERVISOR_ADDRESS, from, { ok: false, code: 'INTERNAL', message: String(err) }),
    );
  }

  /** Add a child after start (a node joining, a scenario's new pool). */
  startChild(spec: ChildSpec): Promise<void> {
    validateChildSpecs([...[...this.children.values()].map((c) => c.spec), spec]);
    return this.serialized(() => this.addChild(spec));
  }

  /**
   * Fault injection (a scenario's killActor): treat `address` as crashed
   * now. Its supervisor applies the usual policy: a child with its own
   * thread loses that thread and restarts on a new one; an actor in a group
   * restarts in place. Counts as a restart and against the intensity.
   */
  crash(address: Address, reason = 'killed by fault injection'): Promise<void> {
    const running = this.hostOf(address);
    if (!running?.handle.alive) return Promise.reject(new ActorDownError(address, 'not running'));
    return this.actorCrashed(running.id, running.handle, address, reason);
  }

  /**
   * Fault injection (chaos tests): terminate the host thread that carries
   * `address` abruptly, as if the thread had died: every actor on it goes at
   * once, mid-message, with no stop(). Unlike crash(), which restarts a
   * group's actor in place, the whole thread goes; the supervisor sees an
   * unexpected exit and applies the child's restart strategy (counted
   * against the intensity). Resolves when the thread is gone; the restart
   * follows through the supervisor's queue.
   */
  killHost(address: Address, reason = 'host thread killed by fault injection'): Promise<void> {
    const running = this.hostOf(address);
    if (!running?.handle.alive) return Promise.reject(new ActorDownError(address, 'not running'));
    return running.handle.kill(reason);
  }

  /** The child carrying `address` and its current host thread, if it has one. */
  private hostOf(address: Address): { id: string; handle: HostHandle } | undefined {
    const id = this.addressToChild.get(address);
    const handle = id ? this.children.get(id)?.host : null;
    return id && handle ? { id, handle } : undefined;
  }

  /** Stop a child and forget it. */
  terminateChild(id: string): Promise<void> {
    return this.serialized(async () => {
      const child = this.children.get(id);
      if (!child) return;
      await this.stopHost(child);
      this.forgetChild(child);
    });
  }

  /** Orderly shutdown: children in reverse start order, each within its deadline. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'failed') return;
    this.state = 'stopping';
    await this.serialized(async () => {
      for (const id of [...this.order].reverse()) await this.stopHost(this.children.get(id)!);
    });
    this.state = 'stopped';
    this.finish(null);
  }

  // ---- children and hosts -----------------------------------------------

  private serialized(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      this.vclock?.block();
      try {
        await op();
      } finally {
        this.vclock?.unblock();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async addChild(spec: ChildSpec): Promise<void> {
    const addresses = isGroupSpec(spec) ? spec.group.map((a) => a.address) : [spec.id];
    const child: ChildState = { spec, addresses, host: null, incarnation: 0, groupWindow: [] };
    this.children.set(spec.id, child);
    this.order.push(spec.id);
    for (const a of addresses) this.addressToChild.set(a, spec.id);
    const failed = await this.startHost(child);
    if (failed) {
      await this.stopHost(child);
      this.forgetChild(child);
      throw new Error(`child ${spec.id} failed to start: ${failed}`);
    }
  }

  private forgetChild(child: ChildState): void {
    this.children.delete(child.spec.id);
    this.order = this.order.filter((id) => id !== child.spec.id);
    for (const a of child.addresses) this.addressToChild.delete(a);
    this.hosts.broadcast({ k: 'routes', set: [], del: [...child.addresses] });
    this.main.setRoutes([], child.addresses);
  }

  /** Start the child's host thread and its actors; returns an error text if an actor failed to start. */
  private async startHost(child: ChildState): Promise<string | null> {
    const hostId = `${child.spec.id}#${++child.incarnation}`;
    const handle = new HostHandle(
      hostId,
      hostBoot(this.options, this.structures),
      { message: (h, msg) => this.onHostMessage(h, msg), exit: (h, reason) => this.onHostExit(h, reason) },
      { intervalMs: 1_000, timeoutMs: 10_000, ...this.options.heartbeat },
      this.vclock ? () => this.vclock!.now() : null,
    );
    child.host = handle;
    try {
      await handle.ready;
    } catch (err) {
      return (err as Error).message;
    }
    this.hosts.add(handle);
    this.vclock?.addHost(hostId);
    linkHost(handle, this.hosts.all(), this.main, (this.options.routing ?? 'direct') === 'relay');
    // Routed before they start, so an actor can send requests (and get replies) from its start.
    const routes = child.addresses.map((a) => [a, hostId] as [Address, HostId]);
    this.main.setRoutes(routes, []);
    this.hosts.broadcast({ k: 'routes', set: routes, del: [] });
    const failed = await handle.call({ k: 'start', specs: actorSpecsOf(child.spec) });
    if (!handle.alive) return 'host died while starting';
    if (failed.length > 0) {
      for (const f of failed) this.records.failed(f.address, f.error);
      return failed.map((f) => `${f.address}: ${f.error}`).join('; ');
    }
    return null;
  }

  /** Orderly stop within the child's deadline, then the thread goes. */
  private async stopHost(child: ChildState): Promise<void> {
    const handle = child.host;
    if (!handle) return;
    child.host = null;
    this.expectedExits.add(handle);
    if (handle.alive) {
      const deadline = child.spec.shutdownMs ?? defaultShutdownMs;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        handle.call({ k: 'stop', addresses: [...child.addresses].reverse() }),
        new Promise((resolve) => (timer = setTimeout(resolve, deadline))),
      ]);
      clearTimeout(timer);
      await handle.terminate();
    }
  }

  private async killChildHost(child: ChildState, reason: string): Promise<void> {
    const handle = child.host;
    if (!handle) return;
    child.host = null;
    this.expectedExits.add(handle);
    if (handle.alive) await handle.kill(reason);
  }

  /** Called for every host exit, expected or not: unhook it from routing and time. */
  private onHostExit(handle: HostHandle, reason: string): void {
    // A host that never became ready was not registered: startHost reports that failure itself.
    if (!this.hosts.delete(handle.hostId)) return;
    this.vclock?.removeHost(handle.hostId);
    this.main.setLink(handle.hostId, null);
    this.hosts.broadcast({ k: 'link', host: handle.hostId, port: null });
    const addresses = [...this.main.routes].filter(([, h]) => h === handle.hostId).map(([a]) => a);
    if (addresses.length > 0) {
      this.main.markDown(addresses, reason);
      this.hosts.broadcast({ k: 'down', addresses, reason });
    }
    if (!this.expectedExits.has(handle)) this.unexpectedExit(handle, reason);
  }

  private unexpectedExit(handle: HostHandle, reason: string): void {
    const childId = handle.hostId.slice(0, handle.hostId.lastIndexOf('#'));
    void this.serialized(() => this.childFailed(childId, handle, reason));
  }

  private onHostMessage(handle: HostHandle, msg: FromHost): void {
    switch (msg.k) {
      case 'frame':
        if (msg.to === MAIN_HOST) this.main.onFrame(handle.hostId, msg.bytes);
        else if (!this.hosts.relay(handle.hostId, msg.to, msg.bytes)) this.main.noteDeadLetter(handle.hostId, msg.to, '?', 'frame for a host that is down');
        return;
      case 'timers':
        this.vclock?.timers(handle.hostId, msg.set, msg.cancel);
        return;
      case 'idle':
        this.vclock?.idle(handle.hostId, msg.control, msg);
        return;
      case 'dead':
        this.recordDeadLetters(msg.letters);
        return;
      case 'crashed':
        void this.actorCrashed(this.addressToChild.get(msg.address), handle, msg.address, msg.error);
        return;
      case 'ready':
      case 'pong':
      case 'done':
        return; // handled by the HostHandle
      default: {
        const never: never = msg;
        throw new Error(`unknown host message ${JSON.stringify(never)}`);
      }
    }
  }

  // ---- failures ----------------------------------------------------------

  /** An actor crashed (its host says so, or fault injection): record, tell listeners, apply the policy in turn. */
  private actorCrashed(childId: string | undefined, handle: HostHandle, address: Address, error: string): Promise<void> {
    this.records.failed(address, error);
    this.emit('crash', { address, error });
    return childId ? this.serialized(() => this.actorFailed(childId, handle, address, error)) : Promise.resolve();
  }

  private async actorFailed(childId: string, handle: HostHandle, address: Address, error: string): Promise<void> {
    const child = this.children.get(childId);
    if (!child || child.host !== handle || !this.isActive()) return; // stale: already replaced
    const spec = child.spec;
    if (!isGroupSpec(spec)) {
      await this.childFailed(childId, handle, error);
      return;
    }
    const policy = { ...defaultGroupPolicy, ...spec.policy };
    const { window, exceeded } = recordRestart(child.groupWindow, this.timers.now(), policy);
    child.groupWindow = window;
    if (exceeded) {
      await this.childFailed(childId, handle, `group restart intensity exceeded; last: ${address}: ${error}`);
      return;
    }
    const order = spec.group.map((a) => a.address);
    const restart = childrenToRestart(policy.strategy, order, address, () => 'permanent', 'crash');
    await handle.call({ k: 'restart', addresses: restart });
    this.records.countRestarts(restart);
    this.emit('restart', { child: childId, addresses: restart, reason: error });
  }

  /** A child as a whole failed (its host died, or its only actor crashed): apply the strategy. */
  private async childFailed(childId: string, handle: HostHandle, reason: string, exit: ExitReason = 'crash'): Promise<void> {
    const child = this.children.get(childId);
    if (!child || child.host !== handle || !this.isActive()) return;
    this.records.failedUnlessKnown(child.addresses, reason);
    const { window, exceeded } = recordRestart(this.window, this.timers.now(), this.policy);
    this.window = window;
    if (exceeded) {
      await this.killChildHost(child, reason);
      await this.escalate(childId, reason);
      return;
    }
    const restartOf = (id: string): RestartType => this.children.get(id)?.spec.restart ?? 'permanent';
    const ids = childrenToRestart(this.policy.strategy, this.order, childId, restartOf, exit);
    if (!ids.includes(childId)) {
      // Not to be restarted (temporary, or transient ending normally): it leaves.
      await this.killChildHost(child, reason);
      if (!shouldRestart(restartOf(childId), exit)) this.forgetChild(child);
      return;
    }
    // Siblings stop in reverse start order, orderly; the failed child is killed.
    for (const id of [...ids].reverse()) {
      const c = this.children.get(id)!;
      if (id === childId) await this.killChildHost(c, reason);
      else await this.stopHost(c);
    }
    for (const id of ids) {
      const c = this.children.get(id)!;
      const failed = await this.startHost(c);
      this.records.countRestarts(c.addresses);
      if (failed && c.host) {
        const h = c.host;
        void this.serialized(() => this.childFailed(id, h, failed));
      }
    }
    this.emit('restart', { child: childId, children: ids, reason });
  }

  private async escalate(childId: string, reason: string): Promise<void> {
    const err = new EscalationError(childId, reason);
    this.state = 'failed';
    for (const id of [...this.order].reverse()) await this.stopHost(this.children.get(id)!);
    this.emit('escalated', err);
    this.finish(err);
  }

  private isActive(): boolean {
    return this.state === 'starting' || this.state === 'running';
  }

  // ---- plumbing ------------------------------------------------------------

  private recordDeadLetters(letters: readonly DeadLetter[]): void {
    for (const letter of this.deadLetterLog.record(letters)) this.emit('deadLetter', letter);
  }
}
