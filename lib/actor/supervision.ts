/**
 * Supervision as data (OTP semantics), and the pure decisions made from it.
 */
import type { ActorModule, ActorSpec, Address } from './types.js';

export type RestartType = 'permanent' | 'transient' | 'temporary';
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

export interface RestartPolicy {
  readonly strategy: Strategy;
  /** At most this many restarts within `periodMs`, else escalate. OTP default: 1. */
  readonly intensity: number;
  /** OTP default: 5 s. */
  readonly periodMs: number;
}

export const defaultRestartPolicy: RestartPolicy = { strategy: 'one_for_one', intensity: 1, periodMs: 5_000 };
/** Group children (many actors on one thread) restart their actors in place within this window unless they say otherwise. */
export const defaultGroupPolicy: RestartPolicy = { strategy: 'one_for_one', intensity: 10, periodMs: 5_000 };

/** An actor that gets a host thread of its own (the control-plane components). */
export interface ActorChildSpec extends ActorModule {
  readonly id: Address;
  readonly args?: unknown;
  readonly restart?: RestartType;
  /** How long a child may take to stop before its host is terminated. Default 5 s. */
  readonly shutdownMs?: number;
}

/**
 * Many actors packed on one host thread (simulated nodes). Inside the group its
 * own policy restarts actors in place; if the thread dies, or the group's
 * intensity is exceeded, the group as a whole fails and the parent's policy applies.
 */
export interface GroupChildSpec {
  readonly id: string;
  readonly group: readonly ActorSpec[];
  readonly policy?: Partial<RestartPolicy>;
  readonly restart?: RestartType;
  readonly shutdownMs?: number;
}

export type ChildSpec = ActorChildSpec | GroupChildSpec;

export function isGroupSpec(spec: ChildSpec): spec is GroupChildSpec {
  return 'group' in spec;
}

export const defaultShutdownMs = 5_000;

/** Why a child ended: a crash, a normal exit, or an orderly stop. */
export type ExitReason = 'crash' | 'normal' | 'shutdown';

/** OTP's rule for whether a child should be restarted after it ends. */
export function shouldRestart(restart: RestartType, reason: ExitReason): boolean {
  if (reason === 'shutdown') return false;
  switch (restart) {
    case 'permanent':
      return true;
    case 'transient':
      return reason === 'crash';
    case 'temporary':
      return false;
    default: {
      const never: never = restart;
      throw new Error(`unknown restart type ${String(never)}`);
    }
  }
}

/**
 * Which children the strategy restarts when `failed` ends, in start order.
 * `order` is the children's start order. The failed child is included when its
 * restart type asks for it; the siblings taken down with it are restarted only
 * if they are not temporary.
 */
export function childrenToRestart(
  strategy: Strategy,
  order: readonly string[],
  failed: string,
  restartOf: (id: string) => RestartType,
  reason: ExitReason,
): string[] {
  const failedRestarts = shouldRestart(restartOf(failed), reason);
  const idx = order.indexOf(failed);
  if (idx < 0) return [];
  let affected: readonly string[];
  switch (strategy) {
    case 'one_for_one':
      affected = [failed];
      break;
    case 'one_for_all':
      affected = order;
      break;
    case 'rest_for_one':
      affected = order.slice(idx);
      break;
    default: {
      const never: never = strategy;
      throw new Error(`unknown strategy ${String(never)}`);
    }
  }
  // If the failed child is not to be restarted, OTP does not touch its siblings.
  if (!failedRestarts) return [];
  return affected.filter((id) => id === failed || restartOf(id) !== 'temporary');
}

/**
 * The sliding restart window: restart times within the period. Returns the
 * new window and whether the intensity was exceeded (then: escalate).
 */
export function recordRestart(
  window: readonly number[],
  now: number,
  policy: RestartPolicy,
): { window: number[]; exceeded: boolean } {
  const recent = window.filter((t) => now - t < policy.periodMs);
  recent.push(now);
  return { window: recent, exceeded: recent.length > policy.intensity };
}

export function validateChildSpecs(specs: readonly ChildSpec[]): void {
  const seen = new Set<string>();
  const addresses = new Set<Address>();
  for (const spec of specs) {
    if (!spec.id || typeof spec.id !== 'string') throw new TypeError('child spec needs a string id');
    if (seen.has(spec.id)) throw new TypeError(`duplicate child id "${spec.id}"`);
    seen.add(spec.id);
    const actors: readonly { address: Address; module: string }[] = isGroupSpec(spec)
      ? spec.group
      : [{ address: spec.id, module: spec.module }];
    for (const actor of actors) {
      if (!actor.address || typeof actor.address !== 'string') throw new TypeError(`child "${spec.id}": actor needs an address`);
      if (actor.address === 'supervisor') throw new TypeError('the address "supervisor" is reserved');
      if (addresses.has(actor.address)) throw new TypeError(`duplicate actor address "${actor.address}"`);
      if (!actor.module) throw new TypeError(`actor "${actor.address}" needs a module`);
      addresses.add(actor.address);
    }
  }
}
