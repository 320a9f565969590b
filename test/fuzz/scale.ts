/**
 * How hard the fuzz suites try: `npm test` runs the CI size, `npm run fuzz`
 * sets BERTH_FUZZ_RUNS higher. BERTH_FUZZ_SEED replays a failure with the
 * seed fast-check printed.
 */
export function fuzzRuns(ciSize: number): number {
  const n = Number(process.env.BERTH_FUZZ_RUNS ?? '');
  return Number.isSafeInteger(n) && n > 0 ? n : ciSize;
}

/** Runs of a suite whose CI size is `ciSize` when the HTTP suite runs `BERTH_FUZZ_RUNS` (scaled alike). */
export function scaledRuns(ciSize: number, httpCiSize = 10_000): number {
  return Math.max(1, Math.round((ciSize * fuzzRuns(httpCiSize)) / httpCiSize));
}

export function fuzzSeed(): number | undefined {
  const s = Number(process.env.BERTH_FUZZ_SEED ?? '');
  return process.env.BERTH_FUZZ_SEED && Number.isInteger(s) ? s : undefined;
}
