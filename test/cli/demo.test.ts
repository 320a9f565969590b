/** `berth demo` (what npm start runs): a small cluster that survives losing its node host thread. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));

test('berth demo registers every node, keeps every lease fresh across a host kill, and reports it', (t) => {
  const run = spawnSync(process.execPath, [cli, 'demo', '--nodes', '20', '--minutes', '2'], { encoding: 'utf8', timeout: 120_000 });
  t.is(run.status, 0, run.stdout + run.stderr);
  const lines = run.stdout.trim().split('\n');
  const final = lines.find((l) => l.startsWith('t=2m00s'));
  t.truthy(final, run.stdout);
  // 20 Nodes and 20 Leases, none older than the 40 s grace period, after the node thread was killed at 1m00s.
  t.regex(final!, /nodes=20 {2}leases=20 {2}stale leases=0/);
  t.regex(run.stdout, /restarts: nodes: exited with code 1/);
  t.regex(run.stdout, /dead letters: 0/);
});

test('berth demo rejects a bad option with a clear message and exit code', (t) => {
  const run = spawnSync(process.execPath, [cli, 'demo', '--nodes', 'many'], { encoding: 'utf8' });
  t.not(run.status, 0);
  t.regex(run.stderr, /option '--nodes <n>' argument 'many' is invalid\. expected a positive integer/);
});
