/**
 * Group commit: turns write() calls into LMDB transactions.
 *
 * Calls that arrive in the same event-loop turn, or while a commit is in
 * flight, form one group, and a group is ONE LMDB transaction (lmdb-js puts
 * all writes issued in one turn into one transaction; see write-path.ts).
 * An optional maxGroupOps (calls are never split) turns a huge burst into
 * several groups that pipeline (below), for earlier acknowledgements.
 *
 * Pipeline, at most two groups deep:
 *   inflight  issued to LMDB, commit pending (the lmdb write thread is busy)
 *   planned   conditions checked and revisions assigned on top of `inflight`
 *             (through its overlay), waiting to be issued
 * Planning the next group while the previous one commits keeps the JS thread
 * and LMDB's write thread busy at the same time. If the in-flight commit
 * fails, the group planned on top of it fails with the same error (it
 * assumed those writes), and revisions roll back to the last commit.
 *
 * Acknowledgement: after the transaction is flushed (lmdb-js `flushed`,
 * default durability), in commit order through one promise chain: publish
 * the revision and events to watchers, then resolve the callers. Expected
 * failures (conditions) resolve; faults (MAP_FULL, COMMIT_FAILED) reject.
 */
import { planCompaction, type CompactionPlan, type CompactionPolicy } from './compaction.js';
import { CommitFailedError, MapFullError, type StoreError } from './errors.js';
import type { LogReader } from './reader.js';
import type { WriteOp, WriteResult } from './types.js';
import type { CommitEvent } from './watch-hub.js';
import { checkOps, issueGroup, planGroup, prepareOps, type GroupCall, type GroupPlan, type PreparedOp } from './write-path.js';

export interface GroupCommitDeps {
  readonly reader: LogReader;
  /** lmdb's `flushed` thenable, read right after a group is issued. */
  readonly flushed: () => PromiseLike<unknown>;
  readonly policy: CompactionPolicy;
  readonly now: () => number;
  readonly report: (error: StoreError) => void;
  readonly maxMapSize: number | undefined;
  readonly usedBytes: () => number;
  /** A group is durable: hand its events to watchers (before callers are answered). */
  readonly publish: (events: readonly CommitEvent[], revision: number) => void;
  /** Ops per group before the rest waits for the next group (a call is never split). */
  readonly maxGroupOps: number;
}

interface Call extends GroupCall {
  /** Encoded at submit, so encoding overlaps whatever commit is in flight. */
  readonly ops: PreparedOp[];
  readonly growing: boolean;
  readonly resolve: (results: WriteResult[]) => void;
  readonly reject: (error: unknown) => void;
}

interface Planned {
  readonly calls: Call[];
  readonly plan: GroupPlan;
  readonly compaction: CompactionPlan;
  /** Nothing to write: only answers (failed conditions). */
  readonly empty: boolean;
}

interface CompactWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** lmdb error codes that mean "no room": MDB_MAP_FULL and ENOSPC. */
const NO_ROOM_CODES = new Set([-30792, 28, -28]);

export class GroupCommit {
  /** Last acknowledged revision. */
  revision: number;
  /** Last revision visible in LMDB. */
  committedRevision: number;
  /** Readers refuse revisions below this from the moment a compaction is planned. */
  compactRevision: number;
  readonly counters = { commits: 0, writes: 0, conditionFailures: 0, largestCommit: 0, pipelined: 0 };
  private plannedRevision: number;
  private durableCompact: number;
  private compactTarget = 0;
  private compactWaiters: CompactWaiter[] = [];
  private pending: Call[] = [];
  private pendingOps = 0;
  private planned: Planned | undefined;
  private inflight: Planned | undefined;
  private scheduled = false;
  private ackChain: Promise<void> = Promise.resolve();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: GroupCommitDeps,
    revision: number,
    compactRevision: number,
  ) {
    this.revision = this.committedRevision = this.plannedRevision = revision;
    this.compactRevision = this.durableCompact = compactRevision;
  }

  submit(ops: readonly WriteOp[], brief = false): Promise<WriteResult[]> {
    let prepared: PreparedOp[];
    try {
      checkOps(ops);
      prepared = prepareOps(ops);
    } catch (err) {
      return Promise.reject(err); // nothing queued: the call is refused whole
    }
    if (prepared.length === 0) return Promise.resolve([]);
    let growing = false;
    for (const op of prepared) if (op.kind !== 'delete') growing = true;
    return new Promise((resolve, reject) => {
      this.pending.push({ ops: prepared, brief, growing, resolve, reject });
      this.pendingOps += ops.length;
      this.schedule();
    });
  }

  compact(revision: number): Promise<void> {
    const target = Math.min(revision, this.committedRevision);
    if (target <= this.compactRevision) return this.ackChain;
    this.compactTarget = Math.max(this.compactTarget, target);
    return new Promise((resolve, reject) => {
      this.compactWaiters.push({ target, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far is answered. */
  whenIdle(): Promise<void> {
    if (this.idle()) return this.ackChain;
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve)).then(() => this.ackChain);
  }

  private idle(): boolean {
    return !this.scheduled && this.pending.length === 0 && this.planned === undefined && this.inflight === undefined;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a microtask: everything queued in this turn joins the group.
    setImmediate(() => {
      this.scheduled = false;
      this.advance();
    });
  }

  /** Plan whatever is waiting, and issue the planned group once nothing is in flight. */
  private advance(): void {
    for (;;) {
      if (this.planned === undefined && (this.pending.length > 0 || this.compactTarget > this.compactRevision))
        this.planned = this.planNext();
      if (this.inflight !== undefined || this.planned === undefined) break;
      const next = this.planned;
      this.planned = undefined;
      if (next.empty) this.answer(next);
      else this.launch(next);
    }
    if (this.idle() && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Take the next group's calls: all pending, up to maxGroupOps (at least one call). */
  private take(): Call[] {
    if (this.pendingOps <= this.deps.maxGroupOps) {
      const all = this.pending;
      this.pending = [];
      this.pendingOps = 0;
      return all;
    }
    let n = 0;
    let ops = 0;
    while (n < this.pending.length && (n === 0 || ops + (this.pending[n] as Call).ops.length <= this.deps.maxGroupOps))
      ops += (this.pending[n++] as Call).ops.length;
    this.pendingOps -= ops;
    return this.pending.splice(0, n);
  }

  private planNext(): Planned | undefined {
    const calls = this.take();
    try {
      return this.plan(calls);
    } catch (err) {
      // A bug or an LMDB read failure while planning: nothing was written for these calls.
      this.fail(calls, new CommitFailedError(`planning failed: ${(err as Error).message}`, { cause: err }));
      if (this.pending.length > 0) this.schedule();
      return undefined;
    }
  }

  private plan(taken: Call[]): Planned {
    const calls = this.admit(taken);
    const now = this.deps.now();
    if (this.inflight !== undefined) this.counters.pipelined++;
    const plan = planGroup(
      this.deps.reader,
      calls,
      this.plannedRevision + 1,
      now,
      this.inflight?.plan.overlay,
    );
    const ops = plan.entries.length;
    const compaction = planCompaction(
      this.deps.reader.log,
      this.compactRevision,
      this.committedRevision,
      this.deps.policy,
      now,
      this.compactTarget,
      1024 + 2 * ops,
      this.deps.report,
    );
    const empty = ops === 0 && compaction.upTo === this.compactRevision;
    if (empty && calls.length === 0) this.compactTarget = this.compactRevision; // cannot advance: do not spin
    if (ops > 0) this.plannedRevision = plan.lastRevision;
    this.compactRevision = compaction.upTo;
    return { calls, plan, compaction, empty };
  }

  /** Apply the quota: calls that would add data are refused once the used size reaches maxMapSize. */
  private admit(calls: Call[]): Call[] {
    const max = this.deps.maxMapSize;
    if (max === undefined || !calls.some((c) => c.growing)) return calls;
    const used = this.deps.usedBytes();
    if (used < max) return calls;
    const admitted: Call[] = [];
    const refused: Call[] = [];
    for (const c of calls) (c.growing ? refused : admitted).push(c);
    this.fail(refused, new MapFullError(`storage quota reached: ${used} of ${max} bytes used`));
    return admitted;
  }

  private launch(group: Planned): void {
    const { plan, compaction } = group;
    let commit: Promise<unknown>;
    try {
      commit = issueGroup(
        this.deps.reader,
        plan,
        compaction.removes,
        this.plannedRevision,
        compaction.upTo !== this.durableCompact ? compaction.upTo : undefined,
      );
    } catch (err) {
      this.rollBack(group, undefined, new CommitFailedError((err as Error).message, { cause: err }));
      return;
    }
    const flushed = this.deps.flushed(); // the flush of this transaction: read before anything else is issued
    this.inflight = group;
    commit.then(
      () => this.committed(group, flushed),
      (err: unknown) => {
        const dependent = this.planned;
        this.planned = undefined;
        this.rollBack(group, dependent, err);
      },
    );
  }

  private committed(group: Planned, flushed: PromiseLike<unknown>): void {
    const { plan, compaction, calls } = group;
    const head = plan.entries.length > 0 ? plan.lastRevision : this.committedRevision;
    this.committedRevision = head;
    this.durableCompact = compaction.upTo;
    const c = this.counters;
    c.commits++;
    c.writes += plan.entries.length;
    c.conditionFailures += plan.failures;
    if (plan.entries.length > c.largestCommit) c.largestCommit = plan.entries.length;
    this.inflight = undefined;
    this.ackChain = this.ackChain
      .then(() => flushed)
      .then(
        () => {
          if (head > this.revision) this.revision = head;
          if (plan.events.length > 0) this.deps.publish(plan.events, head);
          for (let i = 0; i < calls.length; i++) (calls[i] as Call).resolve(plan.results[i] as WriteResult[]);
          this.settleCompaction(compaction.upTo);
        },
        (err: unknown) => {
          for (const call of calls) call.reject(new CommitFailedError(`flush failed: ${String(err)}`, { cause: err }));
        },
      );
    this.advance();
  }

  /** A commit failed: its group, and a group planned on top of it, fail; state returns to the last commit. */
  private rollBack(group: Planned, dependent: Planned | undefined, err: unknown): void {
    this.inflight = undefined;
    this.plannedRevision = this.committedRevision;
    this.compactRevision = this.durableCompact;
    this.compactTarget = this.durableCompact; // do not retry a failing compaction in a loop
    const calls = dependent ? [...group.calls, ...dependent.calls] : group.calls;
    const waiters = this.compactWaiters;
    this.compactWaiters = [];
    this.ackChain = this.ackChain
      .then(() => commitError(err))
      .then((error) => {
        for (const call of calls) call.reject(error);
        for (const w of waiters) w.reject(error);
      });
    this.advance();
  }

  /** Answer a group that wrote nothing, in order after the groups before it. */
  private answer(group: Planned): void {
    this.counters.conditionFailures += group.plan.failures;
    const { calls, plan } = group;
    this.ackChain = this.ackChain.then(() => {
      for (let i = 0; i < calls.length; i++) (calls[i] as Call).resolve(plan.results[i] as WriteResult[]);
    });
  }

  /** Reject calls in acknowledgement order. */
  private fail(calls: Call[], error: StoreError): void {
    if (calls.length > 0)
      this.ackChain = this.ackChain.then(() => {
        for (const c of calls) c.reject(error);
      });
  }

  private settleCompaction(durable: number): void {
    if (this.compactWaiters.length === 0) return;
    const waiting: CompactWaiter[] = [];
    for (const w of this.compactWaiters) (w.target <= durable ? w.resolve() : waiting.push(w));
    this.compactWaiters = waiting;
  }
}

/** lmdb-js rejects each write with "Commit failed" and the real error in `commitError`. */
async function commitError(err: unknown): Promise<StoreError> {
  let cause: unknown = err;
  const inner = (err as { commitError?: Promise<unknown> } | undefined)?.commitError;
  if (inner !== undefined) cause = await inner.then(() => err, (e: unknown) => e);
  if (cause instanceof CommitFailedError || cause instanceof MapFullError) return cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (typeof code === 'number' && NO_ROOM_CODES.has(code)) return new MapFullError(`LMDB: ${message}`, { cause });
  return new CommitFailedError(message, { cause });
}
