/**
 * The DaemonSet controller (Kubernetes' pkg/controller/daemon).
 *
 * reconcile(namespace/name): read the DaemonSet, the nodes and the
 * namespace's pods from the caches; claim pods by selector; group them by
 * the node they are for (nodeName, or the node their affinity names before
 * the scheduler bound them). Once earlier creates and deletes were seen:
 * - manage: every node that should run the pod (daemonset-util.ts) and has
 *   none gets one, created with the automatic tolerations and node affinity
 *   on metadata.name so the default scheduler places it; pods on nodes that
 *   must not run it (or on nodes that are gone), failed pods, and all but
 *   the oldest of several pods on one node are deleted (with maxSurge: all
 *   but the oldest new and the oldest old, and the old one too once the new
 *   one is available). Deletes go first, creates in the next round;
 * - RollingUpdate (when manage had nothing to do), as Kubernetes'
 *   rollingUpdate: with maxSurge 0, pods without the current template's
 *   controller-revision-hash label are deleted, at most maxUnavailable
 *   (rounded up over desiredNumberScheduled) unavailable at a time,
 *   unavailable old pods at once, and manage recreates them; with maxSurge
 *   > 0, a new pod is started beside the old one on at most maxSurge nodes
 *   at a time (at once where the old one is unavailable), and the old one
 *   is deleted when the new one is available. OnDelete leaves old pods
 *   until someone deletes them.
 * Then status: desired/current/misscheduled/ready/available/updated,
 * numberUnavailable, observedGeneration. Revisions are identified by the
 * template hash label only: ControllerRevisions are not a served resource.
 * Events: SuccessfulCreate, SuccessfulDelete, FailedCreate, FailedDelete,
 * FailedDaemonPod.
 */
import { isNotFound } from '../../lib/client/errors.js';
import { keyOf } from '../../lib/client/object-cache.js';
import { daemonSets, nodes, pods } from '../../lib/api/resources/index.js';
import { selectorFromLabelSelector } from '../../lib/api/selectors/index.js';
import type { DaemonSet, DaemonSetStatus } from '../../lib/api/types/apps.js';
import type { Node } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { claim } from './claim.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import { DS_GVK, REVISION_HASH_LABEL, TEMPLATE_GENERATION_LABEL, daemonTolerations, nodeShouldRunDaemonPod, targetNode, withNodeNameAffinity } from './daemonset-util.js';
import { allowsSurge, byPhaseThenAge, extraPods, surgeStep, unavailableStep } from './daemonset-update.js';
import { computeHash } from './deployment-util.js';
import { deleteOwnedPods, recordCreates } from './owned-pods.js';
import { Expectations } from './expectations.js';
import { controllerOf, copy, errorMessage, newControllerRef, semanticEqual } from './objects.js';
import { isPodAvailable, isPodReady } from './pods.js';
import { BURST_REPLICAS } from './replicaset.js';
import { OwnerSlowStart } from './slow-start.js';

interface Plan {
  readonly create: string[];
  readonly delete: Readonly<Pod>[];
}

export class DaemonSetController extends Controller {
  readonly name = 'daemonset';
  readonly expectations: Expectations;
  private readonly slowStart = new OwnerSlowStart(BURST_REPLICAS);
  private readonly dsInformer;
  private readonly podInformer;
  private readonly nodeInformer;

  constructor(private readonly ctx: ControllerContext) {
    super(ctx);
    this.expectations = new Expectations(ctx.clock);
    this.dsInformer = ctx.informers.for(daemonSets);
    this.podInformer = ctx.informers.for(pods);
    this.nodeInformer = ctx.informers.for(nodes);
    this.dsInformer.addHandlers({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (_o, ds) => this.enqueue(ds),
      onDelete: (ds) => {
        this.expectations.delete(keyOf(ds));
        this.slowStart.forget(keyOf(ds));
        this.enqueue(ds);
      },
    });
    this.podInformer.addHandlers({
      onAdd: (p) => {
        const ds = this.owner(p);
        if (ds) {
          if (p.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(ds), keyOf(p));
          else this.expectations.creationObserved(keyOf(ds));
          this.enqueue(ds);
        } else if (!controllerOf(p)) this.enqueueMatching(p);
      },
      onUpdate: (old, p) => {
        const ds = this.owner(p) ?? this.owner(old);
        if (ds) {
          if (p.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(ds), keyOf(p));
          this.enqueue(ds);
          const minReady = ds.spec?.minReadySeconds ?? 0;
          if (minReady > 0 && !isPodReady(old) && isPodReady(p)) this.enqueueAfter(ds, minReady * 1000 + 1000);
        } else if (!controllerOf(p)) this.enqueueMatching(p);
      },
      onDelete: (p) => {
        const ds = this.owner(p);
        if (!ds) return;
        this.expectations.deletionObserved(keyOf(ds), keyOf(p));
        this.enqueue(ds);
      },
    });
    // Labels, taints or the node set changed: every DaemonSet reconsiders (they are few).
    const all = (): void => {
      for (const k of this.dsInformer.store.keys()) this.enqueue(k);
    };
    this.nodeInformer.addHandlers({
      onAdd: all,
      onUpdate: (o, n) => {
        if (!semanticEqual(o.metadata.labels, n.metadata.labels) || !semanticEqual(o.spec?.taints, n.spec?.taints)) all();
      },
      onDelete: all,
    });
  }

  private owner(pod: Readonly<Pod>): Readonly<DaemonSet> | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = this.dsInformer.store.getByName(pod.metadata.namespace, ref.name);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  private enqueueMatching(pod: Readonly<Pod>): void {
    for (const ds of this.dsInformer.store.listIn(pod.metadata.namespace ?? '')) {
      const sel = selectorFromLabelSelector(ds.spec?.selector);
      if (sel.ok && !sel.selector.isEmpty() && sel.selector.matches(pod.metadata.labels ?? {})) this.enqueue(ds);
    }
  }

  async reconcile(key: string): Promise<void> {
    const ds = this.dsInformer.store.get(key);
    if (!ds) {
      this.expectations.delete(key);
      this.slowStart.forget(key);
      return;
    }
    const sel = selectorFromLabelSelector(ds.spec?.selector);
    if (!sel.ok) {
      this.ctx.recorder.event(ds, 'Warning', 'InvalidSelector', `invalid selector: ${sel.error}`, DS_GVK);
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const owned = await claim(this.podInformer.store.listIn(ds.metadata.namespace!), {
      api: this.ctx.api,
      resource: pods,
      owner: ds,
      ownerApiVersion: DS_GVK.apiVersion,
      ownerKind: DS_GVK.kind,
      selector: sel.selector,
      recheck: () => this.recheck(ds),
    });
    const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
    const allNodes = [...this.nodeInformer.store.list()].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const byNode = new Map<string, Readonly<Pod>[]>();
    const orphaned: Readonly<Pod>[] = [];
    const known = new Set(allNodes.map((n) => n.metadata.name!));
    for (const p of owned) {
      const node = targetNode(p);
      if (node === undefined || !known.has(node)) {
        if (!p.metadata.deletionTimestamp) orphaned.push(p);
        continue;
      }
      let list = byNode.get(node);
      if (!list) byNode.set(node, (list = []));
      list.push(p);
    }
    let error: unknown;
    if (this.expectations.satisfied(key)) {
      try {
        const plan = this.plan(ds, allNodes, byNode);
        plan.delete.push(...orphaned);
        if (plan.delete.length > 0) await this.deletePods(key, ds, plan.delete);
        else if (plan.create.length > 0) await this.createPods(key, ds, plan.create, hash);
        else if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
          const now = this.ctx.clock.now();
          const step = allowsSurge(ds) ? surgeStep(ds, allNodes, byNode, hash, now) : unavailableStep(ds, allNodes, byNode, hash, now);
          if (step.delete.length > 0) await this.deletePods(key, ds, step.delete);
          else if (step.create.length > 0) await this.createPods(key, ds, step.create, hash);
        }
      } catch (err) {
        error = err;
      }
    }
    const status = this.status(ds, allNodes, byNode, hash);
    await this.writeStatus(ds, status);
    if (error !== undefined) throw error;
    // Ready pods become available after minReadySeconds with no event to say so.
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady > (status.numberAvailable ?? 0)) this.enqueueAfter(key, minReady * 1000);
  }

  /** What manage would do: nodes to create a pod on, pods to delete. */
  private plan(ds: Readonly<DaemonSet>, allNodes: readonly Readonly<Node>[], byNode: ReadonlyMap<string, Readonly<Pod>[]>): Plan {
    const create: string[] = [];
    const del: Readonly<Pod>[] = [];
    const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
    for (const node of allNodes) {
      const name = node.metadata.name!;
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
      const here = byNode.get(name) ?? [];
      if (shouldRun && here.length === 0) {
        create.push(name);
      } else if (shouldContinueRunning) {
        const running: Readonly<Pod>[] = [];
        for (const p of here) {
          if (p.metadata.deletionTimestamp) continue;
          if (p.status?.phase === 'Failed') {
            // The kubelet rejected or lost it: replace it (the next round creates).
            this.ctx.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${name}, will try to kill it`, DS_GVK);
            del.push(p);
          } else running.push(p);
        }
        if (running.length > 1) del.push(...extraPods(ds, running, hash, this.ctx.clock.now()));
      } else {
        for (const p of here) if (!p.metadata.deletionTimestamp) del.push(p);
      }
    }
    return { create, delete: del };
  }

  private podFor(ds: Readonly<DaemonSet>, node: string, hash: string): Pod {
    const template = ds.spec!.template;
    const spec = copy(template.spec ?? { containers: [] });
    spec.tolerations = daemonTolerations(spec);
    spec.affinity = withNodeNameAffinity(spec.affinity, node);
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata.name}-`,
        namespace: ds.metadata.namespace,
        labels: { ...template.metadata?.labels, [REVISION_HASH_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ...(template.metadata?.finalizers ? { finalizers: [...template.metadata.finalizers] } : {}),
        ownerReferences: [newControllerRef(ds as DaemonSet, DS_GVK.apiVersion, DS_GVK.kind)],
      },
      spec,
    };
  }

  private async createPods(key: string, ds: Readonly<DaemonSet>, nodeNames: readonly string[], hash: string): Promise<void> {
    const targets = nodeNames.slice(0, BURST_REPLICAS);
    this.expectations.expectCreations(key, targets.length);
    let next = 0;
    const { created, error } = await this.slowStart.run(key, targets.length, async (size) => {
      const batch = targets.slice(next, next + size).map((n) => this.podFor(ds, n, hash));
      next += size;
      const out = await this.ctx.api.createManyBrief(pods, batch, { namespace: ds.metadata.namespace });
      return recordCreates(this.ctx, this.expectations, key, ds, DS_GVK, out);
    });
    for (let i = created.attempted; i < targets.length; i++) this.expectations.creationObserved(key);
    if (error) {
      this.ctx.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`, DS_GVK);
      throw error;
    }
  }

  private async deletePods(key: string, ds: Readonly<DaemonSet>, victims: readonly Readonly<Pod>[]): Promise<void> {
    await deleteOwnedPods(this.ctx, this.expectations, key, ds, DS_GVK, victims.slice(0, BURST_REPLICAS));
  }

  private status(ds: Readonly<DaemonSet>, allNodes: readonly Readonly<Node>[], byNode: ReadonlyMap<string, Readonly<Pod>[]>, hash: string): DaemonSetStatus {
    const now = this.ctx.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    let desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
    for (const node of allNodes) {
      const here = (byNode.get(node.metadata.name!) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
      if (!shouldRun) {
        if (here.length > 0) misscheduled++;
        continue;
      }
      desired++;
      if (here.length === 0) continue;
      current++;
      // Kubernetes counts the first pod by phase (Running first) then age.
      const p = [...here].sort(byPhaseThenAge)[0]!;
      if (isPodReady(p)) {
        ready++;
        if (isPodAvailable(p, minReady, now)) available++;
      }
      if (p.metadata.labels?.[REVISION_HASH_LABEL] === hash) updated++;
    }
    const status: DaemonSetStatus = {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata.generation,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
    };
    if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
    if (ds.status?.conditions) status.conditions = ds.status.conditions;
    return status;
  }

  private async recheck(ds: Readonly<DaemonSet>): Promise<boolean> {
    try {
      const fresh = await this.ctx.api.get(daemonSets, ds.metadata.name!, { namespace: ds.metadata.namespace });
      return fresh.metadata.uid === ds.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async writeStatus(ds: Readonly<DaemonSet>, status: DaemonSetStatus): Promise<void> {
    if (semanticEqual(ds.status ?? {}, status)) return;
    await this.ctx.api.updateStatus(daemonSets, { ...ds, status } as DaemonSet, { namespace: ds.metadata.namespace });
  }
}

