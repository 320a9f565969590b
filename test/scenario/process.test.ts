/**
 * serviceTraffic fails, and says why, when the servers behind the Service
 * do not answer as their pods: real processes, real clock (a few seconds).
 * The passing case is scenarios/real-processes.yaml (run.test.ts).
 */
import test from 'ava';
import { parseScenario } from '../../lib/scenario/parse.js';
import { runScenario } from '../../lib/scenario/run/run.js';
import { TRAFFIC_ATTEMPTS } from '../../lib/scenario/run/traffic.js';

const IMPOSTORS = `name: impostors
clock: real
cluster:
  nodePools:
    - name: proc
      count: 1
      capacity: { cpu: "2", memory: 4Gi }
      runtime: process
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: echo }
    spec:
      replicas: 2
      selector: { matchLabels: { app: echo } }
      template:
        metadata: { labels: { app: echo } }
        spec:
          terminationGracePeriodSeconds: 1
          containers:
            - name: echo
              image: node:20
              command: [node, -e, "require('http').createServer((q, s) => s.end('somebody else')).listen(8080, process.env.POD_IP)"]
              readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
  - apiVersion: v1
    kind: Service
    metadata: { name: echo }
    spec:
      selector: { app: echo }
      ports: [{ port: 8000, targetPort: 8080 }]
timeline:
  - waitUntil:
      condition: { fieldPath: { kind: Deployment, name: echo, path: .status.readyReplicas, op: '==', value: 2 } }
      deadline: 30s
expect:
  - serviceTraffic: { name: echo, port: 8000, requests: 4 }
`;

test('serviceTraffic fails when the answers name no ready backend, and says what came back', async (t) => {
  const parsed = parseScenario(IMPOSTORS, 'impostors.yaml');
  if (!parsed.ok) return t.fail(JSON.stringify(parsed.errors));
  const run = (await runScenario(parsed.scenario, { file: 'impostors.yaml', clock: 'virtual' })).runs[0]!;
  t.is(run.timeline[0]!.status, 'done', run.timeline[0]!.detail);
  const e = run.expectations[0]!;
  t.false(e.passed);
  t.regex(e.detail, /4 GET \/ to Service default\/echo \(127\.1\.\d+\.\d+:8000\): 4 failed \(an answer that names no ready backend: "somebody else"\)/);
  t.true(e.detail.includes(`after ${TRAFFIC_ATTEMPTS} attempts`), e.detail);
  t.true(run.warnings.some((w) => w.includes('real clock')), 'asked for the virtual clock, it said it ran on the real one');
});
