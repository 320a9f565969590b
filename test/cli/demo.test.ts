/** `berth demo` (what npm start runs): a whole small cluster creates, rolls and scales a Deployment. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));

test('berth demo runs a Deployment to Ready, rolls it and scales it on simulated nodes, and reports it', (t) => {
  const run = spawnSync(process.execPath, [cli, 'demo', '--nodes', '4', '--replicas', '8'], { encoding: 'utf8', timeout: 120_000 });
  t.is(run.status, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /deployment web: 8 replicas Ready in \d+ s/);
  t.regex(run.stdout, /rolling update to nginx:1\.28 .*: done in \d+ s/);
  t.regex(run.stdout, /scaled to 16: done in \d+ s/);
  // 16 pods, all Running, spread over the 4 nodes by the scheduler's default (least-allocated) scoring.
  t.regex(run.stdout, /pods: 16 \(16 Running\) on 4 nodes, 4-4 per node/);
  t.regex(run.stdout, /actor restarts: 0, dead letters: 0/);
});

test('berth demo rejects a bad option with a clear message and exit code', (t) => {
  const run = spawnSync(process.execPath, [cli, 'demo', '--nodes', 'many'], { encoding: 'utf8' });
  t.not(run.status, 0);
  t.regex(run.stderr, /option '--nodes <n>' argument 'many' is invalid\. expected a positive integer/);
});
