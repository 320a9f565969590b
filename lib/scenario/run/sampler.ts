/**
 * Time series of a run: pods by phase at every sample (about every virtual
 * second) and, less often, every node's cpu utilization (the heat map).
 * Kept whole while running and thinned when the report is made, so the
 * report stays small whatever the run's length or cluster size.
 */
import { PHASES, type Heatmap, type PhaseName, type Series, type Summary } from '../../report/types.js';
import { byNodeOrder } from './nodes.js';
import type { Observer } from './observer.js';

export const HEAT_EVERY_MS = 5_000;
const MAX_POINTS = 600;
const MAX_COLUMNS = 120;
const MAX_ROWS = 100;

export class Sampler {
  private readonly t: number[] = [];
  private readonly phases = Object.fromEntries(PHASES.map((p) => [p, [] as number[]])) as Record<PhaseName, number[]>;
  private readonly heatT: number[] = [];
  private readonly heat: Float32Array[] = [];
  private nodeOrder: string[] = [];
  private lastHeat = -Infinity;
  private firstAllReady: Summary['allReady'];

  /** `wallNow`: wall ms since the run began. */
  constructor(
    private readonly observer: Observer,
    private readonly wallNow: () => number,
  ) {}

  sample(now: number): void {
    if (this.t.length > 0 && this.t[this.t.length - 1] === now) return;
    this.t.push(now);
    for (const p of PHASES) this.phases[p].push(this.observer.counts[p]);
    const pods = this.observer.pods.size;
    if (this.firstAllReady === undefined && pods > 0 && this.observer.counts.Ready === pods) this.firstAllReady = { at: now, wallMs: this.wallNow(), pods };
    if (now - this.lastHeat >= HEAT_EVERY_MS) {
      this.lastHeat = now;
      if (this.nodeOrder.length !== this.observer.nodes.size) this.nodeOrder = [...this.observer.nodes.keys()].sort(byNodeOrder);
      const col = new Float32Array(this.nodeOrder.length);
      this.nodeOrder.forEach((name, i) => {
        const n = this.observer.nodes.get(name);
        col[i] = n && n.allocCpu > 0 ? n.usedCpu / n.allocCpu : 0;
      });
      this.heatT.push(now);
      this.heat.push(col);
    }
  }

  /** When every pod was first Ready (Summary.allReady). */
  get allReady(): Summary['allReady'] {
    return this.firstAllReady;
  }

  series(): Series {
    const keep = thin(this.t.length, MAX_POINTS);
    return {
      t: keep.map((i) => this.t[i]!),
      phases: Object.fromEntries(PHASES.map((p) => [p, keep.map((i) => this.phases[p][i]!)])) as Record<PhaseName, number[]>,
    };
  }

  heatmap(): Heatmap {
    const cols = thin(this.heat.length, MAX_COLUMNS);
    const n = this.nodeOrder.length;
    const per = Math.max(1, Math.ceil(n / MAX_ROWS));
    const rows: string[] = [];
    const values: number[][] = [];
    for (let r = 0; r * per < n; r++) {
      const from = r * per;
      const to = Math.min(n, from + per);
      rows.push(per === 1 ? this.nodeOrder[from]! : `${this.nodeOrder[from]}..${this.nodeOrder[to - 1]}`);
      values.push(
        cols.map((c) => {
          const col = this.heat[c]!;
          let sum = 0;
          let k = 0;
          for (let i = from; i < to && i < col.length; i++, k++) sum += col[i]!;
          return k === 0 ? 0 : Math.round((sum / k) * 1000) / 1000;
        }),
      );
    }
    return { rows, t: cols.map((c) => this.heatT[c]!), values };
  }
}

/** At most `max` indexes of `n`, evenly spread, always keeping the last. */
function thin(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return [...new Set(out)];
}
