/**
 * The supervisor's side of one host worker: spawn, control requests,
 * heartbeats, and exit detection. Listeners are attached at spawn, because
 * a worker can die before a later listener would be attached.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { MessageChannel, Worker } from 'node:worker_threads';
import { isWork, type FromHost, type HostBoot, type HostId, type ToHost } from './control.js';
import type { HostInspector } from './inspect.js';

export interface HeartbeatOptions {
  /** Real time between pings. Default 1 s. */
  readonly intervalMs: number;
  /** A host silent this long is killed and restarted. Default 10 s. */
  readonly timeoutMs: number;
}

export interface HostEvents {
  message(handle: HostHandle, msg: FromHost): void;
  /** The worker is gone (exit, uncaught error, or killed for missing heartbeats). */
  exit(handle: HostHandle, reason: string): void;
}

type OpResult = { address: string; error: string }[];

const hostWorkerUrl = new URL('./host-worker.js', import.meta.url);

export class HostHandle {
  readonly worker: Worker;
  readonly inspector: Comlink.Remote<HostInspector>;
  threadId = -1;
  alive = true;
  /** Set once the worker reported ready. */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private failReady!: (err: Error) => void;
  private nextOp = 1;
  private readonly ops = new Map<number, (failed: OpResult) => void>();
  private lastPong = Date.now();
  private pingN = 0;
  private heartbeat: NodeJS.Timeout | null = null;
  private exitReason: string | null = null;
  readonly exited: Promise<void>;

  constructor(
    readonly hostId: HostId,
    boot: Omit<HostBoot, 'hostId' | 'inspectPort'>,
    private readonly events: HostEvents,
    private readonly heartbeatOptions: HeartbeatOptions,
    /** The supervisor's virtual time, stamped on work messages; null under the real clock. */
    private readonly virtualNow: (() => number) | null,
  ) {
    const { port1, port2 } = new MessageChannel();
    const workerData: HostBoot = { ...boot, hostId, inspectPort: port2 };
    this.worker = new Worker(hostWorkerUrl, { workerData, transferList: [port2] });
    this.inspector = Comlink.wrap<HostInspector>(nodeEndpoint(port1));
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    let exited!: () => void;
    this.exited = new Promise((resolve) => (exited = resolve));
    this.worker.on('message', (msg: FromHost) => this.onMessage(msg));
    this.worker.on('error', (err) => {
      this.exitReason ??= `uncaught error: ${err.stack ?? err.message}`;
    });
    this.worker.on('exit', (code) => {
      this.gone(this.exitReason ?? `exited with code ${code}`);
      port1.close();
      exited();
    });
    // Nothing should hang on a dead host's promises or keep the process alive for it.
    this.ready.catch(() => undefined);
  }

  private onMessage(msg: FromHost): void {
    switch (msg.k) {
      case 'ready':
        this.threadId = msg.threadId;
        this.startHeartbeat();
        this.markReady();
        return;
      case 'pong':
        this.lastPong = Date.now();
        return;
      case 'done': {
        const resolve = this.ops.get(msg.op);
        this.ops.delete(msg.op);
        resolve?.(msg.failed);
        return;
      }
      default:
        this.events.message(this, msg);
    }
  }

  /** Work messages posted so far (see isWork): the virtual clock compares this with the host's count. */
  controlSent = 0;

  post(msg: ToHost, transfer: readonly (ArrayBuffer | import('node:worker_threads').MessagePort)[] = []): void {
    if (!this.alive) return;
    if (isWork(msg)) {
      this.controlSent++;
      if (this.virtualNow) msg.now = this.virtualNow();
    }
    this.worker.postMessage(msg, transfer as never);
  }

  /** A start, restart or stop order; resolves with the actors that failed, when the host has done it. */
  call(order: { k: 'start'; specs: import('./types.js').ActorSpec[] } | { k: 'restart' | 'stop'; addresses: string[] }): Promise<OpResult> {
    if (!this.alive) return Promise.resolve([]);
    const op = this.nextOp++;
    return new Promise((resolve) => {
      this.ops.set(op, resolve);
      this.post({ ...order, op } as ToHost);
    });
  }

  private startHeartbeat(): void {
    const { intervalMs, timeoutMs } = this.heartbeatOptions;
    this.lastPong = Date.now();
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastPong > timeoutMs) {
        this.kill(`no heartbeat for ${Date.now() - this.lastPong} ms`);
        return;
      }
      this.post({ k: 'ping', n: ++this.pingN });
    }, intervalMs);
    this.heartbeat.unref();
  }

  /** Terminate the worker; `reason` is what the supervisor records. */
  kill(reason: string): Promise<void> {
    this.exitReason ??= reason;
    void this.worker.terminate();
    return this.exited;
  }

  private gone(reason: string): void {
    if (!this.alive) return;
    this.alive = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const resolve of this.ops.values()) resolve([]);
    this.ops.clear();
    this.failReady(new Error(`host ${this.hostId} died before it was ready: ${reason}`));
    this.events.exit(this, reason);
  }

  /** Orderly end: the supervisor has already stopped the actors. */
  async terminate(): Promise<void> {
    this.exitReason ??= 'shutdown';
    await this.worker.terminate();
    await this.exited;
  }
}
