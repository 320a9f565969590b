/**
 * The store's revision history after the chaos, read back through the store
 * actor: a watch from the compaction floor replays the event log up to the
 * head. It must hold every revision from floor+1 to the head exactly once,
 * in order (no holes); replaying it must give exactly the store's current
 * contents (same keys at the same revisions); and every write the
 * api-server acknowledged must be in it, on its key.
 */
import type { StoreClient } from '../../../actors/store/client.js';
import type { SupervisorClock } from '../../../lib/actor/supervisor-time.js';
import type { KeyValue, WatchEvent } from '../../../lib/store/types.js';
import type { AckedWrite } from './driver.js';

export interface HistoryReport {
  readonly violations: string[];
  readonly head: number;
  readonly floor: number;
  readonly events: number;
}

const WATCH_ID = 'chaos-history';

/** Every key, page by page at one revision: the whole store in one reply would be over the message limit at 10,000 pods. */
async function rangeAll(store: StoreClient): Promise<{ revision: number; items: KeyValue[] }> {
  let page = await store.range({ prefix: '/registry/', limit: 2_000 });
  const items = [...page.items];
  while (page.continue) {
    page = await store.range({ prefix: '/registry/', limit: 2_000, continue: page.continue });
    items.push(...page.items);
  }
  return { revision: page.revision, items };
}

export async function checkHistory(store: StoreClient, clock: SupervisorClock, acked: readonly AckedWrite[]): Promise<HistoryReport> {
  const v: string[] = [];
  await clock.settle();
  const { compactRevision: floor } = await store.stats();
  const events: WatchEvent[] = [];
  let ended: string | null = null;
  const head = await store.watch(WATCH_ID, '/registry/', floor, {
    onEvents: (es) => events.push(...es),
    onEnded: (code, message) => (ended = `${code}: ${message}`),
    onDecodeError: (key, revision, err) => v.push(`undecodable event ${key}@${revision}: ${err.message}`),
  });
  // Replay comes in chunks; nothing else writes while the virtual clock stands still. At the
  // full size it is hundreds of thousands of events: give up only after 60 s without one.
  for (let idle = 0, seen = 0; (events.at(-1)?.revision ?? floor) < head && ended === null; ) {
    if (events.length > seen) {
      seen = events.length;
      idle = 0;
    } else if (++idle > 6_000) {
      v.push(`the replay stopped at revision ${events.at(-1)?.revision ?? floor} of ${head}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await store.unwatch(WATCH_ID);
  if (ended !== null) v.push(`the history watch ended: ${ended}`);

  // Consecutive revisions floor+1 .. head.
  const holes: string[] = [];
  let expected = floor + 1;
  const keyAt = new Map<number, string>();
  const live = new Map<string, number>();
  for (const e of events) {
    if (e.revision > head) break;
    if (e.revision !== expected) holes.push(e.revision > expected ? `${expected}..${e.revision - 1} missing` : `${e.revision} out of order after ${expected - 1}`);
    expected = Math.max(expected, e.revision + 1);
    keyAt.set(e.revision, e.key);
    if (e.type === 'DELETED') live.delete(e.key);
    else live.set(e.key, e.revision);
  }
  if (expected !== head + 1) holes.push(`ends at ${expected - 1}, head is ${head}`);
  if (holes.length > 0) v.push(`revision history has holes: ${holes.slice(0, 8).join(', ')}`);

  // The log replayed = the store's contents.
  const now = await rangeAll(store);
  if (now.revision !== head) v.push(`the store moved from ${head} to ${now.revision} during the check`);
  else if (floor === 0) {
    const diffs: string[] = [];
    for (const kv of now.items) if (live.get(kv.key) !== kv.revision) diffs.push(`${kv.key}: stored at ${kv.revision}, log says ${live.get(kv.key) ?? 'absent'}`);
    const stored = new Set(now.items.map((kv) => kv.key));
    for (const key of live.keys()) if (!stored.has(key)) diffs.push(`${key}: in the log at ${live.get(key)}, not in the store`);
    if (diffs.length > 0) v.push(`${diffs.length} keys differ between the log and the store: ${diffs.slice(0, 8).join('; ')}`);
  }

  // Every acknowledged write is in the log on its key.
  const lost = acked.filter((w) => w.revision > floor && keyAt.get(w.revision) !== w.key);
  if (lost.length > 0) v.push(`${lost.length} acknowledged writes not in the history: ${lost.slice(0, 8).map((w) => `${w.what} @${w.revision} (log has ${keyAt.get(w.revision) ?? 'nothing'})`).join('; ')}`);
  return { violations: v, head, floor, events: events.length };
}
