#!/usr/bin/env node
/** The `berth` command. */
import { Command, InvalidArgumentError } from 'commander';
import { runDemo } from './demo.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

const program = new Command('berth').description('A Kubernetes-style orchestrator built as actors on Node worker threads');

program
  .command('demo')
  .description('run the actor runtime demo: simulated nodes heartbeating under the virtual clock, one host thread killed and restarted')
  .option('--nodes <n>', 'simulated nodes', positiveInt, 1000)
  .option('--minutes <n>', 'virtual minutes to run', positiveInt, 10)
  .addHelpText('after', '\nExample:\n  berth demo --nodes 2000 --minutes 60')
  .action(async (opts: { nodes: number; minutes: number }) => runDemo(opts));

await program.parseAsync();
