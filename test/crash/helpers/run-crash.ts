/**
 * One process-crash run (issue 9, item 2): `berth up --nodes 1 --runtime
 * process` with a Deployment of real processes and a write-heavy workload,
 * killed with SIGKILL at random moments and started again on the same data
 * directory, `kills` times. After every start:
 * - every acknowledged write is there (the ledger), nothing never written
 *   is, and the store's revision has not gone back;
 * - the Deployment reaches its desired state again: as many pods as its
 *   spec says (the last acknowledged scale, or the one in flight), all
 *   Running and Ready with distinct pod IPs, and exactly one live container
 *   process per pod on this machine: the old run's processes killed, none
 *   duplicated, none missing.
 * Most kills land after the cluster converged, while the writers write
 * and a scale is under way; about a fifth land while it is still
 * recovering from the previous kill (then the desired state is checked
 * after the start that follows). Moments are drawn from the seed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../../chaos/helpers/plan.js';
import { markedProcesses, startBerth, type BerthProcess } from './berth-process.js';
import { Ledger } from './ledger.js';
import { call, NS, sleep, Workload } from './workload.js';

export interface CrashSize {
  readonly name: string;
  readonly kills: number;
  readonly writers: number;
}

export const CRASH_SIZES: Readonly<Record<'ci' | 'full', CrashSize>> = {
  ci: { name: 'ci', kills: 5, writers: 8 },
  full: { name: 'full', kills: 20, writers: 16 },
};

export interface CrashReport {
  readonly seed: number;
  readonly size: CrashSize;
  readonly kills: number;
  readonly killedWhileRecovering: number;
  /** Restarts after which every acknowledged write was found and the desired state reached. */
  readonly restartsRecovered: number;
  readonly acknowledgedWrites: number;
  readonly unknownOutcomes: number;
  readonly keysChecked: number;
  /** Container processes of a killed run found and killed by the next start (checked gone). */
  readonly leftoverProcesses: number;
  readonly startMs: number[];
  readonly convergeMs: number[];
  readonly wallMs: number;
  readonly violations: string[];
}

export type Log = (line: string) => void;

const DEPLOYMENT = 'crash-web';
const CONVERGE_LIMIT_MS = 60_000;

function deployment(marker: string, replicas: number): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: DEPLOYMENT },
    spec: {
      replicas,
      selector: { matchLabels: { app: DEPLOYMENT } },
      template: {
        metadata: { labels: { app: DEPLOYMENT } },
        // `sleep` with a duration unique to the run: its processes are found by their command line.
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sleep', marker] }] },
      },
    },
  };
}

interface PodView {
  metadata: { name: string; deletionTimestamp?: string };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

export async function runCrash(size: CrashSize, seed: number, log: Log): Promise<CrashReport> {
  const wallStart = Date.now();
  const rnd = seededRandom(seed);
  const dir = mkdtempSync(join(tmpdir(), 'berth-crash-'));
  // e.g. sleep 999999.0012345678901: a duration no other process on the machine uses (our pid: two runs of one seed differ).
  const marker = `999999.${String(process.pid).padStart(7, '0')}${String(100_000 + Math.floor(rnd() * 900_000))}`;
  const ledger = new Ledger();
  const workload = new Workload(ledger, size.writers, seed);
  const violations: string[] = [];
  const startMs: number[] = [];
  const convergeMs: number[] = [];
  let berth: BerthProcess | null = null;
  let kills = 0;
  let killedWhileRecovering = 0;
  let restartsRecovered = 0;
  let leftoverProcesses = 0;
  let keysChecked = 0;
  // Replicas: the last acknowledged scale, and a scale in flight when the process died.
  let ackedReplicas = 2;
  let unknownReplicas: number | null = null;

  const fail = (what: string): void => {
    violations.push(what);
    log(`VIOLATION: ${what}`);
  };

  try {
    berth = await startBerth(dir, 1);
    startMs.push(berth.startMs);
    const created = await call(berth.url, 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment(marker, ackedReplicas));
    if (created.status !== 201) throw new Error(`creating the Deployment: ${created.status} ${JSON.stringify(created.body)}`);
    workload.target = berth.url;
    workload.start();
    log(`crash ${size.name} seed=${seed}: ${size.kills} SIGKILLs of berth up (1 process node), ${size.writers} writers, container marker ${marker}`);
    await converge(berth.url, 0);

    for (let n = 1; n <= size.kills; n++) {
      // Steady: write for a while, scale somewhere in it, and die at a random moment.
      const window = 300 + Math.floor(rnd() * 2_500);
      const scaleAt = Math.floor(rnd() * window);
      const replicas = 1 + Math.floor(rnd() * 4);
      await sleep(scaleAt);
      const scaling = scale(berth.url, replicas);
      await sleep(window - scaleAt);
      await killNow(n, `${window} ms into the workload, ${window - scaleAt} ms after scaling to ${replicas}`);
      await scaling;
      berth = await startBerth(dir, 1);
      startMs.push(berth.startMs);
      workload.target = berth.url;
      const killedNext = n < size.kills && rnd() < 0.25;
      if (await recovered(berth.url, n, killedNext)) restartsRecovered++;
      if (killedNext) {
        // The next kill lands during this recovery: at a random moment of its first seconds.
        await sleep(Math.floor(rnd() * 1_500));
        killedWhileRecovering++;
        n++;
        await killNow(n, 'while it was still recovering');
        berth = await startBerth(dir, 1);
        startMs.push(berth.startMs);
        workload.target = berth.url;
        if (await recovered(berth.url, n, false)) restartsRecovered++;
      }
    }
    await workload.stop();
    // The last state, checked once more with the writers stopped.
    keysChecked = ledger.size;
    const final = await storedConfigMaps(berth.url);
    for (const v of ledger.check(final.items).violations.slice(0, 10)) fail(`at the end: ${v}`);
    const code = await berth.stop();
    berth = null;
    if (code !== 0) fail(`berth up exited with ${code} on Ctrl-C`);
    const left = markedProcesses(marker);
    if (left.length > 0) fail(`${left.length} container processes still running after berth up stopped: ${left.map((p) => p.pid).join(', ')}`);
    for (const w of workload.unexpected.slice(0, 10)) fail(`unexpected answer: ${w}`);
  } finally {
    workload.target = null;
    await workload.stop();
    if (berth) await berth.kill();
    // Never leave this run's containers behind, whatever happened.
    for (const p of markedProcesses(marker)) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    seed,
    size,
    kills,
    killedWhileRecovering,
    restartsRecovered,
    acknowledgedWrites: ledger.acks,
    unknownOutcomes: ledger.unknowns,
    keysChecked,
    leftoverProcesses,
    startMs,
    convergeMs,
    wallMs: Date.now() - wallStart,
    violations,
  };

  async function killNow(n: number, when: string): Promise<void> {
    const before = markedProcesses(marker);
    workload.target = null;
    await berth!.kill();
    berth = null;
    kills++;
    leftoverProcesses += before.length;
    log(`kill #${n}: SIGKILL ${when}; ${before.length} container processes left running`);
  }

  async function scale(url: string, replicas: number): Promise<void> {
    unknownReplicas = replicas;
    try {
      const a = await call(url, 'PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/${DEPLOYMENT}/scale`, { spec: { replicas } }, 'application/merge-patch+json');
      if (a.status === 200) {
        ackedReplicas = replicas;
        unknownReplicas = null;
      }
    } catch {
      // Died with the process: the scale may or may not have been committed.
    }
  }

  /** After start n: the ledger, the revision, then (unless the next kill comes first) the desired state. */
  async function recovered(url: string, n: number, checkOnlyWrites: boolean): Promise<boolean> {
    const before = violations.length;
    const stored = await storedConfigMaps(url);
    const check = ledger.check(stored.items);
    for (const v of check.violations.slice(0, 10)) fail(`after start #${n + 1}: ${v}`);
    if (check.violations.length > 10) fail(`after start #${n + 1}: ... ${check.violations.length - 10} more keys wrong`);
    if (stored.revision < ledger.maxAckedRv) fail(`after start #${n + 1}: the store's revision ${stored.revision} is behind an acknowledged write at ${ledger.maxAckedRv}`);
    const d = await call(url, 'GET', `/apis/apps/v1/namespaces/${NS}/deployments/${DEPLOYMENT}`);
    const replicas = (d.body?.spec as { replicas?: number } | undefined)?.replicas;
    if (replicas !== ackedReplicas && replicas !== unknownReplicas) fail(`after start #${n + 1}: the Deployment wants ${replicas} replicas; the last acknowledged scale was ${ackedReplicas}${unknownReplicas === null ? '' : ` (${unknownReplicas} in flight)`}`);
    else {
      ackedReplicas = replicas;
      unknownReplicas = null;
    }
    log(`start #${n + 1} in ${berth!.startMs} ms: ${check.recovered} acknowledged keys all there (${ledger.acks} writes acknowledged, ${ledger.unknowns} unknown so far); revision ${stored.revision}`);
    if (checkOnlyWrites) return violations.length === before;
    await converge(url, n);
    return violations.length === before;
  }

  /** Wait until the Deployment's pods and this machine's container processes are exactly what its spec says. */
  async function converge(url: string, n: number): Promise<void> {
    const at = Date.now();
    let last = '';
    while (Date.now() - at < CONVERGE_LIMIT_MS) {
      last = await desiredStateProblem(url);
      if (last === '') {
        convergeMs.push(Date.now() - at);
        log(`start #${n + 1}: desired state (${ackedReplicas} pods, one process each) in ${Date.now() - at} ms`);
        return;
      }
      await sleep(100);
    }
    fail(`after start #${n + 1}: not at the desired state within ${CONVERGE_LIMIT_MS / 1000} s: ${last}`);
  }

  async function desiredStateProblem(url: string): Promise<string> {
    let d, p;
    try {
      d = await call(url, 'GET', `/apis/apps/v1/namespaces/${NS}/deployments/${DEPLOYMENT}`);
      p = await call(url, 'GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${DEPLOYMENT}`);
    } catch (err) {
      return `api: ${String(err)}`;
    }
    const want = (d.body?.spec as { replicas?: number } | undefined)?.replicas ?? -1;
    const status = (d.body?.status ?? {}) as { readyReplicas?: number; replicas?: number; updatedReplicas?: number };
    if (status.readyReplicas !== want || status.replicas !== want || status.updatedReplicas !== want) return `Deployment status ${JSON.stringify(status)}, want ${want}`;
    const pods = ((p.body?.items ?? []) as PodView[]).filter((x) => !x.metadata.deletionTimestamp);
    const terminating = ((p.body?.items ?? []) as PodView[]).length - pods.length;
    if (pods.length !== want || terminating > 0) return `${pods.length} pods (${terminating} terminating), want ${want}`;
    const notReady = pods.filter((x) => x.status?.phase !== 'Running' || !x.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (notReady.length > 0) return `pods not Running and Ready: ${notReady.map((x) => `${x.metadata.name}=${x.status?.phase}`).join(', ')}`;
    if (new Set(pods.map((x) => x.status?.podIP)).size !== pods.length) return `pod IPs not distinct: ${pods.map((x) => x.status?.podIP).join(', ')}`;
    const procs = markedProcesses(marker);
    const names = pods.map((x) => x.metadata.name).sort();
    const running = procs.map((x) => x.pod).sort();
    if (JSON.stringify(names) !== JSON.stringify(running)) return `container processes ${JSON.stringify(running)} (pids ${procs.map((x) => x.pid).join(', ')}), pods ${JSON.stringify(names)}`;
    return '';
  }
}

async function storedConfigMaps(url: string): Promise<{ revision: number; items: Map<string, { v: number; rv: number }> }> {
  const a = await call(url, 'GET', `/api/v1/namespaces/${NS}/configmaps`);
  if (a.status !== 200) throw new Error(`listing ConfigMaps: ${a.status} ${JSON.stringify(a.body)}`);
  const items = new Map<string, { v: number; rv: number }>();
  for (const o of (a.body!.items ?? []) as { metadata: { name: string; resourceVersion: string }; data?: { v?: string } }[]) {
    if (o.metadata.name === 'kube-root-ca.crt') continue;
    items.set(o.metadata.name, { v: Number(o.data?.v), rv: Number(o.metadata.resourceVersion) });
  }
  return { revision: Number((a.body!.metadata as { resourceVersion: string }).resourceVersion), items };
}

export function crashSummary(r: CrashReport): string {
  const median = (xs: number[]): number => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
  return (
    `crash ${r.size.name} seed=${r.seed}: ${r.kills} SIGKILLs (${r.killedWhileRecovering} while recovering), ${r.restartsRecovered}/${r.kills} restarts recovered; ` +
    `${r.acknowledgedWrites} acknowledged writes (${r.unknownOutcomes} unknown outcomes) over ${r.keysChecked} keys, all checked after every start; ` +
    `${r.leftoverProcesses} container processes left by kills, all killed and replaced; start median ${median(r.startMs)} ms, desired state median ${median(r.convergeMs)} ms after start (max ${Math.max(...r.convergeMs)} ms); ` +
    `${(r.wallMs / 1000).toFixed(0)} s wall; ${r.violations.length === 0 ? 'every restart recovered' : `${r.violations.length} violations`}`
  );
}
