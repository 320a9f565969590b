/**
 * What a simulated node remembers across an outage (`kubelet.fail` then
 * `kubelet.recover`): nothing of its containers. A pod the api still binds
 * to it is admitted afresh, and each container that had run before counts
 * one more restart, as the kubelet does after a reboot (it finds the count
 * from the container's log files when the runtime lost its state), with the
 * lost run as lastState (exit 137, ContainerStatusUnknown).
 */
import type { ContainerStatus, Pod } from '../../lib/api/types/pod.js';
import type { PodRec } from './pod-state.js';

export type Outage = 'none' | 'down' | 'partitioned';

function hadRun(s: ContainerStatus): boolean {
  return (s.restartCount ?? 0) > 0 || !!s.state?.running || !!s.state?.terminated || !!s.containerID;
}

/** Carry `pod`'s reported restart counts into `rec`, a record admitted after the node came back at `backAt`. */
export function carryRestartsOverReboot(rec: PodRec, pod: Readonly<Pod>, downAt: number): void {
  const reported = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const c of rec.containers) {
    const s = reported.find((x) => x.name === c.name);
    if (!s || !hadRun(s)) continue;
    const started = Date.parse(s.state?.running?.startedAt ?? s.state?.terminated?.startedAt ?? '');
    c.last = {
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      message: 'The container could not be located when the pod was terminated',
      startedAt: Number.isNaN(started) ? downAt : started,
      finishedAt: downAt,
      run: s.restartCount ?? 0,
    };
    c.restarts = (s.restartCount ?? 0) + 1;
  }
}
