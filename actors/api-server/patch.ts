/**
 * PATCH: JSON patch, JSON merge patch, strategic merge patch (with the
 * kind's list merge keys and directives), and server-side apply (creates
 * when absent; otherwise merges the applied configuration, records the
 * field manager in managedFields, and answers 409 when another manager owns
 * a field the apply would change, unless force=true).
 *
 * The patch is re-applied on every attempt of the update loop, so a race
 * with another writer never loses either change.
 */
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, type JsonValue } from '../../lib/api/patch/index.js';
import { isObject } from '../../lib/api/patch/json-value.js';
import { prepareForStatusUpdate } from '../../lib/api/defaults/index.js';
import { groupKind, type ResourceDef } from '../../lib/api/resources/index.js';
import { badRequest, invalid } from '../../lib/api/status.js';
import type { KubeObject, Status } from '../../lib/api/types/meta.js';
import type { ServerContext } from './context.js';
import { checkBody } from './decode.js';
import { checkAppliedFields, checkPatchedFields } from './field-validation.js';
import { applyConfig, conflictMessage, leafPaths } from './managed-fields.js';
import type { PatchType } from './messages.js';
import { failed, gr, keyOf, revisionOf, timestamp, type Outcome } from './objects.js';
import { createChecked, guaranteedUpdate, prepareUpdate, type WriteOptions } from './write.js';

export interface PatchOptions extends WriteOptions {
  readonly force?: boolean;
  readonly subresource?: 'status';
}

/** Applies a patch document of `type` to a JSON value; a Status when the patch is malformed or fails. */
export function applyPatch(type: Exclude<PatchType, 'apply'>, current: unknown, patch: unknown, def: Pick<ResourceDef, 'patchSchema' | 'kind' | 'group'>, name: string): Outcome<KubeObject> {
  switch (type) {
    case 'json': {
      const r = applyJsonPatch(current, patch);
      if (!r.ok) return r.kind === 'malformed' ? badRequest(r.error) : unprocessable(r.error);
      return r.value as unknown as KubeObject;
    }
    case 'merge':
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      return applyMergePatch(current, patch) as unknown as KubeObject;
    case 'strategic': {
      const r = applyStrategicMergePatch(current as object, patch, def.patchSchema);
      if (!r.ok) return badRequest(r.error);
      return r.value as unknown as KubeObject;
    }
    default: {
      const never: never = type;
      return badRequest(`unsupported patch type ${String(never)}`);
    }
  }
  void name;
}

/** A copy of the top level and of metadata's top level (when they are maps); the rest shared. */
function ownTop(obj: unknown): unknown {
  if (!isObject(obj)) return obj; // checkBody refuses it as it is
  return isObject(obj.metadata) ? { ...obj, metadata: { ...obj.metadata } } : { ...obj };
}

function unprocessable(message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Invalid', code: 422 };
}

export interface PatchResult {
  readonly object: KubeObject;
  /** Server-side apply created the object: 201. */
  readonly created: boolean;
}

export async function patchObject(
  ctx: ServerContext,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  type: PatchType,
  patch: unknown,
  opts: PatchOptions,
): Promise<Outcome<PatchResult>> {
  if (type === 'apply') return serverSideApply(ctx, def, namespace, name, patch, opts);
  let precondition: number | undefined;
  const r = await guaranteedUpdate(
    ctx,
    def,
    namespace,
    name,
    (current) => {
      const patched = applyPatch(type, current, patch, def, name);
      if (failed(patched)) return patched;
      // The patched object shares what the patch left alone with `current` (the cache's, read-only).
      // checkBody changes only the top level and metadata's top level, so those two are made ours,
      // not the whole object: the next steps copy whatever they change.
      const checked = checkBody(def, ownTop(patched), { namespace: def.namespaced ? namespace : undefined, name, owned: true });
      if (failed(checked)) return checked;
      const strict = checkPatchedFields(def, checked, opts.fields, type, patch);
      if (strict) return strict;
      const rv = checked.metadata.resourceVersion;
      // A resourceVersion the patch itself set is a precondition.
      if (rv !== undefined && rv !== current.metadata.resourceVersion) precondition = Number(rv);
      if (precondition !== undefined && precondition !== revisionOf(current)) {
        return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409, message: `Operation cannot be fulfilled on ${def.group ? `${def.plural}.${def.group}` : def.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`, details: { name, group: def.group || undefined, kind: def.plural } } as Status;
      }
      if (opts.subresource === 'status') return statusUpdate(def, checked, current);
      return prepareUpdate(def, checked, current);
    },
    { ...opts, subresource: opts.subresource },
  );
  if (failed(r)) return r;
  return { object: r, created: false };
}

/** A /status write: the stored spec and metadata win, the new status is validated. */
export function statusUpdate(def: ResourceDef, next: KubeObject, current: KubeObject): Outcome<KubeObject> {
  const out = prepareForStatusUpdate(next, current);
  const errs = def.validateUpdate(out, current);
  if (errs.length > 0) return invalid(groupKind(def), current.metadata.name ?? '', errs);
  return out;
}

async function serverSideApply(
  ctx: ServerContext,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  body: unknown,
  opts: PatchOptions,
): Promise<Outcome<PatchResult>> {
  const manager = opts.fieldManager;
  if (!manager) return badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
  const applied = checkBody(def, body, { namespace: def.namespaced ? namespace : undefined, name });
  if (failed(applied)) return applied;
  const untyped = checkAppliedFields(def, applied, def.namespaced ? namespace : undefined, name);
  if (untyped) return untyped;
  delete applied.metadata.resourceVersion;
  delete applied.metadata.managedFields;
  const info = { manager, apiVersion: def.apiVersion, time: timestamp(ctx.now()), subresource: opts.subresource };
  if (!ctx.cache.has(keyOf(def, namespace, name))) {
    const paths = leafPaths(applied, def.patchSchema);
    const withOwner = applyConfig({ ...applied, metadata: { ...applied.metadata } }, applied, def.patchSchema, info, true, (_live, a) => a);
    if (!withOwner.ok || paths.length < 0) return badRequest('apply failed');
    const created = await createChecked(ctx, def, withOwner.object, { ...opts, managedFieldsDone: true });
    if (failed(created)) {
      // Lost a race with another creator: apply onto what is there now.
      if (created.code === 409 && created.reason === 'AlreadyExists') return serverSideApply(ctx, def, namespace, name, body, opts);
      return created;
    }
    return { object: created, created: true };
  }
  const r = await guaranteedUpdate(
    ctx,
    def,
    namespace,
    name,
    (current) => {
      const result = applyConfig(current, applied, def.patchSchema, info, opts.force === true, (live, a) => {
        const merged = applyStrategicMergePatch(live, a as unknown as JsonValue, def.patchSchema);
        return merged.ok ? (merged.value as unknown as KubeObject) : live;
      });
      if (!result.ok) {
        return {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: conflictMessage(result.conflicts),
          reason: 'Conflict',
          details: { causes: result.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${JSON.stringify(c.manager)} using ${c.apiVersion}`, field: c.field })) },
          code: 409,
        } as Status;
      }
      if (opts.subresource === 'status') return statusUpdate(def, result.object, current);
      return prepareUpdate(def, result.object, current);
    },
    { ...opts, managedFieldsDone: true },
  );
  if (failed(r)) return r;
  void gr;
  return { object: r, created: false };
}
