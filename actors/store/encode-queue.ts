/**
 * Large encoded writes are packed one per event-loop turn (setImmediate),
 * not in the turn the caller asked.
 *
 * Why: the actor runtime sends what a thread routed at the end of its turn
 * (a setImmediate), and a thread that takes its writers' acknowledgements one
 * after another, each resuming a writer that encodes its next batch of 500
 * Pods (~3 ms), does not reach the end of its turn while replies keep coming.
 * In bench/store.ts six batches were encoded back to back and sent together,
 * the first ~40 ms after it was ready, while the store thread sat idle. Packed
 * one per turn, each batch goes out as soon as it is encoded, and the store
 * commits one while the next is encoded.
 *
 * Small calls (the api-server's creates, merged per turn by the
 * WriteCoalescer) are packed at once, as before, unless large calls are
 * waiting: then they wait behind them, so that the store sees a client's
 * calls in the order made. `drain` packs everything waiting at once, for
 * any other call of the client (same reason).
 */
import type { OpSegment } from '../../lib/store/op-batch.js';
import type { WriteOp, WriteResult } from '../../lib/store/types.js';
import { MERGE_BELOW } from './write-coalescer.js';

/** Calls of at least this many ops wait for a turn of their own (the same "large" as the coalescer's). */
export const DEFER_FROM = MERGE_BELOW;

interface Job {
  readonly ops: readonly WriteOp[];
  readonly resolve: (results: WriteResult[]) => void;
  readonly reject: (err: unknown) => void;
  readonly packed: () => void;
}

export interface EncodeQueueDeps {
  /** Encode the ops into an op batch segment (throws for an op that cannot travel so). */
  readonly pack: (ops: readonly WriteOp[]) => OpSegment;
  /** Hand packed ops on (to the coalescer). */
  readonly submit: (ops: readonly WriteOp[], segment: OpSegment) => Promise<WriteResult[]>;
  /** Route what was handed on now, so it leaves with this turn. */
  readonly send: () => void;
  /** An actor's context tracks the waiting (ActorContext.track), so the virtual clock does not move on meanwhile. */
  readonly track?: (work: Promise<void>) => void;
}

export class EncodeQueue {
  private jobs: Job[] = [];
  private scheduled = false;

  constructor(private readonly deps: EncodeQueueDeps) {}

  write(ops: readonly WriteOp[]): Promise<WriteResult[]> {
    if (this.jobs.length === 0 && ops.length < DEFER_FROM) return this.pack(ops);
    return new Promise<WriteResult[]>((resolve, reject) => {
      let packed!: () => void;
      this.deps.track?.(new Promise<void>((done) => (packed = done)));
      this.jobs.push({ ops, resolve, reject, packed });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.turn);
      }
    });
  }

  /** Pack and hand on everything waiting, in order. */
  drain(): void {
    while (this.jobs.length > 0) this.run(this.jobs.shift() as Job);
  }

  /** One large call, and the small ones queued right behind it. */
  private readonly turn = (): void => {
    this.scheduled = false;
    const first = this.jobs.shift();
    if (first === undefined) return;
    this.run(first);
    while (this.jobs.length > 0 && (this.jobs[0] as Job).ops.length < DEFER_FROM) this.run(this.jobs.shift() as Job);
    this.deps.send();
    // Scheduled after the runtime's own end of turn (queued by the send above): this batch leaves first.
    if (this.jobs.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turn);
    }
  };

  private run(job: Job): void {
    this.pack(job.ops).then(job.resolve, job.reject);
    job.packed();
  }

  private pack(ops: readonly WriteOp[]): Promise<WriteResult[]> {
    let segment: OpSegment;
    try {
      segment = this.deps.pack(ops);
    } catch (err) {
      return Promise.reject(err); // an unencodable value: this call alone, before anything is sent
    }
    return this.deps.submit(ops, segment);
  }
}
