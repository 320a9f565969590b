/**
 * Placement facts the expectations check at the end of a run: pods on
 * nodes with taints they do not tolerate, and topology spread skew. Both
 * read the observer's pods and nodes; neither asks the scheduler, so they
 * check its work rather than repeat it.
 */
import { tolerated } from '../../api/scheduling.js';
import type { Taint } from '../../api/types/core.js';
import type { NodeSelectorRequirement, Pod, Toleration, TopologySpreadConstraint } from '../../api/types/pod.js';
import { selectorFromLabelSelector } from '../../api/selectors/index.js';
import type { TaintEffect } from '../types.js';
import type { NodeRecord, Observer, PodRecord } from './observer.js';

export function tolerates(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return tolerated(tolerations ?? [], taint);
}

/** Active bound pods: scheduled, not terminating, not finished. */
export function* activeBound(observer: Observer): Iterable<PodRecord> {
  for (const p of observer.live()) if (p.node && (p.phase === 'Pending' || p.phase === 'Running' || p.phase === 'Ready')) yield p;
}

export function podsOnTaintedNodes(observer: Observer, effects: readonly TaintEffect[]): string[] {
  const out: string[] = [];
  for (const p of activeBound(observer)) {
    const taints = observer.nodes.get(p.node)?.obj.spec?.taints ?? [];
    for (const t of taints) {
      if (effects.includes(t.effect) && !tolerates(p.obj.spec?.tolerations, t)) out.push(`${p.namespace}/${p.name} on ${p.node} (${t.key}${t.value ? `=${t.value}` : ''}:${t.effect})`);
    }
  }
  return out;
}

export interface SkewViolation {
  readonly constraint: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly skew: number;
  readonly maxSkew: number;
}

/**
 * Every DoNotSchedule constraint of the pods chosen (ScheduleAnyway is a
 * preference, not a promise): the matching pods per domain, over the
 * domains of the nodes the pod may use (its nodeSelector and required node
 * affinity; taints ignored, Kubernetes' default nodeTaintsPolicy).
 */
export function spreadViolations(observer: Observer, choose: (p: PodRecord) => boolean): { checked: number; violations: SkewViolation[] } {
  const seen = new Set<string>();
  const violations: SkewViolation[] = [];
  const pods = [...activeBound(observer)];
  for (const p of pods) {
    if (!choose(p)) continue;
    for (const c of p.obj.spec?.topologySpreadConstraints ?? []) {
      if (c.whenUnsatisfiable !== 'DoNotSchedule') continue;
      const id = `${p.namespace}\u0000${JSON.stringify(c)}\u0000${JSON.stringify(p.obj.spec?.nodeSelector ?? {})}\u0000${JSON.stringify(p.obj.spec?.affinity?.nodeAffinity ?? {})}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const v = skewOf(observer, pods, p, c);
      if (v) violations.push(v);
    }
  }
  return { checked: seen.size, violations };
}

function skewOf(observer: Observer, pods: readonly PodRecord[], owner: PodRecord, c: TopologySpreadConstraint): SkewViolation | null {
  const counts: Record<string, number> = {};
  for (const n of observer.nodes.values()) {
    const v = n.obj.metadata.labels?.[c.topologyKey];
    if (v !== undefined && nodeEligible(n, owner.obj)) counts[v] ??= 0;
  }
  const sel = selectorFromLabelSelector(c.labelSelector);
  if (!sel.ok) return null;
  for (const p of pods) {
    if (p.namespace !== owner.namespace || !sel.selector.matches(p.labels)) continue;
    const v = observer.nodes.get(p.node)?.obj.metadata.labels?.[c.topologyKey];
    if (v !== undefined && v in counts) counts[v]!++;
  }
  const values = Object.values(counts);
  if (values.length === 0) return null;
  const skew = Math.max(...values) - Math.min(...values);
  if (skew <= c.maxSkew) return null;
  return { constraint: `${owner.namespace} ${c.topologyKey} maxSkew ${c.maxSkew} (${sel.selector.toString()})`, counts, skew, maxSkew: c.maxSkew };
}

function nodeEligible(n: NodeRecord, pod: Readonly<Pod>): boolean {
  const labels = n.obj.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  return terms.some((t) => (t.matchExpressions ?? []).every((r) => requirementHolds(r, labels)));
}

function requirementHolds(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const v = labels[r.key];
  switch (r.operator) {
    case 'In':
      return v !== undefined && (r.values ?? []).includes(v);
    case 'NotIn':
      return v === undefined || !(r.values ?? []).includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
      return v !== undefined && Number(v) > Number(r.values?.[0]);
    case 'Lt':
      return v !== undefined && Number(v) < Number(r.values?.[0]);
    default:
      return false;
  }
}
