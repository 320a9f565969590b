/**
 * Kubernetes' slowStartBatch, for the controllers that create pods in bulk
 * (ReplicaSet, DaemonSet, Job).
 *
 * Its purpose is to keep an owner whose creates all fail (no quota, a bad
 * template) from flooding the api-server: batches grow 1, 2, 4, ... and stop
 * at the first batch with a failure. Kubernetes starts again from 1 on every
 * sync, which for a healthy owner of 150,000 replicas means nine dependent
 * round trips per burst of 500, each waiting for a durable commit. Here an
 * owner whose last sync created everything resumes at the size slow start
 * would have tried next (at most the burst), and any failure sends it back
 * to 1, so the protection is the same where it matters.
 *
 * A batch's creates are sent concurrently, as Kubernetes does (one goroutine
 * per create), here as calls of at most CHUNK creates: the api-server
 * validates one while the store commits the one before.
 */

/** The largest create call a batch is split into. */
const CHUNK = 125;

export interface BatchResult {
  readonly ok: number;
  readonly error?: unknown;
}

export interface SlowStartResult {
  readonly created: { readonly ok: number; readonly attempted: number };
  readonly error?: unknown;
}

/**
 * Runs `count` operations in batches of `initial`, then twice the size each
 * time; stops after the first batch with a failure. `batch(size)` must take
 * its operations synchronously before its first await (several run at once).
 */
export async function slowStart(count: number, batch: (size: number) => Promise<BatchResult>, initial = 1): Promise<SlowStartResult & { readonly biggest: number }> {
  let remaining = count;
  let ok = 0;
  let attempted = 0;
  let biggest = 0;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    const calls: Promise<BatchResult>[] = [];
    for (let left = size; left > 0; left -= CHUNK) calls.push(batch(Math.min(CHUNK, left)));
    const results = await Promise.all(calls);
    attempted += size;
    biggest = Math.max(biggest, size);
    let error: unknown;
    for (const r of results) {
      ok += r.ok;
      if (r.error !== undefined) error ??= r.error;
    }
    if (error !== undefined) return { created: { ok, attempted }, error, biggest };
    remaining -= size;
  }
  return { created: { ok, attempted }, biggest };
}

/** slowStart with a memory per owner: where its last fully successful sync left off. */
export class OwnerSlowStart {
  private readonly earned = new Map<string, number>();

  constructor(private readonly max: number) {}

  async run(owner: string, count: number, batch: (size: number) => Promise<BatchResult>): Promise<SlowStartResult> {
    const start = this.earned.get(owner) ?? 1;
    const r = await slowStart(count, batch, start);
    if (r.error !== undefined) this.earned.delete(owner);
    // The size slow start would have tried next.
    else if (r.biggest > 0) this.earned.set(owner, Math.min(this.max, Math.max(start, 2 * r.biggest)));
    return r;
  }

  /** The owner is gone (or failed): its next creates start from 1. */
  forget(owner: string): void {
    this.earned.delete(owner);
  }
}
