/** Object builders for the controller tests. */
import type { Deployment, ReplicaSet } from '../../lib/api/types/apps.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { OwnerReference } from '../../lib/api/types/meta.js';
import { timestamp } from '../../actors/controller-manager/objects.js';
import { EPOCH } from './fixture.js';

export function rs(name: string, replicas: number, extra: { labels?: Record<string, string>; minReadySeconds?: number; uid?: string } = {}): ReplicaSet {
  const labels = extra.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: extra.uid ?? `uid-${name}`, generation: 1 },
    spec: { replicas, minReadySeconds: extra.minReadySeconds, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } },
  };
}

export interface PodOptions {
  labels?: Record<string, string>;
  owner?: OwnerReference;
  node?: string;
  phase?: Pod['status'] extends infer S ? (S extends { phase?: infer P } ? P : never) : never;
  ready?: boolean;
  readySince?: number;
  createdAt?: number;
  restarts?: number;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  const conditions = o.ready !== undefined ? [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: timestamp(o.readySince ?? EPOCH) } as const] : [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: o.labels ?? { app: 'web' },
      creationTimestamp: timestamp(o.createdAt ?? EPOCH),
      ...(o.owner ? { ownerReferences: [o.owner] } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx:1' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? (o.ready ? 'Running' : 'Pending'),
      conditions,
      ...(o.restarts ? { containerStatuses: [{ name: 'c', ready: !!o.ready, restartCount: o.restarts, image: 'nginx:1', imageID: '' }] } : {}),
    },
  };
}

export function ownerRef(kind: string, name: string, uid = `uid-${name}`): OwnerReference {
  return { apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1', kind, name, uid, controller: true, blockOwnerDeletion: true };
}

export function deployment(name: string, replicas: number, extra: Partial<NonNullable<Deployment['spec']>> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...extra,
    },
  };
}
