/** The kubelet actor's arguments and protocol. */
import type { Taint } from '../../lib/api/types/core.js';
import type { ResourceList } from '../../lib/api/types/pod.js';
import type { SimConfig } from './sim.js';

/** Node actors live at `node/<name>`. */
export const NODE_ADDRESS_PREFIX = 'node/';

export interface KubeletArgs {
  /** The api-server's address; default 'api-server'. */
  readonly apiServer?: string;
  /** Default: the actor's address after `node/`. */
  readonly nodeName?: string;
  /** The node's number in its pool: picks the default InternalIP (127.2.0.0/16) and podCIDR (a /24 in 127.128.0.0/9). */
  readonly index?: number;
  /** Overrides the default from `index`; must lie inside 127.0.0.0/8. */
  readonly podCIDR?: string;
  /** Default cpu 8, memory 32Gi, pods 110. */
  readonly capacity?: ResourceList;
  /** Default: the capacity. */
  readonly allocatable?: ResourceList;
  /** Extra labels; kubernetes.io/hostname, kubernetes.io/os, kubernetes.io/arch and topology.kubernetes.io/zone are set. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Default `zone-<index % 3>`. */
  readonly zone?: string;
  readonly taints?: readonly Taint[];
  /** Lease renewal period; default 10 s. */
  readonly leaseMs?: number;
  /** Default 40. */
  readonly leaseDurationSeconds?: number;
  /** Node status (Ready heartbeat) period; default 60 s. */
  readonly statusMs?: number;
  /** Pod status changes are written together after this long (one api.batch); default 0: at the end of the instant. */
  readonly flushMs?: number;
  /** The simulated runtime's behaviour for this node's pods (a pod's annotation overrides it). */
  readonly sim?: SimConfig;
  /** 'simulated' (default) or 'process': containers are real OS processes (actors/node/runtime/process.ts). */
  readonly runtime?: 'simulated' | 'process';
  /** The process runtime's directory: each node's files (logs, pid files) go in `<dataDir>/<node name>`; required with runtime 'process'. */
  readonly dataDir?: string;
  /** Container log rotation: size of a log file (default 10 MiB) and files kept per run (default 5). */
  readonly logMaxBytes?: number;
  readonly logMaxFiles?: number;
  /** The cluster DNS server (host:port, actors/dns) that process containers get as BERTH_DNS. */
  readonly dns?: string;
  /** Simulated nodes: hard eviction thresholds (default memory.available 100Mi, nodefs.available 10%). */
  readonly evictionHard?: Readonly<Partial<Record<'memory.available' | 'nodefs.available', string>>>;
  /** Simulated nodes: the eviction manager's period; default 10 s. */
  readonly evictionMs?: number;
  /** Simulated nodes: how long a pressure condition stays True after its threshold was last met; default 5 min. */
  readonly evictionPressureTransitionMs?: number;
}

export type KubeletMessage =
  | { type: 'kubelet.lease' }
  | { type: 'kubelet.status' }
  | { type: 'kubelet.pods'; at: number }
  | { type: 'kubelet.flush' }
  /** The eviction manager's period (simulated nodes: node-pressure eviction). */
  | { type: 'kubelet.eviction' }
  /** Retry a failed registration. */
  | { type: 'kubelet.register' }
  /** Reply: true once the Node is registered and the pod informer has synced. */
  | { type: 'kubelet.ready' }
  /** Reply: KubeletStats. */
  | { type: 'kubelet.stats' }
  /** The machine goes down: no lease, no status, containers lost, nothing written. Reply: true. */
  | { type: 'kubelet.fail' }
  /** The kubelet cannot reach the api-server: no writes, no watch; pods run on. Reply: true. */
  | { type: 'kubelet.partition' }
  /** Back to normal (after fail: as after a reboot; after partition: re-sync and report). Reply: true. */
  | { type: 'kubelet.recover' };

export interface KubeletStats {
  readonly node: string;
  readonly podCIDR: string;
  readonly pods: number;
  readonly running: number;
  readonly ips: number;
  readonly statusWrites: number;
  readonly batches: number;
  readonly leaseRenewals: number;
  readonly failures: number;
}
