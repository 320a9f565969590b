/**
 * What users read: the PodScheduled=False message as kube-scheduler words it
 * (FitError: "0/5000 nodes are available: 3000 Insufficient cpu, 2000
 * node(s) had untolerated taint {dedicated: gpu}. preemption: 0/5000 nodes
 * are available: ..."), reasons counted per node and sorted as strings, and
 * for one pod each plugin's verdict and score on each node.
 */
import type { Engine } from './engine.js';
import type { Status } from './framework.js';
import type { PodInfo } from './pod-info.js';

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

export function histogram(statuses: Iterable<Status>): string[] {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, c]) => `${c} ${r}`).sort();
}

export function nodesAvailable(numAllNodes: number, reasons: readonly string[]): string {
  return `0/${numAllNodes} nodes are available: ${reasons.join(', ')}.`;
}

/** kube-scheduler's ErrNoNodesAvailable: what a pod is told when the cluster has no node at all (no preemption attempt). */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export function fitErrorMessage(numAllNodes: number, statuses: Iterable<Status>, preemption?: string): string {
  if (numAllNodes === 0) return NO_NODES_AVAILABLE;
  const msg = nodesAvailable(numAllNodes, histogram(statuses));
  return preemption ? `${msg} ${preemption}` : msg;
}

export interface PluginVerdict {
  readonly plugin: string;
  readonly verdict: 'pass' | 'fail' | 'not applicable';
  readonly reasons?: readonly string[];
  /** Normalized score (0..100) before weighting, for feasible nodes. */
  readonly score?: number;
  readonly weight?: number;
}

export interface NodeExplanation {
  readonly node: string;
  readonly feasible: boolean;
  readonly plugins: readonly PluginVerdict[];
  readonly total?: number;
}

/** Every filter on every node (not stopping at the first failure), then scores of the feasible ones. */
export function explainPod(engine: Engine, pod: PodInfo): NodeExplanation[] {
  const cache = engine.cache;
  const ctx = engine.context(pod);
  const s = engine.shapeState(ctx);
  const skipped = new Set<string>();
  for (const p of engine.preFilters) {
    if (!p.filterRelevant?.(ctx)) { skipped.add(p.name); continue; }
    if (p.preFilter(ctx) === 'skip') skipped.add(p.name);
  }
  const perNode = new Map<number, PluginVerdict[]>();
  for (const n of cache.liveNodes()) {
    const verdicts: PluginVerdict[] = [];
    for (const f of engine.filters) {
      if (skipped.has(f.name) || !f.filterRelevant(ctx)) { verdicts.push({ plugin: f.name, verdict: 'not applicable' }); continue; }
      const st = f.filter(ctx, n);
      verdicts.push(st ? { plugin: f.name, verdict: 'fail', reasons: st.reasons } : { plugin: f.name, verdict: 'pass' });
    }
    perNode.set(n, verdicts);
  }
  const scan = engine.scan(ctx, s, true);
  const feasible = Array.from(scan.feasible.subarray(0, scan.count));
  const per = new Map<string, Float64Array>();
  const totals = engine.scoreAll(engine.context(pod), s, scan, per);
  const out: NodeExplanation[] = [];
  for (const [n, verdicts] of perNode) {
    const i = feasible.indexOf(n);
    if (i < 0) { out.push({ node: cache.names[n]!, feasible: false, plugins: verdicts }); continue; }
    const scored = [...verdicts];
    for (const w of engine.scores) {
      const arr = per.get(w.plugin.name);
      let score: number | undefined = arr?.[i];
      if (score === undefined && w.plugin.scoreRelevant(ctx) && w.plugin.scoreScope === 'static') {
        // Static scores folded into the shape's constant part.
        score = w.plugin.normalize === 'none' ? w.plugin.score(ctx, n) : undefined;
      }
      scored.push({ plugin: `${w.plugin.name} (score)`, verdict: 'pass', score, weight: w.weight });
    }
    out.push({ node: cache.names[n]!, feasible: true, plugins: scored, total: totals[i] });
  }
  return out;
}
