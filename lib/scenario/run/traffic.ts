/**
 * serviceTraffic: real HTTP requests to a Service's ClusterIP, which
 * kube-proxy forwards to the pods of process nodes. Each request opens a
 * connection of its own (no keep-alive): kube-proxy balances connections,
 * not requests. The servers answer with their pod name ($POD_NAME), so the
 * answers say which backend served each request.
 */
import { request } from 'node:http';
import { endpoints, services } from '../../api/resources/index.js';
import type { Endpoints, Service } from '../../api/types/core.js';
import { isNotFound } from '../../client/errors.js';
import type { ObjectRef } from '../types.js';
import type { RunContext } from './context.js';
import type { Verdict } from './conditions.js';

export interface TrafficSpec {
  readonly target: ObjectRef;
  readonly port: number;
  readonly path: string;
  readonly requests: number;
}

/** A failed check is tried again this often, a second apart: kube-proxy opens a listener some ms (up to a few hundred) after the Endpoints change. */
export const TRAFFIC_ATTEMPTS = 5;
const REQUEST_TIMEOUT_MS = 3_000;

export async function checkTraffic(ctx: RunContext, spec: TrafficSpec): Promise<Verdict> {
  let last: Verdict = { holds: false, detail: 'not tried' };
  for (let attempt = 1; attempt <= TRAFFIC_ATTEMPTS; attempt++) {
    last = await trafficOnce(ctx, spec);
    if (last.holds) return attempt === 1 ? last : { holds: true, detail: `${last.detail} (attempt ${attempt})` };
    if (attempt < TRAFFIC_ATTEMPTS) await new Promise((r) => setTimeout(r, 1_000));
  }
  return { holds: false, detail: `${last.detail} (after ${TRAFFIC_ATTEMPTS} attempts a second apart)` };
}

async function trafficOnce(ctx: RunContext, spec: TrafficSpec): Promise<Verdict> {
  const ns = spec.target.namespace ?? 'default';
  const svcName = `Service ${ns}/${spec.target.name}`;
  let svc: Service;
  let eps: Endpoints;
  try {
    svc = await ctx.api.get(services, spec.target.name, { namespace: ns });
    eps = await ctx.api.get(endpoints, spec.target.name, { namespace: ns });
  } catch (err) {
    if (isNotFound(err)) return { holds: false, detail: `${svcName} or its Endpoints not found` };
    throw err;
  }
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') return { holds: false, detail: `${svcName} has no ClusterIP` };
  const svcPort = svc.spec?.ports?.find((p) => p.port === spec.port);
  if (!svcPort) return { holds: false, detail: `${svcName} has no port ${spec.port} (ports: ${(svc.spec?.ports ?? []).map((p) => p.port).join(', ')})` };
  const backends = readyBackends(eps, svcPort.name ?? '');
  if (backends.length === 0) return { holds: false, detail: `${svcName} has no ready endpoint` };
  if (spec.requests < backends.length) return { holds: false, detail: `${spec.requests} requests cannot reach ${backends.length} backends` };

  const answers = new Map<string, number>(backends.map((b) => [b, 0]));
  const problems: string[] = [];
  for (let i = 0; i < spec.requests; i++) {
    const r = await get(ip, spec.port, spec.path);
    if ('error' in r) problems.push(r.error);
    else if (r.status < 200 || r.status > 299) problems.push(`HTTP ${r.status}`);
    else if (!answers.has(r.body)) problems.push(`an answer that names no ready backend: ${JSON.stringify(r.body.slice(0, 60))}`);
    else answers.set(r.body, answers.get(r.body)! + 1);
  }
  const silent = [...answers].filter(([, n]) => n === 0).map(([b]) => b);
  const counts = [...answers].map(([b, n]) => `${b} ${n}`).join(', ');
  const head = `${spec.requests} GET ${spec.path} to ${svcName} (${ip}:${spec.port})`;
  if (problems.length > 0) return { holds: false, detail: `${head}: ${problems.length} failed (${[...new Set(problems)].slice(0, 3).join('; ')}); answers: ${counts}` };
  if (silent.length > 0) return { holds: false, detail: `${head}: ${silent.length} of ${backends.length} ready backends never answered (${silent.join(', ')}); answers: ${counts}` };
  return { holds: true, detail: `${head}: all answered, every one of the ${backends.length} ready backends (${counts})` };
}

/** The pod names behind the ready addresses that serve the Service port named `portName`. */
function readyBackends(eps: Endpoints, portName: string): string[] {
  const out = new Set<string>();
  for (const s of eps.subsets ?? []) {
    if (!(s.ports ?? []).some((p) => (p.name ?? '') === portName)) continue;
    for (const a of s.addresses ?? []) out.add(a.targetRef?.name ?? a.ip);
  }
  return [...out].sort();
}

type Answer = { readonly status: number; readonly body: string } | { readonly error: string };

function get(host: string, port: number, path: string): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', agent: false, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}
