/**
 * Taint-based eviction (Kubernetes' taint-eviction-controller, the former
 * NoExecuteTaintManager).
 *
 * reconcile(<pod key>): a pod bound to a node with NoExecute taints is
 * deleted (a normal, graceful delete through the api) at once when some
 * taint is not tolerated, or once the least tolerationSeconds of the
 * matching tolerations has passed since the controller first saw it
 * tainted; tolerations without tolerationSeconds keep it forever. Before
 * the delete the pod gets the DisruptionTarget condition
 * (DeletionByTaintManager). Taints gone before the time: the eviction is
 * cancelled. Events: TaintManagerEviction ("Marking for deletion Pod ...",
 * "Cancelling deletion of Pod ...").
 *
 * The node lifecycle controller rate-limits the taints per zone, so this
 * controller deletes without a limit of its own, as Kubernetes does.
 */
import { isNotFound } from '../../lib/client/errors.js';
import { keyOf } from '../../lib/client/object-cache.js';
import { nodes, pods } from '../../lib/api/resources/index.js';
import type { Node } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import { noExecuteTaints, tolerationMs } from './node-lifecycle-taints.js';
import { copy, semanticEqual, timestamp } from './objects.js';
import { PodsByNode } from './pods-by-node.js';

const POD_GVK = { apiVersion: 'v1', kind: 'Pod' };

export class TaintEvictionController extends Controller {
  readonly name = 'taint-eviction';
  private readonly podInformer;
  private readonly nodeInformer;
  private readonly podIndex: PodsByNode;
  /** Pod key -> when its eviction clock started. */
  private readonly scheduled = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    super(ctx);
    this.podInformer = ctx.informers.for(pods);
    this.nodeInformer = ctx.informers.for(nodes);
    // As Kubernetes' taint manager: a pod update matters only when it moved or changed its tolerations
    // (status writes, most of a rollout's events, do neither).
    this.podIndex = new PodsByNode(this.podInformer, (p, old) => {
      const same = old && old !== p && old.spec?.nodeName === p.spec?.nodeName && !old.metadata.deletionTimestamp === !p.metadata.deletionTimestamp;
      if (same && semanticEqual(old.spec?.tolerations ?? [], p.spec?.tolerations ?? [])) return;
      this.enqueue(p);
    });
    this.nodeInformer.addHandlers({
      onAdd: (n) => this.nodeChanged(undefined, n),
      onUpdate: (o, n) => this.nodeChanged(o, n),
      onDelete: (n) => this.nodeChanged(n, undefined),
    });
  }

  private nodeChanged(old: Readonly<Node> | undefined, node: Readonly<Node> | undefined): void {
    const before = noExecuteTaints(old);
    const after = noExecuteTaints(node);
    if (old && node && semanticEqual(before.map(({ key, value, effect }) => ({ key, value, effect })), after.map(({ key, value, effect }) => ({ key, value, effect })))) return;
    for (const k of this.podIndex.keys((node ?? old)!.metadata.name!)) this.enqueue(k);
  }

  /** Pods whose eviction is pending (for tests and stats). */
  get pending(): number {
    return this.scheduled.size;
  }

  async reconcile(key: string): Promise<void> {
    const pod = this.podInformer.store.get(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || pod.metadata.deletionTimestamp) {
      this.scheduled.delete(key);
      return;
    }
    const taints = noExecuteTaints(this.nodeInformer.store.get(nodeName));
    const ms = tolerationMs(pod, taints);
    if (ms === Infinity) {
      if (this.scheduled.delete(key)) this.ctx.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`, POD_GVK);
      return;
    }
    const now = this.ctx.clock.now();
    let since = this.scheduled.get(key);
    if (since === undefined) this.scheduled.set(key, (since = now));
    const due = since + ms;
    if (now < due) {
      this.enqueueAfter(key, due - now);
      return;
    }
    await this.evict(pod, now);
    this.scheduled.delete(key);
  }

  private async evict(pod: Readonly<Pod>, now: number): Promise<void> {
    const key = keyOf(pod);
    this.ctx.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`, POD_GVK);
    try {
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
      if (!(pod.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True')) {
        const next = copy(pod) as Pod;
        next.status = {
          ...(next.status ?? {}),
          conditions: [...conditions, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: timestamp(now) }],
        };
        await this.ctx.api.updateStatus(pods, next);
      }
      await this.ctx.api.delete(pods, pod.metadata.name!, { namespace: pod.metadata.namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}
