/**
 * The Job controller (Kubernetes' pkg/controller/job), NonIndexed and
 * Indexed completion modes.
 *
 * reconcile(namespace/name): read the Job and its pods (claimed through the
 * generated controller-uid selector) from the caches. A finished Job
 * (Complete or Failed) is left to the TTL controller. Otherwise count
 * active, ready, succeeded and failed pods; decide, as Kubernetes 1.31+:
 * - failures past spec.backoffLimit (failed pods, or container restarts
 *   with restartPolicy OnFailure) or a run past activeDeadlineSeconds:
 *   the FailureTarget condition, active pods deleted, and Failed (same
 *   reason and message) once no pod is left running;
 * - enough successes (spec.completions; or, without completions, any
 *   success with nothing active): SuccessCriteriaMet, remaining pods
 *   deleted, then Complete with completionTime;
 * - otherwise create or delete pods toward min(parallelism, completions -
 *   succeeded), new pods waiting out the failure back-off (10 s doubling).
 * Counting: pods carry the batch.kubernetes.io/job-tracking finalizer and
 * are counted through status.uncountedTerminatedPods (job-tracking.ts), so
 * a pod deleted after it finished still counts, and never twice; the
 * finalizer is removed from pods of finished or deleted Jobs.
 * Events: SuccessfulCreate, SuccessfulDelete, Completed,
 * BackoffLimitExceeded, DeadlineExceeded, Suspended, Resumed.
 */
import { isNotFound } from '../../lib/client/errors.js';
import { keyOf } from '../../lib/client/object-cache.js';
import { jobs, pods } from '../../lib/api/resources/index.js';
import { selectorFromLabelSelector } from '../../lib/api/selectors/index.js';
import type { Job, JobCondition, JobStatus } from '../../lib/api/types/cluster.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { claim } from './claim.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import { deleteOwnedPods, recordCreates } from './owned-pods.js';
import { Expectations } from './expectations.js';
import {
  COMPLETION_INDEX, JOB_GVK, JobMessages, JobReasons, completionIndex, failureBackoffRemaining, formatIndexes,
  isJobFinished, jobCondition, newJobCondition, nextIndexes, restartsOf, upsertCondition,
} from './job-util.js';
import { JobTracker, TRACKING_FINALIZER, hasTracking } from './job-tracking.js';
import { controllerOf, copy, errorMessage, newControllerRef, parseTime, semanticEqual, timestamp } from './objects.js';
import { isPodActive, isPodReady, rankForDeletion } from './pods.js';
import { BURST_REPLICAS } from './replicaset.js';
import { OwnerSlowStart } from './slow-start.js';

interface Counted {
  readonly active: Readonly<Pod>[];
  /** Finished pods still in the cache (for the failure back-off). */
  readonly succeededPods: Readonly<Pod>[];
  readonly failedPods: Readonly<Pod>[];
  readonly terminating: number;
  /** As counted by the tracker (Indexed: succeeded indexes). */
  readonly succeeded: number;
  readonly failed: number;
  /** Indexed mode: indexes with a succeeded pod. */
  readonly doneIndexes: Set<number>;
}

export class JobController extends Controller {
  readonly name = 'job';
  readonly expectations: Expectations;
  private readonly slowStart = new OwnerSlowStart(BURST_REPLICAS);
  readonly tracker: JobTracker;
  private readonly jobInformer;
  private readonly podInformer;

  constructor(private readonly ctx: ControllerContext) {
    super(ctx);
    this.expectations = new Expectations(ctx.clock);
    this.tracker = new JobTracker(ctx.api, (job, status) => this.writeStatus(job, status));
    this.jobInformer = ctx.informers.for(jobs);
    this.podInformer = ctx.informers.for(pods);
    this.jobInformer.addHandlers({
      onAdd: (j) => this.enqueue(j),
      onUpdate: (_o, j) => this.enqueue(j),
      onDelete: (j) => {
        this.expectations.delete(keyOf(j));
        this.slowStart.forget(keyOf(j));
        this.enqueue(j);
      },
    });
    this.podInformer.addHandlers({
      onAdd: (p) => {
        this.tracker.observed(p);
        const j = this.owner(p);
        if (!j) return this.orphanAdded(p);
        if (p.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(j), keyOf(p));
        else this.expectations.creationObserved(keyOf(j));
        this.enqueue(j);
      },
      onUpdate: (old, p) => {
        this.tracker.observed(p);
        const j = this.owner(p) ?? this.owner(old);
        if (!j) return this.orphanAdded(p);
        if (p.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(j), keyOf(p));
        this.enqueue(j);
      },
      onDelete: (p) => {
        this.tracker.observed(p, true);
        const j = this.owner(p);
        if (!j) return;
        this.expectations.deletionObserved(keyOf(j), keyOf(p));
        this.enqueue(j);
      },
    });
  }

  /** A tracked pod whose Job is gone: its key is reconciled, which removes the finalizer. */
  private orphanAdded(p: Readonly<Pod>): void {
    const ref = controllerOf(p);
    if (ref?.kind === 'Job' && hasTracking(p)) this.enqueue(`${p.metadata.namespace}/${ref.name}`);
  }

  /** Tracked pods whose controller is a Job named `name` but not the one with `uid` (gone, or replaced by a namesake). */
  private async releaseOrphans(namespace: string, name: string, uid: string | undefined): Promise<void> {
    const orphans = this.podInformer.store.listIn(namespace).filter((p) => {
      const ref = controllerOf(p);
      return ref?.kind === 'Job' && ref.name === name && ref.uid !== uid && hasTracking(p);
    });
    if (orphans.length > 0) await this.tracker.release(orphans);
  }

  private owner(pod: Readonly<Pod>): Readonly<Job> | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'Job') return undefined;
    const j = this.jobInformer.store.getByName(pod.metadata.namespace, ref.name);
    return j && j.metadata.uid === ref.uid ? j : undefined;
  }

  async reconcile(key: string): Promise<void> {
    const cached = this.jobInformer.store.get(key);
    const [namespace, name] = key.split('/') as [string, string];
    await this.releaseOrphans(namespace, name, cached?.metadata.uid);
    if (!cached) {
      this.expectations.delete(key);
      this.slowStart.forget(key);
      return;
    }
    if (isJobFinished(cached)) {
      // Nothing left to count: no pod of a finished Job keeps the finalizer.
      await this.tracker.release(this.podInformer.store.listIn(namespace).filter((p) => controllerOf(p)?.uid === cached.metadata.uid));
      return;
    }
    const sel = selectorFromLabelSelector(cached.spec?.selector);
    if (!sel.ok) {
      this.ctx.recorder.event(cached, 'Warning', 'InvalidSelector', `invalid selector: ${sel.error}`, JOB_GVK);
      return;
    }
    const owned = await claim(this.podInformer.store.listIn(namespace), {
      api: this.ctx.api,
      resource: pods,
      owner: cached,
      ownerApiVersion: JOB_GVK.apiVersion,
      ownerKind: JOB_GVK.kind,
      selector: sel.selector,
      recheck: () => this.recheck(cached),
    });
    const now = this.ctx.clock.now();
    const accounted = await this.tracker.account(cached, owned);
    const job = accounted.job;
    const counted = this.count(job, owned, accounted.status, accounted.doneIndexes);
    const spec = job.spec!;
    const status: JobStatus = accounted.status;
    let conditions: JobCondition[] = [...(status.conditions ?? [])];
    const suspended = spec.suspend === true;
    if (!suspended && !status.startTime) status.startTime = timestamp(now);

    // Suspension: no pods, the Suspended condition; resuming restarts the deadline clock.
    const wasSuspended = jobCondition(job, 'Suspended') !== undefined;
    if (suspended && !wasSuspended) {
      conditions = upsertCondition(conditions, newJobCondition('Suspended', JobReasons.Suspended, 'Job suspended', now));
      this.ctx.recorder.event(job, 'Normal', 'Suspended', 'Job suspended', JOB_GVK);
    } else if (!suspended && wasSuspended) {
      conditions = upsertCondition(conditions, { ...newJobCondition('Suspended', JobReasons.Resumed, 'Job resumed', now), status: 'False' });
      status.startTime = timestamp(now);
      this.ctx.recorder.event(job, 'Normal', 'Resumed', 'Job resumed', JOB_GVK);
    }

    let failure = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
    const backoffLimit = spec.backoffLimit ?? 6;
    const onFailure = spec.template.spec?.restartPolicy === 'OnFailure';
    const restarts = onFailure ? restartsOf(counted.active) : 0;
    const pastOnFailure = onFailure && (backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit);
    const deadlineMs = spec.activeDeadlineSeconds !== undefined && !suspended ? parseTime(status.startTime) + spec.activeDeadlineSeconds * 1000 : Infinity;
    if (!failure && !suspended) {
      if (counted.failed > backoffLimit || pastOnFailure) failure = newJobCondition('FailureTarget', JobReasons.BackoffLimitExceeded, JobMessages.BackoffLimitExceeded, now);
      else if (now >= deadlineMs) failure = newJobCondition('FailureTarget', JobReasons.DeadlineExceeded, JobMessages.DeadlineExceeded, now);
      if (failure) conditions = upsertCondition(conditions, failure);
    }
    const completions = spec.completions;
    const indexed = spec.completionMode === 'Indexed' && completions !== undefined;
    const complete = !failure && (completions === undefined ? counted.succeeded > 0 && counted.active.length === 0 : counted.succeeded >= completions);
    const criteriaMet = conditions.some((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True');
    if (!failure && (complete || criteriaMet) && !criteriaMet) {
      conditions = upsertCondition(conditions, newJobCondition('SuccessCriteriaMet', JobReasons.CompletionsReached, JobMessages.CompletionsReached, now));
    }

    let manageError: unknown;
    let active = counted.active;
    const canManage = this.expectations.satisfied(key) && !job.metadata.deletionTimestamp;
    if (canManage) {
      try {
        if (failure || complete || criteriaMet || suspended) {
          // Terminating: every remaining pod goes.
          if (active.length > 0) active = await this.deletePods(key, job, active, active.length);
        } else {
          active = await this.manage(key, job, counted, now);
        }
      } catch (err) {
        manageError = err;
      }
    }

    // Pods deleted in this round are still running: the terminal condition waits for the next round,
    // and for every finished pod to be counted.
    const uncounted = status.uncountedTerminatedPods;
    const settled = counted.active.length === 0 && counted.terminating === 0 && !uncounted?.succeeded?.length && !uncounted?.failed?.length;
    if (failure && settled && !jobCondition(job, 'Failed')) {
      conditions = upsertCondition(conditions, { ...failure, type: 'Failed', lastProbeTime: timestamp(now), lastTransitionTime: timestamp(now) });
      this.ctx.recorder.event(job, 'Warning', failure.reason ?? 'Failed', failure.message ?? '', JOB_GVK);
    } else if (!failure && (complete || criteriaMet) && settled) {
      conditions = upsertCondition(conditions, newJobCondition('Complete', JobReasons.CompletionsReached, JobMessages.CompletionsReached, now));
      status.completionTime = timestamp(now);
      this.ctx.recorder.event(job, 'Normal', 'Completed', 'Job completed', JOB_GVK);
    }
    status.active = active.length;
    status.ready = active.filter(isPodReady).length;
    status.terminating = counted.terminating;
    status.succeeded ??= 0;
    status.failed ??= 0;
    if (indexed) status.completedIndexes = formatIndexes(counted.doneIndexes);
    if (conditions.length > 0) status.conditions = conditions;
    await this.writeStatus(job, status);
    if (manageError !== undefined) throw manageError;
    if (accounted.error !== undefined) throw accounted.error;
    if (!failure && !complete && Number.isFinite(deadlineMs) && deadlineMs > now) this.enqueueAfter(key, deadlineMs - now);
  }

  private count(job: Readonly<Job>, owned: readonly Readonly<Pod>[], status: JobStatus, doneIndexes: Set<number>): Counted {
    const active: Readonly<Pod>[] = [];
    const succeededPods: Readonly<Pod>[] = [];
    const failedPods: Readonly<Pod>[] = [];
    let terminating = 0;
    for (const p of owned) {
      const phase = p.status?.phase;
      if (phase === 'Succeeded') succeededPods.push(p);
      else if (phase === 'Failed') failedPods.push(p);
      else if (p.metadata.deletionTimestamp) terminating++;
      else if (isPodActive(p)) active.push(p);
    }
    const indexed = job.spec?.completionMode === 'Indexed';
    const succeeded = indexed ? doneIndexes.size : status.succeeded ?? 0;
    return { active, succeededPods, failedPods, terminating, succeeded, failed: status.failed ?? 0, doneIndexes };
  }

  /** Create or delete pods toward the wanted number of active ones; returns the active pods left. */
  private async manage(key: string, job: Readonly<Job>, c: Counted, now: number): Promise<Readonly<Pod>[]> {
    const spec = job.spec!;
    const parallelism = spec.parallelism ?? 1;
    const completions = spec.completions;
    let want: number;
    if (completions === undefined) want = c.succeeded > 0 ? c.active.length : parallelism;
    else want = Math.max(0, Math.min(parallelism, completions - c.succeeded));
    const indexed = spec.completionMode === 'Indexed' && completions !== undefined;
    // Indexed: a second pod for an index, or a pod for an index already done, is surplus.
    let surplus: Readonly<Pod>[] = [];
    let active = c.active;
    if (indexed) {
      const seen = new Set<number>();
      const keep: Readonly<Pod>[] = [];
      for (const p of c.active) {
        const i = completionIndex(p, completions);
        if (i === undefined || c.doneIndexes.has(i) || seen.has(i)) surplus.push(p);
        else {
          seen.add(i);
          keep.push(p);
        }
      }
      active = keep;
    }
    if (active.length > want) surplus = [...surplus, ...rankForDeletion(active, active).slice(0, active.length - want)];
    if (surplus.length > 0) return this.deletePods(key, job, c.active, surplus.length, surplus);
    const missing = Math.min(want - active.length, BURST_REPLICAS);
    if (missing <= 0) return active;
    const wait = failureBackoffRemaining(c.succeededPods, c.failedPods, now);
    if (wait > 0) {
      this.enqueueAfter(key, wait);
      return active;
    }
    const taken = new Set<number>([...c.doneIndexes]);
    if (indexed) for (const p of active) taken.add(completionIndex(p, completions)!);
    const indexes = indexed ? nextIndexes(completions, taken, missing) : [];
    const n = indexed ? indexes.length : missing;
    let next = 0;
    this.expectations.expectCreations(key, n);
    const { created, error } = await this.slowStart.run(key, n, async (size) => {
      const batch = Array.from({ length: size }, () => this.podFor(job, indexed ? indexes[next++] : undefined));
      const out = await this.ctx.api.createManyBrief(pods, batch, { namespace: job.metadata.namespace });
      return recordCreates(this.ctx, this.expectations, key, job, JOB_GVK, out);
    });
    for (let i = created.attempted; i < n; i++) this.expectations.creationObserved(key);
    if (error) {
      this.ctx.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`, JOB_GVK);
      throw error;
    }
    return active;
  }

  private podFor(job: Readonly<Job>, index: number | undefined): Pod {
    const template = job.spec!.template;
    const labels = { ...template.metadata?.labels };
    const annotations = { ...template.metadata?.annotations };
    const spec = copy(template.spec ?? { containers: [] });
    let generateName = `${job.metadata.name}-`;
    if (index !== undefined) {
      labels[COMPLETION_INDEX] = annotations[COMPLETION_INDEX] = String(index);
      generateName = `${job.metadata.name}-${index}-`;
      spec.hostname ??= `${job.metadata.name}-${index}`;
      for (const ctr of spec.containers) ctr.env = [...(ctr.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } }];
    }
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName,
        namespace: job.metadata.namespace,
        labels,
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
        finalizers: [...(template.metadata?.finalizers ?? []), TRACKING_FINALIZER],
        ownerReferences: [newControllerRef(job as Job, JOB_GVK.apiVersion, JOB_GVK.kind)],
      },
      spec,
    };
  }

  /** Delete `n` of `victims` (ranked from `active` when not given); returns the active pods left. */
  private async deletePods(key: string, job: Readonly<Job>, active: readonly Readonly<Pod>[], n: number, victims?: readonly Readonly<Pod>[]): Promise<Readonly<Pod>[]> {
    const gone = (victims ?? rankForDeletion(active, active)).slice(0, n);
    await deleteOwnedPods(this.ctx, this.expectations, key, job, JOB_GVK, gone);
    const goneKeys = new Set(gone.map((p) => keyOf(p)));
    return active.filter((p) => !goneKeys.has(keyOf(p)));
  }

  private async recheck(job: Readonly<Job>): Promise<boolean> {
    try {
      const fresh = await this.ctx.api.get(jobs, job.metadata.name!, { namespace: job.metadata.namespace });
      return fresh.metadata.uid === job.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async writeStatus(job: Readonly<Job>, status: JobStatus): Promise<Readonly<Job>> {
    if (semanticEqual(job.status ?? {}, status)) return job;
    return this.ctx.api.updateStatus(jobs, { ...job, status: copy(status) } as Job, { namespace: job.metadata.namespace });
  }
}
