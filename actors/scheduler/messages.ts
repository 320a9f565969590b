/** The scheduler actor's protocol. */
import type { NodeExplanation } from './explain.js';
import type { Profile } from './framework.js';
import type { LeaderElectionArgs, LeaderElectorStats } from '../../lib/client/leader-election.js';

export const SCHEDULER_ADDRESS = 'scheduler';

/** Named profiles selectable by name in the args (a Profile object can be passed instead). */
export type ProfileName = 'default' | 'bin-packing';

export interface SchedulerArgs {
  /** The api-server's address; default 'api-server'. */
  readonly apiServer?: string;
  /** A named profile, or a whole profile as data (plugins, weights, args). Default 'default'. */
  readonly profile?: ProfileName | Profile;
  /** Score weights laid over the profile's: { NodeResourcesFit: 3, ImageLocality: 0 } (0 disables the score). */
  readonly weights?: Readonly<Record<string, number>>;
  /** Seed of the tie-break between equally scored nodes; default 0. */
  readonly seed?: number;
  /** Pods whose spec.schedulerName is this one are ours; default 'default-scheduler'. */
  readonly schedulerName?: string;
  /** Pods scheduled per cycle (and bindings per api.batch); default 500. */
  readonly batchSize?: number;
  /** Cycles whose api-server writes may be in flight at once; default 4. */
  readonly maxInflight?: number;
  /** Schedule only while holding the kube-system/kube-scheduler Lease (several replicas; one acts). Absent: always. */
  readonly leaderElection?: LeaderElectionArgs;
}

export type SchedulerMessage =
  /** Reply: SchedulerStats. */
  | { type: 'scheduler.stats' }
  /** Reply: true once the informers synced (the first cycle may run). */
  | { type: 'scheduler.ready' }
  /** Reply: SchedulerExplanation; the pod is read from the informer's cache (NOT_FOUND otherwise). */
  | { type: 'scheduler.explain'; namespace: string; name: string };

export interface SchedulerStats {
  readonly synced: boolean;
  readonly nodes: number;
  readonly queue: { readonly active: number; readonly backoff: number; readonly parked: number };
  readonly attempts: number;
  readonly scheduled: number;
  readonly unschedulable: number;
  readonly preemptions: number;
  readonly cycles: number;
  readonly bindings: { readonly ok: number; readonly failed: number };
  /** PodScheduled=False status patches written (one per message change). */
  readonly conditionsWritten: number;
  readonly victimsDeleted: number;
  readonly inflight: number;
  /** With leader election: whether this replica leads (counts above are of its current term). */
  readonly leader?: LeaderElectorStats;
}

export interface SchedulerExplanation {
  readonly pod: string;
  readonly nodeName?: string;
  /** The message the pod would get now if it cannot be scheduled. */
  readonly unschedulableMessage?: string;
  readonly nodes: NodeExplanation[];
}
