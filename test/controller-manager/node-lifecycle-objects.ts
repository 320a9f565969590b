/** Object builders and a driver for the node lifecycle tests. */
import type { Lease } from '../../lib/api/types/cluster.js';
import type { Node, Taint } from '../../lib/api/types/core.js';
import type { Pod, Toleration } from '../../lib/api/types/pod.js';
import type { Controller } from '../../actors/controller-manager/controller.js';
import { timestamp } from '../../actors/controller-manager/objects.js';
import { EPOCH, settle, type Fixture } from './fixture.js';

export interface NodeOptions {
  /** The Ready condition's status; null for none. Default 'True'. */
  ready?: 'True' | 'False' | 'Unknown' | null;
  zone?: string;
  heartbeat?: number;
  taints?: Taint[];
  unschedulable?: boolean;
  memoryPressure?: boolean;
}

export function node(name: string, o: NodeOptions = {}): Node {
  const hb = timestamp(o.heartbeat ?? EPOCH);
  const cond = (type: string, status: 'True' | 'False' | 'Unknown', reason: string) => ({ type, status, reason, message: reason, lastHeartbeatTime: hb, lastTransitionTime: timestamp(EPOCH - 3_600_000) });
  const conditions = [cond('MemoryPressure', o.memoryPressure ? 'True' : 'False', 'KubeletHasSufficientMemory'), cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'), cond('PIDPressure', 'False', 'KubeletHasSufficientPID')];
  const ready = o.ready === undefined ? 'True' : o.ready;
  if (ready !== null) conditions.push(cond('Ready', ready, ready === 'True' ? 'KubeletReady' : 'KubeletNotReady'));
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': o.zone ?? 'zone-a' } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions },
  };
}

export function lease(name: string, renewMs = EPOCH): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date(renewMs).toISOString().replace('Z', '000Z') },
  };
}

/** A running, ready pod on `nodeName`; with the api-server's default 300 s tolerations unless `tolerations` is given. */
export function boundPod(name: string, nodeName: string, tolerations?: Toleration[]): Pod {
  const defaults: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: { nodeName, containers: [{ name: 'c', image: 'nginx:1' }], tolerations: tolerations ?? defaults },
    status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: timestamp(EPOCH) }] },
  };
}

export function taintKeys(n: Node | undefined, effect: Taint['effect']): string[] {
  return (n?.spec?.taints ?? []).filter((t) => t.effect === effect).map((t) => t.key).sort();
}

/** Process every ready key of the controllers, again until nothing is left to do now. */
export async function drain(...cs: Controller[]): Promise<void> {
  for (let round = 0; round < 50; round++) {
    await settle();
    let any = false;
    for (const c of cs) while (await c.processNext()) any = true;
    if (!any) return;
  }
}

/** Advance the fake clock in steps, draining the controllers after each. */
export async function runFor(fx: Fixture, ms: number, stepMs: number, ...cs: Controller[]): Promise<void> {
  await drain(...cs);
  for (let t = 0; t < ms; t += stepMs) {
    fx.clock.advance(Math.min(stepMs, ms - t));
    await drain(...cs);
  }
}
