/**
 * DefaultPreemption (PostFilter). For each node that failed with a
 * resolvable status: remove every pod of lower priority, check that the
 * preemptor fits, then reprieve victims while it still fits: first those
 * whose PodDisruptionBudget has no disruption left (budgets.ts), then the
 * others, each group from the most important down (higher priority, then
 * earlier arrival). Among the candidate nodes choose the one with the
 * fewest budget-breaking victims, then whose most important victim has the
 * lowest priority, then the lowest sum of victim priorities, then the
 * fewest victims, then the tie-break order.
 */
import type { DisruptionBudgets } from './budgets.js';
import type { NodeCache } from './cache.js';
import type { Engine } from './engine.js';
import type { Status } from './framework.js';
import { NO_VICTIMS, PREEMPTION_NOT_HELPFUL, histogram, nodesAvailable } from './explain.js';
import type { PodInfo } from './pod-info.js';

export interface PreemptionResult {
  readonly node?: number;
  readonly victims: readonly PodInfo[];
  /** The "preemption: ..." part of the FitError message when no node was found. */
  readonly message?: string;
}

function moreImportant(a: PodInfo, b: PodInfo): number {
  return b.priority - a.priority || a.seq - b.seq;
}

export interface Victims {
  readonly victims: PodInfo[];
  /** Victims whose removal breaks a PodDisruptionBudget. */
  readonly violating: number;
}

export function selectVictims(engine: Engine, pod: PodInfo, n: number, budgets?: DisruptionBudgets): Victims | undefined {
  const cache: NodeCache = engine.cache;
  const lower = [...cache.podsOn[n]!].filter((p) => p.priority < pod.priority).sort(moreImportant);
  if (lower.length === 0) return undefined;
  const saved = new Map(lower.map((p) => [p, cache.pods.get(p.key)!] as const));
  for (const p of lower) cache.removePod(p.key);
  const restore = () => { for (const b of saved.values()) if (!cache.pods.has(b.info.key)) cache.addPod(b.info, b.node, b.assumed); };
  if (!engine.fits(pod, n)) { restore(); return undefined; }
  const { violating, free } = budgets ? budgets.split(lower) : { violating: [], free: lower };
  const victims: PodInfo[] = [];
  let broken = 0;
  // Budget-breaking pods get the first chance to stay.
  for (const group of [violating, free]) {
    for (const p of group) {
      const b = saved.get(p)!;
      cache.addPod(b.info, b.node, b.assumed);
      if (!engine.fits(pod, n)) {
        cache.removePod(b.info.key);
        victims.push(b.info);
        if (group === violating) broken++;
      }
    }
  }
  restore();
  return { victims: victims.sort(moreImportant), violating: broken };
}

interface Candidate {
  readonly n: number;
  readonly victims: PodInfo[];
  readonly violating: number;
  /** The most important victim's priority. */
  readonly top: number;
  readonly sum: number;
}

/** pickOneNodeForPreemption's order: fewer budgets broken, lower top priority, lower sum, fewer victims, then the tie-break. */
function compareCandidates(cache: NodeCache, a: Candidate, b: Candidate): number {
  return (
    a.violating - b.violating ||
    a.top - b.top ||
    a.sum - b.sum ||
    a.victims.length - b.victims.length ||
    cache.rank[a.n]! - cache.rank[b.n]! ||
    (cache.names[a.n]! < cache.names[b.n]! ? -1 : cache.names[a.n]! > cache.names[b.n]! ? 1 : 0)
  );
}

export function preempt(engine: Engine, pod: PodInfo, statuses: ReadonlyMap<number, Status>, numAllNodes: number, budgets?: DisruptionBudgets): PreemptionResult {
  if (pod.shape.preemptNever) return { victims: [], message: 'preemption: not eligible due to preemptionPolicy=Never.' };
  const cache = engine.cache;
  const why: Status[] = [];
  let best: Candidate | undefined;
  for (const [n, st] of statuses) {
    if (st.code !== 'Unschedulable') { why.push({ code: st.code, reasons: [PREEMPTION_NOT_HELPFUL] }); continue; }
    const found = selectVictims(engine, pod, n, budgets);
    if (!found || found.victims.length === 0) { why.push({ code: 'Unschedulable', reasons: [NO_VICTIMS] }); continue; }
    const { victims, violating } = found;
    const top = Math.max(...victims.map((v) => v.priority));
    const sum = victims.reduce((a, v) => a + v.priority + 2 ** 31, 0);
    const c = { n, victims, violating, top, sum };
    if (!best || compareCandidates(cache, c, best) < 0) best = c;
  }
  if (best) return { node: best.n, victims: best.victims };
  return { victims: [], message: `preemption: ${nodesAvailable(numAllNodes, histogram(why))}` };
}
