/**
 * The pod garbage collector, for what a dead node leaves behind
 * (Kubernetes' podgc gcOrphaned and gcUnscheduledTerminating):
 *
 * - a pod bound to a node that does not exist is, after a quarantine of
 *   40 s (and a live read confirming the node is gone), marked Failed with
 *   the DisruptionTarget condition (DeletionByPodGC) and force-deleted
 *   (grace 0): nobody is left to confirm its end;
 * - a pod that is being deleted but was never scheduled is force-deleted.
 *
 * reconcile(<pod key>); node deletions requeue the node's pods.
 */
import { isNotFound } from '../../lib/client/errors.js';
import { keyOf } from '../../lib/client/object-cache.js';
import { nodes, pods } from '../../lib/api/resources/index.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import { copy, timestamp } from './objects.js';
import { PodsByNode } from './pods-by-node.js';

/** Kubernetes' quarantineTime: how long a node must be missing before its pods go. */
export const ORPHAN_QUARANTINE_MS = 40_000;

export class PodGcController extends Controller {
  readonly name = 'pod-gc';
  private readonly podInformer;
  private readonly nodeInformer;
  private readonly podIndex: PodsByNode;
  /** Node name -> when it was first found missing. */
  private readonly missingSince = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly quarantineMs = ORPHAN_QUARANTINE_MS,
  ) {
    super(ctx);
    this.podInformer = ctx.informers.for(pods);
    this.nodeInformer = ctx.informers.for(nodes);
    // Only pods that may be garbage: on a node the cache does not have, or deleting before being scheduled.
    this.podIndex = new PodsByNode(this.podInformer, (p) => {
      const node = p.spec?.nodeName;
      if (!this.podInformer.store.get(keyOf(p))) return;
      if (node ? !this.nodeInformer.store.get(node) : !!p.metadata.deletionTimestamp) this.enqueue(p);
    });
    this.nodeInformer.addHandlers({
      onAdd: (n) => this.missingSince.delete(n.metadata.name!),
      onDelete: (n) => {
        for (const k of this.podIndex.keys(n.metadata.name!)) this.enqueue(k);
      },
    });
  }

  async reconcile(key: string): Promise<void> {
    const pod = this.podInformer.store.get(key);
    if (!pod) return;
    const node = pod.spec?.nodeName;
    if (!node) {
      if (pod.metadata.deletionTimestamp) await this.forceDelete(pod, undefined);
      return;
    }
    if (this.nodeInformer.store.get(node)) {
      this.missingSince.delete(node);
      return;
    }
    const now = this.ctx.clock.now();
    let since = this.missingSince.get(node);
    if (since === undefined) this.missingSince.set(node, (since = now));
    if (now < since + this.quarantineMs) {
      this.enqueueAfter(key, since + this.quarantineMs - now);
      return;
    }
    // The cache may lag: ask the api-server before deleting anything.
    try {
      await this.ctx.api.get(nodes, node);
      this.missingSince.delete(node);
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await this.forceDelete(pod, now);
  }

  /** Mark Failed with DisruptionTarget (when `now` is given), then delete with grace 0. */
  private async forceDelete(pod: Readonly<Pod>, now: number | undefined): Promise<void> {
    try {
      const phase = pod.status?.phase;
      if (now !== undefined && phase !== 'Succeeded' && phase !== 'Failed') {
        const next = copy(pod) as Pod;
        const conditions = (next.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
        conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: timestamp(now) });
        next.status = { ...(next.status ?? {}), phase: 'Failed', conditions };
        await this.ctx.api.updateStatus(pods, next);
      }
      await this.ctx.api.delete(pods, pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds: 0 });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}
