/**
 * `berth up`: a durable control plane (store on LMDB, api-server,
 * controller-manager, scheduler) that the real kubectl drives, and
 * `--nodes N` kubelets on one host thread, simulated or running real
 * processes (`--runtime process`; their logs and pid files under
 * `<data>/nodes/<node>`). State lives in the data directory and survives
 * restarts; the processes of process nodes stop with `berth up`. With
 * bearer tokens (--token-file) it serves HTTPS with a CA of its own
 * (certs.ts) that the kubeconfig carries: kubectl sends tokens only over TLS.
 */
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { resolve, join } from 'node:path';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import { dnsChildSpec } from '../../actors/dns/spec.js';
import { kubeProxyChildSpec } from '../../actors/kube-proxy/spec.js';
import { killPidFileProcesses } from '../../actors/node/runtime/process.js';
import { nodeGroupSpec } from '../../actors/node/spec.js';
import { schedulerChildSpec } from '../../actors/scheduler/spec.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { Supervisor } from '../actor/supervisor.js';
import type { ChildSpec } from '../actor/supervision.js';
import type { Message } from '../actor/types.js';
import { ensureServingCert, type ServingCert } from './certs.js';

export interface UpOptions {
  readonly data: string;
  readonly port: number;
  readonly bind: string;
  readonly tokenFile?: string;
  /** Kubelets to run (default 0: bring your own Nodes). */
  readonly nodes?: number;
  readonly runtime?: 'simulated' | 'process';
}

export async function runUp(options: UpOptions): Promise<void> {
  const usage = usageError(options);
  if (usage) {
    console.error(`berth up: ${usage}`);
    process.exitCode = 2;
    return;
  }
  const dataDir = resolve(options.data);
  mkdirSync(dataDir, { recursive: true });
  const tokens = options.tokenFile ? readTokens(options.tokenFile) : undefined;
  // Tokens mean HTTPS: kubectl does not send a bearer token over plain http.
  const tls = tokens ? ensureServingCert(join(dataDir, 'pki'), servingHosts(options.bind)) : undefined;
  const dnsPort = (options.nodes ?? 0) > 0 ? await freeDnsPort() : 0;
  const sup = await Supervisor.start({
    children: [
      storeChildSpec({ path: join(dataDir, 'store') }),
      apiServerChildSpec({ host: options.bind, port: options.port, tokens, ...(tls ? { tlsCertFile: tls.certFile, tlsKeyFile: tls.keyFile } : {}) }),
      controllerManagerChildSpec(),
      schedulerChildSpec(),
      ...upNodes(options, dataDir, dnsPort),
    ],
    logLevel: 'warn',
  });
  const { url } = await sup.request<{ url: string }>('api-server', { type: 'api.address' } as Message);
  const kubeconfig = join(dataDir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigText(reachable(url), tokens?.[0], tls), { mode: 0o600 });
  console.log(`berth control plane serving on ${url} (data in ${dataDir})`);
  console.log(`export KUBECONFIG=${kubeconfig}`);
  if (dnsPort) console.log(`${options.nodes} ${options.runtime ?? 'simulated'} node(s); cluster DNS on 127.0.0.1:${dnsPort} (process containers get BERTH_DNS)`);
  console.log('Ctrl-C stops it; the next `berth up` with the same --data resumes with its state.');
  sup.on('escalated', (err: Error) => {
    console.error(`berth: the control plane failed: ${err.message}`);
    process.exitCode = 1;
  });
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      console.log('stopping...');
      void sup.stop().then(() => {
        killNodeLeftovers(dataDir, options);
        done();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    void sup.done.then(() => {
      // Stopped or escalated: the nodes maybe without their shutdown.
      killNodeLeftovers(dataDir, options);
      done();
    });
  });
}

/**
 * The nodes, and what serves their pods: kube-proxy (real listeners on the
 * ClusterIPs for process nodes, the routing table only for simulated ones)
 * and the cluster DNS, whose address process containers get as BERTH_DNS.
 */
/** After the nodes stopped: any container process a node could not kill itself (its thread was terminated) goes too. */
function killNodeLeftovers(dataDir: string, options: UpOptions): void {
  if ((options.nodes ?? 0) === 0 || options.runtime !== 'process') return;
  for (let i = 1; i <= options.nodes!; i++) killPidFileProcesses(join(dataDir, 'nodes', `node-${i}`, 'pids'));
}

function upNodes(options: UpOptions, dataDir: string, dnsPort: number): ChildSpec[] {
  const n = options.nodes ?? 0;
  if (n === 0) return [];
  const names = Array.from({ length: n }, (_, i) => `node-${i + 1}`);
  const runtime = options.runtime ?? 'simulated';
  const dns = `127.0.0.1:${dnsPort}`;
  return [
    kubeProxyChildSpec({ sockets: runtime === 'process' }),
    dnsChildSpec({ port: dnsPort }),
    // Process nodes kill their containers' processes when they stop (actors/node/runtime/process.ts).
    nodeGroupSpec(names, { runtime, dns, ...(runtime === 'process' ? { dataDir: join(dataDir, 'nodes') } : {}) }),
  ];
}

/** A port free for both UDP and TCP on 127.0.0.1 (the DNS serves both), fixed before the nodes that are told it start. */
async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const sock = createSocket('udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no port free for both UDP and TCP on 127.0.0.1 for the cluster DNS');
}

/** What the user must fix before anything starts (exit 2), or undefined. */
function usageError(options: UpOptions): string | undefined {
  const loopback = /^127\./.test(options.bind) || options.bind === '::1' || options.bind === 'localhost';
  if (!loopback && !options.tokenFile) return `--bind ${options.bind} serves beyond this machine: give --token-file (bearer tokens, one per line)`;
  if (options.tokenFile) {
    try {
      readTokens(options.tokenFile);
    } catch (err) {
      return `--token-file ${(err as NodeJS.ErrnoException).code === undefined ? (err as Error).message : `${options.tokenFile}: ${(err as NodeJS.ErrnoException).code}`}`;
    }
  }
  return undefined;
}

function readTokens(file: string): string[] {
  const tokens = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.split(',')[0]!.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  if (tokens.length === 0) throw new Error(`${file}: no token in the file`);
  return tokens;
}

/**
 * What the serving certificate names: loopback always; the bound address;
 * for an unspecified one (0.0.0.0, ::) every address of this machine and its
 * host name, since clients may come through any of them.
 */
function servingHosts(bind: string): string[] {
  const hosts = new Set(['127.0.0.1', '::1', 'localhost']);
  if (bind === '0.0.0.0' || bind === '::') {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) hosts.add(a.address.split('%')[0]!);
    hosts.add(hostname().toLowerCase());
  } else {
    hosts.add(bind);
  }
  return [...hosts].filter((h) => isIP(h) || /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(h));
}

/** The server URL for the local kubeconfig: an unspecified bind address is no destination; loopback reaches it. */
function reachable(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

function kubeconfigText(server: string, token: string | undefined, tls: ServingCert | undefined): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: berth',
    '  cluster:',
    `    server: ${server}`,
    ...(tls ? [`    certificate-authority-data: ${Buffer.from(tls.caPem).toString('base64')}`] : []),
    'contexts:',
    '- name: berth',
    '  context:',
    '    cluster: berth',
    '    user: berth',
    'current-context: berth',
    'users:',
    '- name: berth',
    token ? `  user:\n    token: ${token}` : '  user: {}',
    '',
  ].join('\n');
}
