/** Shared by the scenario tests: the shipped scenarios and a small valid base to break. */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/scenario). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCENARIOS_DIR = join(ROOT, 'scenarios');

export function shippedScenarios(): string[] {
  return readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.yaml')).sort();
}

/** A minimal valid scenario; cases replace one line of it. */
export const BASE = `name: base
seed: 1
cluster:
  nodePools:
    - name: worker
      count: 3
      capacity: { cpu: "4", memory: 8Gi }
      zones: [zone-a, zone-b]
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 2
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec:
          containers: [{ name: web, image: nginx }]
timeline:
  - at: 10s
    scale: { name: web, replicas: 3 }
  - at: 20s
    failNodes: { zone: zone-a }
expect:
  - allPodsRunning: { selector: app=web, by: 1m }
`;
