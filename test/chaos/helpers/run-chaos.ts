/**
 * One actor chaos run, start to verdict: the cluster, the plan played on
 * it, then virtual time until the cluster looks converged (or a deadline),
 * then the invariants and the store's history. Shared by the ava test (CI
 * size) and `npm run chaos` (the issue's size).
 */
import { ChaosDriver, type Log } from './driver.js';
import { startChaosCluster } from './chaos-cluster.js';
import { checkHistory } from './history.js';
import { checkInvariants, looksConverged, type ClusterCounts } from './invariants.js';
import { makePlan, type ChaosSize } from './plan.js';

export interface ChaosReport {
  readonly seed: number;
  readonly size: ChaosSize;
  readonly kills: number;
  /** Restarts the supervisor made (kills, and crashes they caused). */
  readonly restarts: number;
  readonly violations: string[];
  /** Virtual ms: the faults, then until converged. */
  readonly chaosVirtualMs: number;
  readonly convergeVirtualMs: number;
  readonly wallMs: number;
  readonly counts: ClusterCounts | null;
  readonly revisions: number;
}

/** After the last fault, how long the cluster may take to settle (virtual). */
const CONVERGE_LIMIT_MS = 15 * 60_000;
const POLL_MS = 5_000;

export async function runChaos(size: ChaosSize, seed: number, log: Log): Promise<ChaosReport> {
  const wallStart = Date.now();
  const plan = makePlan(size, seed);
  const c = await startChaosCluster(plan);
  let restarts = 0;
  const restartsOf = new Map<string, number>();
  c.sup.on('restart', (e: { child: string }) => {
    restarts++;
    restartsOf.set(e.child, (restartsOf.get(e.child) ?? 0) + 1);
  });
  c.sup.on('escalated', (e: Error) => log(`ESCALATED: ${e.message}`));
  const stopWatchdog = watchdog(c, log);
  try {
    log(`cluster up in ${((Date.now() - wallStart) / 1000).toFixed(1)} s wall`);
    const driven = await new ChaosDriver(c, plan, log).run();
    const settleStart = c.sup.clock.now();
    let converged = false;
    while (c.sup.clock.now() - settleStart < CONVERGE_LIMIT_MS) {
      if (await looksConverged(c.api, plan)) {
        converged = true;
        break;
      }
      await c.sup.clock.runFor(POLL_MS);
      const waited = c.sup.clock.now() - settleStart;
      if (waited % 60_000 < POLL_MS) log(`still converging ${(waited / 1000).toFixed(0)} s of virtual time after the last fault`);
    }
    const convergeVirtualMs = c.sup.clock.now() - settleStart;
    log(`${converged ? 'converged' : 'NOT converged'} ${(convergeVirtualMs / 1000).toFixed(0)} s of virtual time after the last fault; restarts by child: ${JSON.stringify(Object.fromEntries(restartsOf))}`);
    // Steady, not passing through: more time changes nothing.
    await c.sup.clock.runFor(30_000);
    const state = await checkInvariants(c.api, c.sup, plan);
    const history = await checkHistory(c.store, c.sup.clock, driven.acked);
    log(`history: revisions ${history.floor + 1}..${history.head} (${history.events} events), ${driven.acked.length} acknowledged writes of the driver checked`);
    const violations = [...(converged ? [] : ['did not converge within 15 virtual minutes of the last fault']), ...state.violations, ...history.violations];
    return {
      seed,
      size,
      kills: driven.kills.length,
      restarts,
      violations,
      chaosVirtualMs: driven.virtualMs,
      convergeVirtualMs,
      wallMs: Date.now() - wallStart,
      counts: state.counts,
      revisions: history.head,
    };
  } finally {
    stopWatchdog();
    await c.stop();
  }
}

/** Every minute of wall time in which virtual time stood still: say why (the clock's view, actors not running or with mail). */
function watchdog(c: { sup: import('../../../lib/actor/supervisor.js').Supervisor }, log: Log): () => void {
  let last = -1;
  const timer = setInterval(() => {
    const now = c.sup.clock.now();
    if (now !== last) {
      last = now;
      return;
    }
    log(`STALL at virtual ${now}: ${c.sup.clock.describe()}`);
    void c.sup.actorStats().then(
      (stats) => {
        const odd = stats.filter((s) => s.state !== 'running' || s.mailboxDepth > 0);
        log(`STALL actors: ${stats.length} actors; not running or with mail: ${odd.map((s) => `${s.address}=${s.state}/${s.mailboxDepth}`).join(', ') || 'none'}`);
      },
      (err: unknown) => log(`STALL actors: stats failed: ${String(err)}`),
    );
  }, 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

export function summary(r: ChaosReport): string {
  return (
    `chaos ${r.size.name} seed=${r.seed}: ${r.kills} kills, ${r.restarts} restarts; ${r.size.nodes} nodes, ${r.counts?.pods ?? '?'} pods; ` +
    `${(r.chaosVirtualMs / 1000).toFixed(0)} s of faults + ${(r.convergeVirtualMs / 1000).toFixed(0)} s to converge (virtual), ${(r.wallMs / 1000).toFixed(0)} s wall; ` +
    `${r.revisions} revisions; ${r.violations.length === 0 ? 'converged to the desired state' : `${r.violations.length} violations`}`
  );
}
