/**
 * The package's entry point: `import { Supervisor, defineActor } from 'berth'`.
 * Today it exports the actor runtime; the cluster-level embedding API
 * (store, api-server, nodes) joins it as those parts land.
 */
export { Supervisor } from './actor/supervisor.js';
export type { SupervisorOptions, SupervisorClock, SupervisorState } from './actor/supervisor.js';
export { defineActor } from './actor/types.js';
export type {
  ActorBehavior,
  ActorContext,
  ActorDefinition,
  ActorModule,
  ActorSpec,
  Address,
  Logger,
  LogLevel,
  Message,
  RequestOptions,
  Sender,
  TimerId,
} from './actor/types.js';
export type { ActorChildSpec, ChildSpec, GroupChildSpec, RestartPolicy, RestartType, Strategy } from './actor/supervision.js';
export type { ActorStats } from './actor/actor-cell.js';
export type { ActorInspector } from './actor/inspect.js';
export type { DeadLetter } from './actor/control.js';
export {
  ActorDownError,
  ActorError,
  EscalationError,
  MessageRejectedError,
  RemoteError,
  RequestTimeoutError,
  UnroutableError,
} from './actor/errors.js';

// The control plane's actors, to compose under a Supervisor (the cluster-level API comes with the scenario issue).
export { storeChildSpec } from '../actors/store/spec.js';
export { StoreClient } from '../actors/store/client.js';
export type { StoreActorArgs } from '../actors/store/messages.js';
export { apiServerChildSpec } from '../actors/api-server/spec.js';
export type { ApiServerArgs } from '../actors/api-server/messages.js';
export { kubeProxyChildSpec } from '../actors/kube-proxy/spec.js';
export type { KubeProxyArgs, RouteAnswer, RouteInfo, KubeProxyStats } from '../actors/kube-proxy/messages.js';
export { dnsChildSpec } from '../actors/dns/spec.js';
export type { DnsArgs, DnsAddress } from '../actors/dns/messages.js';
// What a program in a process container uses to find cluster DNS (BERTH_DNS=127.0.0.1:PORT).
export { BERTH_DNS_ENV, clusterResolver, dnsEnvValue } from './dns/resolver.js';
export { serviceEnv } from './dns/service-env.js';

// Scenario files: parse and validate (the runner that plays them comes with issue 8).
export { parseScenario, loadScenario, formatErrors } from './scenario/index.js';

// The embedding API: `await Supervisor.start({ dataDir, nodes, clock, api: { port } })` gives a Cluster (lib/cluster/).
export type { Cluster, ClusterOptions, ClusterApiOptions, NodePool, WaitOptions, ObjectTarget, ListTarget, ApplyInput } from './cluster/types.js';
export { WaitTimeoutError } from './cluster/wait.js';
export { renderActorMetrics } from './cluster/actor-metrics.js';
// What a Cluster's client takes and gives: resources (client.get(pods, 'web-0', { namespace })), errors, informers.
export { namespaces, nodes, pods, services, endpoints, events, configMaps, secrets, deployments, replicaSets, daemonSets, jobs, leases, priorityClasses, podDisruptionBudgets } from './api/resources/index.js';
export { ApiClient, ApiError, Informer, HttpTransport, InProcessTransport, isNotFound, isAlreadyExists, isConflict, trimForCache } from './client/index.js';
export type { ResourceRef, WatchEvent, WatchHandlers, Watch, InformerOptions, ListOptions, WriteOptions, Transform } from './client/index.js';
export type { KubeObject, List, ObjectMeta, Status } from './api/types/meta.js';
export type { Pod } from './api/types/pod.js';
export type { Deployment } from './api/types/apps.js';
export type { PodDisruptionBudget } from './api/types/policy.js';
export type { Node } from './api/types/core.js';
