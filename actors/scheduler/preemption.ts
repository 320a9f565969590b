/**
 * DefaultPreemption (PostFilter). For each node that failed with a
 * resolvable status: remove every pod of lower priority, check that the
 * preemptor fits, then reprieve victims from the most important down
 * (higher priority, then earlier arrival) while it still fits. Among the
 * candidate nodes choose the one whose most important victim has the lowest
 * priority, then the lowest sum of victim priorities, then the fewest
 * victims, then the tie-break order. PodDisruptionBudgets are not modelled.
 */
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

export function selectVictims(engine: Engine, pod: PodInfo, n: number): PodInfo[] | undefined {
  const cache: NodeCache = engine.cache;
  const lower = [...cache.podsOn[n]!].filter((p) => p.priority < pod.priority).sort(moreImportant);
  if (lower.length === 0) return undefined;
  const saved = lower.map((p) => cache.pods.get(p.key)!);
  for (const p of lower) cache.removePod(p.key);
  const restore = () => { for (const b of saved) if (!cache.pods.has(b.info.key)) cache.addPod(b.info, b.node, b.assumed); };
  if (!engine.fits(pod, n)) { restore(); return undefined; }
  const victims: PodInfo[] = [];
  for (let i = 0; i < lower.length; i++) {
    const b = saved[i]!;
    cache.addPod(b.info, b.node, b.assumed);
    if (!engine.fits(pod, n)) { cache.removePod(b.info.key); victims.push(b.info); }
  }
  restore();
  return victims;
}

export function preempt(engine: Engine, pod: PodInfo, statuses: ReadonlyMap<number, Status>, numAllNodes: number): PreemptionResult {
  if (pod.shape.preemptNever) return { victims: [], message: 'preemption: not eligible due to preemptionPolicy=Never.' };
  const cache = engine.cache;
  const why: Status[] = [];
  let best: { n: number; victims: PodInfo[]; top: number; sum: number } | undefined;
  for (const [n, st] of statuses) {
    if (st.code !== 'Unschedulable') { why.push({ code: st.code, reasons: [PREEMPTION_NOT_HELPFUL] }); continue; }
    const victims = selectVictims(engine, pod, n);
    if (!victims || victims.length === 0) { why.push({ code: 'Unschedulable', reasons: [NO_VICTIMS] }); continue; }
    const top = Math.max(...victims.map((v) => v.priority));
    const sum = victims.reduce((a, v) => a + v.priority + 2 ** 31, 0);
    const c = { n, victims, top, sum };
    if (!best || c.top < best.top || (c.top === best.top && (c.sum < best.sum || (c.sum === best.sum && (c.victims.length < best.victims.length ||
      (c.victims.length === best.victims.length && (cache.rank[c.n]! < cache.rank[best.n]! || (cache.rank[c.n] === cache.rank[best.n] && cache.names[c.n]! < cache.names[best.n]!)))))))) best = c;
  }
  if (best) return { node: best.n, victims: best.victims };
  return { victims: [], message: `preemption: ${nodesAvailable(numAllNodes, histogram(why))}` };
}
