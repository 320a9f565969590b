// Constructors for the Status objects the api-server returns on failure,
// matching k8s.io/apimachinery/pkg/api/errors (reasons, codes, details and
// message text). kubectl prints `Error from server (<reason>): <message>`,
// so the message strings are part of the interface.
//
// Resources are named the Kubernetes way: a GroupResource prints as
// "pods" or "deployments.apps"; a GroupKind as "Pod" or "Deployment.apps".

import type { Status, StatusCause, StatusDetails, StatusReason } from './types/meta.js';
import { goQuote } from './go-format.js';
import { aggregateMessage, errorBody, type ErrorList } from './validation/field.js';

export interface GroupResource {
  group: string;
  resource: string;
}

export interface GroupKind {
  group: string;
  kind: string;
}

export function groupResourceString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export function groupKindString(gk: GroupKind): string {
  return gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
}

function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) s.details = details;
  return s;
}

/** Go's %q for names in messages. */
const q = goQuote;

function resourceDetails(gr: GroupResource, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name) d.name = name;
  if (gr.group) d.group = gr.group;
  if (gr.resource) d.kind = gr.resource;
  return d;
}

/** A success Status, e.g. the 201 answer to an eviction or a 200 for deletecollection. */
export function successStatus(code = 200, details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  if (details) s.details = details;
  return s;
}

/** 404: `pods "x" not found`. */
export function notFound(gr: GroupResource, name: string): Status {
  return failure(404, 'NotFound', `${groupResourceString(gr)} ${q(name)} not found`, resourceDetails(gr, name));
}

/** 409: `pods "x" already exists`. */
export function alreadyExists(gr: GroupResource, name: string): Status {
  return failure(409, 'AlreadyExists', `${groupResourceString(gr)} ${q(name)} already exists`, resourceDetails(gr, name));
}

/** 409 when generateName could not produce a free name. */
export function generateNameConflict(gr: GroupResource, name: string, retryAfterSeconds: number): Status {
  return failure(
    409,
    'AlreadyExists',
    `${groupResourceString(gr)} ${q(name)} already exists, the server was not able to generate a unique name for the object`,
    { ...resourceDetails(gr, name), retryAfterSeconds },
  );
}

export const OPTIMISTIC_LOCK_ERROR_MSG = 'the object has been modified; please apply your changes to the latest version and try again';

/** 409 Conflict: `Operation cannot be fulfilled on pods "x": <why>`; why defaults to the optimistic-lock text. */
export function conflict(gr: GroupResource, name: string, why: string = OPTIMISTIC_LOCK_ERROR_MSG): Status {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${groupResourceString(gr)} ${q(name)}: ${why}`, resourceDetails(gr, name));
}

/** 422 Invalid built from field errors: `Pod "x" is invalid: spec.containers[0].name: Required value`. */
export function invalid(gk: GroupKind, name: string, errs: ErrorList): Status {
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (gk.group) details.group = gk.group;
  details.kind = gk.kind;
  details.causes = causes;
  const agg = aggregateMessage(errs);
  const message = agg ? `${groupKindString(gk)} ${q(name)} is invalid: ${agg}` : `${groupKindString(gk)} ${q(name)} is invalid`;
  return failure(422, 'Invalid', message, details);
}

/** 400 BadRequest with a free-form message. */
export function badRequest(message: string): Status {
  return failure(400, 'BadRequest', message);
}

/**
 * 400 for a body that does not decode into its kind, the way the api-server
 * words it: `Pod in version "v1" cannot be handled as a Pod: <err>`.
 */
export function decodeError(kind: string, version: string, err: string): Status {
  return badRequest(`${kind} in version ${q(version)} cannot be handled as a ${kind}: ${err}`);
}

/** 410 Expired: a watch or list resourceVersion older than the retained window. */
export function resourceExpired(message: string): Status {
  return failure(410, 'Expired', message);
}

/** The watch cache's wording for a compacted resourceVersion. */
export function tooOldResourceVersion(requested: number, oldest: number): Status {
  return resourceExpired(`too old resource version: ${requested} (${oldest})`);
}

/** 410 Gone (deprecated in Kubernetes in favour of Expired, still used by some paths). */
export function gone(message: string): Status {
  return failure(410, 'Gone', message);
}

/** 405: `<action> is not supported on resources of kind "pods"`. */
export function methodNotSupported(gr: GroupResource, action: string): Status {
  const details: StatusDetails = {};
  if (gr.group) details.group = gr.group;
  details.kind = gr.resource;
  return failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind ${q(groupResourceString(gr))}`, details);
}

/** 415: what kubectl reports as "the body of the request was in an unknown format". */
export function unsupportedMediaType(accepted: readonly string[]): Status {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

/** 406: no acceptable response type. */
export function notAcceptable(accepted: readonly string[]): Status {
  return failure(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

/** 413: `Request entity too large: <message>`. */
export function requestEntityTooLarge(message: string): Status {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/** 429 with Retry-After seconds in details (Go's NewTooManyRequests). */
export function tooManyRequests(message: string, retryAfterSeconds: number): Status {
  return failure(429, 'TooManyRequests', message, { retryAfterSeconds });
}

/** 429 without retry information (Go's NewTooManyRequestsError). */
export function tooManyRequestsError(message: string): Status {
  return failure(429, 'TooManyRequests', `Too many requests: ${message}`);
}

/** 401; an empty reason becomes "not authorized". */
export function unauthorized(reason = ''): Status {
  return failure(401, 'Unauthorized', reason || 'not authorized');
}

/** 403: `pods "x" is forbidden: <why>` (or without name / resource, as in Go). */
export function forbidden(gr: GroupResource, name: string, why: string): Status {
  let message: string;
  if (!gr.group && !gr.resource) message = `forbidden: ${why}`;
  else if (!name) message = `${groupResourceString(gr)} is forbidden: ${why}`;
  else message = `${groupResourceString(gr)} ${q(name)} is forbidden: ${why}`;
  return failure(403, 'Forbidden', message, resourceDetails(gr, name));
}

/** 500: `Internal error occurred: <err>`, with the error as the single cause. */
export function internalError(err: string): Status {
  return failure(500, 'InternalError', `Internal error occurred: ${err}`, { causes: [{ message: err }] });
}

/** 500 ServerTimeout: the operation could not complete in time; retry. */
export function serverTimeout(gr: GroupResource, operation: string, retryAfterSeconds: number): Status {
  const details: StatusDetails = { name: operation, retryAfterSeconds };
  if (gr.group) details.group = gr.group;
  details.kind = gr.resource;
  return failure(
    500,
    'ServerTimeout',
    `The ${operation} operation against ${groupResourceString(gr)} could not be completed at this time, please try again.`,
    details,
  );
}

/** 504: `Timeout: <message>`. */
export function timeout(message: string, retryAfterSeconds: number): Status {
  return failure(504, 'Timeout', `Timeout: ${message}`, { retryAfterSeconds });
}

/** 503 with a free-form message. */
export function serviceUnavailable(message: string): Status {
  return failure(503, 'ServiceUnavailable', message);
}

export function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}
