/**
 * What the runner sees of the cluster: informers on pods and nodes (on the
 * supervisor's thread, fed by watches like any client) and, per pod, the
 * virtual times of its creation, binding and readiness as they were
 * observed. Watch events reach this thread before the virtual clock moves
 * on, so the times are those of the cluster, not of the sampling.
 * Counts by phase and requests per node are kept incrementally: a 150,000
 * pod run cannot afford to walk every pod every sample.
 */
import { quantityNumber, podRequests } from '../../../actors/scheduler/resources.js';
import { nodes, pods } from '../../api/resources/index.js';
import type { Node } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import type { ApiClient } from '../../client/client.js';
import type { Clock } from '../../client/clock.js';
import { Informer } from '../../client/informer.js';
import { trimForCache } from '../../client/trim.js';
import { podView } from './pod-view.js';
import { PHASES, type PhaseName } from '../../report/types.js';

export interface PodRecord {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  labels: Readonly<Record<string, string>>;
  readonly createdAt: number;
  /** -1 until seen bound. */
  scheduledAt: number;
  /** -1 until first seen Ready. */
  readyAt: number;
  node: string;
  phase: PhaseName;
  /** Requests counted against its node (cpu in millicores, memory in bytes) while it holds them. */
  cpu: number;
  memory: number;
  holds: boolean;
  deleted: boolean;
  /** The pod as last seen, reduced to the fields the runner reads (pod-view.ts; read-only, shared with the informer's cache). */
  obj: Readonly<Pod>;
}

export interface NodeRecord {
  readonly name: string;
  allocCpu: number;
  allocMemory: number;
  usedCpu: number;
  usedMemory: number;
  pods: number;
  obj: Readonly<Node>;
}

export function phaseOf(p: Readonly<Pod>): PhaseName {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  const phase = p.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return phase;
  if (!p.spec?.nodeName) return 'Unscheduled';
  if (phase === 'Running') return isReady(p) ? 'Ready' : 'Running';
  return 'Pending';
}

export function isReady(p: Readonly<Pod>): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export class Observer {
  readonly podInformer: Informer<Pod>;
  readonly nodeInformer: Informer<Node>;
  /** By uid, including deleted pods (their times feed the latencies). */
  readonly pods = new Map<string, PodRecord>();
  readonly nodes = new Map<string, NodeRecord>();
  readonly counts: Record<PhaseName, number> = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<PhaseName, number>;
  /** `namespace/pod node` in the order bindings were seen. */
  readonly bindings: string[] = [];
  /** Bumped on every change: conditions re-evaluate only when it moved. */
  version = 0;
  firstBindAt = -1;
  lastBindAt = -1;
  firstBindWall = -1;
  lastBindWall = -1;
  /** Pods deleted while bound to a node the timeline had failed or partitioned (node-lifecycle evictions). */
  evictedFromDownNodes = 0;
  readonly downNodes = new Set<string>();

  constructor(
    api: ApiClient,
    clock: Clock,
    private readonly now: () => number,
  ) {
    const onError = (): void => undefined; // retried by the informer; a run that loses its watches shows it in its results
    // Pods reduced to what the runner reads (pod-view.ts): this thread keeps every pod of the run.
    this.podInformer = new Informer<Pod>(api, pods, { clock, onError, pageSize: 5_000, transform: podView });
    this.nodeInformer = new Informer<Node>(api, nodes, { clock, onError, pageSize: 5_000, transform: trimForCache });
    this.podInformer.addHandlers({
      onAdd: (p) => this.podSeen(p),
      onUpdate: (_, p) => this.podSeen(p),
      onDelete: (p) => this.podGone(p),
    });
    this.nodeInformer.addHandlers({
      onAdd: (n) => this.nodeSeen(n),
      onUpdate: (_, n) => this.nodeSeen(n),
      onDelete: (n) => void this.nodes.delete(n.metadata.name ?? ''),
    });
  }

  async start(): Promise<void> {
    this.nodeInformer.start();
    this.podInformer.start();
    await Promise.all([this.nodeInformer.waitForSync(), this.podInformer.waitForSync()]);
  }

  stop(): void {
    this.podInformer.stop();
    this.nodeInformer.stop();
  }

  private nodeSeen(n: Readonly<Node>): void {
    const name = n.metadata.name ?? '';
    const alloc = n.status?.allocatable ?? n.status?.capacity ?? {};
    let rec = this.nodes.get(name);
    if (!rec) {
      rec = { name, allocCpu: 0, allocMemory: 0, usedCpu: 0, usedMemory: 0, pods: 0, obj: n };
      this.nodes.set(name, rec);
    }
    rec.obj = n;
    rec.allocCpu = alloc['cpu'] === undefined ? 0 : quantityNumber('cpu', alloc['cpu']);
    rec.allocMemory = alloc['memory'] === undefined ? 0 : quantityNumber('memory', alloc['memory']);
    this.version++;
  }

  private podSeen(p: Readonly<Pod>): void {
    const uid = p.metadata.uid ?? '';
    const t = this.now();
    let rec = this.pods.get(uid);
    if (!rec) {
      rec = {
        uid, namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '', labels: p.metadata.labels ?? {},
        createdAt: t, scheduledAt: -1, readyAt: -1, node: '', phase: 'Unscheduled', cpu: 0, memory: 0, holds: false, deleted: false, obj: p,
      };
      this.pods.set(uid, rec);
      this.counts.Unscheduled++;
    }
    rec.obj = p;
    rec.labels = p.metadata.labels ?? {};
    const node = p.spec?.nodeName ?? '';
    if (node && rec.scheduledAt < 0) {
      rec.scheduledAt = t;
      rec.node = node;
      this.bindings.push(`${rec.namespace}/${rec.name} ${node}`);
      if (this.firstBindAt < 0) {
        this.firstBindAt = t;
        this.firstBindWall = Date.now();
      }
      this.lastBindAt = t;
      this.lastBindWall = Date.now();
    }
    if (rec.readyAt < 0 && isReady(p)) rec.readyAt = t;
    this.setPhase(rec, phaseOf(p));
    this.version++;
  }

  private podGone(p: Readonly<Pod>): void {
    const rec = this.pods.get(p.metadata.uid ?? '');
    if (!rec || rec.deleted) return;
    if (rec.phase !== 'Terminating' && rec.node && this.downNodes.has(rec.node)) this.evictedFromDownNodes++;
    this.counts[rec.phase]--;
    this.release(rec);
    rec.deleted = true;
    this.version++;
  }

  private setPhase(rec: PodRecord, phase: PhaseName): void {
    if (rec.phase !== phase) {
      if (phase === 'Terminating' && rec.node && this.downNodes.has(rec.node)) this.evictedFromDownNodes++;
      this.counts[rec.phase]--;
      this.counts[phase]++;
      rec.phase = phase;
    }
    // Bound pods hold their requests until they finish (terminating ones too, as the scheduler counts them).
    const holds = rec.node !== '' && phase !== 'Succeeded' && phase !== 'Failed';
    if (holds && !rec.holds) {
      const req = podRequests(rec.obj as Pod);
      rec.cpu = req.requests.get('cpu') ?? 0;
      rec.memory = req.requests.get('memory') ?? 0;
      const n = this.node(rec.node);
      n.usedCpu += rec.cpu;
      n.usedMemory += rec.memory;
      n.pods++;
      rec.holds = true;
    } else if (!holds && rec.holds) {
      this.release(rec);
    }
  }

  private release(rec: PodRecord): void {
    if (!rec.holds) return;
    const n = this.node(rec.node);
    n.usedCpu -= rec.cpu;
    n.usedMemory -= rec.memory;
    n.pods--;
    rec.holds = false;
  }

  private node(name: string): NodeRecord {
    let n = this.nodes.get(name);
    if (!n) {
      // A binding seen before its Node: counted now, sized when the Node arrives.
      n = { name, allocCpu: 0, allocMemory: 0, usedCpu: 0, usedMemory: 0, pods: 0, obj: { metadata: { name } } };
      this.nodes.set(name, n);
    }
    return n;
  }

  /** Live (not deleted) pods. */
  *live(): Iterable<PodRecord> {
    for (const r of this.pods.values()) if (!r.deleted) yield r;
  }
}
