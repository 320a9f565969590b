/**
 * The kubelet's pod status write as Kubernetes' status manager sends it: a
 * strategic merge patch of pods/status holding only what differs between
 * the status the API shows (the informer's copy) and the one the kubelet
 * reports (pod-status.ts); null when nothing visible differs, and then
 * nothing is written.
 *
 * What the patch can hold, and why:
 * - phase, hostIP(s), podIP(s), startTime, and reason/message of an
 *   eviction, when they differ. Fields the kubelet leaves out are never
 *   deleted (a terminated pod keeps its IPs, as Kubernetes shows them).
 * - the kubelet's own conditions that differ, each as its type (the merge
 *   key) plus the fields that changed; a reason or message that went away
 *   is null. Conditions other writers own (PodScheduled, a
 *   DisruptionTarget of the taint manager, readiness gates) are left as
 *   they are, which a whole conditions list would not do.
 *   `$setElementOrder/conditions` comes only with a condition the API does
 *   not have yet, so it lands where Kubernetes lists it.
 * - containerStatuses / initContainerStatuses whole when any differs: the
 *   lists are atomic in Kubernetes (no patch merge key).
 *
 * Writing diffs is what brings a simulated pod start to a few small
 * objects per write instead of a whole status (bench/node.ts).
 */
import type { ContainerStatus, PodCondition, PodStatus } from '../../lib/api/types/pod.js';
import { intToIp } from '../../lib/net/ipv4.js';
import { podPhase, type PodRec } from './pod-state.js';
import { containerStatuses, containerStatusIs, kubeTime, visitKubeletConditions } from './pod-status.js';

/** The body of a pods/status strategic merge patch: `{ status: StatusPatch }`. */
export type StatusPatch = Record<string, unknown>;

export function statusDiff(pod: PodRec, cur: Readonly<PodStatus> | undefined, hostIP: string, scheme: string): StatusPatch | null {
  let out: StatusPatch | null = null;
  const phase = podPhase(pod);
  if (cur?.phase !== phase) (out ??= {}).phase = phase;
  if (cur?.hostIP !== hostIP) (out ??= {}).hostIP = hostIP;
  if (!oneIp(cur?.hostIPs, hostIP)) (out ??= {}).hostIPs = [{ ip: hostIP }];
  const start = kubeTime(pod.startTime);
  if (cur?.startTime !== start) (out ??= {}).startTime = start;
  if (pod.evicted !== undefined) {
    if (cur?.reason !== 'Evicted') (out ??= {}).reason = 'Evicted';
    if (cur?.message !== pod.evicted) (out ??= {}).message = pod.evicted;
  }
  if (pod.ip && !(isIp(cur?.podIP, pod.ip) && cur?.podIPs?.length === 1 && isIp(cur.podIPs[0]!.ip, pod.ip))) {
    const ip = intToIp(pod.ip);
    if (cur?.podIP !== ip) (out ??= {}).podIP = ip;
    if (!oneIp(cur?.podIPs, ip)) (out ??= {}).podIPs = [{ ip }];
  }
  const conditions = conditionsDiff(pod, cur?.conditions);
  if (conditions) Object.assign((out ??= {}), conditions);
  // Built only when they differ (compared in place: building them for every write was most of a diff).
  if (!statusesAre(cur?.containerStatuses, pod, pod.initCount, pod.containers.length, scheme)) (out ??= {}).containerStatuses = containerStatuses(pod, false, scheme)!;
  if (pod.initCount > 0 && !statusesAre(cur?.initContainerStatuses, pod, 0, pod.initCount, scheme)) (out ??= {}).initContainerStatuses = containerStatuses(pod, true, scheme)!;
  return out;
}

/** `text` is the dotted form of `ip` (compared without formatting it: every diff would). */
function isIp(text: string | undefined, ip: number): boolean {
  if (text === undefined) return false;
  let i = 0;
  for (let shift = 24; shift >= 0; shift -= 8) {
    if (shift < 24 && text.charCodeAt(i++) !== 46) return false;
    let v = 0;
    const from = i;
    for (let ch = text.charCodeAt(i); ch >= 48 && ch <= 57; ch = text.charCodeAt(++i)) v = v * 10 + ch - 48;
    if (i === from || v !== ((ip >>> shift) & 255)) return false;
  }
  return i === text.length;
}

function oneIp(list: readonly { ip: string }[] | undefined, ip: string): boolean {
  return list !== undefined && list.length === 1 && list[0]!.ip === ip;
}

function conditionsDiff(pod: PodRec, have: readonly PodCondition[] | undefined): StatusPatch | null {
  let changed: Record<string, unknown>[] | null = null;
  let added = false;
  visitKubeletConditions(pod, (type, ok, since, reason, message) => {
    const c = byType(have, type);
    const status = ok ? 'True' : 'False';
    const at = kubeTime(since);
    if (!c) {
      // New to the API; without lastProbeTime: null (in a strategic merge patch null means "delete").
      added = true;
      const fresh: Record<string, unknown> = { type, status, lastTransitionTime: at };
      if (reason) fresh['reason'] = reason;
      if (message) fresh['message'] = message;
      (changed ??= []).push(fresh);
      return;
    }
    // The fields that differ (null for one to remove), with the merge key.
    let d: Record<string, unknown> | null = null;
    if (c.status !== status) (d ??= { type }).status = status;
    if (c.lastTransitionTime !== at) (d ??= { type }).lastTransitionTime = at;
    if ((c.reason || undefined) !== (reason || undefined)) (d ??= { type }).reason = reason || null;
    if ((c.message || undefined) !== (message || undefined)) (d ??= { type }).message = message || null;
    // The kubelet never probes a pod condition: a lastProbeTime someone set goes.
    if (c.lastProbeTime != null) (d ??= { type }).lastProbeTime = null;
    if (d) (changed ??= []).push(d);
  });
  if (!changed) return null;
  if (!added) return { conditions: changed };
  // The final order: the kubelet's conditions with PodScheduled where Kubernetes lists it (pod-status.ts podStatus).
  const order: { type: string }[] = [];
  visitKubeletConditions(pod, (type) => void order.push({ type }));
  if (byType(have, 'PodScheduled')) order.splice(4, 0, { type: 'PodScheduled' });
  return { '$setElementOrder/conditions': order, conditions: changed };
}

/** The condition of that type (a loop: a find() callback per condition per write was a tenth of what a diff allocates). */
function byType(list: readonly PodCondition[] | undefined, type: string): PodCondition | undefined {
  if (list) for (let i = 0; i < list.length; i++) if (list[i]!.type === type) return list[i];
  return undefined;
}

/** The API's list shows containers [from, to) of the record as the kubelet would write them. */
function statusesAre(have: readonly ContainerStatus[] | undefined, pod: PodRec, from: number, to: number, scheme: string): boolean {
  if (!have || have.length !== to - from) return false;
  for (let i = from; i < to; i++) if (!containerStatusIs(have[i - from]!, scheme, pod, pod.containers[i]!, i)) return false;
  return true;
}
