/**
 * The embeddable cluster: what `Supervisor.start({ dataDir, nodes, clock,
 * api })` builds. A supervisor over the store (LMDB in the data directory),
 * the api-server (HTTP on 127.0.0.1 when `api` is given), the
 * controller-manager, the scheduler and the simulated nodes, plus an
 * in-process client on the embedding thread. Started when the api-server
 * answers, the scheduler has synced and every node has registered.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import type { ApiAddress } from '../../actors/api-server/messages.js';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import type { SchedulerExplanation, SchedulerMessage } from '../../actors/scheduler/messages.js';
import { schedulerChildSpec } from '../../actors/scheduler/spec.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import type { ActorStats } from '../actor/actor-cell.js';
import type { ActorInspector } from '../actor/inspect.js';
import { Supervisor } from '../actor/supervisor.js';
import type { ChildSpec } from '../actor/supervision.js';
import type { Message } from '../actor/types.js';
import { nodes as nodeResource } from '../api/resources/index.js';
import type { KubeObject } from '../api/types/meta.js';
import { ApiClient } from '../client/client.js';
import { isNotFound } from '../client/errors.js';
import { InProcessTransport } from '../client/in-process.js';
import { Informer, type InformerOptions } from '../client/informer.js';
import type { ResourceRef } from '../client/types.js';
import { renderActorMetrics } from './actor-metrics.js';
import { applyManifests } from './apply.js';
import { kubeconfigText } from './kubeconfig.js';
import { normalizePools, planNodes } from './nodes.js';
import type { ApplyInput, Cluster, ClusterOptions, ListTarget, ObjectTarget, WaitOptions } from './types.js';
import { ClockGate, poll } from './wait.js';

const DEFAULT_TIMEOUT_MS = 60_000;

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const pools = normalizePools(options.nodes);
  if (options.api && (!Number.isInteger(options.api.port) || options.api.port < 0 || options.api.port > 65_535)) {
    throw new TypeError(`api.port: expected a port number 0-65535 (0 picks a free one), got ${String(options.api.port)}`);
  }
  const ownsDir = options.dataDir === undefined;
  const dataDir = ownsDir ? mkdtempSync(join(tmpdir(), 'berth-cluster-')) : resolve(options.dataDir!);
  mkdirSync(dataDir, { recursive: true });
  const plan = planNodes(pools, options.nodesPerHost ?? 500);
  const children: ChildSpec[] = [
    storeChildSpec({ path: join(dataDir, 'store') }),
    apiServerChildSpec({ host: '127.0.0.1', port: options.api ? options.api.port : null }),
    ...(options.controllers === false ? [] : [controllerManagerChildSpec()]),
    ...(options.scheduler === false ? [] : [schedulerChildSpec(options.scheduler ?? {})]),
    ...plan.specs,
  ];
  let sup: Supervisor;
  try {
    sup = await Supervisor.start({ children, clock: options.clock, logLevel: options.logLevel ?? 'warn', ...(options.policy ? { policy: options.policy } : {}) });
  } catch (err) {
    if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const cluster = new EmbeddedCluster(sup, dataDir, ownsDir, plan.names, options.fieldManager ?? 'berth-embed');
  try {
    await cluster.ready(options.scheduler !== false);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

class EmbeddedCluster implements Cluster {
  readonly client: ApiClient;
  url: string | null = null;
  private readonly transport: InProcessTransport;
  private readonly gate: ClockGate;
  private readonly informers = new Set<Informer<KubeObject>>();
  private readonly onMessage = (m: Message): void => void this.transport.handleNotice(m);
  private stopped: Promise<void> | null = null;

  constructor(
    readonly supervisor: Supervisor,
    readonly dataDir: string,
    private readonly ownsDir: boolean,
    readonly nodeNames: readonly string[],
    private readonly fieldManager: string,
  ) {
    this.transport = new InProcessTransport(supervisor);
    supervisor.on('message', this.onMessage);
    this.client = new ApiClient(this.transport, { fieldManager });
    this.gate = new ClockGate(supervisor.clock);
  }

  get clock(): Supervisor['clock'] {
    return this.supervisor.clock;
  }

  /** The api-server listens, the scheduler has synced, every node has registered. */
  async ready(scheduler: boolean): Promise<void> {
    const address = await this.supervisor.request<ApiAddress>('api-server', { type: 'api.address' }, { timeoutMs: 60_000 });
    this.url = address.url;
    if (scheduler) await this.supervisor.request('scheduler', { type: 'scheduler.ready' }, { timeoutMs: 60_000 });
    if (this.nodeNames.length === 0) return;
    const want = this.nodeNames.length;
    await poll(this.clock, this.gate, async () => (await this.client.list(nodeResource)).items.length >= want, {
      timeout: DEFAULT_TIMEOUT_MS,
      interval: this.clock.kind === 'virtual' ? 1_000 : 50,
      what: `registration of ${want} nodes`,
    });
  }

  apply(input: ApplyInput): Promise<KubeObject[]> {
    return applyManifests(this.client, input, this.fieldManager);
  }

  waitFor<R>(check: (client: ApiClient) => R | Promise<R>, options?: WaitOptions): Promise<Exclude<R, false | null | undefined | 0 | ''>>;
  waitFor<T extends KubeObject>(target: ObjectTarget<T>, check: (obj: T | undefined) => boolean, options?: WaitOptions): Promise<T>;
  waitFor<T extends KubeObject>(target: ListTarget<T>, check: (items: readonly T[]) => boolean, options?: WaitOptions): Promise<T[]>;
  waitFor(
    a: ((client: ApiClient) => unknown) | ObjectTarget<KubeObject> | ListTarget<KubeObject>,
    b?: WaitOptions | ((x: never) => boolean),
    c?: WaitOptions,
  ): Promise<unknown> {
    const opts = (typeof a === 'function' ? b : c) as WaitOptions | undefined;
    const timeout = opts?.timeout ?? DEFAULT_TIMEOUT_MS;
    const interval = opts?.interval ?? (this.clock.kind === 'virtual' ? 1_000 : 100);
    if (typeof a === 'function') {
      return poll(this.clock, this.gate, async () => await a(this.client), { timeout, interval, what: 'the condition' });
    }
    if (typeof b !== 'function') throw new TypeError('waitFor(target, check): check must be a function');
    const target = a;
    if (target.name !== undefined) {
      const name = target.name;
      const check = b as (obj: KubeObject | undefined) => boolean;
      return poll(
        this.clock,
        this.gate,
        async () => {
          const obj = await this.getOrUndefined(target.resource, name, target.namespace);
          return check(obj) ? { obj } : null;
        },
        { timeout, interval, what: `the condition on ${target.resource.plural}/${name}` },
      ).then((r) => r.obj);
    }
    const sel = target as ListTarget<KubeObject>;
    const check = b as (items: readonly KubeObject[]) => boolean;
    return poll(
      this.clock,
      this.gate,
      async () => {
        const list = await this.client.list(sel.resource, { namespace: sel.namespace, labelSelector: sel.labelSelector, fieldSelector: sel.fieldSelector });
        return check(list.items) ? list.items : null;
      },
      { timeout, interval, what: `the condition on ${sel.resource.plural}${sel.labelSelector ? ` (${sel.labelSelector})` : ''}` },
    );
  }

  inspect(actor: string): ActorInspector {
    return this.supervisor.inspect(actor);
  }

  explain(name: string, namespace = 'default'): Promise<SchedulerExplanation> {
    return this.supervisor.request<SchedulerExplanation, SchedulerMessage>('scheduler', { type: 'scheduler.explain', namespace, name });
  }

  actorStats(): Promise<ActorStats[]> {
    return this.supervisor.actorStats();
  }

  /** The api-server's /metrics already carries every actor's counters; without HTTP, only those. */
  async metrics(): Promise<string> {
    if (this.url) {
      const res = await fetch(`${this.url}/metrics`);
      if (!res.ok) throw new Error(`GET ${this.url}/metrics: HTTP ${res.status}`);
      return res.text();
    }
    return renderActorMetrics(await this.supervisor.actorStats());
  }

  informer<T extends KubeObject>(resource: ResourceRef<T>, options?: InformerOptions): Informer<T> {
    const inf = new Informer<T>(this.client, resource, options);
    this.informers.add(inf as unknown as Informer<KubeObject>);
    inf.start();
    return inf;
  }

  writeKubeconfig(path = join(this.dataDir, 'kubeconfig')): string {
    if (!this.url) throw new Error('writeKubeconfig: the cluster serves no HTTP API (start it with api: { port })');
    writeFileSync(path, kubeconfigText(this.url), { mode: 0o600 });
    return path;
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      for (const inf of this.informers) inf.stop();
      this.supervisor.off('message', this.onMessage);
      this.transport.close();
      await this.supervisor.stop();
      if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
    })();
    return this.stopped;
  }

  private async getOrUndefined(resource: ResourceRef, name: string, namespace?: string): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(resource, name, { namespace: resource.namespaced ? (namespace ?? 'default') : undefined });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
