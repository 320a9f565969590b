// Entries of the resource table outside the core group: apps/v1 workloads
// (with /status and, for Deployments and ReplicaSets, /scale), batch/v1
// Jobs, coordination.k8s.io/v1 Leases (node heartbeats) and
// scheduling.k8s.io/v1 PriorityClasses, policy/v1 PodDisruptionBudgets.

import type { DaemonSet, Deployment, ReplicaSet } from '../types/apps.js';
import type { Job, Lease, PriorityClass } from '../types/cluster.js';
import type { PodDisruptionBudget } from '../types/policy.js';
import { defaultPriorityClass } from '../defaults/core.js';
import { defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet } from '../defaults/workloads.js';
import { patchSchemas } from '../patch/metadata.js';
import { leasePrinter, priorityClassPrinter } from '../printers/core.js';
import { podDisruptionBudgetPrinter } from '../printers/policy.js';
import { validatePodDisruptionBudget, validatePodDisruptionBudgetStatus } from '../validation/policy.js';
import { daemonSetPrinter, deploymentPrinter, jobPrinter, replicaSetPrinter } from '../printers/workloads.js';
import { validateDaemonSet, validateDeployment, validateReplicaSet, validateWorkloadUpdate } from '../validation/workloads.js';
import { SCALE_SUBRESOURCE, defineResource, statusSubresource } from './define.js';
import { JOB_FIELDS, REPLICASET_FIELDS, jobFields, replicaSetFields } from './fields.js';
import type { ResourceDef } from './types.js';
import { metadataValidator, validateJob, validateJobUpdate, validatePriorityClass, validatePriorityClassUpdate } from './validators.js';

const schema = (kind: string) => patchSchemas[kind]!;

export const deployments: ResourceDef<Deployment> = defineResource<Deployment>({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: [SCALE_SUBRESOURCE, statusSubresource('apps', 'v1', 'Deployment')],
  patchSchema: schema('Deployment'),
  printer: deploymentPrinter,
  validate: validateDeployment,
  validateUpdate: (next, old) => validateWorkloadUpdate(next, old, validateDeployment),
  defaults: defaultDeployment,
});

export const replicaSets: ResourceDef<ReplicaSet> = defineResource<ReplicaSet>({
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: [SCALE_SUBRESOURCE, statusSubresource('apps', 'v1', 'ReplicaSet')],
  fieldSelectors: REPLICASET_FIELDS,
  toFields: replicaSetFields,
  patchSchema: schema('ReplicaSet'),
  printer: replicaSetPrinter,
  validate: validateReplicaSet,
  validateUpdate: (next, old) => validateWorkloadUpdate(next, old, validateReplicaSet),
  defaults: defaultReplicaSet,
});

export const daemonSets: ResourceDef<DaemonSet> = defineResource<DaemonSet>({
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: [statusSubresource('apps', 'v1', 'DaemonSet')],
  patchSchema: schema('DaemonSet'),
  printer: daemonSetPrinter,
  validate: validateDaemonSet,
  validateUpdate: (next, old) => validateWorkloadUpdate(next, old, validateDaemonSet),
  defaults: defaultDaemonSet,
});

export const jobs: ResourceDef<Job> = defineResource<Job>({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('batch', 'v1', 'Job')],
  fieldSelectors: JOB_FIELDS,
  toFields: jobFields,
  patchSchema: schema('Job'),
  printer: jobPrinter,
  validate: validateJob,
  validateUpdate: validateJobUpdate,
  defaults: defaultJob,
});

export const leases: ResourceDef<Lease> = defineResource<Lease>({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
  patchSchema: schema('Lease'),
  printer: leasePrinter,
  validate: metadataValidator(true),
});

export const priorityClasses: ResourceDef<PriorityClass> = defineResource<PriorityClass>({
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  namespaced: false,
  shortNames: ['pc'],
  patchSchema: schema('PriorityClass'),
  printer: priorityClassPrinter,
  validate: validatePriorityClass,
  validateUpdate: validatePriorityClassUpdate,
  defaults: defaultPriorityClass,
});

export const podDisruptionBudgets: ResourceDef<PodDisruptionBudget> = defineResource<PodDisruptionBudget>({
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  namespaced: true,
  shortNames: ['pdb'],
  subresources: [statusSubresource('policy', 'v1', 'PodDisruptionBudget')],
  patchSchema: schema('PodDisruptionBudget'),
  printer: podDisruptionBudgetPrinter,
  // A /status write is validated as a whole object too, so its counters are checked here.
  validate: (pdb) => [...validatePodDisruptionBudget(pdb), ...validatePodDisruptionBudgetStatus(pdb.status)],
});

export const GROUP_RESOURCES: readonly ResourceDef[] = [deployments, replicaSets, daemonSets, jobs, podDisruptionBudgets, leases, priorityClasses];
