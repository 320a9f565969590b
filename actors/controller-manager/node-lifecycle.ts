/**
 * The node lifecycle controller (Kubernetes' pkg/controller/nodelifecycle).
 *
 * reconcile(<node name>):
 * - health: the controller notes, on its own clock, when it last saw the
 *   node's Lease in kube-node-lease renewed or its Ready heartbeat move
 *   (the probe time). Past the probe time + the grace period (40 s; 60 s
 *   for a node that never posted Ready) it sets Ready, MemoryPressure,
 *   DiskPressure and PIDPressure to Unknown ("NodeStatusUnknown",
 *   "Kubelet stopped posting node status."); until then it requeues the
 *   node for the moment the grace ends.
 * - Ready leaving True: a NodeNotReady event, and the node's pods get
 *   Ready=False (MarkPodsNotReady; retried until it succeeds).
 * - NoSchedule taints follow the conditions at once (TaintNodesByCondition).
 * - NoExecute: Ready=False wants `not-ready`, Unknown `unreachable`. A node
 *   carrying the other one swaps at once; otherwise it joins its zone's
 *   queue, drained at the zone's rate (node-lifecycle-zones.ts). Ready=True
 *   removes both at once. The taint eviction controller then deletes the
 *   pods (node-lifecycle-eviction.ts).
 *
 * reconcile(ZONES_KEY): zone states and rates from every node's Ready, then
 * the tainting pass over each zone's queue; requeued for the next token.
 */
import { isNotFound } from '../../lib/client/errors.js';
import { leases, nodes, pods } from '../../lib/api/resources/index.js';
import type { Node, NodeCondition, Taint } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import {
  condition,
  hasNoExecute,
  reconcileNoSchedule,
  swapNoExecute,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_UNREACHABLE,
  wantedNoScheduleKeys,
} from './node-lifecycle-taints.js';
import { DEFAULT_DISRUPTION, handleDisruption, type DisruptionSettings, type ZoneState, ZoneTainter } from './node-lifecycle-zones.js';
import { copy, timestamp } from './objects.js';
import { PodsByNode } from './pods-by-node.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** The queue key of the zone pass (no node name has a '#'). */
export const ZONES_KEY = '#zones';
const NODE_GVK = { apiVersion: 'v1', kind: 'Node' };
/** Nodes with this label count in no zone's disruption (isNodeExcludedFromDisruptionChecks). */
const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';
/** The conditions set to Unknown with Ready (remainingNodeConditionTypes). */
const UNKNOWN_TYPES = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export interface NodeLifecycleSettings extends DisruptionSettings {
  /** --node-monitor-grace-period; default 40 s. */
  readonly monitorGracePeriodMs: number;
  /** --node-startup-grace-period, for nodes that never posted Ready; default 60 s. */
  readonly startupGracePeriodMs: number;
}

export const DEFAULT_NODE_LIFECYCLE: NodeLifecycleSettings = { ...DEFAULT_DISRUPTION, monitorGracePeriodMs: 40_000, startupGracePeriodMs: 60_000 };

interface Health {
  /** When (controller clock) the node last showed life. */
  probeAt: number;
  renew: string | undefined;
  heartbeat: string | undefined;
  /** The Ready status last acted on. */
  ready: string | undefined;
  /** MarkPodsNotReady is due (it failed, or the node just left Ready). */
  markPods: boolean;
}

type ReadyStatus = 'True' | 'False' | 'Unknown';

export function zoneOf(node: Readonly<Node>): string {
  const l = node.metadata.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\u0000:${zone}` : '';
}

function readyStatus(node: Readonly<Node>): ReadyStatus {
  const s = condition(node, 'Ready')?.status;
  return s === 'True' || s === 'False' ? s : 'Unknown';
}

export class NodeLifecycleController extends Controller {
  readonly name = 'node-lifecycle';
  readonly settings: NodeLifecycleSettings;
  private readonly nodeInformer;
  private readonly leaseInformer;
  private readonly podIndex: PodsByNode;
  private readonly health = new Map<string, Health>();
  readonly zoneStates = new Map<string, ZoneState>();
  readonly tainters = new Map<string, ZoneTainter>();

  constructor(
    private readonly ctx: ControllerContext,
    settings: Partial<NodeLifecycleSettings> = {},
  ) {
    super(ctx);
    this.settings = { ...DEFAULT_NODE_LIFECYCLE, ...settings };
    this.nodeInformer = ctx.informers.for(nodes);
    this.leaseInformer = ctx.informers.for(leases);
    this.podIndex = new PodsByNode(ctx.informers.for(pods));
    this.nodeInformer.addHandlers({
      onAdd: (n) => this.nodeChanged(n),
      onUpdate: (_o, n) => this.nodeChanged(n),
      onDelete: (n) => this.nodeChanged(n),
    });
    this.leaseInformer.addHandlers({
      onAdd: (l) => l.metadata.namespace === NODE_LEASE_NAMESPACE && this.enqueue(l.metadata.name!),
      onUpdate: (_o, l) => l.metadata.namespace === NODE_LEASE_NAMESPACE && this.enqueue(l.metadata.name!),
    });
  }

  private nodeChanged(n: Readonly<Node>): void {
    const name = n.metadata.name!;
    this.enqueue(name);
    if (this.health.get(name)?.ready !== readyStatus(n)) this.enqueue(ZONES_KEY);
  }

  async reconcile(key: string): Promise<void> {
    if (key === ZONES_KEY) return this.zonePass();
    const cached = this.nodeInformer.store.get(key);
    if (!cached) {
      this.health.delete(key);
      for (const t of this.tainters.values()) t.remove(key);
      this.enqueue(ZONES_KEY);
      return;
    }
    const now = this.ctx.clock.now();
    const h = this.observe(cached, now);
    let node = cached;
    const grace = condition(node, 'Ready') ? this.settings.monitorGracePeriodMs : this.settings.startupGracePeriodMs;
    const deadline = h.probeAt + grace;
    if (now > deadline) node = await this.markUnknown(node, now);
    else this.enqueueAfter(key, deadline - now + 1);

    const ready = readyStatus(node);
    if (ready !== h.ready) {
      if (h.ready === 'True') this.ctx.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${key} status is now: NodeNotReady`, NODE_GVK);
      // On the way down only (and on first sight), as Kubernetes: a kubelet that is back may report its pods Ready before its node.
      if (ready !== 'True' && (h.ready === 'True' || h.ready === undefined)) h.markPods = true;
      h.ready = ready;
      this.enqueue(ZONES_KEY);
    }
    if (ready === 'True') h.markPods = false;
    if (h.markPods) {
      await this.markPodsNotReady(key, now);
      h.markPods = false;
    }
    node = await this.taintsByCondition(node, now);
    await this.noExecute(node, ready, now);
  }

  /** The node's health record, with its probe time moved if the lease or the heartbeat moved. */
  private observe(node: Readonly<Node>, now: number): Health {
    const name = node.metadata.name!;
    const renew = this.leaseInformer.store.getByName(NODE_LEASE_NAMESPACE, name)?.spec?.renewTime ?? undefined;
    const heartbeat = condition(node, 'Ready')?.lastHeartbeatTime ?? undefined;
    let h = this.health.get(name);
    if (!h) {
      h = { probeAt: now, renew, heartbeat, ready: undefined, markPods: false };
      this.health.set(name, h);
      return h;
    }
    if (heartbeat !== h.heartbeat || (renew !== undefined && renew !== h.renew)) h.probeAt = now;
    h.renew = renew;
    h.heartbeat = heartbeat;
    return h;
  }

  /** Ready and the pressure conditions to Unknown, as tryUpdateNodeHealth does past the grace period. */
  private async markUnknown(node: Readonly<Node>, now: number): Promise<Readonly<Node>> {
    const conditions: NodeCondition[] = [...(node.status?.conditions ?? [])].map((c) => ({ ...c }));
    let changed = false;
    for (const type of UNKNOWN_TYPES) {
      const c = conditions.find((x) => x.type === type);
      if (!c) {
        conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp ?? undefined, lastTransitionTime: timestamp(now) });
        changed = true;
      } else if (c.status !== 'Unknown') {
        Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: timestamp(now) });
        changed = true;
      }
    }
    if (!changed) return node;
    const next = copy(node) as Node;
    next.status = { ...(next.status ?? {}), conditions };
    return this.ctx.api.updateStatus(nodes, next);
  }

  /** MarkPodsNotReady: every pod on the node that still says Ready gets Ready=False. */
  private async markPodsNotReady(nodeName: string, now: number): Promise<void> {
    let failure: unknown;
    for (const pod of this.podIndex.pods(nodeName)) {
      if (!isReady(pod)) continue;
      const next = copy(pod) as Pod;
      const c = next.status!.conditions!.find((x) => x.type === 'Ready')!;
      c.status = 'False';
      c.lastTransitionTime = timestamp(now);
      try {
        await this.ctx.api.updateStatus(pods, next);
      } catch (err) {
        if (!isNotFound(err)) failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }

  private async taintsByCondition(node: Readonly<Node>, now: number): Promise<Readonly<Node>> {
    const taints = reconcileNoSchedule(node, wantedNoScheduleKeys(node), now);
    return taints ? this.writeTaints(node, taints) : node;
  }

  private async writeTaints(node: Readonly<Node>, taints: Taint[]): Promise<Readonly<Node>> {
    const next = copy(node) as Node;
    next.spec = { ...(next.spec ?? {}), taints };
    if (taints.length === 0) delete next.spec.taints;
    return this.ctx.api.update(nodes, next);
  }

  /** processTaintBaseEviction. */
  private async noExecute(node: Readonly<Node>, ready: ReadyStatus, now: number): Promise<void> {
    const name = node.metadata.name!;
    const tainter = this.tainterFor(zoneOf(node), now);
    if (ready === 'True') {
      for (const t of this.tainters.values()) t.remove(name);
      const taints = swapNoExecute(node, undefined, now);
      if (taints) await this.writeTaints(node, taints);
      return;
    }
    const [want, other] = ready === 'False' ? [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE] : [TAINT_NODE_UNREACHABLE, TAINT_NODE_NOT_READY];
    if (hasNoExecute(node, other)) {
      // Already tainted the other way: swap at once, outside the rate limit.
      await this.writeTaints(node, swapNoExecute(node, want, now)!);
      return;
    }
    if (!hasNoExecute(node, want) && tainter.add(name, now)) this.enqueue(ZONES_KEY);
  }

  private tainterFor(zone: string, now: number): ZoneTainter {
    let t = this.tainters.get(zone);
    if (!t) this.tainters.set(zone, (t = new ZoneTainter(this.settings.evictionRate, now)));
    return t;
  }

  /** handleDisruption, then doNoExecuteTaintingPass. */
  private async zonePass(): Promise<void> {
    const now = this.ctx.clock.now();
    const all = this.nodeInformer.store.list();
    const readyByZone = new Map<string, boolean[]>();
    for (const n of all) {
      if (n.metadata.labels?.[EXCLUDE_DISRUPTION_LABEL] !== undefined) continue;
      const z = zoneOf(n);
      let list = readyByZone.get(z);
      if (!list) readyByZone.set(z, (list = []));
      list.push(readyStatus(n) === 'True');
    }
    const outcome = handleDisruption(readyByZone, this.zoneStates, this.tainters, this.settings, now);
    let failure: unknown;
    if (outcome.enteredMasterDisruption) {
      // Every node is unreachable: more likely the control plane is cut off than the whole cluster down.
      for (const n of all) {
        for (const t of this.tainters.values()) t.remove(n.metadata.name!);
        const taints = swapNoExecute(n, undefined, now);
        if (taints) await this.writeTaints(n, taints).catch((err: unknown) => void (failure ??= err));
      }
    }
    if (outcome.leftMasterDisruption) {
      for (const n of all) {
        const h = this.health.get(n.metadata.name!);
        if (h) h.probeAt = now;
        this.enqueue(n.metadata.name!);
      }
    }
    for (const [zone, tainter] of this.tainters) {
      for (const name of tainter.take(now)) {
        const node = this.nodeInformer.store.get(name);
        if (!node) continue;
        const ready = readyStatus(node);
        if (ready === 'True') continue; // ready again: nothing to taint
        const taints = swapNoExecute(node, ready === 'False' ? TAINT_NODE_NOT_READY : TAINT_NODE_UNREACHABLE, now);
        if (!taints) continue;
        try {
          await this.writeTaints(node, taints);
        } catch (err) {
          if (isNotFound(err)) continue;
          failure ??= err;
          this.tainterFor(zone, now).add(name, now);
        }
      }
    }
    let next = Infinity;
    for (const t of this.tainters.values()) next = Math.min(next, t.nextMs(now));
    if (next !== Infinity) this.enqueueAfter(ZONES_KEY, Math.max(1, next));
    if (failure !== undefined) throw failure;
  }
}

function isReady(p: Readonly<Pod>): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
