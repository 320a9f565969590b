/**
 * What a new host thread is given: its boot settings, the actors of its
 * child spec, and a link to every other thread (a MessageChannel of its own
 * per pair with direct routing; through the supervisor with relay).
 */
import { MessageChannel } from 'node:worker_threads';
import { MAIN_HOST, type HostBoot } from './control.js';
import type { HostHandle } from './host-handle.js';
import { effectiveLogLevel } from './logger.js';
import type { MainEndpoint } from './main-endpoint.js';
import { isGroupSpec, type ChildSpec } from './supervision.js';
import type { SupervisorOptions } from './supervisor-options.js';
import type { ActorSpec } from './types.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export function hostBoot(options: SupervisorOptions, structures: string[][]): Omit<HostBoot, 'hostId' | 'inspectPort'> {
  return {
    structures,
    clock: options.clock ?? 'real',
    routing: options.routing ?? 'direct',
    batch: options.batch ?? true,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    logLevel: effectiveLogLevel(options.logLevel),
  };
}

/** The actors a child spec puts on its host. */
export function actorSpecsOf(spec: ChildSpec): ActorSpec[] {
  if (isGroupSpec(spec)) return [...spec.group];
  return [{ address: spec.id, module: spec.module, export: spec.export, args: spec.args }];
}

/** Give a new host the routing table and a link to every other live thread. */
export function linkHost(handle: HostHandle, others: Iterable<HostHandle>, main: MainEndpoint, relay: boolean): void {
  const hostId = handle.hostId;
  handle.post({ k: 'routes', set: [...main.routes], del: [] });
  main.setLink(hostId, { post: (bytes) => handle.post({ k: 'frame', from: MAIN_HOST, bytes }, [bytes.buffer as ArrayBuffer]) });
  for (const other of others) {
    if (other === handle || !other.alive) continue;
    if (relay) {
      handle.post({ k: 'link', host: other.hostId, port: null });
      other.post({ k: 'link', host: hostId, port: null });
    } else {
      const { port1, port2 } = new MessageChannel();
      handle.post({ k: 'link', host: other.hostId, port: port1 }, [port1]);
      other.post({ k: 'link', host: hostId, port: port2 }, [port2]);
    }
  }
}
