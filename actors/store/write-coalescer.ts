/**
 * Writes issued in the same turn travel to the store as one `store.write`.
 *
 * The api-server answers a batch of 1,000 creates with 1,000 concurrent
 * create pipelines, each ending in a store write. Sent one by one, each pays
 * a request (reqId, timeout timer, promise, envelope) on both threads and a
 * call of its own in the store's group commit; merged, they pay it once.
 * Semantics do not change: the store applies a call's ops in order, each
 * with its own condition and result, exactly as it applies consecutive calls
 * of one group commit.
 *
 * The only difference is a malformed op: the store refuses its whole call
 * with INVALID_ARGUMENT before applying anything, and that must not fail the
 * writers merged with the culprit, so such a merged call is sent again call
 * by call. Every other failure (the store down, a timeout, a full map) is
 * the same for every writer and reaches them all as it is.
 */
import { StoreError } from '../../lib/store/errors.js';
import type { OpSegment } from '../../lib/store/op-batch.js';
import type { WriteOp, WriteResult } from '../../lib/store/types.js';

/**
 * Calls with at least this many ops are not merged: they already pay the
 * per-request cost once for many ops, and merged they would share one reply,
 * so none could be acknowledged before the commit of the last (a store with
 * maxGroupOps commits a large arrival as several pipelined groups).
 */
export const MERGE_BELOW = 64;

/** `segments`: the ops already packed (op-batch.ts), one segment per merged call; undefined when any call is not. */
type Send = (ops: WriteOp[], brief: boolean, segments: OpSegment[] | undefined) => Promise<WriteResult[]>;

interface Waiting {
  readonly ops: readonly WriteOp[];
  readonly brief: boolean;
  readonly segment: OpSegment | undefined;
  readonly resolve: (r: WriteResult[]) => void;
  readonly reject: (err: unknown) => void;
}

export class WriteCoalescer {
  /** Writes waiting for the end of this turn, in the order made. */
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly send: Send) {}

  /** `segment`: the same ops already packed (packOps), when the caller did that. */
  write(ops: readonly WriteOp[], brief: boolean, segment?: OpSegment): Promise<WriteResult[]> {
    return new Promise<WriteResult[]>((resolve, reject) => {
      this.waiting.push({ ops, brief, segment, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Send what waits now: called at the end of the turn, and before any other request so the store sees calls in order. */
  flush(): void {
    this.scheduled = false;
    const group = this.waiting;
    if (group.length === 0) return;
    this.waiting = [];
    // Runs of small calls of one reply form (brief or whole) merge; a large call goes alone (its own reply, so
    // the store can acknowledge it with an earlier group commit than its neighbours': see MERGE_BELOW).
    // Calls are sent in the order made, whatever their form: a write made after another is applied after it.
    let run: Waiting[] = [];
    for (const w of group) {
      if (w.ops.length < MERGE_BELOW && (run.length === 0 || (run[0] as Waiting).brief === w.brief)) {
        run.push(w);
        continue;
      }
      this.sendRun(run);
      run = [];
      if (w.ops.length < MERGE_BELOW) run.push(w);
      else this.sendAlone(w);
    }
    this.sendRun(run);
  }

  private sendRun(run: readonly Waiting[]): void {
    if (run.length === 1) this.sendAlone(run[0]!);
    else if (run.length > 1) this.sendMerged(run, run[0]!.brief);
  }

  private sendAlone(w: Waiting): void {
    this.send([...w.ops], w.brief, w.segment && [w.segment]).then(w.resolve, w.reject);
  }

  private sendMerged(group: readonly Waiting[], brief: boolean): void {
    const ops: WriteOp[] = [];
    let segments: OpSegment[] | undefined = [];
    for (const w of group) {
      for (const op of w.ops) ops.push(op);
      if (w.segment === undefined) segments = undefined;
      else segments?.push(w.segment);
    }
    this.send(ops, brief, segments).then(
      (results) => {
        let at = 0;
        for (const w of group) {
          w.resolve(results.slice(at, at + w.ops.length));
          at += w.ops.length;
        }
      },
      (err: unknown) => {
        // Refused before anything was applied: each writer's ops alone get their own answer.
        if (err instanceof StoreError && err.code === 'INVALID_ARGUMENT') for (const w of group) this.sendAlone(w);
        else for (const w of group) w.reject(err);
      },
    );
  }
}
