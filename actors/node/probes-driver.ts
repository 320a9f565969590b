/**
 * The kubelet's prober: runs a pod's due probes through the runtime and
 * applies each outcome to the pod (ready, started, or a kill that restarts
 * the container). Simulated probes answer at once; process probes answer
 * later through the runtime's `probed` event.
 */
import { killContainer, setReady, setStarted, type ContainerRec, type PodRec } from './pod-state.js';
import { probeResult, takeDueProbes, type ProbeRec } from './probes.js';
import type { ContainerRuntime } from './runtime/types.js';

export interface ProbeHost {
  readonly runtime: ContainerRuntime;
  /** The grace period of a kill by a failed probe (the probe's own, else the pod's). */
  graceMs(pod: PodRec, p: ProbeRec): number;
  /** An asynchronous outcome, to be applied on the kubelet's turn. */
  probed(pod: PodRec, c: ContainerRec, run: number, p: ProbeRec, ok: boolean): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** Run every probe due by `now`; true when a synchronous outcome changed the pod. */
export function runDueProbes(pod: PodRec, now: number, host: ProbeHost): boolean {
  let changed = false;
  for (const c of pod.containers) {
    if (!c.probes || c.stage !== 'running') continue;
    const run = c.restarts;
    for (const p of takeDueProbes(c.probes, now, run)) {
      const out = host.runtime.probe(pod, c, p, now);
      if (typeof out === 'boolean') changed = applyProbe(pod, c, p, run, out, now, host) || changed;
      else
        out.then(
          (ok) => host.probed(pod, c, run, p, ok),
          (err: unknown) => {
            host.warn('probe failed to run', { pod: pod.key, container: c.name, probe: p.kind, error: String(err) });
            host.probed(pod, c, run, p, false);
          },
        );
    }
  }
  return changed;
}

/** One outcome; true when the pod changed. */
export function applyProbe(pod: PodRec, c: ContainerRec, p: ProbeRec, run: number, ok: boolean, now: number, host: ProbeHost): boolean {
  if (!c.probes || c.restarts !== run || c.stage !== 'running') return false;
  const action = probeResult(c.probes, p, run, ok, now, c.ready);
  switch (action.type) {
    case 'none':
      return false;
    case 'ready':
      setReady(pod, c, action.ready, now);
      return true;
    case 'started':
      setStarted(pod, c, now);
      return true;
    case 'kill':
      killContainer(pod, c, now, host.graceMs(pod, p), host.runtime);
      return true;
    default: {
      const never: never = action;
      throw new Error(`unknown probe action ${JSON.stringify(never)}`);
    }
  }
}
