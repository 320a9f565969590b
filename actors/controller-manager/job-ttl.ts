/**
 * The TTL-after-finished controller (Kubernetes' pkg/controller/ttlafterfinished):
 * a Job with spec.ttlSecondsAfterFinished that finished (Complete or
 * Failed) is deleted that many seconds after its terminal condition's
 * transition, with background propagation so the garbage collector removes
 * its pods. Before deleting, the Job is read live: its TTL may have been
 * changed (or it may be gone) since the cache saw it.
 */
import { isNotFound } from '../../lib/client/errors.js';
import { jobs } from '../../lib/api/resources/index.js';
import type { Job } from '../../lib/api/types/cluster.js';
import type { ControllerContext } from './context.js';
import { Controller } from './controller.js';
import { jobFinishTime } from './job-util.js';

/** When `job` expires, or undefined when it has no TTL or has not finished. */
export function jobExpiry(job: Readonly<Job>): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp) return undefined;
  const finished = jobFinishTime(job);
  return finished === undefined ? undefined : finished + ttl * 1000;
}

export class TtlAfterFinishedController extends Controller {
  readonly name = 'ttl-after-finished';
  private readonly jobInformer;
  private deleted = 0;

  constructor(private readonly ctx: ControllerContext) {
    super(ctx);
    this.jobInformer = ctx.informers.for(jobs);
    const consider = (j: Readonly<Job>): void => {
      if (jobExpiry(j) !== undefined) this.enqueue(j);
    };
    this.jobInformer.addHandlers({ onAdd: consider, onUpdate: (_o, j) => consider(j) });
  }

  /** Jobs this controller deleted. */
  get deletions(): number {
    return this.deleted;
  }

  async reconcile(key: string): Promise<void> {
    const cached = this.jobInformer.store.get(key);
    if (!cached) return;
    const cachedAt = jobExpiry(cached);
    if (cachedAt === undefined) return;
    const now = this.ctx.clock.now();
    if (cachedAt > now) {
      this.enqueueAfter(key, cachedAt - now);
      return;
    }
    let fresh: Job;
    try {
      fresh = await this.ctx.api.get(jobs, cached.metadata.name!, { namespace: cached.metadata.namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const at = jobExpiry(fresh);
    if (at === undefined || fresh.metadata.uid !== cached.metadata.uid) return;
    if (at > now) {
      this.enqueueAfter(key, at - now);
      return;
    }
    try {
      await this.ctx.api.delete(jobs, fresh.metadata.name!, { namespace: fresh.metadata.namespace, propagationPolicy: 'Background' });
      this.deleted++;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
