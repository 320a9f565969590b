/**
 * Table-driven bad inputs: each breaks the base scenario in one place and
 * must give exactly the expected file:line:column, path and kind of error.
 */
import test from 'ava';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatError, formatErrors, loadScenario, parseScenario, type ScenarioError } from '../../lib/scenario/index.js';
import { BASE } from './helpers.js';

interface Case {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** line:column */
  readonly at: string;
  readonly path: string;
  readonly code: ScenarioError['code'];
  /** A fragment of the message. */
  readonly says: string;
}

const CASES: Case[] = [
  { name: 'YAML syntax error', from: 'seed: 1', to: 'seed: [1', at: '3:1', path: '', code: 'syntax', says: 'Flow sequence' },
  { name: 'unknown key, with a suggestion', from: '      zones: [zone-a, zone-b]', to: '      zone: [zone-a, zone-b]', at: '8:7', path: 'cluster.nodePools[0].zone', code: 'unknown-key', says: 'did you mean zones?' },
  { name: 'unknown top-level key', from: 'seed: 1', to: 'sed: 1', at: '2:1', path: 'sed', code: 'unknown-key', says: 'did you mean seed?' },
  { name: 'bad duration', from: 'at: 10s', to: 'at: 10x', at: '21:9', path: 'timeline[0].at', code: 'value', says: 'must be a duration' },
  { name: 'a number is not a duration', from: 'by: 1m', to: 'by: 60', at: '26:46', path: 'expect[0].allPodsRunning.by', code: 'type', says: 'must be a duration' },
  { name: 'bad quantity', from: 'memory: 8Gi', to: 'memory: 8Gb', at: '7:37', path: 'cluster.nodePools[0].capacity.memory', code: 'value', says: 'bad quantity "8Gb"' },
  { name: 'negative quantity', from: 'cpu: "4"', to: 'cpu: "-4"', at: '7:24', path: 'cluster.nodePools[0].capacity.cpu', code: 'value', says: 'must not be negative' },
  { name: 'kind the api-server does not serve', from: 'kind: Deployment', to: 'kind: Deploymnet', at: '11:11', path: 'workloads[0].kind', code: 'reference', says: 'did you mean Deployment?' },
  { name: 'kind served under another apiVersion', from: 'apiVersion: apps/v1', to: 'apiVersion: extensions/v1beta1', at: '10:17', path: 'workloads[0].apiVersion', code: 'reference', says: 'served as apps/v1' },
  { name: 'manifest without a name', from: 'metadata: { name: web }', to: 'metadata: { labels: { a: b } }', at: '12:15', path: 'workloads[0].metadata.name', code: 'required', says: 'required' },
  { name: 'manifest the api-server rejects', from: 'image: nginx', to: 'image: ""', at: '19:44', path: 'workloads[0].spec.template.spec.containers[0].image', code: 'manifest', says: 'Required value' },
  { name: 'unknown field in a manifest (a typo the api-server would drop)', from: '      replicas: 2', to: '      replica: 2', at: '14:16', path: 'workloads[0].spec.replica', code: 'manifest', says: 'unknown field "spec.replica"' },
  { name: 'unknown field deep in a manifest', from: 'image: nginx', to: 'imagee: nginx', at: '19:45', path: 'workloads[0].spec.template.spec.containers[0].imagee', code: 'manifest', says: 'unknown field "spec.template.spec.containers[0].imagee"' },
  { name: 'negative count', from: 'count: 3', to: 'count: -3', at: '6:14', path: 'cluster.nodePools[0].count', code: 'value', says: 'must be a positive integer' },
  { name: 'count as a string', from: 'count: 3', to: 'count: "3"', at: '6:14', path: 'cluster.nodePools[0].count', code: 'type', says: 'must be a positive integer' },
  { name: 'timeline out of order', from: 'at: 20s', to: 'at: 5s', at: '23:9', path: 'timeline[1].at', code: 'order', says: 'timeline out of order: 5s comes after 10s' },
  { name: 'file: escaping the directory', from: 'workloads:\n', to: 'workloads:\n  - file: ../secrets.yaml\n', at: '10:11', path: 'workloads[0].file', code: 'file', says: "scenario's directory" },
  { name: 'file: absolute path', from: 'workloads:\n', to: 'workloads:\n  - file: /etc/passwd\n', at: '10:11', path: 'workloads[0].file', code: 'file', says: 'not an absolute path' },
  { name: 'zone no pool has', from: 'zone: zone-a', to: 'zone: zone-c', at: '24:24', path: 'timeline[1].failNodes.zone', code: 'reference', says: 'no node pool has zone zone-c' },
  { name: 'scale of an undefined Deployment', from: 'scale: { name: web,', to: 'scale: { name: wep,', at: '22:20', path: 'timeline[0].scale.name', code: 'reference', says: 'did you mean web?' },
  { name: 'selector matching no workload', from: 'selector: app=web', to: 'selector: app=db', at: '26:33', path: 'expect[0].allPodsRunning.selector', code: 'reference', says: 'selects no pods' },
  { name: 'two actions in one step', from: '    scale: { name: web, replicas: 3 }', to: '    scale: { name: web, replicas: 3 }\n    cordon: { all: true }', at: '23:5', path: 'timeline[0].cordon', code: 'value', says: 'only one of scale, cordon' },
  { name: 'more nodes than the cluster has', from: 'failNodes: { zone: zone-a }', to: 'failNodes: { count: 4 }', at: '24:25', path: 'timeline[1].failNodes.count', code: 'value', says: 'only 3 nodes' },
  { name: 'process pool on the virtual clock', from: '      zones: [zone-a, zone-b]\n', to: '      zones: [zone-a, zone-b]\n      runtime: process\n', at: '9:16', path: 'cluster.nodePools[0].runtime', code: 'value', says: 'real processes need clock: real' },
  { name: 'node failures that never let a node run', from: '      zones: [zone-a, zone-b]\n', to: '      zones: [zone-a, zone-b]\n      nodeFailures: { uptime: 0s }\n', at: '9:31', path: 'cluster.nodePools[0].nodeFailures.uptime', code: 'value', says: 'more than 0' },
  { name: 'exponential with no mean', from: '      zones: [zone-a, zone-b]\n', to: '      zones: [zone-a, zone-b]\n      nodeFailures: { uptime: { exponential: { mean: 0s } } }\n', at: '9:54', path: 'cluster.nodePools[0].nodeFailures.uptime.exponential.mean', code: 'value', says: 'greater than 0' },
  { name: 'serviceTraffic without process nodes', from: 'by: 1m }\n', to: 'by: 1m }\n  - serviceTraffic: { name: web, port: 80 }\n', at: '27:21', path: 'expect[1].serviceTraffic', code: 'value', says: 'needs a node pool with runtime: process' },
  { name: 'killActor of a replica the control plane does not have', from: '    scale: { name: web, replicas: 3 }', to: '    killActor: scheduler-2', at: '22:16', path: 'timeline[0].killActor', code: 'reference', says: 'no actor scheduler-2' },
  { name: 'unknown scheduler profile', from: 'workloads:\n', to: '  controlPlane: { scheduler: { profile: binpacking } }\nworkloads:\n', at: '9:41', path: 'cluster.controlPlane.scheduler.profile', code: 'value', says: 'did you mean bin-packing?' },
];

for (const c of CASES) {
  test(`bad input: ${c.name}`, (t) => {
    t.true(BASE.includes(c.from), 'the case edits the base');
    const r = parseScenario(BASE.replace(c.from, c.to), 'bad.yaml');
    if (r.ok) return t.fail('expected errors');
    const [first] = r.errors;
    t.is(r.errors.length, 1, formatErrors(r.errors));
    t.is(`${first!.line}:${first!.column}`, c.at, formatError(first!));
    t.is(first!.path, c.path);
    t.is(first!.code, c.code);
    t.true(first!.message.includes(c.says), first!.message);
    t.is(formatError(first!), `bad.yaml:${c.at}: ${c.path === '' ? '' : `${c.path}: `}${first!.message}`);
  });
}

test('the base scenario itself is valid (so each case tests one thing)', (t) => {
  const r = parseScenario(BASE, 'base.yaml');
  t.true(r.ok, r.ok ? '' : formatErrors(r.errors));
});

test('every error of a file is reported, in position order', (t) => {
  const text = BASE.replace('count: 3', 'count: 0').replace('at: 10s', 'at: soon').replace('memory: 8Gi', 'memory: lots');
  const r = parseScenario(text, 'many.yaml');
  if (r.ok) return t.fail();
  t.deepEqual(r.errors.map((e) => e.path), ['cluster.nodePools[0].count', 'cluster.nodePools[0].capacity.memory', 'timeline[0].at']);
});

test('an empty file and a non-mapping are located errors', (t) => {
  for (const text of ['', '# nothing\n', '- a\n- b\n', '42\n']) {
    const r = parseScenario(text, 'e.yaml');
    t.false(r.ok, JSON.stringify(text));
    if (!r.ok) t.is(r.errors[0]!.line, 1);
  }
});

test('duplicate keys are YAML errors at the second key', (t) => {
  const r = parseScenario(BASE.replace('seed: 1', 'seed: 1\nseed: 2'), 'd.yaml');
  if (r.ok) return t.fail();
  t.is(r.errors[0]!.code, 'syntax');
  t.is(r.errors[0]!.line, 3);
});

// ---- loadScenario and files next to the scenario ------------------------------------

function scenarioDir(): string {
  return mkdtempSync(join(tmpdir(), 'berth-scenario-'));
}

const WITH_FILE = BASE.replace(/workloads:\n[\s\S]*?timeline:/, 'workloads:\n  - file: apps/web.yaml\ntimeline:');

test('loadScenario reads file: workloads, several documents each', async (t) => {
  const dir = scenarioDir();
  mkdirSync(join(dir, 'apps'));
  const web = BASE.slice(BASE.indexOf('  - apiVersion'), BASE.indexOf('timeline:')).replace(/^ {4}/gm, '').replace(/^ {2}- /, '');
  writeFileSync(join(dir, 'apps/web.yaml'), `${web}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: web-config }\ndata: { a: b }\n`);
  writeFileSync(join(dir, 's.yaml'), WITH_FILE);
  const r = await loadScenario(join(dir, 's.yaml'));
  if (!r.ok) return t.fail(formatErrors(r.errors));
  t.deepEqual(r.scenario.workloads[0]!.source, { type: 'file', path: 'apps/web.yaml' });
  t.deepEqual(r.scenario.workloads[0]!.manifests.map((m) => `${m.kind}/${m.name}`), ['Deployment/web', 'ConfigMap/web-config']);
});

test('an error inside a file: workload is located in that file', async (t) => {
  const dir = scenarioDir();
  mkdirSync(join(dir, 'apps'));
  writeFileSync(join(dir, 'apps/web.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n---\napiVersion: v1\nkind: Secrett\nmetadata: { name: b }\n');
  writeFileSync(join(dir, 's.yaml'), WITH_FILE);
  const r = await loadScenario(join(dir, 's.yaml'));
  if (r.ok) return t.fail();
  const e = r.errors.find((x) => x.code === 'reference' && x.path.endsWith('.kind'));
  t.truthy(e, formatErrors(r.errors));
  t.is(e!.file, join(dir, 'apps/web.yaml'));
  t.is(`${e!.line}:${e!.column}`, '6:7');
  t.is(e!.path, 'workloads[0].file.documents[1].kind');
});

test('a missing file: workload, and a symbolic link out of the directory, are refused at the file: line', async (t) => {
  const dir = scenarioDir();
  writeFileSync(join(dir, 's.yaml'), WITH_FILE);
  const missing = await loadScenario(join(dir, 's.yaml'));
  if (missing.ok) return t.fail();
  t.is(missing.errors[0]!.code, 'file');
  t.is(`${missing.errors[0]!.line}:${missing.errors[0]!.column}`, '10:11');
  t.regex(missing.errors[0]!.message, /no such file/);

  const outside = scenarioDir();
  writeFileSync(join(outside, 'web.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n');
  symlinkSync(outside, join(dir, 'apps'));
  const linked = await loadScenario(join(dir, 's.yaml'));
  if (linked.ok) return t.fail();
  t.regex(linked.errors[0]!.message, /outside the scenario's directory/);
});

test('parseScenario without a file reader says how to read file: workloads', (t) => {
  const r = parseScenario(WITH_FILE, 's.yaml');
  if (r.ok) return t.fail();
  t.regex(r.errors[0]!.message, /loadScenario/);
});

test('a missing scenario file is an error value, not an exception', async (t) => {
  const r = await loadScenario(join(scenarioDir(), 'nope.yaml'));
  t.false(r.ok);
  if (!r.ok) t.is(r.errors[0]!.code, 'file');
});
