// The pod row of `kubectl get pods`: READY, STATUS, RESTARTS as
// k8s.io/kubernetes/pkg/printers/internalversion printPod computes them.
// STATUS is not a field of the pod: it is derived from the phase, the
// status reason, init container states (Init:1/3, Init:CrashLoopBackOff,
// Init:ExitCode:1), container states (ContainerCreating, CrashLoopBackOff,
// Completed, Error, ExitCode:2, Signal:9), scheduling gates and deletion
// (Terminating, or Unknown for a pod on an unreachable node).

import type { ContainerStatus, Pod } from '../types/pod.js';
import { humanDuration, parseTime, since } from './duration.js';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer, type TableCell, type TableRowCondition } from './types.js';

/** The kubelet's status reason for a pod whose node stopped answering (node.NodeUnreachablePodReason). */
const NODE_UNREACHABLE_REASON = 'NodeLost';

interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** An init container with restartPolicy Always is a sidecar: it counts as a regular container for READY. */
function isSidecar(pod: Pod, name: string): boolean {
  return (pod.spec?.initContainers ?? []).some((c) => c.name === name && c.restartPolicy === 'Always');
}

function lastTerminationTime(cs: ContainerStatus): number | undefined {
  return parseTime(cs.lastState?.terminated?.finishedAt);
}

/** STATUS, READY and RESTARTS for one pod at time `now` (ms). */
export function summarizePod(pod: Pod, now: number): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const initContainers = spec?.initContainers ?? [];
  const totalContainers = (spec?.containers ?? []).length + initContainers.filter((c) => c.restartPolicy === 'Always').length;
  let readyContainers = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined): number | undefined => (b !== undefined && (a === undefined || b > a) ? b : a);

  let reason: string = status.reason || status.phase || '';
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    restarts += cs.restartCount ?? 0;
    lastRestart = later(lastRestart, lastTerminationTime(cs));
    const sidecar = isSidecar(pod, cs.name);
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, lastTerminationTime(cs));
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
      else reason = `Init:${terminated.reason}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  const initialized = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Last container first, as Kubernetes does: the first container's state wins the STATUS column.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts += cs.restartCount ?? 0;
      lastRestart = later(lastRestart, lastTerminationTime(cs));
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A finished container next to a running one: the pod is still running.
    if (reason === 'Completed' && hasRunning) {
      const podReady = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  const deleting = !!pod.metadata.deletionTimestamp;
  if (deleting && status.reason === NODE_UNREACHABLE_REASON) reason = 'Unknown';
  else if (deleting && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';

  const restartsText = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsText };
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const trueCount = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${trueCount}/${gates.length}`;
}

export const podPrinter: Printer<Pod> = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    col('IP', 'string', 'IP address allocated to the pod.', { wide: true }),
    col('Node', 'string', 'The node the pod is bound to.', { wide: true }),
    col('Nominated Node', 'string', 'The node the scheduler nominated for this pod after preempting others.', { wide: true }),
    col('Readiness Gates', 'string', 'Readiness gates satisfied, of those the pod declares.', { wide: true }),
  ],
  cells(pod: Pod, now: number): TableCell[] {
    const s = summarizePod(pod, now);
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    return [
      pod.metadata.name ?? '',
      s.ready,
      s.status,
      s.restarts,
      since(pod.metadata.creationTimestamp, now),
      ip,
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(pod: Pod): TableRowCondition[] | undefined {
    if (pod.status?.phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (pod.status?.phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};
