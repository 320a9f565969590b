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

// Scenario files: parse and validate (the runner that plays them comes with issue 8).
export { parseScenario, loadScenario, formatErrors } from './scenario/index.js';
