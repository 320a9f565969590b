/**
 * The process-crash run with every kill and restart printed as it happens
 * (see helpers/run-crash.ts): BERTH_CRASH=ci|full (default full: 20
 * kills), BERTH_CRASH_SEED to replay. Exit code 1 on any violation.
 */
import { CRASH_SIZES, crashSummary, runCrash } from './helpers/run-crash.js';

const sizeName = process.env.BERTH_CRASH ?? 'full';
if (sizeName !== 'ci' && sizeName !== 'full') {
  console.error(`BERTH_CRASH: expected ci or full, got ${sizeName}`);
  process.exit(2);
}
const seed = Number(process.env.BERTH_CRASH_SEED ?? Date.now() % 1_000_000);
const at = Date.now();
const report = await runCrash(CRASH_SIZES[sizeName], seed, (line) => console.log(`[${((Date.now() - at) / 1000).toFixed(1).padStart(6)} s] ${line}`));
console.log(crashSummary(report));
process.exit(report.violations.length === 0 ? 0 : 1);
