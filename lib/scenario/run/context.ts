/** What the timeline, the conditions and the expectations of one run share. */
import type { Supervisor } from '../../actor/supervisor.js';
import type { ApiClient } from '../../client/client.js';
import type { Scenario } from '../types.js';
import type { NodeInfo } from './nodes.js';
import type { Observer } from './observer.js';

export interface RunContext {
  readonly sup: Supervisor;
  readonly api: ApiClient;
  readonly observer: Observer;
  readonly scenario: Scenario;
  readonly seed: number;
  readonly nodes: readonly NodeInfo[];
  /** Virtual ms since the start of the run. */
  now(): number;
  /** Pods the timeline evicted (drain). */
  evictions: number;
  /** Step ids that have run (for `step:` conditions) and, for waitUntil, completed. */
  readonly stepsRun: Set<string>;
}
