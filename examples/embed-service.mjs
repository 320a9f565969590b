// @ts-check
/**
 * A plain Node HTTP service that embeds a Berth cluster: no CLI involved.
 *
 *   npm run build
 *   node examples/embed-service.mjs --port 8080 --nodes 3
 *
 *   curl -X POST localhost:8080/deploy -d '{"name":"web","image":"nginx:1.27","replicas":3,"wait":true}'
 *   curl localhost:8080/status
 *   curl localhost:8080/metrics
 *   KUBECONFIG=<the kubeconfig it prints> kubectl get pods -o wide
 *
 * On start it prints one JSON line: the service URL, the cluster's API URL
 * and the kubeconfig path. SIGINT/SIGTERM stop the cluster and exit.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Supervisor, deployments, nodes, pods, ApiError } from 'berth';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    nodes: { type: 'string', default: '3' },
    'data-dir': { type: 'string' },
  },
});

// The whole cluster: LMDB store, api-server (HTTP on 127.0.0.1, a free port), controllers,
// scheduler, and simulated nodes with quick image pulls so that pods are Ready in well under a second.
const cluster = await Supervisor.start({
  dataDir: args['data-dir'],
  nodes: [{ name: 'node', count: Number(args.nodes), capacity: { cpu: '4', memory: '16Gi', pods: '110' }, zones: ['zone-a', 'zone-b'], sim: { pullMs: 100, startMs: 50 } }],
  clock: 'real',
  api: { port: 0 },
  logLevel: 'warn',
});
const kubeconfig = cluster.writeKubeconfig();

/** @param {string} name @param {string} image @param {number} replicas */
function deployment(name, image, replicas) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      },
    },
  };
}

/** @param {import('node:http').IncomingMessage} req */
async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text === '' ? {} : JSON.parse(text);
}

async function status() {
  const [nodeList, deployList, podList] = await Promise.all([cluster.client.list(nodes), cluster.client.list(deployments, { namespace: 'default' }), cluster.client.list(pods, { namespace: 'default' })]);
  /** @type {Record<string, number>} */
  const phases = {};
  for (const p of podList.items) phases[p.status?.phase ?? 'Unknown'] = (phases[p.status?.phase ?? 'Unknown'] ?? 0) + 1;
  return {
    nodes: nodeList.items.map((n) => n.metadata.name),
    deployments: deployList.items.map((d) => ({ name: d.metadata.name, replicas: d.spec?.replicas ?? 0, ready: d.status?.readyReplicas ?? 0 })),
    pods: phases,
  };
}

/** @param {import('node:http').ServerResponse} res @param {number} code @param {unknown} body */
function send(res, code, body) {
  res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body) + '\n');
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/deploy') {
      const body = await readJson(req);
      const { name, image = 'nginx:1.27', replicas = 1, wait = false } = body;
      if (typeof name !== 'string' || !Number.isInteger(replicas)) return send(res, 400, { error: 'expected {"name": string, "image"?: string, "replicas"?: integer, "wait"?: boolean}' });
      // Create or update, like kubectl apply.
      await cluster.apply(deployment(name, image, replicas));
      if (wait) {
        await cluster.waitFor(
          { resource: deployments, name, namespace: 'default' },
          (d) => d?.status?.observedGeneration === d?.metadata.generation && d?.status?.readyReplicas === replicas && d?.status?.updatedReplicas === replicas,
          { timeout: 30_000 },
        );
      }
      return send(res, wait ? 200 : 202, { deployment: name, replicas, image, ready: wait });
    }
    if (req.method === 'GET' && url.pathname === '/status') return send(res, 200, await status());
    if (req.method === 'GET' && url.pathname === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(await cluster.metrics());
      return;
    }
    send(res, 404, { error: `no route ${req.method} ${url.pathname}; try POST /deploy, GET /status, GET /metrics` });
  } catch (err) {
    // A Kubernetes Status from the api-server keeps its code (422 for an invalid name, ...).
    if (err instanceof ApiError) return send(res, err.code, err.status);
    send(res, 500, { error: String(err instanceof Error ? err.message : err) });
  }
});

await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', () => resolve(undefined)));
const address = /** @type {import('node:net').AddressInfo} */ (server.address());
console.log(JSON.stringify({ service: `http://127.0.0.1:${address.port}`, api: cluster.url, kubeconfig }));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
