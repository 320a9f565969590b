/**
 * report.json: what one `berth run` found, as plain data. The runner
 * (lib/scenario/run/) fills it in; the terminal summary and report.html
 * are drawn from it alone, so a saved report.json can be rendered again.
 * Times are virtual milliseconds since the start of the run unless a
 * name says `wall`.
 */

export const REPORT_VERSION = 1;

export interface Report {
  readonly version: typeof REPORT_VERSION;
  readonly scenario: {
    readonly name: string;
    readonly description?: string;
    readonly file: string;
    readonly seed: number;
    readonly clock: string;
  };
  /** True when every variant passed. */
  readonly passed: boolean;
  readonly wallMs: number;
  /** One per variant (a scenario without variants has one, named `default`), in the scenario's order. */
  readonly runs: readonly RunReport[];
}

export interface RunReport {
  readonly variant: string;
  readonly seed: number;
  readonly scheduler: { readonly profile: string; readonly weights: Readonly<Record<string, number>> };
  readonly passed: boolean;
  /** Virtual time the run ended at. */
  readonly endedAt: number;
  readonly wallMs: number;
  /** Wall time by phase (start the cluster, create the workloads, play, check and collect). */
  readonly phases: readonly PhaseReport[];
  readonly timeline: readonly StepReport[];
  readonly expectations: readonly ExpectationReport[];
  readonly summary: Summary;
  readonly series: Series;
  readonly latency: { readonly scheduling: Histogram; readonly startup: Histogram };
  readonly heatmap: Heatmap;
  /** `namespace/pod node`, one line per binding ever observed, sorted: the same seed gives the same list. */
  readonly placements: readonly string[];
  /** Things the run could not do as written (a feature the simulated runtime lacks...). */
  readonly warnings: readonly string[];
}

export interface PhaseReport {
  readonly name: string;
  readonly wallMs: number;
  readonly virtualFrom: number;
  readonly virtualTo: number;
}

export type StepStatus = 'done' | 'failed' | 'not-run';

export interface StepReport {
  readonly index: number;
  readonly id?: string;
  readonly action: string;
  /** One line: what the step did (`failNodes worker-1`). */
  readonly description: string;
  readonly status: StepStatus;
  /** When it started and (for waitUntil) ended. */
  readonly startedAt?: number;
  readonly doneAt?: number;
  readonly detail?: string;
}

export interface ExpectationReport {
  readonly name: string;
  readonly type: string;
  readonly passed: boolean;
  /** Why it passed or failed, one line. */
  readonly detail: string;
  /** When it was decided. */
  readonly at: number;
}

export interface LatencyStats {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface Summary {
  readonly pods: {
    /** Pods created during the run. */
    readonly created: number;
    readonly scheduled: number;
    /** By phase at the end (Terminating counted apart). */
    readonly final: Readonly<Record<PhaseName, number>>;
  };
  readonly scheduling: {
    readonly attempts: number;
    readonly scheduled: number;
    readonly unschedulable: number;
    readonly preemptions: number;
    /** Bindings per wall second while pods were being scheduled. */
    readonly podsPerWallSecond: number;
    /** Bindings per virtual second over the same span. */
    readonly podsPerVirtualSecond: number;
    /** Creation to PodScheduled (nodeName set), virtual ms. */
    readonly latency: LatencyStats;
  };
  /** Creation to Ready, virtual ms. */
  readonly startup: LatencyStats;
  /**
   * The first sample at which every pod of the run was Ready (at: virtual
   * ms; wallMs: since the run began, cluster start included): how long the
   * workloads took to come up, beside the whole run's wall time, which also
   * pays for the rest of the timeline. Absent when it never happened.
   */
  readonly allReady?: { readonly at: number; readonly wallMs: number; readonly pods: number };
  readonly nodes: {
    readonly total: number;
    /** Nodes with at least one running pod at the end. */
    readonly used: number;
    /** Requested over allocatable, whole cluster, at the end (0..1). */
    readonly cpu: number;
    readonly memory: number;
    /** Free cpu stranded on partly used nodes over all free cpu (0..1), at the end. */
    readonly fragmentation: number;
  };
  /** Messages handled by the api-server actor (each a call or a batch) and store revisions (writes). */
  readonly api: { readonly requests: number; readonly writes: number };
  readonly restarts: number;
  readonly evictions: number;
  readonly deadLetters: number;
}

export const PHASES = ['Unscheduled', 'Pending', 'Running', 'Ready', 'Succeeded', 'Failed', 'Terminating'] as const;
export type PhaseName = (typeof PHASES)[number];

/** Pods by phase, sampled about every virtual second (at most ~600 points; longer runs sample less often). */
export interface Series {
  readonly t: readonly number[];
  readonly phases: Readonly<Record<PhaseName, readonly number[]>>;
}

/** Latencies in buckets (upper bounds, ms; the last bucket is open). */
export interface Histogram {
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
}

/** Cpu requested over allocatable per node (rows; pooled into ranges of nodes when there are many) over time. */
export interface Heatmap {
  readonly rows: readonly string[];
  readonly t: readonly number[];
  /** values[row][column], 0..1. */
  readonly values: readonly (readonly number[])[];
}
