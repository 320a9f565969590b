/**
 * The Node a kubelet registers, its status heartbeat, and its Lease in
 * kube-node-lease: plain objects built from the kubelet's settings.
 */
import type { Lease } from '../../lib/api/types/cluster.js';
import type { Node, NodeCondition, NodeStatus } from '../../lib/api/types/core.js';
import { kubeTime } from './pod-status.js';
import type { NodePressure } from './eviction-manager.js';
import type { NodeSettings } from './settings.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const KUBELET_VERSION = 'v1.32.0-berth';

/** The conditions; pressure (from the eviction manager) in the kubelet's words, no pressure when not given. */
export function nodeConditions(s: NodeSettings, readySince: number, now: number, pressure?: NodePressure): NodeCondition[] {
  const c = (type: string, status: 'True' | 'False', reason: string, message: string, since = readySince): NodeCondition => ({
    type, status, reason, message, lastHeartbeatTime: kubeTime(now), lastTransitionTime: kubeTime(since),
  });
  const memory = pressure?.MemoryPressure;
  const disk = pressure?.DiskPressure;
  return [
    memory?.pressure
      ? c('MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', memory.since)
      : c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', memory?.since ?? readySince),
    disk?.pressure
      ? c('DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure', disk.since)
      : c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', disk?.since ?? readySince),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', `kubelet is posting ready status (${s.runtime} runtime)`),
  ];
}

export function nodeStatus(s: NodeSettings, readySince: number, now: number): NodeStatus {
  return {
    capacity: { ...s.capacity },
    allocatable: { ...s.allocatable },
    phase: 'Running',
    conditions: nodeConditions(s, readySince, now),
    addresses: [
      { type: 'InternalIP', address: s.internalIP },
      { type: 'Hostname', address: s.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: s.kubeletPort ?? 10250 } },
    nodeInfo: {
      machineID: '', systemUUID: '', bootID: '', kernelVersion: '', osImage: s.runtime === 'berth-process' ? 'Berth process node' : 'Berth simulated node',
      containerRuntimeVersion: `${s.runtime}://0.1.0`, kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux', architecture: 'amd64',
    },
  } as NodeStatus;
}

export function nodeObject(s: NodeSettings, now: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: s.name, labels: { ...s.labels } },
    spec: { podCIDR: s.podCIDR, podCIDRs: [s.podCIDR], ...(s.taints.length > 0 ? { taints: s.taints.map((t) => ({ ...t })) } : {}) },
    status: nodeStatus(s, now, now),
  };
}

export function leaseObject(s: NodeSettings, now: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: s.name, namespace: NODE_LEASE_NAMESPACE },
    spec: { holderIdentity: s.name, leaseDurationSeconds: s.leaseDurationSeconds, renewTime: microTime(now) },
  };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}
