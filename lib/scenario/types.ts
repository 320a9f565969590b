/**
 * The scenario format, as the parser returns it: plain data, every duration
 * in milliseconds of virtual time, every quantity as the text the
 * api-server stores. docs/scenario-format.md describes the YAML.
 */
import type { KubeObject } from '../api/types/meta.js';

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** Seed of every random choice (latencies, failures, tie-breaks); default 1. */
  readonly seed: number;
  readonly clock: ClockOptions;
  /** How long the run may last, in virtual ms; default: until the timeline is done and every expectation is decided. */
  readonly duration?: number;
  readonly cluster: Cluster;
  readonly workloads: readonly Workload[];
  readonly timeline: readonly TimelineStep[];
  readonly expect: readonly Expectation[];
  /** The same scenario run once per variant (e.g. two scheduler profiles), reported side by side. */
  readonly variants: readonly Variant[];
  readonly outputs: Outputs;
}

export type ClockOptions = { readonly mode: 'virtual' } | { readonly mode: 'real'; /** virtual seconds per wall second */ readonly speed: number };

export interface Outputs {
  readonly json?: string;
  readonly html?: string;
}

// ---- cluster ---------------------------------------------------------------------

export interface Cluster {
  readonly nodePools: readonly NodePool[];
  readonly controlPlane: ControlPlane;
}

export type RuntimeKind = 'simulated' | 'process';

export interface NodePool {
  readonly name: string;
  readonly count: number;
  /** A Kubernetes ResourceList: cpu, memory, pods, ephemeral-storage and extended resources ("nvidia.com/gpu"). */
  readonly capacity: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** Zones the pool's nodes are spread over, round-robin (label topology.kubernetes.io/zone); empty: no zone label. */
  readonly zones: readonly string[];
  readonly runtime: RuntimeKind;
  /** Simulated runtime only. */
  readonly latency: Latency;
  /** Simulated runtime only. */
  readonly failures: readonly FailureBehaviour[];
  /** Whole-node failures at random times, drawn from the seed; absent: none. */
  readonly nodeFailures?: NodeFailures;
}

/**
 * Each node of the pool runs for a time drawn from `uptime`, fails (as
 * failNodes), stays down for a time drawn from `downtime`, comes back, and
 * draws its next uptime; without `downtime` it stays down. An exponential
 * uptime is a constant failure rate with that mean time between failures.
 */
export interface NodeFailures {
  readonly uptime: Distribution;
  readonly downtime?: Distribution;
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** Delays of the simulated runtime for one container; absent: no delay. */
export interface Latency {
  readonly pull?: Distribution;
  readonly start?: Distribution;
  readonly ready?: Distribution;
}

/** A random delay in ms. exponential is given by its mean; normal is truncated at 0; lognormal is given by its median and sigma (of the log). */
export type Distribution =
  | { readonly type: 'fixed'; readonly value: number }
  | { readonly type: 'uniform'; readonly min: number; readonly max: number }
  | { readonly type: 'exponential'; readonly mean: number }
  | { readonly type: 'normal'; readonly mean: number; readonly stddev: number }
  | { readonly type: 'lognormal'; readonly median: number; readonly sigma: number };

/** Each container started on the pool's nodes draws each behaviour with its probability. */
export type FailureBehaviour =
  /** The container exits after a delay. */
  | { readonly type: 'exitAfter'; readonly probability: number; readonly after: Distribution; readonly exitCode: number; readonly selector?: string }
  /** The container exits right after every start (CrashLoopBackOff). */
  | { readonly type: 'crashLoop'; readonly probability: number; readonly exitCode: number; readonly selector?: string }
  /** The container is OOM-killed (exit 137, reason OOMKilled) after a delay. */
  | { readonly type: 'oomKill'; readonly probability: number; readonly after: Distribution; readonly selector?: string };

export interface ControlPlane {
  readonly scheduler: SchedulerOptions;
  readonly controllerManager: { readonly replicas: number };
}

export interface SchedulerOptions {
  /** A named profile of the scheduler ('default', 'bin-packing'). */
  readonly profile: string;
  /** Score weights laid over the profile's ({ NodeResourcesFit: 3 }; 0 disables a score). */
  readonly weights: Readonly<Record<string, number>>;
  /** Instances; more than one elect a leader through a Lease. */
  readonly replicas: number;
}

export interface Variant {
  readonly name: string;
  readonly scheduler: { readonly profile?: string; readonly weights?: Readonly<Record<string, number>> };
}

// ---- workloads -------------------------------------------------------------------

export interface Workload {
  /** Where the manifests came from: the scenario itself or a file next to it (relative path as written). */
  readonly source: { readonly type: 'inline' } | { readonly type: 'file'; readonly path: string };
  readonly manifests: readonly Manifest[];
}

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** The namespace it lands in (default 'default'); undefined for cluster-scoped kinds. */
  readonly namespace?: string;
  /** The object as written (no defaults applied). */
  readonly object: KubeObject;
}

// ---- timeline --------------------------------------------------------------------

export interface TimelineStep {
  /** Optional name, for `after: { step: id }` and the report. */
  readonly id?: string;
  readonly when: When;
  readonly action: Action;
}

export type When =
  /** At a virtual time (ms since the start). */
  | { readonly type: 'at'; readonly at: number }
  /** When a condition first holds, plus an optional delay. */
  | { readonly type: 'after'; readonly condition: Condition; readonly delay: number }
  /** Neither at nor after: as soon as the previous step is done (a waitUntil, when its condition holds); the first step at 0. */
  | { readonly type: 'next' };

/** A reference to one object by kind and name. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** Which nodes an action hits. count and percentage choose with the seed. */
export type NodeTarget =
  | { readonly type: 'names'; readonly names: readonly string[] }
  | { readonly type: 'count'; readonly count: number; readonly pool?: string }
  | { readonly type: 'percentage'; readonly percentage: number; readonly pool?: string }
  | { readonly type: 'zone'; readonly zone: string; readonly pool?: string }
  | { readonly type: 'pool'; readonly pool: string }
  | { readonly type: 'all' };

export type PatchType = 'strategic' | 'merge' | 'json';

export type Action =
  | { readonly type: 'apply'; readonly workload: Workload }
  | { readonly type: 'scale'; readonly target: ObjectRef; readonly replicas: number }
  | { readonly type: 'delete'; readonly target: ObjectRef }
  | { readonly type: 'patch'; readonly target: ObjectRef; readonly patchType: PatchType; readonly patch: unknown }
  /** Nodes stop: their kubelets die and stop heartbeating; `for` brings them back after a while. */
  | { readonly type: 'failNodes'; readonly nodes: NodeTarget; readonly for?: number }
  | { readonly type: 'recoverNodes'; readonly nodes: NodeTarget }
  | { readonly type: 'cordon'; readonly nodes: NodeTarget }
  | { readonly type: 'uncordon'; readonly nodes: NodeTarget }
  /** Cordon, then evict every pod but DaemonSet pods. */
  | { readonly type: 'drain'; readonly nodes: NodeTarget; readonly timeout?: number }
  /** The nodes' kubelets cannot reach the api-server (they keep running their pods). */
  | { readonly type: 'partition'; readonly nodes: NodeTarget; readonly for?: number }
  /** Crash an actor: a control-plane actor by address, or `kubelet/<node>`; its supervisor restarts it. */
  | { readonly type: 'killActor'; readonly actor: string }
  /** Blocks the following steps until the condition holds; the run fails when the deadline passes first. */
  | { readonly type: 'waitUntil'; readonly condition: Condition; readonly deadline: number };

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  /** Every pod matching the selector is Running (and Ready), and there are `count` of them (default: the replicas the workloads ask for). */
  | { readonly type: 'allPodsRunning'; readonly selector: string; readonly namespace?: string; readonly count?: number }
  /** A Deployment's rollout is complete (kubectl rollout status). */
  | { readonly type: 'rolloutComplete'; readonly target: ObjectRef }
  /** A field of an object compares to a value. */
  | { readonly type: 'fieldPath'; readonly target: ObjectRef; readonly path: string; readonly op: CompareOp; readonly value: unknown }
  /** A previous timeline step has run (for waitUntil, completed). */
  | { readonly type: 'step'; readonly id: string };

// ---- expectations ----------------------------------------------------------------

export type Expectation = { readonly name?: string } & (
  | { readonly type: 'allPodsRunning'; readonly selector: string; readonly namespace?: string; readonly count?: number; /** virtual ms */ readonly by: number }
  | { readonly type: 'noPodOnTaintedNode'; /** only taints with these effects; default NoSchedule and NoExecute */ readonly effects: readonly TaintEffect[] }
  | { readonly type: 'maxSkewRespected'; /** pods to check (default all with topologySpreadConstraints) */ readonly selector?: string }
  | { readonly type: 'schedulingLatencyP99Below'; readonly bound: number; readonly selector?: string }
  | { readonly type: 'noPodLostOrDuplicated'; readonly selector?: string }
  | { readonly type: 'fieldPath'; readonly target: ObjectRef; readonly path: string; readonly op: CompareOp; readonly value: unknown; /** default: the end of the run */ readonly by?: number }
  /** HTTP GETs through a Service's ClusterIP (process nodes, via kube-proxy): every one answered 2xx with the name of a ready backend pod, and every ready backend answered. */
  | { readonly type: 'serviceTraffic'; readonly target: ObjectRef; readonly port: number; readonly path: string; readonly requests: number; /** default: the end of the run */ readonly by?: number }
);
