/**
 * The garbage collector (Kubernetes' pkg/controller/garbagecollector), over
 * the objects of the resources in `GC_RESOURCES` and their ownerReferences.
 * Keys are `<plural>|<namespace>/<name>`.
 *
 * reconcile(key), for one object:
 * - deleting with the `orphan` finalizer: remove the references to it from
 *   its dependents, then the finalizer (the api-server then removes it);
 * - deleting with the `foregroundDeletion` finalizer: delete its dependents
 *   (Foreground for those that block it, Background for the rest) and
 *   remove the finalizer once no dependent with blockOwnerDeletion is left;
 * - with owners: an owner is dangling when neither the cache nor a live
 *   read finds it with that uid. If some owner is still solid, only the
 *   dangling references (and those to owners waiting in foreground
 *   deletion) are removed; if none is, the object is deleted (with the
 *   policy its own GC finalizer names, else Background; Foreground when an
 *   owner waits on it in foreground deletion and it has dependents itself).
 */
import { isConflict, isNotFound } from '../../lib/client/errors.js';
import { keyOf } from '../../lib/client/object-cache.js';
import type { Informer } from '../../lib/client/informer.js';
import { configMaps, daemonSets, deployments, jobs, pods, replicaSets, resourceForKind, secrets, services, type ResourceDef } from '../../lib/api/resources/index.js';
import type { KubeObject, OwnerReference } from '../../lib/api/types/meta.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import { copy } from './objects.js';

export const GC_RESOURCES: readonly ResourceDef[] = [pods, replicaSets, deployments, daemonSets, jobs, configMaps, secrets, services];
const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

type Ref = { def: ResourceDef; key: string };

export class GarbageCollector extends Controller {
  readonly name = 'garbage-collector';
  private readonly informers = new Map<string, { def: ResourceDef; inf: Informer<KubeObject> }>();
  /** uid -> where the object is. */
  private readonly byUid = new Map<string, Ref>();
  /** owner uid -> keys of its dependents. */
  private readonly dependents = new Map<string, Set<string>>();

  constructor(
    private readonly ctx: ControllerContext,
    resources: readonly ResourceDef[] = GC_RESOURCES,
  ) {
    super(ctx);
    for (const def of resources) {
      const inf = ctx.informers.for(def as ResourceDef<KubeObject>);
      this.informers.set(def.plural, { def, inf });
      inf.addHandlers({
        onAdd: (o) => this.observe(def, undefined, o),
        onUpdate: (old, o) => this.observe(def, old, o),
        onDelete: (o) => this.gone(def, o),
      });
    }
  }

  private qkey(def: ResourceDef, o: Pick<KubeObject, 'metadata'>): string {
    return `${def.plural}|${keyOf(o)}`;
  }

  private observe(def: ResourceDef, old: Readonly<KubeObject> | undefined, o: Readonly<KubeObject>): void {
    // As the graph builder: an update that changes neither the owners nor the deletion state (a pod's
    // status, most of all) tells the graph nothing. Without this, every status write queued a check.
    if (old && sameOwners(old, o) && sameDeletion(old, o)) return;
    const uid = o.metadata.uid;
    if (uid) this.byUid.set(uid, { def, key: keyOf(o) });
    const k = this.qkey(def, o);
    for (const r of old?.metadata.ownerReferences ?? []) this.dependents.get(r.uid)?.delete(k);
    for (const r of o.metadata.ownerReferences ?? []) {
      let s = this.dependents.get(r.uid);
      if (!s) this.dependents.set(r.uid, (s = new Set()));
      s.add(k);
    }
    const f = o.metadata.finalizers ?? [];
    if (o.metadata.ownerReferences?.length || (o.metadata.deletionTimestamp && (f.includes(FOREGROUND) || f.includes(ORPHAN)))) this.enqueue(k);
    // A dependent that changed may unblock an owner waiting in foreground deletion.
    if (o.metadata.deletionTimestamp) this.enqueueOwners(o);
  }

  private gone(def: ResourceDef, o: Readonly<KubeObject>): void {
    const uid = o.metadata.uid;
    if (uid) this.byUid.delete(uid);
    const k = this.qkey(def, o);
    for (const r of o.metadata.ownerReferences ?? []) this.dependents.get(r.uid)?.delete(k);
    // Its dependents may now be dangling; its owners may be waiting for it.
    for (const d of (uid && this.dependents.get(uid)) || []) this.enqueue(d);
    this.enqueueOwners(o);
  }

  private enqueueOwners(o: Readonly<KubeObject>): void {
    for (const r of o.metadata.ownerReferences ?? []) {
      const where = this.byUid.get(r.uid);
      if (where) this.enqueue(`${where.def.plural}|${where.key}`);
    }
  }

  private lookup(qkey: string): { def: ResourceDef; obj: Readonly<KubeObject> } | undefined {
    const bar = qkey.indexOf('|');
    const entry = this.informers.get(qkey.slice(0, bar));
    const obj = entry?.inf.store.get(qkey.slice(bar + 1));
    return entry && obj ? { def: entry.def, obj } : undefined;
  }

  private dependentsOf(uid: string): { def: ResourceDef; obj: Readonly<KubeObject>; ref: OwnerReference }[] {
    const out = [];
    for (const k of this.dependents.get(uid) ?? []) {
      const d = this.lookup(k);
      const ref = d?.obj.metadata.ownerReferences?.find((r) => r.uid === uid);
      if (d && ref) out.push({ ...d, ref });
    }
    return out;
  }

  async reconcile(key: string): Promise<void> {
    const found = this.lookup(key);
    if (!found) return;
    const { def, obj } = found;
    const f = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && f.includes(ORPHAN)) return this.orphanDependents(def, obj);
    if (obj.metadata.deletionTimestamp && f.includes(FOREGROUND)) return this.deleteDependents(def, obj);
    if (obj.metadata.ownerReferences?.length) return this.checkOwners(def, obj);
  }

  private async orphanDependents(def: ResourceDef, obj: Readonly<KubeObject>): Promise<void> {
    const uid = obj.metadata.uid!;
    for (const d of this.dependentsOf(uid)) await this.dropRefs(d.def, d.obj, new Set([uid]));
    await this.removeFinalizer(def, obj, ORPHAN);
  }

  private async deleteDependents(def: ResourceDef, obj: Readonly<KubeObject>): Promise<void> {
    const deps = this.dependentsOf(obj.metadata.uid!);
    for (const d of deps) {
      if (d.obj.metadata.deletionTimestamp) continue;
      await this.remove(d.def, d.obj, d.ref.blockOwnerDeletion ? 'Foreground' : 'Background');
    }
    if (deps.some((d) => d.ref.blockOwnerDeletion)) return; // requeued as they go
    await this.removeFinalizer(def, obj, FOREGROUND);
  }

  private async checkOwners(def: ResourceDef, obj: Readonly<KubeObject>): Promise<void> {
    const dangling = new Set<string>();
    const waiting = new Set<string>();
    let solid = 0;
    for (const r of obj.metadata.ownerReferences ?? []) {
      const owner = await this.owner(r, obj.metadata.namespace);
      if (!owner) dangling.add(r.uid);
      else if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FOREGROUND)) waiting.add(r.uid);
      else solid++;
    }
    if (solid > 0) {
      const drop = new Set([...dangling, ...[...waiting].filter((u) => obj.metadata.ownerReferences!.find((r) => r.uid === u)?.blockOwnerDeletion)]);
      if (drop.size > 0) await this.dropRefs(def, obj, drop);
      return;
    }
    if (obj.metadata.deletionTimestamp) return;
    const f = obj.metadata.finalizers ?? [];
    let policy: 'Foreground' | 'Background' | 'Orphan' = f.includes(ORPHAN) ? 'Orphan' : f.includes(FOREGROUND) ? 'Foreground' : 'Background';
    if (waiting.size > 0 && (this.dependents.get(obj.metadata.uid!)?.size ?? 0) > 0) policy = 'Foreground';
    await this.remove(def, obj, policy);
  }

  /** The owner as the cache has it, else a live read; undefined when gone or replaced (another uid). */
  private async owner(r: OwnerReference, namespace: string | undefined): Promise<Readonly<KubeObject> | undefined> {
    const where = this.byUid.get(r.uid);
    if (where) {
      const cached = this.informers.get(where.def.plural)?.inf.store.get(where.key);
      if (cached) return cached;
    }
    const def = resourceForKind(r.apiVersion, r.kind);
    if (!def) return { metadata: {} }; // unknown kind: never collect on its account
    try {
      const live = await this.ctx.api.get(def, r.name, { namespace: def.namespaced ? namespace : undefined });
      return live.metadata.uid === r.uid ? live : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async dropRefs(def: ResourceDef, obj: Readonly<KubeObject>, uids: ReadonlySet<string>): Promise<void> {
    const next = copy(obj) as KubeObject;
    const refs = (next.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
    if (refs.length > 0) next.metadata.ownerReferences = refs;
    else delete next.metadata.ownerReferences;
    await this.write(def, next);
  }

  private async removeFinalizer(def: ResourceDef, obj: Readonly<KubeObject>, finalizer: string): Promise<void> {
    const next = copy(obj) as KubeObject;
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await this.write(def, next);
  }

  private async write(def: ResourceDef, next: KubeObject): Promise<void> {
    try {
      await this.ctx.api.update(def, next, { namespace: next.metadata.namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err; // a conflict retries with back-off against the newer object
    }
  }

  private async remove(def: ResourceDef, obj: Readonly<KubeObject>, policy: 'Foreground' | 'Background' | 'Orphan'): Promise<void> {
    try {
      await this.ctx.api.delete(def, obj.metadata.name!, { namespace: obj.metadata.namespace, propagationPolicy: policy });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}

function sameOwners(a: Readonly<KubeObject>, b: Readonly<KubeObject>): boolean {
  const x = a.metadata.ownerReferences ?? [];
  const y = b.metadata.ownerReferences ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p.uid !== q.uid || p.controller !== q.controller || p.blockOwnerDeletion !== q.blockOwnerDeletion) return false;
  }
  return true;
}

function sameDeletion(a: Readonly<KubeObject>, b: Readonly<KubeObject>): boolean {
  if (a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp) return false;
  const x = a.metadata.finalizers ?? [];
  const y = b.metadata.finalizers ?? [];
  return x.length === y.length && x.every((f, i) => f === y[i]);
}
