/**
 * The embedding API's vocabulary: what `Supervisor.start({ dataDir, nodes,
 * clock, api })` takes, and the cluster it gives back. Declared apart from
 * the implementation so that lib/actor/supervisor.ts can name these types
 * without importing the cluster (which itself imports the supervisor).
 */
import type { ActorInspector } from '../actor/inspect.js';
import type { SchedulerExplanation } from '../../actors/scheduler/messages.js';
import type { ActorStats } from '../actor/actor-cell.js';
import type { ClockKind } from '../actor/control.js';
import type { Supervisor } from '../actor/supervisor.js';
import type { RestartPolicy } from '../actor/supervision.js';
import type { LogLevel } from '../actor/types.js';
import type { KubeObject, List } from '../api/types/meta.js';
import type { Taint } from '../api/types/core.js';
import type { ResourceList } from '../api/types/pod.js';
import type { ApiClient } from '../client/client.js';
import type { Informer, InformerOptions } from '../client/informer.js';
import type { ResourceRef } from '../client/types.js';
import type { SchedulerArgs } from '../../actors/scheduler/messages.js';
import type { SimConfig } from '../../actors/node/sim.js';

/** A pool of simulated nodes that share a shape. */
export interface NodePool {
  /** Node names are `<name>-<i>` (zero-padded); default `node`. Pools must have distinct names. */
  readonly name?: string;
  readonly count: number;
  /** Default cpu 8, memory 32Gi, pods 110. */
  readonly capacity?: ResourceList;
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly Taint[];
  /** Nodes are spread over these zones round-robin (topology.kubernetes.io/zone); default zone-0..2. */
  readonly zones?: readonly string[];
  /** Simulated runtime timings (image pulls, starts, readiness) for the pool's pods. */
  readonly sim?: SimConfig;
}

export interface ClusterApiOptions {
  /** Port of the HTTP API on 127.0.0.1 (so kubectl works); 0 picks a free one. */
  readonly port: number;
}

/** `Supervisor.start(options)` without `children`: a whole cluster. */
export interface ClusterOptions {
  /** Marks this form: the low-level form (a list of child specs) gives a bare Supervisor. */
  readonly children?: never;
  /** Where the LMDB store and the kubeconfig live; default a fresh temporary directory, removed by `stop()`. */
  readonly dataDir?: string;
  /** Simulated nodes: a count (default shape) or pools. Default 0. */
  readonly nodes?: number | readonly NodePool[];
  /** `virtual` (discrete-event time: waitFor advances it) or `real` (default). */
  readonly clock?: ClockKind;
  /** Serve the Kubernetes HTTP API on 127.0.0.1; absent: in-process only. */
  readonly api?: ClusterApiOptions;
  /** Scheduler arguments (profile, weights, seed); `false` runs no scheduler. */
  readonly scheduler?: SchedulerArgs | false;
  /** Run the controller-manager (ReplicaSets, Deployments, garbage collection...); default true. */
  readonly controllers?: boolean;
  /** Actor log level (pino, to stderr); default `warn`. */
  readonly logLevel?: LogLevel;
  readonly policy?: Partial<RestartPolicy>;
  /** Simulated nodes per host thread; default 500. */
  readonly nodesPerHost?: number;
  /** The field manager of `apply` and of the client's writes; default `berth-embed`. */
  readonly fieldManager?: string;
}

export interface WaitOptions {
  /** Give up after this much clock time (virtual ms under the virtual clock); default 60 s. */
  readonly timeout?: number;
  /** Check again after this much clock time; default 1 s virtual, 100 ms real. */
  readonly interval?: number;
}

/** One object: `{ resource: pods, name: 'web-0', namespace: 'default' }`. */
export interface ObjectTarget<T extends KubeObject> {
  readonly resource: ResourceRef<T>;
  readonly name: string;
  readonly namespace?: string;
}

/** A selection: `{ resource: pods, namespace: 'default', labelSelector: 'app=web' }`. */
export interface ListTarget<T extends KubeObject> {
  readonly resource: ResourceRef<T>;
  readonly name?: undefined;
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** Something `apply` accepts: an object, objects, or a (multi-document) YAML or JSON text. */
export type ApplyInput = KubeObject | readonly KubeObject[] | string;

/** What `Supervisor.start({ nodes, ... })` returns. */
export interface Cluster {
  /** The typed API client (get, list, create, patch, delete, watch), in process. */
  readonly client: ApiClient;
  /** The supervisor underneath (send, request, events, clock). */
  readonly supervisor: Supervisor;
  readonly clock: Supervisor['clock'];
  /** The HTTP API's URL (`http://127.0.0.1:PORT`), or null without `api`. */
  readonly url: string | null;
  readonly dataDir: string;
  /** Names of the simulated nodes, in order. */
  readonly nodeNames: readonly string[];
  /** Create or update like `kubectl apply --server-side`; the objects as stored, in input order. */
  apply(input: ApplyInput): Promise<KubeObject[]>;
  /** Until `check(client)` gives a truthy value (returned); under the virtual clock, time advances meanwhile. */
  waitFor<R>(check: (client: ApiClient) => R | Promise<R>, options?: WaitOptions): Promise<Exclude<R, false | null | undefined | 0 | ''>>;
  /** Until the object satisfies `check` (it gets undefined while the object does not exist). */
  waitFor<T extends KubeObject>(target: ObjectTarget<T>, check: (obj: T | undefined) => boolean, options?: WaitOptions): Promise<T>;
  /** Until the selected objects satisfy `check`. */
  waitFor<T extends KubeObject>(target: ListTarget<T>, check: (items: readonly T[]) => boolean, options?: WaitOptions): Promise<T[]>;
  /** A remote view of one actor (`scheduler`, `api-server`, `node/node-000`): stats, thread id. */
  inspect(actor: string): ActorInspector;
  /** The scheduler's view of one pod: each plugin's verdict and score on each node (as `berth explain pod`). Rejects with code NOT_FOUND for a pod it has not seen. */
  explain(name: string, namespace?: string): Promise<SchedulerExplanation>;
  /** Stats of every actor on every thread. */
  actorStats(): Promise<ActorStats[]>;
  /** Prometheus text: the api-server's metrics (when HTTP is served) and every actor's counters. */
  metrics(): Promise<string>;
  /** A started informer on the in-process client. */
  informer<T extends KubeObject>(resource: ResourceRef<T>, options?: InformerOptions): Informer<T>;
  /** Write a kubeconfig for `url` (default `<dataDir>/kubeconfig`); its path. Requires `api`. */
  writeKubeconfig(path?: string): string;
  /** Stop every actor (in reverse start order); removes the data directory if the cluster made it. */
  stop(): Promise<void>;
}

export type { List };
