/**
 * The controller fixture, as client-go's fake clientset: an in-memory API
 * that records every write as an action and feeds the informers' watches,
 * so a test preloads objects, syncs the informer caches, calls
 * `reconcile(key)` and checks the actions and the resulting objects.
 */
import { ApiError } from '../../lib/client/errors.js';
import { FakeClock } from '../../lib/client/fake-clock.js';
import { keyOf } from '../../lib/client/object-cache.js';
import type { BriefObject, ListOptions, NamespaceOption, ResourceRef, Watch, WatchHandlers, WatchOptions, WriteOptions, DeleteOptions } from '../../lib/client/types.js';
import type { PatchType } from '../../actors/api-server/messages.js';
import type { KubeObject, List, Status } from '../../lib/api/types/meta.js';
import type { Api } from '../../actors/controller-manager/context.js';
import { InformerSet } from '../../actors/controller-manager/context.js';
import { EventRecorder } from '../../actors/controller-manager/events.js';
import { timestamp } from '../../actors/controller-manager/objects.js';

export interface Action {
  readonly verb: 'create' | 'update' | 'update-status' | 'patch' | 'delete';
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
  readonly object?: KubeObject;
  readonly propagationPolicy?: string;
}

export const EPOCH = Date.parse('2025-01-01T00:00:00Z');

function status(code: number, reason: Status['reason'], message: string): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeApi implements Api {
  readonly actions: Action[] = [];
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly watchers: { plural: string; handlers: WatchHandlers<KubeObject> }[] = [];
  private rv = 1;
  private uid = 1;
  private names = 1;
  /** Return an error to make the matching call fail. */
  fail?: (a: Action) => ApiError | undefined;

  constructor(readonly clock: FakeClock) {}

  private bucket(r: ResourceRef): Map<string, KubeObject> {
    let m = this.objects.get(r.plural);
    if (!m) this.objects.set(r.plural, (m = new Map()));
    return m;
  }

  /** Put objects in without recording an action (the fixture's preload). */
  seed<T extends KubeObject>(r: ResourceRef<T>, ...objs: T[]): void {
    for (const o of objs) {
      const obj = structuredClone(o) as KubeObject;
      obj.metadata.uid ??= `uid-${this.uid++}`;
      obj.metadata.creationTimestamp ??= timestamp(this.clock.now());
      obj.metadata.resourceVersion = String(this.rv++);
      obj.metadata.generation ??= 1;
      this.bucket(r).set(keyOf(obj), obj);
      this.emit(r, 'ADDED', obj);
    }
  }

  /** The stored object, or undefined. */
  peek<T extends KubeObject>(r: ResourceRef<T>, namespace: string | undefined, name: string): T | undefined {
    return this.bucket(r).get(namespace ? `${namespace}/${name}` : name) as T | undefined;
  }

  all<T extends KubeObject>(r: ResourceRef<T>): T[] {
    return [...this.bucket(r).values()] as T[];
  }

  /** Writes other than events, as `verb resource name` strings. */
  writes(filter: (a: Action) => boolean = (a) => a.resource !== 'events'): string[] {
    return this.actions.filter(filter).map((a) => `${a.verb} ${a.resource}${a.name ? ` ${a.name}` : ''}`);
  }

  private emit(r: ResourceRef, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    const snapshot = structuredClone(obj);
    for (const w of this.watchers) if (w.plural === r.plural) w.handlers.onEvents([{ type, object: snapshot }]);
  }

  private check(a: Action): void {
    const err = this.fail?.(a);
    if (err) throw err;
  }

  async get<T extends KubeObject>(r: ResourceRef<T>, name: string, opts: NamespaceOption = {}): Promise<T> {
    const o = this.peek(r, opts.namespace, name);
    if (!o) throw status(404, 'NotFound', `${r.plural} "${name}" not found`);
    return structuredClone(o);
  }

  async list<T extends KubeObject>(r: ResourceRef<T>, opts: ListOptions = {}): Promise<List<T>> {
    const items = this.all(r).filter((o) => !opts.namespace || o.metadata.namespace === opts.namespace);
    return { metadata: { resourceVersion: String(this.rv) }, items: structuredClone(items) };
  }

  async create<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    const o = structuredClone(obj) as KubeObject;
    o.metadata.namespace ??= opts.namespace;
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${(this.names++).toString(36).padStart(5, 'x')}`;
    const a: Action = { verb: 'create', resource: r.plural, namespace: o.metadata.namespace, name: o.metadata.name ?? '', object: o };
    this.actions.push(a);
    this.check(a);
    if (this.bucket(r).has(keyOf(o))) throw status(409, 'AlreadyExists', `${r.plural} "${o.metadata.name}" already exists`);
    o.metadata.uid = `uid-${this.uid++}`;
    o.metadata.creationTimestamp = timestamp(this.clock.now());
    o.metadata.resourceVersion = String(this.rv++);
    o.metadata.generation = 1;
    if (r.plural === 'pods') (o as { status?: unknown }).status ??= { phase: 'Pending' };
    this.bucket(r).set(keyOf(o), o);
    this.emit(r, 'ADDED', o);
    return structuredClone(o) as T;
  }

  /** As the api-server answers `brief` batches: identity and version only. */
  async createManyBrief<T extends KubeObject>(r: ResourceRef<T>, objs: readonly T[], opts: WriteOptions = {}): Promise<(BriefObject | ApiError)[]> {
    const out: (BriefObject | ApiError)[] = [];
    for (const o of objs) {
      try {
        const { apiVersion, kind, metadata } = await this.create(r, o, opts);
        out.push({ apiVersion, kind, metadata: { name: metadata.name, namespace: metadata.namespace, uid: metadata.uid, resourceVersion: metadata.resourceVersion } });
      } catch (err) {
        out.push(err as ApiError);
      }
    }
    return out;
  }

  private async put<T extends KubeObject>(r: ResourceRef<T>, obj: T, verb: 'update' | 'update-status', namespace?: string): Promise<T> {
    const ns = obj.metadata.namespace ?? namespace;
    const name = obj.metadata.name!;
    const a: Action = { verb, resource: r.plural, namespace: ns, name, object: structuredClone(obj) };
    this.actions.push(a);
    this.check(a);
    const cur = this.peek(r, ns, name);
    if (!cur) throw status(404, 'NotFound', `${r.plural} "${name}" not found`);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw status(409, 'Conflict', `Operation cannot be fulfilled on ${r.plural} "${name}": the object has been modified`);
    }
    const c = cur as KubeObject & { spec?: unknown; status?: unknown };
    const n = structuredClone(obj) as KubeObject & { spec?: unknown; status?: unknown };
    let next: KubeObject & { spec?: unknown; status?: unknown };
    if (verb === 'update-status') next = { ...structuredClone(c), status: n.status };
    else {
      next = { ...n, status: c.status };
      next.metadata = { ...n.metadata, uid: c.metadata.uid, creationTimestamp: c.metadata.creationTimestamp, generation: c.metadata.generation };
      if (JSON.stringify(n.spec) !== JSON.stringify(c.spec)) next.metadata.generation = (c.metadata.generation ?? 1) + 1;
    }
    return this.store(r, next);
  }

  private store<T extends KubeObject>(r: ResourceRef<T>, next: KubeObject): T {
    next.metadata.resourceVersion = String(this.rv++);
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      this.bucket(r).delete(keyOf(next));
      this.emit(r, 'DELETED', next);
    } else {
      this.bucket(r).set(keyOf(next), next);
      this.emit(r, 'MODIFIED', next);
    }
    return structuredClone(next) as T;
  }

  update<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(r, obj, 'update', opts.namespace);
  }

  updateStatus<T extends KubeObject>(r: ResourceRef<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(r, obj, 'update-status', opts.namespace);
  }

  async patch<T extends KubeObject>(r: ResourceRef<T>, name: string, type: PatchType, patch: unknown, opts: WriteOptions & { subresource?: 'status' } = {}): Promise<T> {
    const a: Action = { verb: 'patch', resource: r.plural, namespace: opts.namespace, name, object: patch as KubeObject };
    this.actions.push(a);
    this.check(a);
    if (type !== 'merge') throw new Error(`fake api: ${type} patch not supported`);
    const cur = this.peek(r, opts.namespace, name);
    if (!cur) throw status(404, 'NotFound', `${r.plural} "${name}" not found`);
    return this.store(r, mergePatch(structuredClone(cur), patch) as KubeObject);
  }

  async delete<T extends KubeObject>(r: ResourceRef<T>, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const a: Action = { verb: 'delete', resource: r.plural, namespace: opts.namespace, name, propagationPolicy: opts.propagationPolicy };
    this.actions.push(a);
    this.check(a);
    const cur = this.peek(r, opts.namespace, name);
    if (!cur) throw status(404, 'NotFound', `${r.plural} "${name}" not found`);
    const finalizers = [...(cur.metadata.finalizers ?? [])];
    if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (finalizers.length > 0) {
      const next = structuredClone(cur) as KubeObject;
      next.metadata.finalizers = finalizers;
      next.metadata.deletionTimestamp ??= timestamp(this.clock.now());
      return this.store(r, next) as T;
    }
    this.bucket(r).delete(keyOf(cur));
    this.emit(r, 'DELETED', { ...cur, metadata: { ...cur.metadata, resourceVersion: String(this.rv++) } });
    return structuredClone(cur);
  }

  async watch<T extends KubeObject>(r: ResourceRef<T>, _opts: WatchOptions, handlers: WatchHandlers<T>): Promise<Watch> {
    const w = { plural: r.plural, handlers: handlers as unknown as WatchHandlers<KubeObject> };
    this.watchers.push(w);
    return { stop: () => void this.watchers.splice(this.watchers.indexOf(w), 1) };
  }
}

export interface Fixture {
  readonly api: FakeApi;
  readonly clock: FakeClock;
  readonly informers: InformerSet;
  readonly recorder: EventRecorder;
  readonly errors: unknown[];
}

/** The API, clock, informer set and recorder; call `sync` after creating controllers. */
export function fixture(): Fixture & { sync(): Promise<void> } {
  const clock = new FakeClock(EPOCH);
  const api = new FakeApi(clock);
  const errors: unknown[] = [];
  const informers = new InformerSet(api, clock, (err) => errors.push(err));
  const recorder = new EventRecorder(api, clock, { component: 'test-controller', onError: (e) => errors.push(e) });
  return {
    api,
    clock,
    informers,
    recorder,
    errors,
    async sync() {
      informers.start();
      await informers.waitForSync();
      await settle();
      api.actions.length = 0;
    },
  };
}

/** Let promise callbacks run (informer deliveries, the recorder's chain). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}
