/** The runtime a node's settings ask for. */
import type { Pod } from '../../../lib/api/types/pod.js';
import type { ApiClient } from '../../../lib/client/client.js';
import type { NodeSettings } from '../settings.js';
import { apiEnvSources } from './env.js';
import { ProcessRuntime } from './process.js';
import { SimulatedRuntime } from './simulated.js';
import type { ContainerRuntime, RuntimeEvents } from './types.js';

export interface RuntimeDeps {
  readonly api: ApiClient;
  readonly events: RuntimeEvents;
  podOf(key: string): Readonly<Pod> | undefined;
  now(): number;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export function createRuntime(s: NodeSettings, deps: RuntimeDeps): ContainerRuntime {
  if (s.runtime === 'berth-sim') return new SimulatedRuntime();
  return new ProcessRuntime({
    dataDir: s.dataDir,
    nodeName: s.name,
    limits: { maxBytes: s.logMaxBytes, maxFiles: s.logMaxFiles },
    events: deps.events,
    env: apiEnvSources(deps.api),
    ...(s.dns ? { dns: s.dns } : {}),
    podOf: deps.podOf,
    now: deps.now,
    warn: deps.warn,
  });
}

export type { ContainerRuntime, RuntimeEvents } from './types.js';
