/**
 * Shape checks for requests that arrive as decoded msgpack from other
 * threads: a malformed request is answered with INVALID_ARGUMENT, never a crash.
 */
import type { StoreRequest } from './messages.js';

const writeOps = new Set(['create', 'update', 'put', 'delete']);

/** Why a request cannot be served, or null. */
export function requestProblem(msg: StoreRequest): string | null {
  switch (msg.type) {
    case 'store.write': {
      if (!Array.isArray(msg.ops)) return 'store.write needs an ops array';
      for (let i = 0; i < msg.ops.length; i++) {
        const op = msg.ops[i] as unknown as Record<string, unknown> | null;
        if (typeof op !== 'object' || op === null) return `ops[${i}] is not an object`;
        if (!writeOps.has(op.op as string)) return `ops[${i}].op must be one of create, update, put, delete`;
        if (typeof op.key !== 'string') return `ops[${i}].key must be a string`;
        if (op.expectedRevision !== undefined && !Number.isSafeInteger(op.expectedRevision)) return `ops[${i}].expectedRevision must be an integer`;
        if (op.op === 'delete') continue;
        if (op.encoded !== undefined) {
          if (!(op.encoded instanceof Uint8Array)) return `ops[${i}].encoded must be bytes`;
          if (op.value !== undefined) return `ops[${i}] has both value and encoded`;
        } else if (!('value' in op)) return `ops[${i}].value (or encoded) is required`;
      }
      return null;
    }
    case 'store.write-batch':
      return msg.batch instanceof Uint8Array ? null : 'store.write-batch needs a batch of bytes';
    case 'store.get':
      return typeof msg.key === 'string' ? null : 'store.get needs a string key';
    case 'store.range':
      return typeof msg.request === 'object' && msg.request !== null && typeof msg.request.prefix === 'string'
        ? null
        : 'store.range needs request.prefix';
    case 'store.count':
      return typeof msg.prefix === 'string' ? null : 'store.count needs a string prefix';
    case 'store.watch':
      if (typeof msg.watchId !== 'string' || typeof msg.prefix !== 'string') return 'store.watch needs watchId and prefix';
      if (msg.sinceRevision !== undefined && !Number.isSafeInteger(msg.sinceRevision)) return 'sinceRevision must be an integer';
      return null;
    case 'store.unwatch':
      return typeof msg.watchId === 'string' ? null : 'store.unwatch needs a watchId';
    case 'store.compact':
      return Number.isSafeInteger(msg.revision) ? null : 'store.compact needs an integer revision';
    case 'store.stats':
      return null;
    default:
      return `unknown store request ${(msg as { type: string }).type}`;
  }
}
