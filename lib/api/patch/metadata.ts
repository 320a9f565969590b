// Strategic-merge-patch metadata for the built-in kinds: which lists merge
// (and by which key) and which maps are replaced, transcribed from the
// `patchStrategy` / `patchMergeKey` struct tags in k8s.io/api (core/v1,
// apps/v1, batch/v1) and metav1.ObjectMeta. Kubernetes reads these tags by
// reflection; Berth has no Go structs, so the table is data.
//
// Anything not listed merges like JSON merge patch: maps recursively, lists
// replaced. Notably *replaced* (no tag in Kubernetes): tolerations, node
// taints, envFrom, command/args, affinity term lists, readinessGates,
// endpoint subsets, containerStatuses.

export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

export interface PatchMeta {
  /** "merge" on a list: merge elements by mergeKey (lists of maps) or as a set (primitives). */
  readonly strategy?: PatchStrategy;
  readonly mergeKey?: string;
  /** The struct fields of the value (for a list: of each element). */
  readonly fields?: PatchSchema;
}

export type PatchSchema = Readonly<Record<string, PatchMeta>>;

const mergeBy = (mergeKey: string, fields?: PatchSchema): PatchMeta => (fields ? { strategy: 'merge', mergeKey, fields } : { strategy: 'merge', mergeKey });
const conditionsByType = mergeBy('type');

export const objectMetaSchema: PatchSchema = {
  ownerReferences: mergeBy('uid'),
  finalizers: { strategy: 'merge' },
};

export const containerSchema: PatchSchema = {
  ports: mergeBy('containerPort'),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
};

export const podSpecSchema: PatchSchema = {
  volumes: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  initContainers: mergeBy('name', containerSchema),
  containers: mergeBy('name', containerSchema),
  ephemeralContainers: mergeBy('name', containerSchema),
  imagePullSecrets: mergeBy('name'),
  hostAliases: mergeBy('ip'),
  topologySpreadConstraints: mergeBy('topologyKey'),
  resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  schedulingGates: mergeBy('name'),
};

export const podStatusSchema: PatchSchema = {
  conditions: conditionsByType,
  podIPs: mergeBy('ip'),
  hostIPs: mergeBy('ip'),
  resourceClaimStatuses: { strategy: 'merge,retainKeys', mergeKey: 'name' },
};

const metadata: PatchMeta = { fields: objectMetaSchema };

export const podTemplateSpecSchema: PatchSchema = {
  metadata,
  spec: { fields: podSpecSchema },
};

const template: PatchMeta = { fields: podTemplateSpecSchema };
const workloadStatus: PatchMeta = { fields: { conditions: conditionsByType } };

export const podSchema: PatchSchema = { metadata, spec: { fields: podSpecSchema }, status: { fields: podStatusSchema } };

export const nodeSchema: PatchSchema = {
  metadata,
  spec: { fields: { podCIDRs: { strategy: 'merge' } } },
  status: { fields: { conditions: conditionsByType, addresses: mergeBy('type') } },
};

export const namespaceSchema: PatchSchema = { metadata, status: workloadStatus };

export const serviceSchema: PatchSchema = {
  metadata,
  spec: { fields: { ports: mergeBy('port') } },
  status: workloadStatus,
};

export const deploymentSchema: PatchSchema = {
  metadata,
  spec: { fields: { template, strategy: { strategy: 'retainKeys' } } },
  status: workloadStatus,
};

export const replicaSetSchema: PatchSchema = { metadata, spec: { fields: { template } }, status: workloadStatus };
export const daemonSetSchema: PatchSchema = replicaSetSchema;
export const jobSchema: PatchSchema = { metadata, spec: { fields: { template } }, status: workloadStatus };

/** Kinds whose only patch metadata is in ObjectMeta. */
export const metadataOnlySchema: PatchSchema = { metadata };

/** Patch schemas by kind, for the resource table. */
export const patchSchemas: Readonly<Record<string, PatchSchema>> = {
  Pod: podSchema,
  PodTemplate: { metadata, template },
  Node: nodeSchema,
  Namespace: namespaceSchema,
  Service: serviceSchema,
  Endpoints: metadataOnlySchema,
  Event: metadataOnlySchema,
  ConfigMap: metadataOnlySchema,
  Secret: metadataOnlySchema,
  Deployment: deploymentSchema,
  ReplicaSet: replicaSetSchema,
  DaemonSet: daemonSetSchema,
  Scale: metadataOnlySchema,
  Job: jobSchema,
  Lease: metadataOnlySchema,
  PriorityClass: metadataOnlySchema,
  PodDisruptionBudget: { metadata, status: workloadStatus },
};
