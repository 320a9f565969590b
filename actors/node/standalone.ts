/**
 * A kubelet outside the supervisor (`berth node join`): the same Kubelet as
 * the node actor, hosted on wall-clock timers and any Transport (HTTP to a
 * remote api-server). Where the actor routes its timer messages back into
 * the kubelet, this host calls the kubelet's handlers straight from
 * setTimeout. Registration is retried until the api-server answers; after
 * that the kubelet's own machinery copes with a lost server: the informer
 * re-lists when its watch ends, status writes are retried, the lease is
 * renewed on its next tick.
 */
import { ApiClient } from '../../lib/client/client.js';
import { realClock } from '../../lib/client/clock.js';
import type { Transport } from '../../lib/client/types.js';
import { Kubelet } from './kubelet.js';
import type { KubeletMessage } from './messages.js';
import type { NodeSettings } from './settings.js';

export const STANDALONE_RETRY_REGISTRATION_MS = 1_000;

export interface StandaloneKubeletOptions {
  /** Where warnings go; default stderr. */
  readonly warn?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Called once the Node is registered and the pod informer has synced (again after each failed attempt that then succeeds). */
  readonly onReady?: () => void;
}

export class StandaloneKubelet {
  readonly kubelet: Kubelet;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextTimer = 1;
  private registerTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    settings: NodeSettings,
    private readonly transport: Transport,
    private readonly options: StandaloneKubeletOptions = {},
  ) {
    const warn = options.warn ?? ((msg, fields) => console.error(`kubelet ${settings.name}: ${msg}${fields ? ' ' + JSON.stringify(fields) : ''}`));
    const api = new ApiClient(transport, { fieldManager: 'kubelet' });
    this.kubelet = new Kubelet(settings, api, realClock, {
      now: () => Date.now(),
      setTimer: (ms, msg) => this.setTimer(ms, msg),
      cancelTimer: (id) => this.cancelTimer(id),
      track: (work) => work,
      warn,
      // No endAll on HTTP: a dead server closes the watch connections itself, and the informer re-lists.
    });
  }

  /** Register (retrying every second until the api-server answers), then run until stop(). */
  start(): void {
    if (this.stopped) return;
    this.kubelet
      .start()
      .then(() => this.kubelet.waitForReady())
      .then(
        () => {
          if (!this.stopped) this.options.onReady?.();
        },
        (err: unknown) => {
          if (this.stopped) return;
          (this.options.warn ?? console.error)(`registration failed; retrying: ${err instanceof Error ? err.message : String(err)}`);
          this.registerTimer = setTimeout(() => this.start(), STANDALONE_RETRY_REGISTRATION_MS);
        },
      );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.registerTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.kubelet.stop();
    this.transport.close();
  }

  private setTimer(ms: number, msg: KubeletMessage): number {
    const id = this.nextTimer++;
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        if (!this.stopped) this.deliver(msg);
      }, Math.max(0, ms)),
    );
    return id;
  }

  private cancelTimer(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  /** The timer messages the kubelet sets for itself (the node actor's receive does the same). */
  private deliver(msg: KubeletMessage): void {
    switch (msg.type) {
      case 'kubelet.lease':
        return this.kubelet.onLease();
      case 'kubelet.status':
        return this.kubelet.onStatus();
      case 'kubelet.eviction':
        return this.kubelet.onEviction();
      case 'kubelet.pods':
        return this.kubelet.onPodsTimer(msg.at);
      case 'kubelet.flush':
        return this.kubelet.onFlush();
      default:
        // Only the four above are timers; the rest are requests to the actor.
        return;
    }
  }
}
