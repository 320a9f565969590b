/**
 * What a scenario defines, for resolving references between sections:
 * node pools, node names and zones from `cluster`, objects and pod labels
 * from `workloads` (and from `apply` steps, as the timeline reaches them).
 */
import { parseSelector } from '../api/selectors/index.js';
import { resolveResource } from '../api/resources/index.js';
import { poolOfNode } from './cluster.js';
import type { Manifest, NodePool } from './types.js';

/** Kinds whose objects a scenario names itself; others (Pods of a ReplicaSet, Events) get generated names. */
const GENERATED_NAME_KINDS = new Set(['Pod', 'ReplicaSet', 'Endpoints', 'Event', 'Lease']);
/** Where each workload kind keeps the labels of its pods. */
const TEMPLATE_KINDS = new Set(['Deployment', 'ReplicaSet', 'DaemonSet', 'Job', 'StatefulSet']);

export class Known {
  private readonly objects = new Map<string, Manifest>();
  private readonly nodeManifests = new Set<string>();
  private readonly podLabels: Record<string, string>[] = [];
  /** Pods' namespaces by label set index. */
  private readonly podNamespaces: string[] = [];

  /**
   * When a section had errors, references into it are not checked (a pool
   * that failed to parse would make every mention of its nodes an error too).
   */
  nodesComplete = true;
  objectsComplete = true;
  /** Set by a JSON patch, whose effect on pod labels is not followed. */
  private selectorsUnchecked = false;

  /** Control-plane replicas beyond the first (scheduler-2...), which killActor may name. */
  extraActors: readonly string[] = [];

  constructor(readonly pools: readonly NodePool[]) {}

  get zones(): string[] {
    return [...new Set(this.pools.flatMap((p) => p.zones))];
  }

  hasPool(name: string): boolean {
    return !this.nodesComplete || this.pools.some((p) => p.name === name);
  }

  poolNames(): string[] {
    return this.pools.map((p) => p.name);
  }

  hasZone(zone: string): boolean {
    return !this.nodesComplete || this.zones.includes(zone);
  }

  hasNode(name: string): boolean {
    return !this.nodesComplete || !this.objectsComplete || this.nodeManifests.has(name) || poolOfNode(this.pools, name) !== undefined;
  }

  add(m: Manifest): void {
    this.objects.set(objectKey(m.kind, m.namespace, m.name), m);
    if (m.kind === 'Node') this.nodeManifests.add(m.name);
    const labels = podLabelsOf(m);
    if (labels) {
      this.podLabels.push(labels);
      this.podNamespaces.push(m.namespace ?? 'default');
    }
  }

  /**
   * A patch may relabel an object's pods: their new labels (old ones with
   * the patch's laid over) are known from then on. JSON patches are not
   * followed; after one, selectors are no longer checked.
   */
  patch(kind: string, namespace: string | undefined, name: string, type: 'strategic' | 'merge' | 'json', patch: unknown): void {
    if (type === 'json') {
      this.selectorsUnchecked = true;
      return;
    }
    const m = this.objects.get(objectKey(kind, namespace, name));
    const old = m && podLabelsOf(m);
    const p = patch as { metadata?: { labels?: unknown }; spec?: { template?: { metadata?: { labels?: unknown } } } } | null;
    const added = kind === 'Pod' ? p?.metadata?.labels : p?.spec?.template?.metadata?.labels;
    if (!old || added === null || typeof added !== 'object') return;
    const labels = { ...old };
    for (const [k, v] of Object.entries(added)) {
      if (typeof v === 'string') labels[k] = v;
      else if (v === null) delete labels[k];
    }
    this.podLabels.push(labels);
    this.podNamespaces.push(m.namespace ?? 'default');
  }

  /** Is the object defined (or is its name generated, so not checkable)? */
  resolvable(kind: string, namespace: string | undefined, name: string): boolean {
    if (GENERATED_NAME_KINDS.has(kind) || !this.objectsComplete) return true;
    if (kind === 'Node') return this.hasNode(name);
    if (kind === 'Namespace' && name === 'default') return true;
    return this.objects.has(objectKey(kind, namespace, name));
  }

  /** Names of defined objects of a kind, for suggestions. */
  namesOf(kind: string): string[] {
    return [...this.objects.values()].filter((m) => m.kind === kind).map((m) => m.name);
  }

  /** Does a (valid) label selector match the pods of some workload, in the namespace when given? */
  selectsPods(selector: string, namespace?: string): boolean {
    const r = parseSelector(selector);
    if (!r.ok) return false;
    if (!this.objectsComplete || this.selectorsUnchecked) return true;
    return this.podLabels.some((l, i) => (namespace === undefined || this.podNamespaces[i] === namespace) && r.selector.matches(l));
  }
}

function objectKey(kind: string, namespace: string | undefined, name: string): string {
  const def = resolveResource(kind);
  return def?.namespaced ? `${kind}/${namespace ?? 'default'}/${name}` : `${kind}//${name}`;
}

function podLabelsOf(m: Manifest): Record<string, string> | undefined {
  const o = m.object as unknown as { metadata?: { labels?: unknown }; spec?: { template?: { metadata?: { labels?: unknown } } } };
  const labels = m.kind === 'Pod' ? o.metadata?.labels : TEMPLATE_KINDS.has(m.kind) ? o.spec?.template?.metadata?.labels : undefined;
  if (labels === null || typeof labels !== 'object') return undefined;
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}
