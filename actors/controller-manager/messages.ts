/** The controller-manager actor's protocol. */
import type { ControllerStats } from './controller.js';
import type { LeaderElectionArgs, LeaderElectorStats } from '../../lib/client/leader-election.js';
import type { ControllerName } from './manager.js';
import type { NodeLifecycleSettings } from './node-lifecycle.js';

export const CONTROLLER_MANAGER_ADDRESS = 'controller-manager';
export type { LeaderElectionArgs };

export interface ControllerManagerArgs {
  /** The api-server's address; default 'api-server'. */
  readonly apiServer?: string;
  /** Default all. */
  readonly controllers?: readonly ControllerName[];
  readonly workers?: Partial<Record<ControllerName, number>>;
  /** Run the controllers only while holding a Lease (several replicas; one acts). Absent: always act. */
  readonly leaderElection?: LeaderElectionArgs;
  /** Node lifecycle settings (grace periods, eviction rates); Kubernetes' defaults otherwise. */
  readonly nodeLifecycle?: Partial<NodeLifecycleSettings>;
}


export type ControllerManagerMessage = { type: 'cm.stats' } | { type: 'cm.ready' };

export interface ControllerManagerStats {
  readonly synced: boolean;
  /** Every controller's counts since the actor started (all terms it led, with leader election). */
  readonly controllers: Record<string, ControllerStats>;
  /** With leader election: whether this replica leads, and the elector's counts. */
  readonly leader?: LeaderElectorStats;
}
