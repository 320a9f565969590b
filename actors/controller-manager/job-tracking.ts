/**
 * Counting a Job's finished pods with the batch.kubernetes.io/job-tracking
 * finalizer, as Kubernetes does: every pod is created with the finalizer,
 * so it cannot vanish (pod GC, a user, the kubelet) before it is counted.
 * A finished pod is counted in three steps, each safe to interrupt:
 * 1. its uid goes into status.uncountedTerminatedPods (status write);
 * 2. its finalizer is removed (a merge patch of metadata.finalizers);
 * 3. its uid moves from uncountedTerminatedPods into succeeded or failed.
 * A pod counts as succeeded in phase Succeeded, and as failed in phase
 * Failed or when it is being deleted before it succeeded (it will never
 * get the chance; Kubernetes' podReplacementPolicy TerminatingOrFailed).
 * Removals not yet seen in the informer are remembered (by uid), so a stale
 * cached copy that still shows the finalizer is not counted twice.
 */
import { isNotFound } from '../../lib/client/errors.js';
import { pods } from '../../lib/api/resources/index.js';
import type { Job, JobStatus } from '../../lib/api/types/cluster.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { Api } from './context.js';
import { completionIndex } from './job-util.js';

export const TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

export function hasTracking(p: Readonly<Pod>): boolean {
  return p.metadata.finalizers?.includes(TRACKING_FINALIZER) ?? false;
}

/** 'succeeded' | 'failed' once the pod is done for the Job; undefined while it may still run. */
export function outcome(p: Readonly<Pod>): 'succeeded' | 'failed' | undefined {
  const phase = p.status?.phase;
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Failed' || p.metadata.deletionTimestamp) return 'failed';
  return undefined;
}

/** "1,3-5,7" back into indexes. */
export function parseIndexes(text: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return out;
}

export interface Accounted {
  /** The status with every pod counted whose finalizer is gone; uncountedTerminatedPods holds the rest. */
  readonly status: JobStatus;
  /** Indexed Jobs: the succeeded indexes (status.completedIndexes plus those counted now). */
  readonly doneIndexes: Set<number>;
  /** The Job as last written (step 1 may have written it). */
  readonly job: Readonly<Job>;
  /** A finalizer removal failed (the uid stays uncounted; retry). */
  readonly error?: unknown;
}

export class JobTracker {
  /** Pods whose finalizer removal was sent but not yet seen in the informer. */
  private readonly pending = new Set<string>();

  constructor(
    private readonly api: Api,
    private readonly writeStatus: (job: Readonly<Job>, status: JobStatus) => Promise<Readonly<Job>>,
  ) {}

  /** The informer shows the pod without the finalizer, or deleted. */
  observed(p: Readonly<Pod>, gone = false): void {
    if (gone || !hasTracking(p)) this.pending.delete(p.metadata.uid ?? '');
  }

  get pendingRemovals(): number {
    return this.pending.size;
  }

  async account(job: Readonly<Job>, owned: readonly Readonly<Pod>[]): Promise<Accounted> {
    const status: JobStatus = structuredClone(job.status ?? {});
    const uncounted = { succeeded: new Set(status.uncountedTerminatedPods?.succeeded ?? []), failed: new Set(status.uncountedTerminatedPods?.failed ?? []) };
    const byUid = new Map(owned.map((p) => [p.metadata.uid ?? '', p]));
    const indexed = job.spec?.completionMode === 'Indexed';
    const completions = job.spec?.completions ?? 0;
    const doneIndexes = indexed ? parseIndexes(status.completedIndexes) : new Set<number>();
    // Step 1: newly finished tracked pods become uncounted.
    let added = false;
    for (const p of owned) {
      const uid = p.metadata.uid ?? '';
      if (!hasTracking(p) || this.pending.has(uid) || uncounted.succeeded.has(uid) || uncounted.failed.has(uid)) continue;
      const o = outcome(p);
      if (!o) continue;
      uncounted[o].add(uid);
      added = true;
    }
    let latest = job;
    if (added) {
      status.uncountedTerminatedPods = { succeeded: [...uncounted.succeeded], failed: [...uncounted.failed] };
      latest = await this.writeStatus(job, status);
    }
    // Step 2: their finalizers go.
    const release = [...uncounted.succeeded, ...uncounted.failed].map((uid) => byUid.get(uid)).filter((p): p is Readonly<Pod> => !!p && hasTracking(p) && !this.pending.has(p.metadata.uid ?? ''));
    const stuck = new Set<string>();
    let error: unknown;
    await Promise.all(release.map(async (p) => {
      const uid = p.metadata.uid ?? '';
      this.pending.add(uid);
      try {
        await this.removeFinalizer(p);
      } catch (err) {
        this.pending.delete(uid);
        stuck.add(uid);
        error ??= err;
      }
    }));
    // Step 3: what is released is counted.
    for (const kind of ['succeeded', 'failed'] as const) {
      for (const uid of uncounted[kind]) {
        if (stuck.has(uid)) continue;
        uncounted[kind].delete(uid);
        status[kind] = (status[kind] ?? 0) + 1;
        const p = byUid.get(uid);
        if (kind === 'succeeded' && indexed && p) {
          const i = completionIndex(p, completions);
          if (i !== undefined) doneIndexes.add(i);
        }
      }
    }
    status.uncountedTerminatedPods = uncounted.succeeded.size + uncounted.failed.size > 0 ? { succeeded: [...uncounted.succeeded], failed: [...uncounted.failed] } : {};
    return { status, doneIndexes, job: latest, error };
  }

  /** Drop the finalizer from pods the Job no longer counts (it finished, or it is gone). */
  async release(ps: readonly Readonly<Pod>[]): Promise<void> {
    const errors: unknown[] = [];
    await Promise.all(ps.filter((p) => hasTracking(p) && !this.pending.has(p.metadata.uid ?? '')).map(async (p) => {
      this.pending.add(p.metadata.uid ?? '');
      try {
        await this.removeFinalizer(p);
      } catch (err) {
        this.pending.delete(p.metadata.uid ?? '');
        errors.push(err);
      }
    }));
    if (errors.length > 0) throw errors[0];
  }

  private async removeFinalizer(p: Readonly<Pod>): Promise<void> {
    const rest = (p.metadata.finalizers ?? []).filter((f) => f !== TRACKING_FINALIZER);
    try {
      await this.api.patch(pods, p.metadata.name!, 'merge', { metadata: { finalizers: rest.length > 0 ? rest : null } }, { namespace: p.metadata.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
