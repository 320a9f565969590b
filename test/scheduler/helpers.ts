// Builders for scheduler tests and benchmarks: small Nodes and Pods.
import type { Node, Taint } from '../../lib/api/types/core.js';
import type { Pod, PodSpec } from '../../lib/api/types/pod.js';

export interface NodeOpts {
  cpu?: string; memory?: string; pods?: number; labels?: Record<string, string>; taints?: Taint[];
  unschedulable?: boolean; images?: { names: string[]; sizeBytes: number }[]; extra?: Record<string, string>;
}

export function node(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110), ...o.extra }, images: o.images },
  };
}

export interface PodOpts extends Partial<PodSpec> {
  cpu?: string; memory?: string; labels?: Record<string, string>; namespace?: string; image?: string;
  hostPort?: number; extra?: Record<string, string>;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const { cpu, memory, labels, namespace, image, hostPort, extra, ...spec } = o;
  const requests: Record<string, string> = { ...extra };
  if (cpu) requests['cpu'] = cpu;
  if (memory) requests['memory'] = memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: namespace ?? 'default', uid: `uid-${name}`, labels },
    spec: {
      ...spec,
      containers: [{ name: 'c', image: image ?? 'app:1', resources: { requests }, ports: hostPort ? [{ containerPort: 80, hostPort }] : undefined }],
    },
  };
}

export function bound(p: Pod, nodeName: string): Pod {
  return { ...p, spec: { ...p.spec!, nodeName }, status: { phase: 'Running' } };
}
