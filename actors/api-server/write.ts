/**
 * create and update (PUT), and the update loop every write of an existing
 * object goes through (Kubernetes' GuaranteedUpdate): read the object from
 * the cache, compute the new one, write it with the read revision as the
 * precondition, and on a conflict the caller did not ask for (no
 * resourceVersion given) try again against the store's current object.
 *
 * Create order (as the author of lib/api/defaults left it): defaults ->
 * pod admission -> uid/name/creationTimestamp -> prepareForCreate ->
 * validate -> namespace check -> ClusterIP -> store.
 */
import { admitPodOwned, admitPodPriorityOwned } from '../../lib/api/defaults/index.js';
import { deepEqual } from '../../lib/api/patch/json-value.js';
import { groupKind, namespaces, priorityClasses, storageKey, type ResourceDef } from '../../lib/api/resources/index.js';
import { alreadyExists, forbidden, internalError, invalid, notFound, conflict } from '../../lib/api/status.js';
import type { PriorityClass } from '../../lib/api/types/cluster.js';
import type { Service } from '../../lib/api/types/core.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { fieldErrors, FieldPath } from '../../lib/api/validation/field.js';
import { encodeForStore, type PlaceholderAt } from '../../lib/store/encoded.js';
import type { WriteOp, WriteResult } from '../../lib/store/types.js';
import type { ServerContext } from './context.js';
import { checkBody } from './decode.js';
import { checkDecodedFields, type FieldCheck } from './field-validation.js';
import { assignNodePorts } from './node-ports.js';
import type { OwnWrite } from './own-writes.js';
import { recordUpdate } from './managed-fields.js';
import type { ApiQuery } from './messages.js';
import { failed, faultStatus, generateName, gr, keyOf, revisionOf, timestamp, typed, writeFailure, type Outcome } from './objects.js';
import { newUid } from './uid.js';

export interface WriteOptions {
  readonly fieldManager?: string;
  readonly dryRun?: boolean;
  /** Set by server-side apply: the managed fields are already computed. */
  readonly managedFieldsDone?: boolean;
  /** fieldValidation: unknown fields in the body refused, warned about or dropped (field-validation.ts). */
  readonly fields?: FieldCheck;
}

/** The options of a write request; `fields` given as its field check (one object per create, not a copy of another). */
export function writeOptions(query: ApiQuery | undefined, fields?: FieldCheck): WriteOptions {
  return { fieldManager: query?.fieldManager || undefined, dryRun: query?.dryRun === 'All', fields };
}

/** Create from a raw body: checks, then the create pipeline. 201 with the stored object. */
export function createObject(ctx: ServerContext, def: ResourceDef, namespace: string | undefined, body: unknown, opts: WriteOptions): Outcome<KubeObject> | Promise<Outcome<KubeObject>> {
  const checked = checkBody(def, body, { namespace: def.namespaced ? namespace || (body as { metadata?: { namespace?: string } })?.metadata?.namespace || 'default' : undefined, owned: true });
  if (failed(checked)) return checked;
  const strict = checkDecodedFields(def, checked, opts.fields);
  if (strict) return strict;
  return createChecked(ctx, def, checked, opts, true);
}

const PRIORITY_CLASS_BUCKET = storageKey(priorityClasses, undefined, '').replace(/[^/]*$/, '');

/** A namespace's storage key: every namespaced create looks its namespace up, so each key is built once (bounded). */
function namespaceKey(name: string): string {
  let key = namespaceKeys.get(name);
  if (key === undefined) {
    if (namespaceKeys.size >= 1_024) namespaceKeys.clear();
    namespaceKeys.set(name, (key = storageKey(namespaces, undefined, name)));
  }
  return key;
}
const namespaceKeys = new Map<string, string>();

/**
 * The create pipeline. `owned`: the caller hands over `input` (checkBody's
 * private copy), so defaulting and admission change it in place instead of
 * copying it again; otherwise the first step copies.
 *
 * Everything up to the store write runs synchronously (prepareCreate), and
 * only the write loop waits: a batch of 1,000 creates waits for the store
 * all at once, and whatever each waiting create keeps (its suspended frames)
 * lives through a garbage collection or two.
 */
export function createChecked(ctx: ServerContext, def: ResourceDef, input: KubeObject, opts: WriteOptions, owned = false): Promise<Outcome<KubeObject>> {
  let prepared: Outcome<PreparedCreate>;
  try {
    prepared = prepareCreate(ctx, def, input, opts, owned);
  } catch (err) {
    return Promise.reject(err);
  }
  if (failed(prepared)) return Promise.resolve(prepared);
  if (opts.dryRun) return Promise.resolve(prepared.obj);
  return writeCreated(ctx, def, prepared);
}

interface PreparedCreate {
  readonly obj: KubeObject;
  /** Store ops written with it (a Service's ClusterIP allocations). */
  readonly ops: readonly WriteOp[];
  /** The generateName to draw another name from when the drawn one is taken. */
  readonly retryName: string | undefined;
}

function prepareCreate(ctx: ServerContext, def: ResourceDef, input: KubeObject, opts: WriteOptions, owned: boolean): Outcome<PreparedCreate> {
  // From here on `obj` is ours: defaults copy an input we do not own.
  let obj = owned ? def.defaultsOwned(input) : def.defaults(input);
  if (def.kind === 'Pod') {
    obj = admitPodOwned(obj as Pod);
    const classes = ctx.cache.list(PRIORITY_CLASS_BUCKET) as PriorityClass[];
    const admitted = admitPodPriorityOwned(obj as Pod, classes);
    if (!admitted.ok) return forbidden(gr(def), obj.metadata.name ?? obj.metadata.generateName ?? '', admitted.message);
    obj = admitted.pod;
  }
  // Kubernetes retries a create whose generated name is taken (below): decided before the name is set.
  const retryName = obj.metadata.name ? undefined : obj.metadata.generateName;
  // An owned object's metadata is changed in place (defaulting kept it ours); else copied first.
  const meta = owned ? obj.metadata : { ...obj.metadata };
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  meta.uid = newUid();
  meta.creationTimestamp = timestamp(ctx.now());
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (!opts.managedFieldsDone) delete meta.managedFields;
  obj = def.prepareForCreateOwned(owned ? obj : { ...obj, metadata: meta });
  const errs = def.validate(obj);
  if (errs.length > 0) return invalid(groupKind(def), obj.metadata.name ?? '', errs);
  const name = obj.metadata.name!;
  if (def.namespaced) {
    const ns = ctx.cache.get(namespaceKey(obj.metadata.namespace!));
    if (!ns) return notFound({ group: '', resource: 'namespaces' }, obj.metadata.namespace!);
    if (ns.metadata.deletionTimestamp) {
      return forbidden(gr(def), name, `unable to create new content in namespace ${obj.metadata.namespace} because it is being terminated`);
    }
  }
  if (opts.fieldManager && !opts.managedFieldsDone) {
    obj = recordUpdate(obj, undefined, def.patchSchema, { manager: opts.fieldManager, apiVersion: def.apiVersion, time: timestamp(ctx.now()) });
  }
  obj = typed(def, obj);
  const ops: WriteOp[] = [];
  if (def.kind === 'Service') {
    // A Service that exists already is refused before its ClusterIP is written (the store would
    // refuse it too, but only after the allocation landed and had to be undone: a rejected request
    // must not write). A create racing this check is still refused and undone below.
    if (!opts.dryRun && ctx.cache.has(keyOf(def, obj.metadata.namespace, name))) return alreadyExists(gr(def), name);
    const ports = assignNodePorts(ctx.cache, obj as Service);
    if (failed(ports)) return ports;
    const r = allocateServiceIps(ctx, ports);
    if (failed(r)) return r;
    obj = r.service;
    for (const ip of r.allocated) ops.push({ op: 'create', key: ctx.ips.key(ip), value: ctx.ips.allocation(ip, obj.metadata.namespace!, name) });
  }
  return { obj, ops, retryName };
}

/**
 * Writes a new object (after `ops`, e.g. its ClusterIP allocations): the stored object or a Status.
 * Not an async function: what a create keeps while the store writes is one continuation, not a
 * suspended async frame with every register of this code (~500 bytes each, measured), and a batch
 * of 1,000 creates waits at once.
 */
function writeCreated(ctx: ServerContext, def: ResourceDef, prepared: PreparedCreate, attempt = 1): Promise<Outcome<KubeObject>> {
  const obj = prepared.obj;
  const key = keyOf(def, obj.metadata.namespace, obj.metadata.name!);
  let own: OwnWrite | undefined;
  let sent: Promise<WriteResult[]>;
  try {
    // Encoded once, here; the store answers briefly (we hold the object) and the
    // cache recognizes the echo on the watch instead of decoding it.
    const encoded = encodeForStore(obj, placeholder);
    own = ctx.ownWrites.register(key, encoded, obj, placeholder.at);
    const ops = prepared.ops;
    sent = ctx.store.writeEncoded(ops.length === 0 ? [{ op: 'create', key, encoded }] : [...ops, { op: 'create', key, encoded }]);
  } catch (err) {
    ctx.ownWrites.release(own);
    return Promise.resolve(faultStatus(err));
  }
  return sent.then(
    (results) => written(ctx, def, prepared, attempt, own, results),
    (err: unknown) => {
      ctx.ownWrites.release(own);
      return faultStatus(err);
    },
  );
}

/** The store's answer to writeCreated: the object with its resourceVersion once the cache has it, a retry, or a Status. */
function written(ctx: ServerContext, def: ResourceDef, prepared: PreparedCreate, attempt: number, own: OwnWrite | undefined, results: WriteResult[]): Outcome<KubeObject> | Promise<Outcome<KubeObject>> {
  const obj = prepared.obj;
  const name = obj.metadata.name!;
  const mine = results[results.length - 1]!;
  let ipFailure = false;
  for (let i = 0; i < results.length - 1; i++) if (!results[i]!.ok) ipFailure = true;
  if (mine.ok && !ipFailure) {
    // The cache has usually applied the echo already: then there is nothing to wait for. The own
    // write stays registered until it has (the echo is recognized, not decoded).
    if (ctx.cache.revision >= mine.revision) {
      ctx.ownWrites.release(own);
      return stampRv(obj, mine.revision);
    }
    return ctx.cache.waitFor(mine.revision).then(() => {
      ctx.ownWrites.release(own);
      return stampRv(obj, mine.revision);
    });
  }
  ctx.ownWrites.release(own);
  // Undo whatever half of the request landed (a Service's ClusterIP, or the Service without it).
  const undo: WriteOp[] = results.filter((r) => r.ok).map((r) => ({ op: 'delete', key: r.key }));
  const undone = undo.length > 0 ? ctx.store.write(undo) : undefined;
  const answer = (): Outcome<KubeObject> | Promise<Outcome<KubeObject>> => {
    if (mine.ok) return internalError('failed to allocate a ClusterIP, please retry');
    if (mine.code !== 'ALREADY_EXISTS') return writeFailure(def, name, mine);
    // The name is taken. Kubernetes retries a create whose generated name is taken (RetryGenerateName,
    // 8 attempts in all): at scale random suffixes do collide (~800 times in 150,000 pods), and a caller
    // cannot tell such a conflict from a real one. A generated name keeps the base's length, so
    // validation still holds. Services are not retried: their ClusterIP allocation is keyed to the name.
    const base = prepared.retryName;
    if (base === undefined || def.kind === 'Service' || attempt >= GENERATE_NAME_ATTEMPTS) return alreadyExists(gr(def), name);
    const renamed = { ...obj, metadata: { ...obj.metadata, name: generateName(base) } };
    return writeCreated(ctx, def, { ...prepared, obj: renamed }, attempt + 1);
  };
  return undone ? undone.then(answer, (err: unknown) => faultStatus(err)) : answer();
}

const GENERATE_NAME_ATTEMPTS = 8;

/** encodeForStore's report of where it put the placeholder, read at once by OwnWrites.register (no search of the bytes). */
const placeholder: PlaceholderAt = { at: -1 };

function allocateServiceIps(ctx: ServerContext, svc: Service): Outcome<{ service: Service; allocated: string[] }> {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName' || spec.clusterIP === 'None') return { service: svc, allocated: [] };
  const path = FieldPath.root('spec').child('clusterIPs');
  let ip = spec.clusterIP;
  if (ip) {
    if (!ctx.ips.contains(ip)) {
      return invalid({ group: '', kind: 'Service' }, svc.metadata.name ?? '', [
        fieldErrors.invalid(path, [ip], `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${ctx.ips.cidr}`),
      ]);
    }
    if (!ctx.ips.isFree(ip)) {
      return invalid({ group: '', kind: 'Service' }, svc.metadata.name ?? '', [fieldErrors.invalid(path, [ip], `failed to allocate IP ${ip}: provided IP is already allocated`)]);
    }
  } else {
    ip = ctx.ips.next();
    if (!ip) return internalError(`failed to allocate a serviceIP: range is full`);
  }
  return { service: { ...svc, spec: { ...spec, clusterIP: ip, clusterIPs: [ip] } }, allocated: [ip] };
}

/** What an update computes from the current object: the next object, or a Status. */
export type Mutation = (current: KubeObject) => Outcome<KubeObject> | Promise<Outcome<KubeObject>>;

export interface UpdateOptions extends WriteOptions {
  /** resourceVersion precondition from the request; absent: unconditional (retry on races). */
  readonly precondition?: number;
  readonly subresource?: string;
}

/**
 * The update loop. `mutate` returns the complete next object; this checks
 * nothing of the kind's rules (callers run prepare/validate in mutate).
 * A no-op update is not written. A deleting object whose last finalizer is
 * gone is removed from the store.
 */
export async function guaranteedUpdate(
  ctx: ServerContext,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  mutate: Mutation,
  opts: UpdateOptions,
): Promise<Outcome<KubeObject>> {
  const key = keyOf(def, namespace, name);
  let current = ctx.cache.get(key);
  for (let attempt = 0; attempt < 8; attempt++) {
    if (!current) return notFound(gr(def), name);
    if (opts.precondition !== undefined && opts.precondition !== revisionOf(current)) return conflict(gr(def), name);
    let next = await mutate(current);
    // Node ports are filled in after the kind's own update rules, from the other Services' (node-ports.ts).
    if (def.kind === 'Service' && !failed(next)) next = assignNodePorts(ctx.cache, next as Service, current as Service);
    if (failed(next)) return next;
    next = typed(def, next);
    if (opts.fieldManager && !opts.managedFieldsDone) {
      next = recordUpdate(next, current, def.patchSchema, { manager: opts.fieldManager, apiVersion: def.apiVersion, time: timestamp(ctx.now()), subresource: opts.subresource });
    }
    if (sameObject(next, current)) return current;
    if (opts.dryRun) return next;
    const finished = next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && !gracefulPending(def, next);
    const expected = opts.precondition ?? revisionOf(current);
    let own: OwnWrite | undefined;
    try {
      let r: WriteResult | undefined;
      let written: KubeObject | undefined;
      if (finished) [r] = await ctx.store.write([{ op: 'delete', key, expectedRevision: expected }, ...releaseOps(ctx, def, current)]);
      else {
        written = withoutRv(next);
        const encoded = encodeForStore(written, placeholder);
        own = ctx.ownWrites.register(key, encoded, written, placeholder.at);
        [r] = await ctx.store.writeEncoded([{ op: 'update', key, encoded, expectedRevision: expected }]);
      }
      if (r!.ok) {
        await ctx.cache.waitFor(r!.revision);
        return written ? stampRv(written, r!.revision) : (r!.value as KubeObject);
      }
      if (r!.code === 'CONFLICT' && opts.precondition === undefined && r!.current) {
        current = r!.current.value as KubeObject;
        continue;
      }
      return writeFailure(def, name, r!);
    } catch (err) {
      return faultStatus(err);
    } finally {
      ctx.ownWrites.release(own);
    }
  }
  return conflict(gr(def), name);
}

/** A pod in graceful termination stays until its kubelet confirms (grace 0); a namespace until its spec.finalizers are gone. */
function gracefulPending(def: ResourceDef, obj: KubeObject): boolean {
  if (def.kind === 'Namespace') return ((obj as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? []).length > 0;
  return def.kind === 'Pod' && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
}

/** Store ops that go with removing an object (a Service's IP allocations). */
export function releaseOps(ctx: ServerContext, def: ResourceDef, obj: KubeObject): WriteOp[] {
  if (def.kind !== 'Service') return [];
  const ips = (obj as Service).spec?.clusterIPs ?? [];
  return ips.filter((ip) => ctx.cache.has(ctx.ips.key(ip))).map((ip) => ({ op: 'delete' as const, key: ctx.ips.key(ip) }));
}

function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): unknown => {
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = o.metadata;
    return { ...o, metadata: meta };
  };
  return deepEqual(strip(a), strip(b)) && deepEqual(stripTimes(a.metadata.managedFields), stripTimes(b.metadata.managedFields));
}

function stripTimes(m: KubeObject['metadata']['managedFields']): unknown {
  return (m ?? []).map(({ time: _t, ...rest }) => rest);
}

/**
 * The main-resource update pipeline for a new desired object: system
 * metadata carried over from the current object, defaults, the strategy's
 * prepareForUpdate (status kept, generation bumped), validateUpdate.
 */
export function prepareUpdate(def: ResourceDef, desired: KubeObject, current: KubeObject): Outcome<KubeObject> {
  let next = def.defaults(desired);
  const cm = current.metadata;
  const meta = { ...next.metadata, name: cm.name, uid: cm.uid, creationTimestamp: cm.creationTimestamp };
  if (def.namespaced) meta.namespace = cm.namespace;
  if (cm.deletionTimestamp) {
    meta.deletionTimestamp = cm.deletionTimestamp;
    if (cm.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
  } else {
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
  }
  if (cm.generation !== undefined) meta.generation = cm.generation;
  else delete meta.generation;
  if (meta.generateName === undefined && cm.generateName !== undefined) meta.generateName = cm.generateName;
  if (meta.managedFields === undefined && cm.managedFields !== undefined) meta.managedFields = cm.managedFields;
  next = def.prepareForUpdate({ ...next, metadata: meta }, current);
  if (def.kind === 'Service') next = keepClusterIp(next as Service, current as Service);
  const errs = def.validateUpdate(next, current);
  if (errs.length > 0) return invalid(groupKind(def), cm.name ?? '', errs);
  return next;
}

/** An update that leaves out the cluster IP keeps the allocated one (as kubectl apply relies on). */
function keepClusterIp(next: Service, current: Service): Service {
  const spec = next.spec ?? {};
  if (spec.clusterIP || !current.spec?.clusterIP) return next;
  return { ...next, spec: { ...spec, clusterIP: current.spec.clusterIP, clusterIPs: current.spec.clusterIPs ?? [current.spec.clusterIP] } };
}

/** PUT of the main resource. */
export async function updateObject(ctx: ServerContext, def: ResourceDef, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions): Promise<Outcome<KubeObject>> {
  const checked = checkBody(def, body, { namespace: def.namespaced ? namespace : undefined, name, owned: true });
  if (failed(checked)) return checked;
  const strict = checkDecodedFields(def, checked, opts.fields);
  if (strict) return strict;
  const rv = checked.metadata.resourceVersion;
  const precondition = rv ? Number(rv) : undefined;
  if (precondition !== undefined && !Number.isSafeInteger(precondition)) {
    return invalid(groupKind(def), name, [fieldErrors.invalid(FieldPath.root('metadata').child('resourceVersion'), rv, 'must be an integer')]);
  }
  return guaranteedUpdate(ctx, def, namespace, name, (current) => prepareUpdate(def, checked, current), { ...opts, precondition });
}

/**
 * The written object with its resourceVersion, set in place: its metadata is
 * the writer's own (copied in createChecked, recordUpdate or withoutRv), and
 * whoever else holds it (the cache, by the echo) sets the same version. A
 * copy here was a third of what a brief create answers with.
 */
function stampRv(obj: KubeObject, revision: number): KubeObject {
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

function withoutRv(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}
