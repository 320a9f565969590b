/**
 * `berth bench`: runs benchmarks in their own processes; with --json, stdout
 * is one array of { bench, case, metric, value, unit } rows with the
 * baselines as rows of their own. --quick keeps this test short (figures
 * from it mean nothing; bench/RESULTS.md has the real ones).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));

function berth(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 110_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }));
  });
}

test('berth bench actors --json prints one array of rows, baselines included', async (t) => {
  const r = await berth(['bench', 'actors', '--json', '--quick']);
  t.is(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { bench: string; case: string; metric: string; value: number; unit: string }[];
  t.true(Array.isArray(rows) && rows.length > 0);
  for (const row of rows) {
    t.deepEqual(Object.keys(row).sort(), ['bench', 'case', 'metric', 'unit', 'value']);
    t.is(row.bench, 'actor-messaging');
    t.true(Number.isFinite(row.value) && row.value > 0, `${row.case} ${row.metric}`);
  }
  // The baseline measured in the same run, the candidate, and their ratio, each a row.
  t.true(rows.some((x) => x.case === 'raw postMessage, unbatched, small' && x.unit === 'msg/s'));
  t.true(rows.some((x) => x.case === 'berth batched, direct ports, small' && x.unit === 'msg/s'));
  t.true(rows.some((x) => x.metric === 'ratio' && x.unit === 'x'));
});

test('an unknown benchmark is refused with the choices', async (t) => {
  const r = await berth(['bench', 'nope']);
  t.is(r.code, 2);
  t.regex(r.stderr, /^berth bench: no benchmark named "nope"; choose from (.+), all\n$/);
  const choices = /choose from (.+), all\n$/.exec(r.stderr)![1]!.split(', ');
  for (const name of ['actors', 'actor-messaging', 'store', 'api', 'scheduler', 'node']) t.true(choices.includes(name), name);
  t.is(r.stdout, '');
});
