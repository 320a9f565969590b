/**
 * The client's errors. A call the server refused rejects with `ApiError`,
 * carrying the Kubernetes `Status` (code, reason, message) exactly as the
 * server sent it; a call that never got an answer (connection refused, the
 * api-server actor down, a timeout) rejects with `TransportError`.
 */
import type { Status, StatusReason } from '../api/types/meta.js';

export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;

  constructor(readonly status: Status) {
    super(status.message || `request failed with HTTP ${status.code}`);
    this.name = 'ApiError';
    this.code = status.code;
    this.reason = status.reason ?? '';
  }
}

export class TransportError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** A Status from a response body that is not one (a proxy's HTML, an empty body). */
export function statusFromBody(code: number, body: unknown): Status {
  const b = body as Partial<Status> | undefined;
  if (b && typeof b === 'object' && b.kind === 'Status') return { ...b, code: b.code ?? code } as Status;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `the server answered HTTP ${code}`, reason: reasonForCode(code), code };
}

function reasonForCode(code: number): StatusReason {
  const reasons: Partial<Record<number, StatusReason>> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 410: 'Gone', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError' };
  return reasons[code] ?? '';
}

const reasonOf = (err: unknown): StatusReason | undefined => (err instanceof ApiError ? err.reason : undefined);

export const isNotFound = (err: unknown): boolean => reasonOf(err) === 'NotFound';
export const isAlreadyExists = (err: unknown): boolean => reasonOf(err) === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => reasonOf(err) === 'Conflict';
export const isInvalid = (err: unknown): boolean => reasonOf(err) === 'Invalid';
/** 410: a watch or continue token older than the server keeps (reason Expired or Gone): list again. */
export const isGone = (err: unknown): boolean => err instanceof ApiError && err.code === 410;
