/**
 * Kubelet timers on a grid. A kubelet's lease and status timers fire on
 * whole seconds: under the virtual clock every distinct instant is a step in
 * which all hosts must report idle, so 5,000 nodes whose leases fall on
 * 5,000 different milliseconds cost 5,000 steps per period where 10 do the
 * same work. A renewal is at most a second later than its period, well
 * inside the 40 s grace the node-lifecycle controller gives.
 */
export const HEARTBEAT_GRID_MS = 1_000;

/** The delay from `now` to the first grid instant at least `period` away. */
export function delayOnGrid(now: number, period: number, grid = HEARTBEAT_GRID_MS): number {
  const due = now + period;
  const late = due % grid;
  return late === 0 ? period : period + (grid - late);
}

/**
 * Pod lifecycle timers (pull done, started, ready, exited) fire on the next
 * multiple of 10 ms. Latencies drawn per container otherwise land on as
 * many distinct milliseconds as there are containers: 3,000 pods starting
 * made 1,900 virtual-clock steps, each a round of every host, where 10 ms
 * resolution makes at most 100 per simulated second. Reported latencies
 * are therefore up to 10 ms later than drawn.
 */
export const POD_TIMER_GRID_MS = 10;

export function onPodGrid(at: number): number {
  return Math.ceil(at / POD_TIMER_GRID_MS) * POD_TIMER_GRID_MS;
}
