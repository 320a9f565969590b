/**
 * `berth demo`: what `npm start` runs until the scenario runner lands. It
 * exercises the actor runtime the way a cluster will: many simulated nodes
 * packed on one host thread heartbeating to a registry under the virtual
 * clock, the node host killed mid-run and restarted by the supervisor.
 */
import type { RegistryReport } from './demo-actors.js';
import { Supervisor } from '../actor/supervisor.js';
import type { Message } from '../actor/types.js';

export interface DemoOptions {
  readonly nodes: number;
  readonly minutes: number;
}

const heartbeatMs = 10_000;
const graceMs = 40_000;

export async function runDemo(options: DemoOptions): Promise<void> {
  const module = new URL('./demo-actors.js', import.meta.url).href;
  const group = Array.from({ length: options.nodes }, (_, i) => ({
    address: `node/node-${String(i).padStart(4, '0')}`,
    module,
    export: 'demoNode',
    args: { heartbeatMs },
  }));
  const wallStart = Date.now();
  const sup = await Supervisor.start({
    clock: 'virtual',
    children: [
      { id: 'registry', module, export: 'registry' },
      { id: 'nodes', group },
    ],
    logLevel: 'silent',
  });
  const restarts: string[] = [];
  sup.on('restart', (e: { child: string; reason: string }) => restarts.push(`${e.child}: ${e.reason.split('\n')[0]}`));
  const durationMs = options.minutes * 60_000;
  const report = (): Promise<RegistryReport> => sup.request<RegistryReport>('registry', { type: 'registry.report', graceMs } as Message);

  console.log(`berth demo: the actor runtime on its own (the scheduler, store and api-server are not built yet).`);
  console.log(`${options.nodes} simulated nodes on one host thread heartbeat every ${heartbeatMs / 1000} s to a registry actor, under the virtual clock.`);
  await sup.clock.runFor(durationMs / 2);
  const half = await report();
  console.log(`t=${fmt(sup.clock.now())}  heartbeats=${half.heartbeats}  nodes=${half.nodes}  stale=${half.stale}`);
  console.log(`t=${fmt(sup.clock.now())}  killing the node host thread (as a native crash would)`);
  sup.send(group[0]!.address, { type: 'node.crash' });
  await sup.clock.settle();
  await sup.clock.runFor(durationMs / 2);
  const end = await report();
  console.log(`t=${fmt(sup.clock.now())}  heartbeats=${end.heartbeats}  nodes=${end.nodes}  stale=${end.stale}  longest gap=${end.longestGapMs / 1000} s`);
  console.log(`restarts: ${restarts.length ? restarts.join('; ') : 'none'}`);
  console.log(`dead letters: ${sup.deadLetterCount}`);
  console.log(`${fmt(durationMs)} of cluster time in ${((Date.now() - wallStart) / 1000).toFixed(2)} s of wall time.`);
  await sup.stop();
  if (end.stale > 0 || end.nodes !== options.nodes) {
    console.log('FAILED: some nodes did not come back');
    process.exitCode = 1;
  }
}

function fmt(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
