/**
 * The controller manager: shared informers, the event recorder, and every
 * controller over one API client. `start` starts the informers, waits for
 * their first list, then runs each controller's workers. Everything is
 * rebuilt from the api-server on start, so a restart at any moment loses
 * nothing (level-triggered).
 */
import type { Clock } from '../../lib/client/clock.js';
import { InformerSet, type Api, type ControllerContext } from './context.js';
import type { Controller, ControllerStats } from './controller.js';
import { DeploymentController } from './deployment.js';
import { EventRecorder } from './events.js';
import { GarbageCollector } from './garbage-collector.js';
import { ReplicaSetController } from './replicaset.js';
import { DaemonSetController } from './daemonset.js';
import { JobController } from './job.js';
import { TtlAfterFinishedController } from './job-ttl.js';
import { EndpointsController } from './endpoints.js';
import { NamespaceController } from './namespace.js';
import { TaintEvictionController } from './node-lifecycle-eviction.js';
import { NodeLifecycleController, type NodeLifecycleSettings } from './node-lifecycle.js';
import { PodGcController } from './pod-gc.js';
import { DisruptionController } from './disruption.js';

export type ControllerName = 'replicaset' | 'deployment' | 'garbage-collector' | 'daemonset' | 'job' | 'ttl-after-finished' | 'node-lifecycle' | 'taint-eviction' | 'pod-gc' | 'endpoints' | 'namespace' | 'disruption';
export const ALL_CONTROLLERS: readonly ControllerName[] = ['replicaset', 'deployment', 'garbage-collector', 'daemonset', 'job', 'ttl-after-finished', 'node-lifecycle', 'taint-eviction', 'pod-gc', 'endpoints', 'namespace', 'disruption'];

export interface ManagerOptions {
  readonly api: Api;
  readonly clock: Clock;
  /** Default all. */
  readonly controllers?: readonly ControllerName[];
  /** Workers per controller (Kubernetes' --concurrent-*-syncs); default 5, the collector 20. */
  readonly workers?: Partial<Record<ControllerName, number>>;
  readonly track?: <T>(work: Promise<T>) => Promise<T>;
  readonly log?: (msg: string, fields: Record<string, unknown>) => void;
  /** Every reconcile failure (already requeued), e.g. to notice the api-server went away. */
  readonly onError?: (err: unknown) => void;
  readonly host?: string;
  /** Node lifecycle settings (grace periods, eviction rates); Kubernetes' defaults otherwise. */
  readonly nodeLifecycle?: Partial<NodeLifecycleSettings>;
}

export class ControllerManager {
  readonly informers: InformerSet;
  readonly recorder: EventRecorder;
  readonly controllers: Controller[] = [];

  constructor(private readonly opts: ManagerOptions) {
    const log = opts.log ?? (() => undefined);
    this.informers = new InformerSet(opts.api, opts.clock, (err, during) => log('informer', { during, error: String(err) }));
    this.recorder = new EventRecorder(opts.api, opts.clock, { component: 'controller-manager', host: opts.host, onError: (err) => log('event write failed', { error: String(err) }) });
    const ctx: ControllerContext = {
      api: opts.api,
      clock: opts.clock,
      informers: this.informers,
      recorder: this.recorder,
      track: opts.track,
      onError: (controller, key, err) => {
        opts.onError?.(err);
        log('reconcile failed', { controller, key, error: err instanceof Error ? err.message : String(err) });
      },
    };
    const names = new Set(opts.controllers ?? ALL_CONTROLLERS);
    // The recorder's controllers have their own component names in Kubernetes; one recorder serves all here.
    if (names.has('replicaset')) this.controllers.push(new ReplicaSetController(ctx));
    if (names.has('deployment')) this.controllers.push(new DeploymentController(ctx));
    if (names.has('garbage-collector')) this.controllers.push(new GarbageCollector(ctx));
    if (names.has('daemonset')) this.controllers.push(new DaemonSetController(ctx));
    if (names.has('job')) this.controllers.push(new JobController(ctx));
    if (names.has('ttl-after-finished')) this.controllers.push(new TtlAfterFinishedController(ctx));
    if (names.has('node-lifecycle')) this.controllers.push(new NodeLifecycleController(ctx, opts.nodeLifecycle));
    if (names.has('taint-eviction')) this.controllers.push(new TaintEvictionController(ctx));
    if (names.has('pod-gc')) this.controllers.push(new PodGcController(ctx));
    if (names.has('endpoints')) this.controllers.push(new EndpointsController(ctx));
    if (names.has('namespace')) this.controllers.push(new NamespaceController(ctx));
    if (names.has('disruption')) this.controllers.push(new DisruptionController(ctx));
  }

  async start(): Promise<void> {
    this.informers.start();
    await this.informers.waitForSync();
    for (const c of this.controllers) c.run(this.opts.workers?.[c.name as ControllerName] ?? (c.name === 'garbage-collector' ? 20 : 5));
  }

  stop(): void {
    for (const c of this.controllers) c.stop();
    this.informers.stop();
  }

  stats(): Record<string, ControllerStats> {
    return Object.fromEntries(this.controllers.map((c) => [c.name, c.stats]));
  }
}
