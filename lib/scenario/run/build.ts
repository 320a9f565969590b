/**
 * The supervisor's children for a scenario: the store (LMDB in a directory
 * of the run), the api-server (in-process only), the controller-manager,
 * the scheduler with the scenario's (or variant's) profile, weights and
 * seed, and the node pools as simulated kubelets packed many to a host
 * thread: one thread up to NODES_PER_HOST nodes, a few for big clusters
 * (a thread costs ~10 MB; two shared cores gain little from more).
 */
import { join } from 'node:path';
import { apiServerChildSpec } from '../../../actors/api-server/spec.js';
import { controllerManagerChildSpec } from '../../../actors/controller-manager/spec.js';
import type { KubeletArgs } from '../../../actors/node/messages.js';
import type { Latency as SimLatency, SimConfig } from '../../../actors/node/sim.js';
import { nodeGroupSpec } from '../../../actors/node/spec.js';
import type { ProfileName } from '../../../actors/scheduler/messages.js';
import { schedulerChildSpec } from '../../../actors/scheduler/spec.js';
import { storeChildSpec } from '../../../actors/store/spec.js';
import type { ChildSpec } from '../../actor/supervision.js';
import type { ActorSpec } from '../../actor/types.js';
import type { ResourceList } from '../../api/types/pod.js';
import { nodeName, nodeZone } from '../cluster.js';
import type { Distribution, NodePool, Scenario, SchedulerOptions } from '../types.js';

export const NODES_PER_HOST = 1_500;
export const MAX_NODE_HOSTS = 3;

export interface BuiltCluster {
  readonly children: ChildSpec[];
  readonly scheduler: { readonly profile: string; readonly weights: Readonly<Record<string, number>> };
  /** What the run cannot do as the scenario asks. */
  readonly warnings: string[];
}

export function buildCluster(scenario: Scenario, scheduler: SchedulerOptions, seed: number, dataDir: string): BuiltCluster {
  const warnings: string[] = [];
  const cp = scenario.cluster.controlPlane;
  if (scheduler.replicas > 1 || cp.controllerManager.replicas > 1) {
    warnings.push('control-plane replicas > 1: the runner does not start replicas yet (the actors elect leaders, the runner does not use it); one scheduler and one controller-manager run');
  }
  const children: ChildSpec[] = [
    storeChildSpec({ path: join(dataDir, 'store') }),
    apiServerChildSpec({ port: null, nameSeed: seed }),
    controllerManagerChildSpec(),
    schedulerChildSpec({ profile: scheduler.profile as ProfileName, weights: scheduler.weights, seed }),
    ...nodeHosts(scenario.cluster.nodePools, warnings),
  ];
  return { children, scheduler: { profile: scheduler.profile, weights: scheduler.weights }, warnings };
}

/** Every pool's kubelets, dealt onto as few host threads as NODES_PER_HOST allows (at most MAX_NODE_HOSTS). */
function nodeHosts(pools: readonly NodePool[], warnings: string[]): ChildSpec[] {
  const actors: ActorSpec[] = [];
  let index = 0;
  for (const pool of pools) {
    if (pool.runtime === 'process') warnings.push(`pool ${pool.name}: the runner does not play process-runtime pools yet (berth up --runtime process does); its nodes run simulated`);
    if (pool.failures.length > 0) warnings.push(`pool ${pool.name}: failure behaviours are not simulated yet (the simulated runtime has no per-container probability); ignored`);
    for (let i = 0; i < pool.count; i++) {
      const name = nodeName(pool.name, i);
      // nodeGroupSpec gives each node its index (InternalIP and podCIDR): unique across pools.
      actors.push(...nodeGroupSpec([name], kubeletArgs(pool, i), { firstIndex: index++ }).group);
    }
  }
  const hosts = Math.min(MAX_NODE_HOSTS, Math.max(1, Math.ceil(actors.length / NODES_PER_HOST)));
  const per = Math.ceil(actors.length / hosts);
  const out: ChildSpec[] = [];
  for (let h = 0; h < hosts; h++) {
    const group = actors.slice(h * per, (h + 1) * per);
    if (group.length > 0) out.push({ id: hosts === 1 ? 'nodes' : `nodes-${h}`, group, restart: 'permanent', shutdownMs: 5_000 });
  }
  return out;
}

function kubeletArgs(pool: NodePool, i: number): KubeletArgs {
  const zone = nodeZone(pool, i);
  return {
    capacity: pool.capacity as ResourceList,
    labels: pool.labels,
    ...(zone === undefined ? {} : { zone }),
    taints: pool.taints.map((t) => ({ key: t.key, effect: t.effect, ...(t.value === undefined ? {} : { value: t.value }) })),
    sim: simConfig(pool),
  };
}

export function simConfig(pool: NodePool): SimConfig {
  const l = pool.latency;
  return {
    ...(l.pull ? { pullMs: simLatency(l.pull) } : {}),
    ...(l.start ? { startMs: simLatency(l.start) } : {}),
    ...(l.ready ? { readyDelayMs: simLatency(l.ready) } : {}),
  };
}

export function simLatency(d: Distribution): SimLatency {
  switch (d.type) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return { min: d.min, max: d.max };
    case 'normal':
      return { mean: d.mean, stddev: d.stddev };
    case 'lognormal':
      return { median: d.median, sigma: d.sigma };
  }
}
