/**
 * `berth up`: a durable control plane (store on LMDB, api-server,
 * controller-manager, scheduler) that the real kubectl drives. Nodes join
 * it as their issue lands (until then a Node object created with kubectl
 * is enough for the scheduler to bind pods to it). State lives in the data directory and survives restarts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import { schedulerChildSpec } from '../../actors/scheduler/spec.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { Supervisor } from '../actor/supervisor.js';
import type { Message } from '../actor/types.js';

export interface UpOptions {
  readonly data: string;
  readonly port: number;
  readonly bind: string;
  readonly tokenFile?: string;
}

export async function runUp(options: UpOptions): Promise<void> {
  const dataDir = resolve(options.data);
  mkdirSync(dataDir, { recursive: true });
  const tokens = options.tokenFile ? readTokens(options.tokenFile) : undefined;
  const sup = await Supervisor.start({
    children: [
      storeChildSpec({ path: join(dataDir, 'store') }),
      apiServerChildSpec({ host: options.bind, port: options.port, tokens }),
      controllerManagerChildSpec(),
      schedulerChildSpec(),
    ],
    logLevel: 'warn',
  });
  const { url } = await sup.request<{ url: string }>('api-server', { type: 'api.address' } as Message);
  const kubeconfig = join(dataDir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigText(url, tokens?.[0]), { mode: 0o600 });
  console.log(`berth control plane serving on ${url} (data in ${dataDir})`);
  console.log(`export KUBECONFIG=${kubeconfig}`);
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
      void sup.stop().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    void sup.done.then(() => done());
  });
}

function readTokens(file: string): string[] {
  const tokens = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.split(',')[0]!.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  if (tokens.length === 0) throw new Error(`${file}: no token in the file`);
  return tokens;
}

function kubeconfigText(server: string, token: string | undefined): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: berth',
    '  cluster:',
    `    server: ${server}`,
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
