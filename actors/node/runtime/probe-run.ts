/**
 * Running one probe against a real container: httpGet (a GET to the pod IP,
 * success on 200-399, redirects not followed), tcpSocket (a connection
 * opens), exec (the command exits 0; no shell, as the CRI's exec). Each
 * fails when it takes longer than timeoutSeconds.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { ContainerPort, Probe } from '../../../lib/api/types/pod.js';
import { timeoutMs } from '../probes.js';
import { isNodeImage } from './program.js';

export interface ProbeTarget {
  readonly ip: string;
  readonly ports: readonly ContainerPort[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly image?: string;
}

/** A numeric port, or a named containerPort; undefined when the name is unknown. */
export function resolvePort(port: number | string, ports: readonly ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

export function runProbe(p: Readonly<Probe>, target: ProbeTarget): Promise<boolean> {
  const ms = timeoutMs(p);
  if (p.httpGet) {
    const port = resolvePort(p.httpGet.port, target.ports);
    if (port === undefined) return Promise.resolve(false);
    return httpProbe(p.httpGet.host || target.ip, port, p.httpGet.path ?? '/', p.httpGet.httpHeaders ?? [], ms);
  }
  if (p.tcpSocket) {
    const port = resolvePort(p.tcpSocket.port, target.ports);
    if (port === undefined) return Promise.resolve(false);
    return tcpProbe(p.tcpSocket.host || target.ip, port, ms);
  }
  if (p.exec?.command?.length) return execProbe(p.exec.command, target, ms);
  return Promise.resolve(false);
}

function httpProbe(host: string, port: number, path: string, headers: readonly { name: string; value: string }[], ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const h: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const x of headers) h[x.name] = x.value;
    const req = request({ host, port, path, method: 'GET', headers: h, timeout: ms, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcpProbe(host: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: ms });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}

function execProbe(command: readonly string[], target: ProbeTarget, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const file = command[0] === 'node' && (target.image === undefined || isNodeImage(target.image)) ? process.execPath : command[0]!;
    const child = spawn(file, command.slice(1), { cwd: target.cwd, env: { ...target.env }, stdio: 'ignore', timeout: ms, killSignal: 'SIGKILL' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
