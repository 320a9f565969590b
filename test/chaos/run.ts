/**
 * `npm run chaos`: the actor chaos run at the size (500 nodes,
 * 10,000 pods, 100 kills), printing every fault as it happens and the
 * verdict. BERTH_CHAOS=ci for the CI size; BERTH_CHAOS_SEED to replay a seed.
 * Exit code 1 when the cluster did not converge to the desired state.
 */
import { SIZES, VICTIM_KINDS, type ChaosSize, type VictimKind } from './helpers/plan.js';
import { runChaos, summary } from './helpers/run-chaos.js';

const sizeName = process.env.BERTH_CHAOS ?? 'full';
if (sizeName !== 'ci' && sizeName !== 'full') {
  console.error(`BERTH_CHAOS: expected ci or full, got ${sizeName}`);
  process.exit(2);
}
const victims = process.env.BERTH_CHAOS_VICTIMS?.split(',');
for (const v of victims ?? []) {
  if (!(VICTIM_KINDS as readonly string[]).includes(v)) {
    console.error(`BERTH_CHAOS_VICTIMS: ${v} is not one of ${VICTIM_KINDS.join(', ')}`);
    process.exit(2);
  }
}
const size: ChaosSize = {
  ...SIZES[sizeName],
  ...(process.env.BERTH_CHAOS_KILLS ? { kills: Number(process.env.BERTH_CHAOS_KILLS) } : {}),
  ...(victims ? { victims: victims as VictimKind[] } : {}),
  ...(process.env.BERTH_CHAOS_NODES ? { nodes: Number(process.env.BERTH_CHAOS_NODES) } : {}),
  ...(process.env.BERTH_CHAOS_REPLICAS ? { replicasEach: Number(process.env.BERTH_CHAOS_REPLICAS) } : {}),
};
const seed = Number(process.env.BERTH_CHAOS_SEED ?? Date.now() % 1_000_000);
const at = Date.now();
const report = await runChaos(size, seed, (line) => console.log(`[${((Date.now() - at) / 1000).toFixed(0).padStart(4)} s] ${line}`));
for (const v of report.violations) console.log(`VIOLATION: ${v}`);
console.log(summary(report));
process.exit(report.violations.length === 0 ? 0 : 1);
