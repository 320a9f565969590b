/**
 * The scheduling framework: one small interface per extension point, a
 * status value for expected failures (never a throw), cycle state keyed by
 * plugin name, and profiles as data (enabled plugins and weights).
 *
 * Plugins declare how far their verdict reaches, which is what lets the
 * scheduler cache work across pods of one shape:
 * - `static`: depends on the Node objects and the pod's shape only;
 * - `node`: also on the pods already on that node (changes when one is added or removed there);
 * - `cluster`: on pods anywhere (inter-pod affinity, topology spread).
 */
import type { NodeCache, Topology } from './cache.js';
import type { PodInfo, PodShape } from './pod-info.js';

export const MAX_NODE_SCORE = 100;

export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** Stamped by the framework. */
  plugin?: string;
}

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

export type Scope = 'static' | 'node' | 'cluster';

/** Cluster events that may make a parked pod schedulable (queueing hints, coarse). */
export type ClusterEvent = 'NodeAdd' | 'NodeUpdate' | 'PodDelete' | 'PodAdd' | 'PodUpdate';

export interface CycleContext {
  readonly cache: NodeCache;
  readonly pod: PodInfo;
  readonly shape: PodShape;
  readonly state: Map<string, unknown>;
  /** Per node: 1 when the node matches the pod's nodeSelector and required node affinity (set by the engine, cached per shape). */
  nodeAffinityPass?: Uint8Array;
}

export interface Plugin {
  readonly name: string;
  /** Events after which a pod this plugin rejected may fit. */
  readonly events: readonly ClusterEvent[];
  /**
   * The parts of the pod's shape that this plugin's static and node-scope
   * verdicts and scores read (as text; '' when they read nothing). Pods whose
   * shapes agree on every plugin's part share the engine's per-node cache and
   * score tree, so this must cover everything those verdicts depend on. A
   * plugin without it is keyed by the whole shape (always safe).
   */
  nodeKey?(shape: PodShape, cache: NodeCache): string;
}

export interface PreFilterPlugin extends Plugin {
  /** A status rejects every node; 'skip' disables this plugin's Filter for the cycle. */
  preFilter(ctx: CycleContext): Status | 'skip' | undefined;
}

export interface FilterPlugin extends Plugin {
  readonly filterScope: Scope;
  /** False when the plugin has nothing to check for this pod (lets the fast path skip it). */
  filterRelevant(ctx: Pick<CycleContext, 'cache' | 'pod' | 'shape'>): boolean;
  filter(ctx: CycleContext, n: number): Status | undefined;
  /**
   * For a cluster-scope filter: the part of its verdict that depends only on
   * the pods on node n (anti-affinity over a topology with one node per
   * domain), as a per-node rejection test, or undefined. Pods that share a
   * node key must get the same test (so the plugin's nodeKey covers what it
   * reads). The engine folds it into its per-node cached verdicts, which spares
   * the search from visiting nodes it rejects; the full filter still runs.
   */
  nodeLocalReject?(ctx: CycleContext): ((n: number) => boolean) | undefined;
  /**
   * For a cluster-scope filter whose verdict is the same on every node of a
   * domain (spread): the topology worth laying the engine's score tree out by
   * for this pod (few domains), or undefined.
   */
  partitionTopology?(ctx: CycleContext): Topology | undefined;
  /**
   * After PreFilter: per domain of `topo`, 0 when this filter rejects every
   * node of the domain (1 = it may pass), or undefined when it does not judge
   * by `topo`'s domains.
   */
  allowedDomains?(ctx: CycleContext, topo: Topology): Uint8Array | undefined;
}

/** How raw scores become 0..100 over the feasible nodes. */
export type Normalize = 'none' | 'max' | 'maxReverse' | ((ctx: CycleContext, nodes: Int32Array, count: number, scores: Float64Array) => void);

export interface ScorePlugin extends Plugin {
  readonly scoreScope: Scope;
  readonly normalize: Normalize;
  scoreRelevant(ctx: Pick<CycleContext, 'cache' | 'pod' | 'shape'>): boolean;
  /** Once per cycle with the feasible nodes, before score. */
  preScore?(ctx: CycleContext, nodes: Int32Array, count: number): void;
  score(ctx: CycleContext, n: number): number;
  /** After preScore: true when every node gets the same normalized score this cycle (lets the engine use the shape tree). */
  constantScore?(ctx: CycleContext): boolean;
}

export type AnyPlugin = Partial<PreFilterPlugin & FilterPlugin & ScorePlugin> & Plugin;

export function isFilter(p: AnyPlugin): p is AnyPlugin & FilterPlugin {
  return typeof p.filter === 'function';
}
export function isScore(p: AnyPlugin): p is AnyPlugin & ScorePlugin {
  return typeof p.score === 'function';
}
export function isPreFilter(p: AnyPlugin): p is AnyPlugin & PreFilterPlugin {
  return typeof p.preFilter === 'function';
}

/** DefaultNormalizeScore (helper/normalize_score.go) over `count` scores. */
export function defaultNormalize(scores: Float64Array, count: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < count; i++) if (scores[i]! > max) max = scores[i]!;
  if (max === 0) {
    if (reverse) for (let i = 0; i < count; i++) scores[i] = MAX_NODE_SCORE;
    return;
  }
  for (let i = 0; i < count; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]!) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

// ---- profiles ------------------------------------------------------------------

export type ScoringStrategy =
  | { type: 'LeastAllocated'; resources?: readonly ResourceWeight[] }
  | { type: 'MostAllocated'; resources?: readonly ResourceWeight[] }
  | { type: 'RequestedToCapacityRatio'; resources?: readonly ResourceWeight[]; shape: readonly { utilization: number; score: number }[] };

export interface ResourceWeight {
  readonly name: string;
  readonly weight: number;
}

export interface PluginArgs {
  NodeResourcesFit?: { scoringStrategy?: ScoringStrategy };
  NodeResourcesBalancedAllocation?: { resources?: readonly ResourceWeight[] };
  InterPodAffinity?: { hardPodAffinityWeight?: number };
}

/** A profile is data: which plugins run, with which score weights and arguments. */
export interface Profile {
  readonly name: string;
  readonly plugins: readonly { readonly name: string; readonly weight?: number }[];
  readonly args?: PluginArgs;
  /** 1..100: stop filtering after this share of nodes were found feasible (kube's percentageOfNodesToScore). Default: score all. */
  readonly percentageOfNodesToScore?: number;
}

/** kube-scheduler's default plugin set and score weights (apis/config/v1 default_plugins.go). */
export const DEFAULT_PROFILE: Profile = {
  name: 'default-scheduler',
  plugins: [
    { name: 'NodeName' },
    { name: 'NodeUnschedulable' },
    { name: 'TaintToleration', weight: 3 },
    { name: 'NodeAffinity', weight: 2 },
    { name: 'NodePorts' },
    { name: 'NodeResourcesFit', weight: 1 },
    { name: 'PodTopologySpread', weight: 2 },
    { name: 'InterPodAffinity', weight: 2 },
    { name: 'NodeResourcesBalancedAllocation', weight: 1 },
    { name: 'ImageLocality', weight: 1 },
  ],
};

/** Default strategy for NodeResourcesFit: LeastAllocated over cpu and memory, weight 1 each. */
export const DEFAULT_RESOURCES: readonly ResourceWeight[] = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];
