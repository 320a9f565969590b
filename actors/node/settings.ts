/** A kubelet's settings: its arguments with every default written out. */
import { join } from 'node:path';
import type { Taint } from '../../lib/api/types/core.js';
import type { ResourceList } from '../../lib/api/types/pod.js';
import { resolveThresholds } from './eviction.js';
import { defaultPodCidr, nodeInternalIp, parsePodCidr, type Cidr } from './ipam.js';
import type { KubeletArgs } from './messages.js';
import type { SimConfig } from './sim.js';

export interface NodeSettings {
  readonly name: string;
  readonly runtime: 'berth-sim' | 'berth-process';
  /** The process runtime's directory (log files, pid files); '' for the simulated runtime. */
  readonly dataDir: string;
  /** Container log rotation (the kubelet's containerLogMaxSize, containerLogMaxFiles). */
  readonly logMaxBytes: number;
  readonly logMaxFiles: number;
  /** The cluster DNS (host:port) process containers get as BERTH_DNS. */
  readonly dns?: string;
  /** The kubelet endpoint's port, once it listens (process nodes). */
  readonly kubeletPort?: number;
  readonly internalIP: string;
  readonly podCIDR: string;
  readonly cidr: Cidr;
  readonly capacity: ResourceList;
  readonly allocatable: ResourceList;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly leaseMs: number;
  readonly leaseDurationSeconds: number;
  readonly statusMs: number;
  readonly flushMs: number;
  readonly sim: SimConfig;
  /** Hard eviction thresholds by signal (the kubelet's evictionHard); unset ones take Kubernetes' defaults. */
  readonly evictionHard: Readonly<Partial<Record<'memory.available' | 'nodefs.available', string>>>;
  /** The eviction manager's period (the kubelet's housekeeping: 10 s). */
  readonly evictionMs: number;
  /** A pressure condition stays True this long after its threshold was last met (evictionPressureTransitionPeriod, 5 min). */
  readonly evictionPressureTransitionMs: number;
}

export const DEFAULT_CAPACITY: ResourceList = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };

export function nodeSettings(name: string, args: KubeletArgs = {}): NodeSettings {
  const index = args.index ?? 0;
  const podCIDR = args.podCIDR ?? defaultPodCidr(index);
  const cidr = parsePodCidr(podCIDR);
  if (!cidr.ok) throw new TypeError(`node ${name}: ${cidr.error}`);
  const capacity = args.capacity ?? DEFAULT_CAPACITY;
  const processRuntime = args.runtime === 'process';
  if (processRuntime && !args.dataDir) throw new TypeError(`node ${name}: the process runtime needs a dataDir (its log and pid files)`);
  try {
    resolveThresholds(capacity, args.evictionHard);
  } catch (err) {
    throw new TypeError(`node ${name}: ${(err as Error).message}`);
  }
  return {
    name,
    runtime: processRuntime ? 'berth-process' : 'berth-sim',
    dataDir: processRuntime ? join(args.dataDir!, name) : '',
    logMaxBytes: args.logMaxBytes ?? 10 * 1024 * 1024,
    logMaxFiles: args.logMaxFiles ?? 5,
    ...(args.dns ? { dns: args.dns } : {}),
    internalIP: nodeInternalIp(index),
    podCIDR,
    cidr: cidr.value,
    capacity,
    allocatable: args.allocatable ?? capacity,
    labels: {
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'topology.kubernetes.io/zone': args.zone ?? `zone-${index % 3}`,
      ...args.labels,
    },
    taints: args.taints ?? [],
    leaseMs: args.leaseMs ?? 10_000,
    leaseDurationSeconds: args.leaseDurationSeconds ?? 40,
    statusMs: args.statusMs ?? 60_000,
    flushMs: args.flushMs ?? 0,
    sim: args.sim ?? {},
    evictionHard: args.evictionHard ?? {},
    evictionMs: args.evictionMs ?? 10_000,
    evictionPressureTransitionMs: args.evictionPressureTransitionMs ?? 300_000,
  };
}
