/**
 * `berth node join --server URL`: one kubelet in this process, talking to a
 * running control plane (`berth up`, maybe on another machine) over HTTP,
 * as a real kubelet does: it registers its Node, renews its Lease in
 * kube-node-lease, watches the pods bound to it and writes their status.
 * When the server goes away the pods keep running; when it is back the
 * kubelet re-lists and writes what changed meanwhile.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseQuantity } from '../api/quantity.js';
import type { ResourceList } from '../api/types/pod.js';
import { HttpTransport } from '../client/http.js';
import { killPidFileProcesses } from '../../actors/node/runtime/process.js';
import { DEFAULT_CAPACITY, nodeSettings, type NodeSettings } from '../../actors/node/settings.js';
import { StandaloneKubelet } from '../../actors/node/standalone.js';

export interface NodeJoinOptions {
  readonly server: string;
  readonly token?: string;
  readonly tokenFile?: string;
  /** PEM file of the CA that signed an https server's certificate (`berth up` writes `<data>/pki/ca.crt`). */
  readonly certificateAuthority?: string;
  readonly name?: string;
  readonly runtime: 'simulated' | 'process';
  readonly data: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: string;
}

/** Thrown for what the user must fix (exit 2). */
class UsageError extends Error {}

/**
 * Indexes from here up name the joined nodes' InternalIP and podCIDR (a hash
 * of the node name), so they do not collide with `berth up --nodes N`'s
 * node-1..N (indexes 0..N-1).
 */
const JOINED_INDEX_BASE = 16_384;
const JOINED_INDEX_SPAN = 16_384;

export function joinedNodeIndex(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return JOINED_INDEX_BASE + (h % JOINED_INDEX_SPAN);
}

/** The node's settings from the command's options; a UsageError names the bad option. */
export function joinSettings(o: NodeJoinOptions): NodeSettings {
  const name = o.name ?? hostname().toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: a node name must be a DNS subdomain (lower-case letters, digits, '-' and '.')`);
  const capacity: Record<string, string> = { ...DEFAULT_CAPACITY };
  for (const [flag, key, value] of [['--cpu', 'cpu', o.cpu], ['--memory', 'memory', o.memory], ['--pods', 'pods', o.pods]] as const) {
    if (value === undefined) continue;
    const q = parseQuantity(value);
    if (!q.ok) throw new UsageError(`${flag} ${value}: ${q.error}`);
    if (key === 'pods' && !/^[1-9][0-9]*$/.test(value)) throw new UsageError(`--pods ${value}: expected a positive integer`);
    capacity[key] = value;
  }
  try {
    return nodeSettings(name, {
      index: joinedNodeIndex(name),
      capacity: capacity as ResourceList,
      runtime: o.runtime,
      ...(o.runtime === 'process' ? { dataDir: resolve(o.data) } : {}),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function readToken(o: NodeJoinOptions): string | undefined {
  if (o.token && o.tokenFile) throw new UsageError('give --token or --token-file, not both');
  if (o.token) return o.token;
  if (!o.tokenFile) return undefined;
  let text: string;
  try {
    text = readFileSync(o.tokenFile, 'utf8');
  } catch (err) {
    throw new UsageError(`--token-file ${o.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // The format `berth up --token-file` reads: the first token on the first non-comment line.
  const token = text
    .split('\n')
    .map((l) => l.split(',')[0]!.trim())
    .find((l) => l.length > 0 && !l.startsWith('#'));
  if (!token) throw new UsageError(`--token-file ${o.tokenFile}: no token in the file`);
  return token;
}

function readCa(o: NodeJoinOptions): string | undefined {
  if (!o.certificateAuthority) return undefined;
  try {
    return readFileSync(o.certificateAuthority, 'utf8');
  } catch (err) {
    throw new UsageError(`--certificate-authority ${o.certificateAuthority}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export async function runNodeJoin(o: NodeJoinOptions): Promise<number> {
  let settings: NodeSettings;
  let transport: HttpTransport;
  try {
    let url: URL;
    try {
      url = new URL(o.server);
    } catch {
      throw new UsageError(`--server ${o.server}: not a URL (e.g. http://127.0.0.1:6443)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server ${o.server}: expected http:// or https://`);
    settings = joinSettings(o);
    const token = readToken(o);
    const ca = readCa(o);
    transport = new HttpTransport({ server: o.server.replace(/\/+$/, ''), ...(token ? { token } : {}), ...(ca ? { ca } : {}), userAgent: `berth-kubelet/${settings.name}` });
  } catch (err) {
    console.error(`berth node join: ${(err as Error).message}`);
    return err instanceof UsageError ? 2 : 1;
  }
  let announced = false;
  const node = new StandaloneKubelet(settings, transport, {
    warn: (msg, fields) => console.error(`berth node join (${settings.name}): ${msg}${fields ? ' ' + JSON.stringify(fields) : ''}`),
    onReady: () => {
      if (announced) return;
      announced = true;
      console.log(`node ${settings.name} joined ${o.server} (${settings.runtime === 'berth-process' ? `process runtime, files in ${settings.dataDir}` : 'simulated runtime'}; podCIDR ${settings.podCIDR})`);
      console.log('Ctrl-C stops it; its pods stop with it.');
    },
  });
  node.start();
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      console.log('stopping...');
      node.stop();
      // Processes the runtime could not stop itself go too.
      if (settings.runtime === 'berth-process') killPidFileProcesses(join(settings.dataDir, 'pids'));
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

function positiveIntText(value: string): string {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return value;
}

export function nodeCommand(): Command {
  const node = new Command('node').description('run a node (kubelet) against a running control plane');
  node
    .command('join')
    .description('run one kubelet in this process that joins the cluster at --server over HTTP: registers its Node, renews its Lease, runs the pods bound to it')
    .requiredOption('--server <url>', "the api-server's URL, e.g. http://127.0.0.1:6443 (printed by `berth up`)")
    .option('--token <token>', 'bearer token for the api-server')
    .option('--token-file <file>', 'a file whose first line is the bearer token (the --token-file given to `berth up` works)')
    .option('--certificate-authority <file>', "the CA of an https --server (`berth up --token-file` serves https; its CA is <data>/pki/ca.crt)")
    .option('--name <name>', 'the Node name (default: this host name)')
    .addOption(new Option('--runtime <runtime>', 'what containers run as').choices(['simulated', 'process']).default('simulated'))
    .option('--data <dir>', "directory for the process runtime's logs and pid files (in <dir>/<name>)", './.berth-node')
    .option('--cpu <n>', `CPU capacity (default ${DEFAULT_CAPACITY.cpu})`)
    .option('--memory <q>', `memory capacity (default ${DEFAULT_CAPACITY.memory})`)
    .option('--pods <n>', `pod capacity (default ${DEFAULT_CAPACITY.pods})`, positiveIntText)
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  berth up --data ./.berth                           # a control plane without nodes',
        '  berth node join --server http://127.0.0.1:6443 --name worker-1',
        '  berth node join --server https://cp:6443 --token-file ./token --certificate-authority ./ca.crt --name big --cpu 64 --memory 256Gi --runtime process',
      ].join('\n'),
    )
    .action(async (opts: NodeJoinOptions) => {
      process.exitCode = await runNodeJoin(opts);
      // The node is stopped; should a handle of its runtime linger (a container's pipe), do not hang on it.
      setTimeout(() => process.exit(), 2_000).unref();
    });
  return node;
}
