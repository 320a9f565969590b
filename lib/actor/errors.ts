/** Typed errors of the actor runtime, with stable codes. */
import type { Address } from './types.js';

export class ActorError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The target died, was stopped, or is restarting: the request will never be answered. */
export class ActorDownError extends ActorError {
  constructor(readonly address: Address, reason: string) {
    super('ACTOR_DOWN', `actor ${address} is down: ${reason}`);
  }
}

export class RequestTimeoutError extends ActorError {
  constructor(readonly address: Address, readonly messageType: string, timeoutMs: number) {
    super('REQUEST_TIMEOUT', `request ${messageType} to ${address} timed out after ${timeoutMs} ms`);
  }
}

/** No actor has that address. */
export class UnroutableError extends ActorError {
  constructor(readonly address: Address) {
    super('UNROUTABLE', `no actor at address ${address}`);
  }
}

/** The message could not be encoded or is larger than the limit. */
export class MessageRejectedError extends ActorError {
  constructor(reason: string) {
    super('MESSAGE_REJECTED', reason);
  }
}

/** The target answered with an error (replyError, or it crashed while handling the request). */
export class RemoteError extends ActorError {
  constructor(code: string, message: string, readonly address: Address) {
    super(code, message);
  }
}

/** A supervisor exceeded its restart intensity and gave up. */
export class EscalationError extends ActorError {
  constructor(readonly childId: string, readonly lastError: string) {
    super('ESCALATED', `restart intensity exceeded (last failure: ${childId}: ${lastError})`);
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
