#!/usr/bin/env node
/** The `berth` command. */
import { Command, InvalidArgumentError } from 'commander';
import { runDemo } from './demo.js';
import { runUp } from './up.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

const program = new Command('berth').description('A Kubernetes-style orchestrator built as actors on Node worker threads');

program
  .command('demo')
  .description('run a small cluster (store, api-server, controllers, scheduler, simulated kubelets) under the virtual clock: create, roll and scale a Deployment')
  .option('--nodes <n>', 'simulated nodes', positiveInt, 10)
  .option('--replicas <n>', 'Deployment replicas', positiveInt, 30)
  .addHelpText('after', '\nExample:\n  berth demo --nodes 50 --replicas 200')
  .action(async (opts: { nodes: number; replicas: number }) => runDemo(opts));

program
  .command('up')
  .description('start a durable control plane (store, api-server, controller-manager) for kubectl; writes a kubeconfig and prints the export line')
  .option('--data <dir>', 'data directory (LMDB store, kubeconfig)', './.berth')
  .option('--port <n>', 'api-server port', (v) => Number(v), 6443)
  .option('--bind <address>', 'address to bind; anything but 127.0.0.1 needs --token-file', '127.0.0.1')
  .option('--token-file <file>', 'bearer tokens, one per line (the first goes into the kubeconfig)')
  .addHelpText('after', '\nExample:\n  berth up --data ./.berth\n  export KUBECONFIG=$PWD/.berth/kubeconfig\n  kubectl get namespaces')
  .action(async (opts: { data: string; port: number; bind: string; tokenFile?: string }) => runUp(opts));

await program.parseAsync();
