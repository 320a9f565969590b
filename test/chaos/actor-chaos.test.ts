/**
 * Actor chaos (issue 9, item 1), CI size: 50 simulated nodes, 1,000 pods in
 * 10 Deployments, a rolling update, a scale, node outages (two long enough
 * for eviction, one brief), and 20 host threads killed at random virtual
 * times (store, api-server, scheduler, controller-manager, node hosts).
 * Afterwards the cluster must be exactly the desired state and the store's
 * history whole (see helpers/invariants.ts and helpers/history.ts).
 *
 * Replay a failure with BERTH_CHAOS_SEED=<seed> (printed in the log);
 * `npm run chaos` (BERTH_SCALE=full) runs the size: 500 nodes,
 * 10,000 pods, 100 kills. `node dist/test/chaos/run.js` runs it with the
 * faults printed as they happen (BERTH_CHAOS=ci|full).
 */
import test from 'ava';
import { SIZES } from './helpers/plan.js';
import { runChaos, summary } from './helpers/run-chaos.js';

const DEFAULT_SEED = 9;
const full = process.env.BERTH_SCALE === 'full' || process.env.BERTH_CHAOS === 'full';
const size = full ? SIZES.full : SIZES.ci;

test(`${size.kills} host threads killed during a rollout with node outages: the cluster converges to exactly the desired state, history whole`, async (t) => {
  t.timeout((full ? 150 : 10) * 60_000);
  const seed = Number(process.env.BERTH_CHAOS_SEED ?? DEFAULT_SEED);
  const report = await runChaos(size, seed, (line) => t.log(line));
  t.log(summary(report));
  t.deepEqual(report.violations, [], `seed ${seed}: replay with BERTH_CHAOS_SEED=${seed}`);
  t.is(report.kills, size.kills);
  t.true(report.restarts >= report.kills, 'every kill was a restart');
});
