/**
 * Compaction: move compactRevision C forward and delete what nothing can ask
 * for any more.
 *
 * The log holds (a) every event with revision > C (the watch window) and
 * (b) the current value of every key, wherever its revision is. Reads at a
 * revision R >= C may need the value a key had at R, which is the entry an
 * event after R replaced (its prevRevision). So when C passes an event at
 * revision r, r's replaced version (prevRevision) can go, and so can r itself
 * if r is a deletion; an entry that is still some key's current value stays.
 *
 * Window: an event is dropped once it is outside either limit: more than
 * `retainRevisions` behind the head, or committed more than `retainMs` ago.
 * Work per commit is bounded (`budget` entries) so a large compaction spreads
 * over several commits instead of stalling one.
 */
import { DecodeError, type StoreError } from './errors.js';
import { DELETED, entryPrevRevision, entryProblem, entryTime, entryType } from './log-entry.js';
import type { LogDb } from './reader.js';

export interface CompactionPolicy {
  readonly retainRevisions: number;
  readonly retainMs: number;
}

export interface CompactionPlan {
  /** New compactRevision (== from when there is nothing to do). */
  readonly upTo: number;
  /** Log revisions to delete. */
  readonly removes: number[];
}

/**
 * Plan compaction from `from` (current compactRevision) given the committed
 * head, the policy, the clock and an explicit target (compact() calls).
 */
export function planCompaction(
  log: LogDb,
  from: number,
  head: number,
  policy: CompactionPolicy,
  now: number,
  explicitTarget: number,
  budget: number,
  report: (error: StoreError) => void,
): CompactionPlan {
  const forced = Math.min(head, Math.max(explicitTarget, head - policy.retainRevisions));
  const cutoff = now - policy.retainMs;
  const removes: number[] = [];
  let r = from;
  while (r < head && budget > 0) {
    const next = r + 1;
    const e = log.getBinaryFast(next);
    const problem = entryProblem(e);
    if (next > forced) {
      // Only the time limit can drop this one; an unreadable entry has no time, keep it.
      if (problem !== undefined || entryTime(e as Buffer) >= cutoff) break;
    }
    if (problem !== undefined) {
      // Cannot tell what it replaced; it might be a key's current value, so leave it in place.
      report(new DecodeError(`log@${next}`, next, `${problem} (skipped by compaction)`));
    } else {
      const entry = e as Buffer;
      const prev = entryPrevRevision(entry);
      if (prev > 0) removes.push(prev);
      if (entryType(entry) === DELETED) removes.push(next);
    }
    r = next;
    budget--;
  }
  return { upTo: r, removes };
}
