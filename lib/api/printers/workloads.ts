// Rows for Deployments, ReplicaSets, DaemonSets and Jobs, with the columns
// Kubernetes 1.32 prints (pkg/printers/internalversion): READY as
// "ready/desired" for Deployments, DESIRED/CURRENT/READY counts for
// ReplicaSets, the node selector for DaemonSets, and STATUS, COMPLETIONS,
// DURATION for Jobs. Wide columns: containers, images, selector.

import type { DaemonSet, Deployment, ReplicaSet } from '../types/apps.js';
import type { Job } from '../types/cluster.js';
import { formatLabelSelector, selectorFromLabelSelector } from '../selectors/label-selector.js';
import { humanDuration, parseTime, since } from './duration.js';
import { AGE_COLUMN, NAME_COLUMN, col, containerCells, formatLabels, type Printer, type TableCell } from './types.js';

const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', { wide: true });
const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', { wide: true });
const SELECTOR = col('Selector', 'string', 'Label query over pods that should match the replica count.', { wide: true });

export const deploymentPrinter: Printer<Deployment> = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(d: Deployment, now: number): TableCell[] {
    const st = d.status ?? {};
    // Deployments print the selector's String() (empty for an empty selector), not FormatLabelSelector.
    const sel = selectorFromLabelSelector(d.spec?.selector);
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata.name ?? '',
      `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      st.updatedReplicas ?? 0,
      st.availableReplicas ?? 0,
      since(d.metadata.creationTimestamp, now),
      names,
      images,
      sel.ok ? sel.selector.toString() : '<invalid>',
    ];
  },
};

export const replicaSetPrinter: Printer<ReplicaSet> = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'Replicas is the number of desired pods.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of non-terminating pods.'),
    col('Ready', 'integer', 'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(rs: ReplicaSet, now: number): TableCell[] {
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata.name ?? '',
      rs.spec?.replicas ?? 1,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      since(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

export const daemonSetPrinter: Printer<DaemonSet> = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes that are running at least one daemon pod and are supposed to.'),
    col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of it running and ready.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod.'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of it running and available.'),
    col('Node Selector', 'string', 'The node selector of the pod template.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(ds: DaemonSet, now: number): TableCell[] {
    const st = ds.status;
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      ds.metadata.name ?? '',
      st?.desiredNumberScheduled ?? 0,
      st?.currentNumberScheduled ?? 0,
      st?.numberReady ?? 0,
      st?.updatedNumberScheduled ?? 0,
      st?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      since(ds.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

function jobCondition(job: Job, type: string): boolean {
  // The first condition of that type decides, as in Kubernetes' hasJobCondition.
  return job.status?.conditions?.find((c) => c.type === type)?.status === 'True';
}

/** The STATUS column of `kubectl get jobs` (added in Kubernetes 1.31). */
export function jobStatus(job: Job): string {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (jobCondition(job, 'Suspended')) return 'Suspended';
  if (jobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job, now: number): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime);
  return humanDuration((end ?? now) - start);
}

export const jobPrinter: Printer<Job> = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded, of those wanted.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(job: Job, now: number): TableCell[] {
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [
      job.metadata.name ?? '',
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, now),
      since(job.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },
};
