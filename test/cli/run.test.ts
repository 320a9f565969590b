/** `berth run`: exit codes, located errors, the failing expectation named, --json, the HTML report. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function berth(args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function workdir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-run-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const SCENARIO = (expect: string): string => `name: tiny
seed: 2
cluster:
  nodePools:
    - name: w
      count: 2
      capacity: { cpu: "2", memory: 4Gi }
      latency: { pull: 200ms, start: 100ms, ready: 300ms }
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 3
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec:
          containers: [{ name: web, image: nginx, resources: { requests: { cpu: 200m } } }]
timeline:
  - waitUntil:
      condition: { allPodsRunning: { selector: app=web } }
      deadline: 30s
expect:
${expect}
`;

test('a YAML syntax error exits 2 with file:line:column', async (t) => {
  const dir = workdir(t);
  writeFileSync(join(dir, 'broken.yaml'), 'name: broken\ncluster:\n  nodePools: [\n    { name: w, count: 2\n');
  const r = await berth(['run', 'broken.yaml'], dir);
  t.is(r.status, 2, r.stderr);
  t.regex(r.stderr, /^broken\.yaml:\d+:\d+: /m);
  t.is(r.stdout, '');
});

test('a bad field exits 2 naming its line, column and path', async (t) => {
  const dir = workdir(t);
  writeFileSync(join(dir, 'bad.yaml'), SCENARIO('  - allPodsRunning: { selector: app=web, by: 1m }').replace('count: 2', 'count: two'));
  const r = await berth(['run', 'bad.yaml'], dir);
  t.is(r.status, 2, r.stderr);
  t.regex(r.stderr, /^bad\.yaml:6:14: cluster\.nodePools\[0\]\.count: /m);
});

test('a failing expectation exits 1 and is named in the summary', async (t) => {
  const dir = workdir(t);
  writeFileSync(join(dir, 'fails.yaml'), SCENARIO('  - name: four replicas\n    allPodsRunning: { selector: app=web, count: 4, by: 20s }\n  - allPodsRunning: { selector: app=web, count: 3, by: 20s }'));
  const r = await berth(['run', 'fails.yaml', '--out', 'out'], dir);
  t.is(r.status, 1, r.stdout + r.stderr);
  t.regex(r.stdout, /FAILED \(1\)/);
  t.regex(r.stdout, /expectation "four replicas": at 20s: 3 of 4 pods \(app=web\) Running and Ready/);
  t.regex(r.stdout, /\[ ok \] allPodsRunning app=web \(3\) by 20s/);
  // Kubernetes' startup SLO is the anchor beside the measured p99 (here well within it).
  t.regex(r.stdout, /pod startup \(creation to Ready, virtual\): p50 \S+, p90 \S+, p99 \S+, max \S+ \(\d+ pods\); Kubernetes' SLO, p99 under 5s excluding image pulls: within/);
  // Piped, progress is plain lines (no carriage-return redraws).
  t.false(r.stdout.includes('\r'));
  t.regex(r.stdout, /default: \[\d+s\] waitUntil allPodsRunning app=web/);
  const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as { passed: boolean };
  t.false(report.passed);
});

test('--json prints report.json on stdout; report.html is self-contained', async (t) => {
  const dir = workdir(t);
  writeFileSync(join(dir, 'ok.yaml'), SCENARIO('  - allPodsRunning: { selector: app=web, by: 20s }\n  - noPodLostOrDuplicated: true'));
  const r = await berth(['run', 'ok.yaml', '--json', '--out', 'out', '--seed', '9'], dir);
  t.is(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { passed: boolean; scenario: { seed: number }; runs: { placements: string[]; expectations: { passed: boolean }[]; summary: { startup: { p99: number } } }[] };
  t.true(report.passed);
  t.is(report.scenario.seed, 9);
  t.is(report.runs[0]!.placements.length, 3);
  t.true(report.runs[0]!.expectations.every((e) => e.passed));
  t.true(report.runs[0]!.summary.startup.p99 >= 600); // pull 200ms + start 100ms + ready 300ms
  t.deepEqual(JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')), report);
  const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
  t.regex(html, /^<!doctype html>/);
  t.true((html.match(/<svg /g) ?? []).length >= 4, 'phase chart, two histograms, heat map');
  t.regex(html, /Kubernetes' SLO, p99 under 5s excluding image pulls: within/);
  t.notRegex(html, /<script|<link|(src|href)="?https?:|@import|url\(/i);
});
