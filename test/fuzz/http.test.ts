/**
 * The HTTP API under random requests (see http-requests.ts), one at a time
 * against one api-server: no 5xx but 503 (and Kubernetes' 504 for a
 * resourceVersion the server has not reached), the actors never crash or
 * restart, and a rejected request (>= 400) writes nothing: the store's
 * revision is the same after it as before. BERTH_FUZZ_RUNS sets the count
 * (10,000 by default; `npm run fuzz` runs more); BERTH_FUZZ_SEED replays a
 * failure with the seed fast-check prints.
 */
import test from 'ava';
import fc from 'fast-check';
import { Agent } from 'node:http';
import type { ApiStats } from '../../actors/api-server/messages.js';
import { startCluster, Teardowns, type Cluster } from '../api-server/helpers.js';
import { fuzzRequest, seedObjects, type FuzzRequest } from './http-requests.js';
import { rawRequest, type RawResult } from './raw-http.js';
import { fuzzRuns, fuzzSeed } from './scale.js';

const RUNS = fuzzRuns(10_000);

let cluster: Cluster;
const cleanup = new Teardowns();
const crashes: string[] = [];
test.before(async () => {
  cluster = await startCluster(cleanup);
  cluster.sup.on('crash', (e: { address: string; error: string }) => crashes.push(`crash ${e.address}: ${e.error}`));
  cluster.sup.on('restart', (e: { child: string; reason: string }) => crashes.push(`restart ${e.child}: ${e.reason}`));
});
test.after.always(() => cleanup.run());

/** Kubernetes' own answer to a read at a revision the server has not reached after 3 s: 504 Timeout, retry. */
function tooLargeResourceVersion(status: number, text: string): boolean {
  return status === 504 && /"reason":"Timeout"/.test(text) && /Too large resource version/.test(text);
}

const MAX_BODY = 3 * 1024 * 1024;

/**
 * The request's answer. The server answers an over-limit body with 413 and
 * closes the connection without reading the rest (as Kubernetes does); the
 * client, still uploading, may see the closed socket (EPIPE, ECONNRESET)
 * before the answer: that is the 413, not a failure.
 */
async function send(req: FuzzRequest, agent: Agent): Promise<RawResult> {
  try {
    return await rawRequest(cluster.url, req, agent);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if ((req.body?.length ?? 0) > MAX_BODY && (code === 'EPIPE' || code === 'ECONNRESET')) return { status: 413, text: `(${code} while uploading an over-limit body)`, headers: {} };
    throw err;
  }
}

const revision = async (): Promise<number> => (await cluster.sup.request<ApiStats>('api-server', { type: 'api.stats' })).revision;

test(`${RUNS} random requests: no 5xx but 503, no crash, and a rejected request changes nothing`, async (t) => {
  t.timeout(Math.max(120_000, RUNS * 20));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  for (const o of seedObjects()) {
    const r = await rawRequest(cluster.url, { method: 'POST', path: o.path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(o.body) }, agent);
    t.is(r.status, 201, `${o.path}: ${r.text}`);
  }
  const codes = new Map<number, number>();
  let before = await revision();
  await fc.assert(
    fc.asyncProperty(fuzzRequest, async (req: FuzzRequest) => {
      const res = await send(req, agent);
      codes.set(res.status, (codes.get(res.status) ?? 0) + 1);
      const after = await revision();
      const what = `${req.method} ${req.path} -> ${res.status} ${res.text.slice(0, 300)}`;
      if (res.status >= 500 && res.status !== 503 && !tooLargeResourceVersion(res.status, res.text)) throw new Error(`server error: ${what}`);
      if (res.status >= 400 && after !== before) throw new Error(`rejected, yet the store moved from revision ${before} to ${after}: ${what}`);
      if (crashes.length) throw new Error(`${crashes.join('; ')} after ${what}`);
      before = after;
    }),
    { numRuns: RUNS, seed: fuzzSeed(), endOnFailure: true, includeErrorInReport: true },
  );
  t.deepEqual(crashes, []);
  t.is((await cluster.sup.inspect('api-server').stats()).restarts, 0);
  t.is((await cluster.sup.inspect('store').stats()).restarts, 0);
  const health = await rawRequest(cluster.url, { method: 'GET', path: '/readyz' });
  t.is(health.status, 200, 'still serving');
  const summary = [...codes].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}: ${n}`).join(', ');
  t.log(`${RUNS} requests; status codes ${summary}`);
  t.true((codes.get(200) ?? 0) + (codes.get(201) ?? 0) > RUNS / 50, 'some requests are accepted, so writes are exercised too');
});
