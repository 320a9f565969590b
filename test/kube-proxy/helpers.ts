/**
 * Real TCP for kube-proxy tests: tiny backends on 127.128.x.y that greet
 * each connection with their name, a client that reads that greeting, and
 * Service/Endpoints objects as a user (or the endpoints controller) writes
 * them. Each test file uses its own addresses, so files can run together.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Endpoints, Service, ServicePort } from '../../lib/api/types/core.js';
import { endpoints as endpointsResource } from '../../lib/api/resources/index.js';
import type { ApiClient } from '../../lib/client/client.js';
import type { HasTeardown } from '../helpers/cluster.js';

export interface Backend {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** Connections accepted so far. */
  accepted: number;
  readonly open: Set<Socket>;
}

/** One server per IP; each connection gets `<name>\n` and then its own bytes echoed. */
export async function startBackends(t: HasTeardown, ips: readonly string[], port: number): Promise<Backend[]> {
  const servers: Server[] = [];
  t.teardown(() => {
    for (const s of servers) s.close();
    for (const b of backends) for (const c of b.open) c.destroy();
  });
  const backends: Backend[] = [];
  for (const [i, ip] of ips.entries()) {
    const b: Backend = { name: `pod-${i}`, ip, port, accepted: 0, open: new Set() };
    const server = createServer((c) => {
      b.accepted++;
      b.open.add(c);
      c.on('close', () => b.open.delete(c));
      c.on('error', () => undefined);
      c.write(`${b.name}\n`);
      c.pipe(c);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, ip, () => resolve());
    });
    servers.push(server);
    backends.push(b);
  }
  return backends;
}

/** Connect, read the greeting line, close. Rejects with the socket error (ECONNREFUSED, ECONNRESET...). */
export function greeting(host: string, port: number, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    let got = '';
    c.setTimeout(5_000, () => c.destroy(new Error(`no greeting from ${host}:${port} in 5 s`)));
    c.on('data', (d: Buffer) => {
      got += d.toString();
      const nl = got.indexOf('\n');
      if (nl >= 0) {
        c.destroy();
        resolve(got.slice(0, nl));
      }
    });
    c.on('error', reject);
    c.on('close', () => reject(new Error(`closed by ${host}:${port} before a greeting (got '${got}')`)));
  });
}

/** A connection kept open after its greeting: `closed` resolves when the far side closes it. */
export async function holdOpen(host: string, port: number): Promise<{ name: string; socket: Socket; closed: Promise<void> }> {
  const socket = connect({ host, port });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const name = await new Promise<string>((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer): void => {
      got += d.toString();
      const nl = got.indexOf('\n');
      if (nl >= 0) {
        socket.off('data', onData);
        resolve(got.slice(0, nl));
      }
    };
    socket.on('data', onData);
    void closed.then(() => reject(new Error('closed before a greeting')));
  });
  return { name, socket, closed };
}

export function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

export function service(name: string, clusterIP: string, ports: ServicePort[], extra: Partial<NonNullable<Service['spec']>> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP, ports, ...extra } };
}

/** Endpoints as the endpoints controller writes them: one subset, ready and not-ready addresses. */
export function endpointsOf(name: string, ready: readonly string[], port: number, opts: { notReady?: readonly string[]; portName?: string } = {}): Endpoints {
  const addr = (ip: string, i: number) => ({ ip, nodeName: 'node-0', targetRef: { kind: 'Pod', namespace: 'default', name: `${name}-${i}` } });
  const subsets = ready.length || opts.notReady?.length
    ? [{ addresses: ready.map(addr), notReadyAddresses: (opts.notReady ?? []).map(addr), ports: [{ port, protocol: 'TCP' as const, ...(opts.portName ? { name: opts.portName } : {}) }] }]
    : [];
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default' }, subsets };
}

/** Replace an Endpoints' subsets (a merge patch replaces lists whole). */
export function setSubsets(api: ApiClient, ep: Endpoints): Promise<Endpoints> {
  return api.patch(endpointsResource, ep.metadata.name!, 'merge', { subsets: ep.subsets ?? [] }, { namespace: ep.metadata.namespace });
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}
