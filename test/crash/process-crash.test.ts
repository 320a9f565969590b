/**
 * Process crash (issue 9, item 2), CI size: `berth up --nodes 1 --runtime
 * process` with a Deployment of real processes and 8 writers creating,
 * patching and deleting ConfigMaps over HTTP, killed with SIGKILL 5 times
 * at random moments (mid-write, mid-scale, some mid-recovery) and started
 * again on the same data directory. Every start must recover every
 * acknowledged write, and the cluster must reach its desired state again:
 * one live container process per pod, the killed run's processes gone.
 * See helpers/run-crash.ts.
 *
 * Replay with BERTH_CRASH_SEED=<seed>; `npm run crash` (BERTH_SCALE=full)
 * runs 20 kills with 16 writers; `node dist/test/crash/run.js` prints each
 * kill and restart as it happens.
 */
import test from 'ava';
import { CRASH_SIZES, crashSummary, runCrash } from './helpers/run-crash.js';

const DEFAULT_SEED = 9;
const full = process.env.BERTH_SCALE === 'full' || process.env.BERTH_CRASH === 'full';
const size = full ? CRASH_SIZES.full : CRASH_SIZES.ci;

test(`berth up killed with SIGKILL ${size.kills} times under a write-heavy workload: every restart recovers every acknowledged write and reaches the desired state`, async (t) => {
  t.timeout((full ? 20 : 3) * 60_000);
  const seed = Number(process.env.BERTH_CRASH_SEED ?? DEFAULT_SEED);
  const report = await runCrash(size, seed, (line) => t.log(line));
  t.log(crashSummary(report));
  t.deepEqual(report.violations, [], `seed ${seed}: replay with BERTH_CRASH_SEED=${seed}`);
  t.is(report.kills, size.kills);
  t.is(report.restartsRecovered, size.kills, 'every restart recovered');
  t.true(report.acknowledgedWrites > 0 && report.unknownOutcomes > 0, 'writes were acknowledged, and some were in flight at a kill');
  t.true(report.leftoverProcesses > 0, 'kills left container processes behind for the restarts to deal with');
});
