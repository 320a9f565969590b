/**
 * The namespace controller (Kubernetes' pkg/controller/namespace).
 *
 * reconcile(<namespace>) of a namespace being deleted (the api-server set
 * its deletionTimestamp and phase Terminating): every object of every
 * namespaced resource in the resource table is deleted (Background
 * propagation); what remains is counted (pods in graceful termination,
 * objects waiting on finalizers) and reported in the namespace's
 * conditions (NamespaceDeletionContentFailure, NamespaceContentRemaining,
 * NamespaceFinalizersRemaining, and the two discovery conditions, always
 * False here); the key is requeued until the namespace is empty, after
 * half the longest remaining grace period + 1 s, as Kubernetes does. Then
 * the `kubernetes` finalizer is removed through namespaces/<name>/finalize,
 * and the api-server removes the namespace.
 */
import type { ApiRequest, ApiResponse } from '../../actors/api-server/messages.js';
import { body } from '../../lib/client/client.js';
import { isNotFound } from '../../lib/client/errors.js';
import { namespaces, RESOURCES, type ResourceDef } from '../../lib/api/resources/index.js';
import { NAMESPACE_FINALIZER } from '../../lib/api/defaults/core.js';
import type { Namespace } from '../../lib/api/types/core.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import { copy, errorMessage, semanticEqual, timestamp } from './objects.js';

type NamespaceCondition = NonNullable<NonNullable<Namespace['status']>['conditions']>[number];

/** The finalize subresource is not part of the typed Client: it goes to the client's transport. */
interface FinalizeTransport {
  readonly transport: { call(request: ApiRequest): Promise<ApiResponse> };
}

function canFinalize(api: object): api is FinalizeTransport {
  return typeof (api as Partial<FinalizeTransport>).transport?.call === 'function';
}

interface Sweep {
  /** resource plural -> objects left. */
  readonly remaining: Map<string, number>;
  /** finalizer -> objects held by it. */
  readonly finalizers: Map<string, number>;
  readonly errors: string[];
  /** The longest grace period still running, in seconds. */
  estimate: number;
}

export class NamespaceController extends Controller {
  readonly name = 'namespace';
  private readonly nsInformer;

  constructor(
    private readonly ctx: ControllerContext,
    /** Every namespaced resource, by default the whole resource table. */
    private readonly resources: readonly ResourceDef[] = RESOURCES.filter((r) => r.namespaced),
  ) {
    super(ctx);
    this.nsInformer = ctx.informers.for(namespaces);
    this.nsInformer.addHandlers({
      onAdd: (ns) => ns.metadata.deletionTimestamp && this.enqueue(ns),
      onUpdate: (_o, ns) => ns.metadata.deletionTimestamp && this.enqueue(ns),
    });
  }

  async reconcile(key: string): Promise<void> {
    const ns = this.nsInformer.store.get(key);
    if (!ns?.metadata.deletionTimestamp) return;
    const name = ns.metadata.name!;
    const sweep = await this.deleteContent(name);
    const empty = sweep.remaining.size === 0 && sweep.errors.length === 0;
    await this.writeConditions(ns, sweep);
    if (!empty) {
      // Content goes on its own schedule (grace periods, other finalizers): look again later.
      this.enqueueAfter(key, (Math.floor(sweep.estimate / 2) + 1) * 1000);
      return;
    }
    if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;
    await this.finalize(ns);
  }

  /** Delete every object in the namespace; what is left afterwards. */
  private async deleteContent(namespace: string): Promise<Sweep> {
    const sweep: Sweep = { remaining: new Map(), finalizers: new Map(), errors: [], estimate: 0 };
    const now = this.ctx.clock.now();
    for (const def of this.resources) {
      let items: KubeObject[];
      try {
        items = (await this.ctx.api.list(def as ResourceDef<KubeObject>, { namespace })).items;
      } catch (err) {
        sweep.errors.push(`${def.plural}: ${errorMessage(err)}`);
        continue;
      }
      let left = 0;
      for (const obj of items) {
        let cur: KubeObject | undefined = obj;
        if (!obj.metadata.deletionTimestamp) {
          try {
            const out = await this.ctx.api.delete(def as ResourceDef<KubeObject>, obj.metadata.name!, { namespace, propagationPolicy: 'Background' });
            // A Status answer means it is gone; an object answer means it lingers.
            cur = (out as { kind?: string }).kind === 'Status' ? undefined : (out as KubeObject);
            if (cur && !cur.metadata?.deletionTimestamp) cur = undefined;
          } catch (err) {
            if (isNotFound(err)) cur = undefined;
            else {
              sweep.errors.push(`${def.plural} "${obj.metadata.name}": ${errorMessage(err)}`);
              continue;
            }
          }
        }
        if (!cur) continue;
        left++;
        for (const f of cur.metadata.finalizers ?? []) sweep.finalizers.set(f, (sweep.finalizers.get(f) ?? 0) + 1);
        if (def.kind === 'Pod') {
          const deadline = Date.parse(cur.metadata.deletionTimestamp ?? '');
          const grace = Number.isNaN(deadline) ? ((cur as Pod).metadata.deletionGracePeriodSeconds ?? 0) : Math.max(0, Math.ceil((deadline - now) / 1000));
          sweep.estimate = Math.max(sweep.estimate, grace);
        }
      }
      if (left > 0) sweep.remaining.set(def.plural, left);
    }
    return sweep;
  }

  private async writeConditions(ns: Readonly<Namespace>, sweep: Sweep): Promise<void> {
    const now = timestamp(this.ctx.clock.now());
    const cond = (type: string, bad: boolean, okReason: string, okMessage: string, badReason: string, badMessage: string): NamespaceCondition => ({
      type,
      status: bad ? 'True' : 'False',
      lastTransitionTime: now,
      reason: bad ? badReason : okReason,
      message: bad ? badMessage : okMessage,
    });
    const remaining = [...sweep.remaining].sort(([a], [b]) => a.localeCompare(b));
    const finalizers = [...sweep.finalizers].sort(([a], [b]) => a.localeCompare(b));
    const wanted: NamespaceCondition[] = [
      cond('NamespaceDeletionDiscoveryFailure', false, 'ResourcesDiscovered', 'All resources successfully discovered', '', ''),
      cond('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed', '', ''),
      cond(
        'NamespaceDeletionContentFailure',
        sweep.errors.length > 0,
        'ContentDeleted',
        'All content successfully deleted, may be waiting on finalization',
        'ContentDeletionFailed',
        `Failed to delete all resource types, ${sweep.errors.length} remaining: ${sweep.errors.join(', ')}`,
      ),
      cond(
        'NamespaceContentRemaining',
        remaining.length > 0,
        'ContentRemoved',
        'All content successfully removed',
        'SomeResourcesRemain',
        `Some resources are remaining: ${remaining.map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}`,
      ),
      cond(
        'NamespaceFinalizersRemaining',
        finalizers.length > 0,
        'ContentHasNoFinalizers',
        'All content-preserving finalizers finished',
        'SomeFinalizersRemain',
        `Some content in the namespace has finalizers remaining: ${finalizers.map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`,
      ),
    ];
    const old = ns.status?.conditions ?? [];
    // A condition whose status did not change keeps its transition time.
    const conditions = wanted.map((c) => {
      const prev = old.find((o) => o.type === c.type);
      return prev && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
    });
    const others = old.filter((o) => !wanted.some((w) => w.type === o.type));
    const status = { ...(ns.status ?? {}), phase: 'Terminating' as const, conditions: [...others, ...conditions] };
    if (semanticEqual(ns.status ?? {}, status)) return;
    const next = copy(ns) as Namespace;
    next.status = status;
    try {
      await this.ctx.api.updateStatus(namespaces, next);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Remove the `kubernetes` finalizer (PUT namespaces/<name>/finalize); the api-server then removes the namespace. */
  private async finalize(ns: Readonly<Namespace>): Promise<void> {
    if (!canFinalize(this.ctx.api)) throw new Error('namespace controller: this API client cannot reach namespaces/finalize');
    const next = copy(ns) as Namespace;
    next.spec = { ...(next.spec ?? {}), finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) };
    delete next.metadata.resourceVersion;
    const res = await this.ctx.api.transport.call({ verb: 'update', group: '', version: 'v1', resource: 'namespaces', name: ns.metadata.name, subresource: 'finalize', body: next });
    try {
      body(res);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
