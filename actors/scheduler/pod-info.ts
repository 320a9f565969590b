/**
 * A Pod compiled once for scheduling: requests as numbers, selectors and
 * affinity terms compiled, tolerations and ports normalised. Everything that
 * depends only on the pod's spec (not its name or labels) lives in a shared
 * `PodShape`, keyed by the spec parts the plugins read, so the thousands of
 * pods of one workload share one shape (and one cached per-node verdict).
 */
import { nodeSelectorTermMatches } from '../../lib/api/scheduling.js';
import { newRequirement, selectorFromLabelSelector, Selector, type Requirement } from '../../lib/api/selectors/index.js';
import type { Pod, PodAffinityTerm, NodeSelectorTerm, Toleration, TopologySpreadConstraint } from '../../lib/api/types/pod.js';
import { podRequests } from './resources.js';
import { hashShapeParts, sameShapeParts, sameValue } from './shape-key.js';

export type Labels = Readonly<Record<string, string>>;

/** Which namespaces an affinity term or spread constraint looks at. `null` = all. */
export type NamespaceFilter = ReadonlySet<string> | null;

export interface CompiledTerm {
  readonly selector: Selector;
  readonly namespaces: NamespaceFilter;
  readonly topologyKey: string;
  readonly weight: number;
  /** Stable text for grouping identical terms of different pods. */
  readonly key: string;
}

export interface CompiledSpread {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly hard: boolean;
  readonly selector: Selector;
  readonly minDomains: number;
  readonly honorAffinity: boolean;
  readonly honorTaints: boolean;
  readonly key: string;
}

export interface HostPort {
  readonly port: number;
  readonly protocol: string;
  readonly ip: string;
}

export interface PodShape {
  readonly key: string;
  readonly namespace: string;
  readonly requests: ReadonlyMap<string, number>;
  /** The same as a list, and cpu and memory alone: the per-node hot paths read these (no Map iterator per call). */
  readonly requestList: readonly (readonly [string, number])[];
  readonly cpuRequest: number;
  readonly memoryRequest: number;
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
  readonly nodeName: string | undefined;
  readonly nodeSelector: Labels | undefined;
  readonly requiredNodeTerms: readonly NodeSelectorTerm[] | undefined;
  readonly preferredNodeTerms: readonly { weight: number; term: NodeSelectorTerm }[];
  readonly tolerations: readonly Toleration[];
  readonly ports: readonly HostPort[];
  readonly images: readonly string[];
  readonly containerCount: number;
  readonly reqAffinity: readonly CompiledTerm[];
  readonly reqAnti: readonly CompiledTerm[];
  readonly prefAffinity: readonly CompiledTerm[];
  readonly prefAnti: readonly CompiledTerm[];
  readonly spread: readonly CompiledSpread[];
  readonly priority: number;
  readonly preemptNever: boolean;
}

export interface PodInfo {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Labels;
  readonly pod: Pod;
  readonly shape: PodShape;
  readonly priority: number;
  /** Arrival order, for queue ties and for preemption's "started later" rule. */
  seq: number;
}

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
}

// ---- tolerations and node selector terms: Kubernetes' rules, shared (lib/api/scheduling.ts) ----

export { nodeSelectorTermMatches as termMatches, tolerated, toleratesTaint } from '../../lib/api/scheduling.js';

/** nodeSelector AND required node affinity (terms ORed). */
export function nodeMatchesRequired(shape: Pick<PodShape, 'nodeSelector' | 'requiredNodeTerms'>, labels: Labels, nodeName: string): boolean {
  const sel = shape.nodeSelector;
  if (sel) for (const k of Object.keys(sel)) if (labels[k] !== sel[k] || !Object.hasOwn(labels, k)) return false;
  const terms = shape.requiredNodeTerms;
  if (terms) {
    let any = false;
    for (const t of terms) if (nodeSelectorTermMatches(t, labels, nodeName)) { any = true; break; }
    if (!any) return false;
  }
  return true;
}

// ---- compilation ---------------------------------------------------------------

function withLabelKeys(base: Selector, labels: Labels, match: readonly string[] | undefined, mismatch: readonly string[] | undefined): Selector {
  if ((!match || match.length === 0) && (!mismatch || mismatch.length === 0)) return base;
  if (base.matchesNothing) return base;
  const reqs: Requirement[] = [...base.requirements];
  for (const k of match ?? []) if (Object.hasOwn(labels, k)) { const r = newRequirement(k, 'in', [labels[k]!]); if (r.ok) reqs.push(r.requirement); }
  for (const k of mismatch ?? []) if (Object.hasOwn(labels, k)) { const r = newRequirement(k, 'notin', [labels[k]!]); if (r.ok) reqs.push(r.requirement); }
  return Selector.of(reqs);
}

function compileSelector(ls: PodAffinityTerm['labelSelector']): Selector {
  const r = selectorFromLabelSelector(ls);
  return r.ok ? r.selector : Selector.nothing();
}

function compileTerm(t: PodAffinityTerm, weight: number, ns: string, labels: Labels): CompiledTerm {
  const selector = withLabelKeys(compileSelector(t.labelSelector), labels, t.matchLabelKeys, t.mismatchLabelKeys);
  let namespaces: NamespaceFilter;
  const nsSel = t.namespaceSelector;
  if (nsSel && Object.keys(nsSel.matchLabels ?? {}).length === 0 && (nsSel.matchExpressions ?? []).length === 0) namespaces = null;
  else if (t.namespaces && t.namespaces.length > 0) namespaces = new Set(t.namespaces);
  else namespaces = new Set([ns]);
  const nsText = namespaces === null ? '*' : [...namespaces].sort().join(',');
  const key = `${nsText}|${selector.matchesNothing ? '<nothing>' : selector.toString()}|${t.topologyKey}|${weight}`;
  return { selector, namespaces, topologyKey: t.topologyKey, weight, key };
}

export function namespaceMatches(f: NamespaceFilter, ns: string): boolean {
  return f === null || f.has(ns);
}

function normalizeImage(image: string): string {
  return image.lastIndexOf(':') <= image.lastIndexOf('/') ? `${image}:latest` : image;
}

function compileSpread(c: TopologySpreadConstraint, labels: Labels): CompiledSpread {
  const selector = withLabelKeys(compileSelector(c.labelSelector), labels, c.matchLabelKeys, undefined);
  const hard = c.whenUnsatisfiable !== 'ScheduleAnyway';
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    hard,
    selector,
    minDomains: hard ? c.minDomains ?? 1 : 1,
    honorAffinity: c.nodeAffinityPolicy !== 'Ignore',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
    key: `${selector.toString()}|${c.topologyKey}`,
  };
}

const shapes = new Map<string, PodShape>();
/** Shapes by hash of their parts, each with the pod it was compiled from (see shape-key.ts). */
const shapesByHash = new Map<number, { pod: Pod; namespace: string; priority: number; labels: unknown; shape: PodShape }[]>();
const EMPTY_LABELS: Labels = Object.freeze({});

function newShape(h: number, pod: Pod, namespace: string, labels: Labels, priority: number, labelsPart: unknown): PodShape {
  const spec = pod.spec;
  const key = JSON.stringify([
    namespace, priority, spec?.preemptionPolicy, spec?.nodeName, spec?.nodeSelector, spec?.affinity, spec?.tolerations, spec?.topologySpreadConstraints, spec?.overhead,
    (spec?.containers ?? []).map((c) => [c.image, c.resources?.requests, c.ports]),
    (spec?.initContainers ?? []).map((c) => [c.image, c.resources?.requests, c.ports, c.restartPolicy]),
    labelsPart,
  ]);
  let shape = shapes.get(key);
  if (!shape) {
    shape = compileShape(key, pod, namespace, labels, priority);
    if (shapes.size > 50_000) { shapes.clear(); shapesByHash.clear(); }
    shapes.set(key, shape);
  }
  let bucket = shapesByHash.get(h);
  if (!bucket) { bucket = []; shapesByHash.set(h, bucket); }
  bucket.push({ pod, namespace, priority, labels: labelsPart, shape });
  return shape;
}

/** A pod's priority: spec.priority, else the PriorityClass's value, else the global default, else 0. */
export type PriorityResolver = (pod: Pod) => number;

type PodAffinityLike = NonNullable<NonNullable<Pod['spec']>['affinity']>['podAffinity'];

/** Whether any (anti-)affinity term of `a` reads the pod's own labels (matchLabelKeys / mismatchLabelKeys). */
function termsUseLabelKeys(a: PodAffinityLike): boolean {
  if (!a) return false;
  for (const t of a.requiredDuringSchedulingIgnoredDuringExecution ?? []) if (t.matchLabelKeys?.length || t.mismatchLabelKeys?.length) return true;
  for (const w of a.preferredDuringSchedulingIgnoredDuringExecution ?? []) if (w.podAffinityTerm.matchLabelKeys?.length || w.podAffinityTerm.mismatchLabelKeys?.length) return true;
  return false;
}

/** `key`: the pod's namespace/name when the caller already has it. */
export function compilePod(pod: Pod, priorityOf: PriorityResolver, seq = 0, key?: string): PodInfo {
  const spec = pod.spec;
  const namespace = pod.metadata.namespace ?? 'default';
  const labels: Labels = pod.metadata.labels ?? EMPTY_LABELS;
  const priority = priorityOf(pod);
  let hasLabelKeys = false;
  if (spec?.topologySpreadConstraints) for (const c of spec.topologySpreadConstraints) if (c.matchLabelKeys?.length) hasLabelKeys = true;
  if (spec?.affinity && !hasLabelKeys) hasLabelKeys = termsUseLabelKeys(spec.affinity.podAffinity) || termsUseLabelKeys(spec.affinity.podAntiAffinity);
  const labelsPart = hasLabelKeys ? labels : 0;
  const h = hashShapeParts(pod, namespace, priority, labelsPart);
  let shape: PodShape | undefined;
  const bucket = shapesByHash.get(h);
  if (bucket) {
    for (const e of bucket) {
      if (e.namespace === namespace && e.priority === priority && sameValue(e.labels, labelsPart) && sameShapeParts(e.pod, pod)) { shape = e.shape; break; }
    }
  }
  if (!shape) shape = newShape(h, pod, namespace, labels, priority, labelsPart);
  return { key: key ?? `${namespace}/${pod.metadata.name ?? ''}`, namespace, name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '', labels, pod, shape, priority, seq };
}

function compileShape(key: string, pod: Pod, namespace: string, labels: Labels, priority: number): PodShape {
  const spec = pod.spec;
  const r = podRequests(pod);
  const ports: HostPort[] = [];
  const images: string[] = [];
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  for (const c of all) {
    if (c.image) images.push(normalizeImage(c.image));
    for (const p of c.ports ?? []) if (p.hostPort && p.hostPort > 0) ports.push({ port: p.hostPort, protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0' });
  }
  const aff = spec?.affinity;
  const terms = (list: PodAffinityTerm[] | undefined) => (list ?? []).map((t) => compileTerm(t, 1, namespace, labels));
  const weighted = (list: { weight: number; podAffinityTerm: PodAffinityTerm }[] | undefined) =>
    (list ?? []).map((w) => compileTerm(w.podAffinityTerm, w.weight, namespace, labels));
  const na = aff?.nodeAffinity;
  return {
    key,
    namespace,
    requests: r.requests,
    requestList: [...r.requests],
    cpuRequest: r.requests.get('cpu') ?? 0,
    memoryRequest: r.requests.get('memory') ?? 0,
    nonZeroCpu: r.nonZeroCpu,
    nonZeroMemory: r.nonZeroMemory,
    nodeName: spec?.nodeName || undefined,
    nodeSelector: spec?.nodeSelector && Object.keys(spec.nodeSelector).length > 0 ? spec.nodeSelector : undefined,
    requiredNodeTerms: na?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    preferredNodeTerms: (na?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => ({ weight: p.weight, term: p.preference })),
    tolerations: spec?.tolerations ?? [],
    ports,
    images,
    containerCount: all.length,
    reqAffinity: terms(aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    reqAnti: terms(aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    prefAffinity: weighted(aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    prefAnti: weighted(aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    spread: (spec?.topologySpreadConstraints ?? []).map((c) => compileSpread(c, labels)),
    priority,
    preemptNever: spec?.preemptionPolicy === 'Never',
  };
}
