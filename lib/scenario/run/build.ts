/**
 * The supervisor's children for a scenario: the store (LMDB in a directory
 * of the run), the api-server (in-process only), the controller-manager
 * and the scheduler (each replicated with leader election when the
 * scenario asks for replicas), the scheduler with the scenario's (or
 * variant's) profile, weights and seed, and the node pools: simulated
 * kubelets packed many to a host thread (one thread up to NODES_PER_HOST
 * nodes, a few for big clusters: a thread costs ~10 MB; two shared cores
 * gain little from more), process kubelets on a thread of their own with
 * kube-proxy listening on the ClusterIPs in front of them.
 */
import { join } from 'node:path';
import { apiServerChildSpec } from '../../../actors/api-server/spec.js';
import { controllerManagerChildSpec } from '../../../actors/controller-manager/spec.js';
import type { KubeletArgs } from '../../../actors/node/messages.js';
import type { Latency as SimLatency, SimConfig } from '../../../actors/node/sim.js';
import type { SimFailure } from '../../../actors/node/sim-failures.js';
import { nodeGroupSpec } from '../../../actors/node/spec.js';
import { kubeProxyChildSpec } from '../../../actors/kube-proxy/spec.js';
import type { ProfileName } from '../../../actors/scheduler/messages.js';
import { schedulerChildSpec } from '../../../actors/scheduler/spec.js';
import { storeChildSpec } from '../../../actors/store/spec.js';
import type { ChildSpec } from '../../actor/supervision.js';
import type { ActorSpec } from '../../actor/types.js';
import type { ResourceList } from '../../api/types/pod.js';
import { nodeName, nodeZone, replicaAddresses } from '../cluster.js';
import type { Distribution, FailureBehaviour, NodePool, Scenario, SchedulerOptions } from '../types.js';
import { runNetwork, type RunNetwork } from './network.js';

export const NODES_PER_HOST = 1_500;
export const MAX_NODE_HOSTS = 3;

export interface BuiltCluster {
  readonly children: ChildSpec[];
  /** The addresses of the scheduler and controller-manager replicas (the first is `scheduler` / `controller-manager`). */
  readonly schedulers: readonly string[];
  readonly controllerManagers: readonly string[];
  /** kube-proxy runs (process pools: real listeners on the ClusterIPs). */
  readonly kubeProxy: boolean;
  /** Where process nodes keep their files (pid files: what to kill if a node could not); undefined without process pools. */
  readonly processNodesDir?: string;
  readonly scheduler: { readonly profile: string; readonly weights: Readonly<Record<string, number>> };
  /** What the run cannot do as the scenario asks. */
  readonly warnings: string[];
}

export function buildCluster(scenario: Scenario, scheduler: SchedulerOptions, seed: number, dataDir: string): BuiltCluster {
  const warnings: string[] = [];
  const cp = scenario.cluster.controlPlane;
  const pools = scenario.cluster.nodePools;
  const processes = pools.some((p) => p.runtime === 'process');
  const network = processes ? runNetwork() : undefined;
  const processNodesDir = processes ? join(dataDir, 'nodes') : undefined;
  const schedulers = replicaAddresses('scheduler', scheduler.replicas);
  const controllerManagers = replicaAddresses('controller-manager', cp.controllerManager.replicas);
  const children: ChildSpec[] = [
    storeChildSpec({ path: join(dataDir, 'store') }),
    apiServerChildSpec({ port: null, nameSeed: seed, ...(network ? { serviceCidr: network.serviceCidr } : {}) }),
    // Replica identities are their addresses, fixed from run to run (not the random default), so the elections' jitter repeats too.
    ...controllerManagers.map((id) => controllerManagerChildSpec(controllerManagers.length > 1 ? { leaderElection: { identity: id } } : {}, { id })),
    ...schedulers.map((id) =>
      schedulerChildSpec({ profile: scheduler.profile as ProfileName, weights: scheduler.weights, seed, ...(schedulers.length > 1 ? { leaderElection: { identity: id } } : {}) }, { id }),
    ),
    ...(processes ? [kubeProxyChildSpec({ sockets: true })] : []),
    ...nodeHosts(pools, warnings, network, processNodesDir),
  ];
  return {
    children, schedulers, controllerManagers, kubeProxy: processes, ...(processNodesDir ? { processNodesDir } : {}),
    scheduler: { profile: scheduler.profile, weights: scheduler.weights }, warnings,
  };
}

/**
 * Every pool's kubelets: simulated ones dealt onto as few host threads as
 * NODES_PER_HOST allows (at most MAX_NODE_HOSTS), process ones on a host of
 * their own (their runtime does blocking work: spawning, log files).
 */
function nodeHosts(pools: readonly NodePool[], warnings: string[], network: RunNetwork | undefined, processDir: string | undefined): ChildSpec[] {
  const actors: ActorSpec[] = [];
  const processActors: ActorSpec[] = [];
  let index = 0;
  let processIndex = 0;
  for (const pool of pools) {
    for (let i = 0; i < pool.count; i++) {
      const name = nodeName(pool.name, i);
      if (pool.runtime === 'process') {
        // Indexes from the run's network slot: podCIDRs no other cluster on the machine uses.
        const args: KubeletArgs = { ...kubeletArgs(pool, i), runtime: 'process', dataDir: processDir! };
        processActors.push(...nodeGroupSpec([name], args, { firstIndex: network!.firstNodeIndex + processIndex++ }).group);
        continue;
      }
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
  // Process nodes stop their containers (SIGTERM, then SIGKILL after the grace period) when they stop.
  if (processActors.length > 0) out.push({ id: 'process-nodes', group: processActors, restart: 'permanent', shutdownMs: 15_000 });
  return out;
}

function kubeletArgs(pool: NodePool, i: number): KubeletArgs {
  // Without zones the kubelet would label zone-<index % 3>; for process nodes, whose index comes
  // from the run's network slot, that would change from run to run: give the pool position's.
  const zone = nodeZone(pool, i) ?? (pool.runtime === 'process' ? `zone-${i % 3}` : undefined);
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
    ...(pool.failures.length > 0 ? { failures: pool.failures.map(simFailure) } : {}),
  };
}

/** A pool's failure behaviour as the simulated runtime draws it (actors/node/sim-failures.ts). */
function simFailure(f: FailureBehaviour): SimFailure {
  const sel = f.selector === undefined ? {} : { selector: f.selector };
  switch (f.type) {
    case 'crashLoop':
      return { probability: f.probability, exitAfterMs: 0, exitCode: f.exitCode, ...sel };
    case 'exitAfter':
      return { probability: f.probability, exitAfterMs: simLatency(f.after), exitCode: f.exitCode, ...sel };
    case 'oomKill':
      return { probability: f.probability, exitAfterMs: simLatency(f.after), oomKilled: true, ...sel };
  }
}

export function simLatency(d: Distribution): SimLatency {
  switch (d.type) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return { min: d.min, max: d.max };
    case 'exponential':
      return { mean: d.mean };
    case 'normal':
      return { mean: d.mean, stddev: d.stddev };
    case 'lognormal':
      return { median: d.median, sigma: d.sigma };
  }
}
