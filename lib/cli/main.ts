#!/usr/bin/env node
/** The `berth` command. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { LOG_LEVELS, overrideLogLevel } from '../actor/logger.js';
import type { LogLevel } from '../actor/types.js';
import { benchCommand } from './bench.js';
import { explainCommand } from './explain.js';
import { runDemo } from './demo.js';
import { nodeCommand } from './node-join.js';
import { runCommand } from './run.js';
import { runUp } from './up.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

const program = new Command('berth').description('A Kubernetes-style orchestrator built as actors on Node worker threads');
// Structured logs (pino, JSON lines on stderr): quiet unless asked; wins over each command's own default.
program
  .addOption(new Option('--log-level <level>', 'actor and CLI logs on stderr (default: each command\'s own, quiet)').choices(LOG_LEVELS))
  .hook('preAction', () => overrideLogLevel((program.opts<{ logLevel?: LogLevel }>().logLevel) ?? null))
  .addHelpText('after', '\nExamples:\n  berth demo\n  berth up --data ./.berth\n  berth --log-level debug explain pod web-0\n  berth bench scheduler --json\n\n`berth <command> --help` shows each command\'s options and examples.');

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
  .option('--nodes <n>', 'nodes (kubelets) to run beside the control plane', (v) => nonNegativeInt(v), 0)
  .addOption(new Option('--runtime <runtime>', 'what the nodes run containers as').choices(['simulated', 'process']).default('simulated'))
  .addHelpText('after', '\nExample:\n  berth up --data ./.berth --nodes 1 --runtime process\n  export KUBECONFIG=$PWD/.berth/kubeconfig\n  kubectl get namespaces')
  .action(async (opts: { data: string; port: number; bind: string; tokenFile?: string; nodes: number; runtime: 'simulated' | 'process' }) => runUp(opts));

program.addCommand(runCommand());
program.addCommand(benchCommand());
program.addCommand(explainCommand());
program.addCommand(nodeCommand());

await program.parseAsync();
