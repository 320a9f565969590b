/**
 * fieldValidation for writes: unknown fields (and, from the HTTP decoder,
 * duplicate keys) in a body are refused, warned about or dropped, and each
 * verb words the refusal as Kubernetes does:
 *
 * - create / update: 400 `Deployment in version "v1" cannot be handled as a
 *   Deployment: strict decoding error: unknown field "spec.replica"` (Strict);
 *   Warn drops the field and warns `unknown field "spec.replica"`; Ignore drops.
 * - JSON, merge and strategic patches: the same check on the patched object;
 *   Strict answers 422 `patch: Invalid value: ...: strict decoding error: ...`.
 * - server-side apply: the applied configuration must be fully typed,
 *   whatever fieldValidation says: 400 `failed to create typed patch object
 *   (default/web; apps/v1, Kind=Deployment): .spec.replica: field not
 *   declared in schema`. (Kubernetes 1.32 answers this with a 500 without
 *   a reason, a known bug, kubernetes/kubernetes#122480 and #139253; the
 *   proposed fix and Berth answer 400 BadRequest with the same message.)
 */
import { goFormatV, goQuote } from '../../lib/api/go-format.js';
import type { PatchSchema } from '../../lib/api/patch/metadata.js';
import type { ResourceDef } from '../../lib/api/resources/index.js';
import { badRequest, decodeError, invalid } from '../../lib/api/status.js';
import type { KubeObject, Status } from '../../lib/api/types/meta.js';
import { fieldErrors, FieldPath } from '../../lib/api/validation/field.js';
import { FIELD_VALIDATION_VALUES, fieldValidationOf, renderPath, unknownFieldPaths, type FieldValidation } from '../../lib/api/validation/unknown-fields.js';
import type { PatchType } from './messages.js';

/** What a write request asked for, and where its warnings go. */
export interface FieldCheck {
  readonly directive: FieldValidation;
  /** Repeated keys the HTTP decoder saw in the body text (JSON bodies, Strict and Warn only). */
  readonly duplicates?: readonly string[];
  /** Warnings for the response (HTTP Warning headers), appended to. */
  readonly warnings: string[];
}

/** The FieldCheck for a request's `fieldValidation` parameter, or the 422 Kubernetes answers for a bad value. */
export function fieldCheckOf(param: string | undefined, verb: 'create' | 'update' | 'patch', duplicates?: readonly string[]): FieldCheck | Status {
  const directive = fieldValidationOf(param);
  if (!directive) {
    const kind = verb === 'create' ? 'CreateOptions' : verb === 'update' ? 'UpdateOptions' : 'PatchOptions';
    return invalid({ group: 'meta.k8s.io', kind }, '', [fieldErrors.notSupported(FieldPath.root('fieldValidation'), param, ['', ...FIELD_VALIDATION_VALUES])]);
  }
  return { directive, duplicates: directive === 'Ignore' ? undefined : duplicates, warnings: [] };
}

/**
 * The strict errors of `obj` (owned by the caller) for `check`: under Warn
 * and Ignore the unknown fields are deleted from `obj` and the errors are
 * warnings (Warn) or nothing (Ignore); under Strict they come back for the
 * caller to refuse the request with.
 */
function strictErrors(def: ResourceDef, obj: KubeObject, check: FieldCheck, duplicatePrefix = ''): string[] {
  const strict = check.directive === 'Strict';
  const unknown = unknownFieldPaths(def.group, def.version, def.kind, obj, { drop: !strict });
  if (unknown.length === 0 && !check.duplicates?.length) return [];
  const errs = [...(check.duplicates ?? []).map((p) => `${duplicatePrefix}duplicate field ${goQuote(p)}`), ...unknown.map((p) => `unknown field ${goQuote(renderPath(p))}`)];
  if (check.directive === 'Warn') check.warnings.push(...errs);
  return strict ? errs : [];
}

/** Create and update (PUT): a 400 under Strict, else the body is cleaned in place. */
export function checkDecodedFields(def: ResourceDef, obj: KubeObject, check: FieldCheck | undefined): Status | undefined {
  if (!check) return undefined;
  const errs = strictErrors(def, obj, check);
  if (errs.length === 0) return undefined;
  return decodeError(def.kind, def.version, `strict decoding error: ${errs.join(', ')}`);
}

/**
 * JSON, merge and strategic patches: the patched object is checked. Under
 * Strict, Kubernetes answers 422 with the field `patch` holding the patch
 * (strategic: Go's %v of the patch map) or the patched JSON (the others).
 */
export function checkPatchedFields(def: ResourceDef, patched: KubeObject, check: FieldCheck | undefined, type: Exclude<PatchType, 'apply'>, patch: unknown): Status | undefined {
  if (!check) return undefined;
  const errs = strictErrors(def, patched, check, type === 'json' ? 'json patch ' : '');
  if (errs.length === 0) return undefined;
  const shown = type === 'strategic' ? goFormatV(patch) : JSON.stringify(patched);
  return invalid({ group: '', kind: '' }, '', [fieldErrors.invalid(FieldPath.root('patch'), shown, `strict decoding error: ${errs.join(', ')}`)]);
}

/**
 * Server-side apply: every field of the applied configuration must be in
 * the schema, whatever fieldValidation says (structured-merge-diff cannot
 * type an unknown field). Paths are written as structured-merge-diff writes
 * them: `.spec.template.spec.containers[name="web"].imagee`.
 */
export function checkAppliedFields(def: ResourceDef, applied: KubeObject, namespace: string | undefined, name: string): Status | undefined {
  const unknown = unknownFieldPaths(def.group, def.version, def.kind, applied, { drop: false });
  if (unknown.length === 0) return undefined;
  const lines = unknown.map((p) => `${smdPath(applied, def.patchSchema, p)}: field not declared in schema`);
  const detail = lines.length === 1 ? lines[0]! : ['errors:', ...lines.map((l) => `  ${l}`)].join('\n');
  const gvk = `${def.group}/${def.version}, Kind=${def.kind}`;
  return badRequest(`failed to create typed patch object (${namespace ?? ''}/${name}; ${gvk}): ${detail}`);
}

/** A path in structured-merge-diff's form: list elements by their merge key where the list has one. */
function smdPath(obj: unknown, schema: PatchSchema | undefined, segments: readonly (string | number)[]): string {
  let out = '';
  let value: unknown = obj;
  let fields: PatchSchema | undefined = schema;
  let listKey: string | undefined;
  for (const s of segments) {
    if (typeof s === 'number') {
      const item = Array.isArray(value) ? (value[s] as unknown) : undefined;
      const keyValue = listKey && item && typeof item === 'object' ? (item as Record<string, unknown>)[listKey] : undefined;
      out += keyValue !== undefined ? `[${listKey}=${JSON.stringify(keyValue)}]` : `[${s}]`;
      value = item;
      continue;
    }
    out += `.${s}`;
    const meta = fields?.[s];
    listKey = meta?.mergeKey;
    fields = meta?.fields;
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[s] : undefined;
  }
  return out;
}
