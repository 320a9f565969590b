/**
 * The simulated runtime: no OS resources. Image pulls are shared per image
 * and serialized per node (the kubelet's serializeImagePulls default);
 * starts, exits and stops are drawn by pod-state from the sim config; probe
 * outcomes come from the sim config's `probes` by time since the container
 * started. It keeps no logs.
 */
import type { ContainerRec, PodRec } from '../pod-state.js';
import type { ProbeRec } from '../probes.js';
import { containerBehaviour, drawFor } from '../sim.js';
import type { ContainerRuntime, LogRead } from './types.js';

export class SimulatedRuntime implements ContainerRuntime {
  readonly kind = 'simulated' as const;
  readonly scheme = 'berth-sim';
  /** Image -> when it is (or will be) on the node. */
  private readonly images = new Map<string, number>();
  private pullFreeAt = 0;

  imageReadyAt(image: string, t: number, pullMs: number): number {
    const at = this.images.get(image);
    if (at !== undefined) return Math.max(t, at);
    const done = Math.max(t, this.pullFreeAt) + pullMs;
    this.pullFreeAt = done;
    this.images.set(image, done);
    return done;
  }

  probe(pod: PodRec, c: ContainerRec, p: ProbeRec, t: number): boolean {
    const b = containerBehaviour(pod.sim, c.name);
    const sim = b.probes?.[p.kind];
    const since = t - c.startedAt;
    const passDefault = p.kind === 'readiness' ? b.readyDelayMs : undefined;
    const passAfter = drawFor(sim?.passAfterMs ?? passDefault, pod.name, c.name, c.restarts, p.kind, 'pass');
    if (since < passAfter) return false;
    if (sim?.failAfterMs === undefined) return true;
    return since < drawFor(sim.failAfterMs, pod.name, c.name, c.restarts, p.kind, 'fail');
  }

  status(): undefined {
    return undefined;
  }

  logs(pod: PodRec, c: ContainerRec): LogRead | { error: string } {
    return { error: `container "${c.name}" in pod "${pod.name}" runs on a simulated node: simulated containers write no logs` };
  }

  removePod(): void {}

  shutdown(): void {}
}
