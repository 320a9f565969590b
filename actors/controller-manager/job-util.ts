/**
 * Job bookkeeping, as Kubernetes' pkg/controller/job utilities: conditions
 * and their reasons, the pod failure back-off (10 s doubled per failure
 * since the last success, at most 10 minutes, from the last failure's
 * finish), completion indexes (Indexed mode) and their compressed text form
 * ("1,3-5,7").
 */
import type { Job, JobCondition } from '../../lib/api/types/cluster.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { parseTime, timestamp } from './objects.js';

export const JOB_GVK = { apiVersion: 'batch/v1', kind: 'Job' };
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

export const JobReasons = {
  BackoffLimitExceeded: 'BackoffLimitExceeded',
  DeadlineExceeded: 'DeadlineExceeded',
  CompletionsReached: 'CompletionsReached',
  Suspended: 'JobSuspended',
  Resumed: 'JobResumed',
} as const;

export const JobMessages = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  CompletionsReached: 'Reached expected number of succeeded pods',
} as const;

/** Kubernetes' DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 600_000;

export function jobCondition(job: Readonly<Job>, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Complete or Failed: nothing more to do but wait for the TTL. */
export function isJobFinished(job: Readonly<Job>): boolean {
  return !!(jobCondition(job, 'Complete') ?? jobCondition(job, 'Failed'));
}

/** When it finished (the terminal condition's transition), or undefined. */
export function jobFinishTime(job: Readonly<Job>): number | undefined {
  const c = jobCondition(job, 'Complete') ?? jobCondition(job, 'Failed');
  if (!c) return undefined;
  const t = parseTime(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

export function newJobCondition(type: string, reason: string, message: string, now: number): JobCondition {
  const ts = timestamp(now);
  return { type, status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason, message };
}

/** Sets (or replaces, keeping its transition time when the status is the same) a condition. */
export function upsertCondition(conditions: JobCondition[], c: JobCondition): JobCondition[] {
  const i = conditions.findIndex((x) => x.type === c.type);
  if (i < 0) return [...conditions, c];
  const old = conditions[i]!;
  if (old.status === c.status && old.reason === c.reason && old.message === c.message) return conditions;
  const next = [...conditions];
  next[i] = old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  return next;
}

/** When a finished pod finished: its containers' latest termination, else its last condition change, else its creation. */
export function podFinishTime(p: Readonly<Pod>): number {
  let t = NaN;
  for (const c of p.status?.containerStatuses ?? []) {
    const f = parseTime(c.state?.terminated?.finishedAt);
    if (!Number.isNaN(f) && (Number.isNaN(t) || f > t)) t = f;
  }
  if (!Number.isNaN(t)) return t;
  for (const c of p.status?.conditions ?? []) {
    const f = parseTime(c.lastTransitionTime);
    if (!Number.isNaN(f) && (Number.isNaN(t) || f > t)) t = f;
  }
  return Number.isNaN(t) ? parseTime(p.metadata.creationTimestamp) || 0 : t;
}

/**
 * Milliseconds to wait before creating pods again: failures after the last
 * success set the back-off, counted from the latest failure. 0 when none.
 */
export function failureBackoffRemaining(succeeded: readonly Readonly<Pod>[], failed: readonly Readonly<Pod>[], now: number): number {
  const lastSuccess = succeeded.reduce((m, p) => Math.max(m, podFinishTime(p)), -Infinity);
  const recent = failed.map(podFinishTime).filter((t) => t >= lastSuccess);
  if (recent.length === 0) return 0;
  const backoff = Math.min(MAX_POD_FAILURE_BACKOFF_MS, POD_FAILURE_BACKOFF_MS * 2 ** (recent.length - 1));
  return Math.max(0, Math.max(...recent) + backoff - now);
}

/** The pod's completion index (Indexed Jobs), or undefined when missing or out of range. */
export function completionIndex(p: Readonly<Pod>, completions: number): number | undefined {
  const v = p.metadata.annotations?.[COMPLETION_INDEX] ?? p.metadata.labels?.[COMPLETION_INDEX];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const i = Number(v);
  return i < completions ? i : undefined;
}

/** "1,3-5,7": three or more consecutive indexes as a range. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i >= 2) out.push(`${sorted[i]}-${sorted[j]}`);
    else for (let k = i; k <= j; k++) out.push(String(sorted[k]));
    i = j + 1;
  }
  return out.join(',');
}

/** The lowest `n` indexes below `completions` that are in neither set. */
export function nextIndexes(completions: number, taken: ReadonlySet<number>, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < n; i++) if (!taken.has(i)) out.push(i);
  return out;
}

/** Container restarts of the active pods: with restartPolicy OnFailure these are the Job's failures. */
export function restartsOf(active: readonly Readonly<Pod>[]): number {
  let n = 0;
  for (const p of active) {
    for (const c of p.status?.initContainerStatuses ?? []) n += c.restartCount ?? 0;
    for (const c of p.status?.containerStatuses ?? []) n += c.restartCount ?? 0;
  }
  return n;
}
