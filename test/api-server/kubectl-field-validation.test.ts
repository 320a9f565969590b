/**
 * kubectl 1.32 (the real binary) and unknown fields: `apply` of a manifest
 * with a typo fails with Kubernetes' message (kubectl asks for
 * fieldValidation=Strict), `--validate=false` creates the object without
 * the field, `--validate=warn` creates it and prints the warning; the same
 * for a client-side apply that patches an existing object, and for
 * `--server-side`.
 */
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, kubeconfig, startCluster, Teardowns, type Cluster } from './helpers.js';
import { Kubectl } from './kubectl-helpers.js';

let cluster: Cluster;
let k: Kubectl;
const cleanup = new Teardowns();

test.before(async () => {
  cluster = await startCluster(cleanup);
  k = new Kubectl(32, kubeconfig(mkdtempSync(join(tmpdir(), 'berth-kfv-')), cluster.url));
});
test.after.always(() => cleanup.run());

/** A Deployment whose author typed `replica` for `replicas`. */
const TYPO = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replica: 3
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: web
        image: nginx:1.27${extra}
`;

const stored = async (name: string) => call(cluster.url, 'GET', `/apis/apps/v1/namespaces/default/deployments/${name}`);

test('apply of a manifest with a typo fails with the strict decoding error; nothing is created', async (t) => {
  const r = await k.run(['apply', '-f', '-'], TYPO('typo'));
  t.not(r.code, 0);
  t.is(
    r.stderr.trim(),
    'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"',
  );
  t.is((await stored('typo')).status, 404);
});

test('several unknown fields are listed together', async (t) => {
  const r = await k.run(['apply', '-f', '-'], TYPO('typos', '\n        imagePullPolcy: Always'));
  t.not(r.code, 0);
  t.regex(r.stderr, /strict decoding error: unknown field "spec\.replica", unknown field "spec\.template\.spec\.containers\[0\]\.imagePullPolcy"/);
});

test('--validate=false: created, the unknown field dropped, no warning', async (t) => {
  const r = await k.run(['apply', '--validate=false', '-f', '-'], TYPO('ignored'));
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.trim(), 'deployment.apps/ignored created');
  t.notRegex(r.stderr, /Warning/);
  const d = await stored('ignored');
  t.is(d.body.spec.replicas, 1);
  t.false('replica' in d.body.spec);
});

test('--validate=warn: created with a warning naming the field', async (t) => {
  const r = await k.run(['apply', '--validate=warn', '-f', '-'], TYPO('warned'));
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.trim(), 'deployment.apps/warned created');
  t.is(r.stderr.trim(), 'Warning: unknown field "spec.replica"');
  t.false('replica' in (await stored('warned')).body.spec);
});

test('a typo in a later apply (a patch of the existing object) is refused, and the object keeps its fields', async (t) => {
  const good = TYPO('patched').replace('replica: 3', 'replicas: 2');
  t.is((await k.run(['apply', '-f', '-'], good)).code, 0);
  const r = await k.run(['apply', '-f', '-'], good.replace('image: nginx:1.27', 'image: nginx:1.28\n        imagee: x'));
  t.not(r.code, 0);
  // Kubernetes answers 422 with the patch as the invalid value; kubectl words it "The request is invalid".
  t.regex(r.stderr.trim(), /^The request is invalid: patch: Invalid value: "map\[.*\]": strict decoding error: unknown field "spec\.template\.spec\.containers\[0\]\.imagee"$/s);
  const d = await stored('patched');
  t.is(d.body.spec.template.spec.containers[0].image, 'nginx:1.27');
  t.is(d.body.spec.replicas, 2);
});

test('apply --server-side of a typo fails: the applied configuration must be typed', async (t) => {
  const r = await k.run(['apply', '--server-side', '-f', '-'], TYPO('ssa'));
  t.not(r.code, 0);
  t.regex(r.stderr, /Error from server \(BadRequest\): failed to create typed patch object \(default\/ssa; apps\/v1, Kind=Deployment\): \.spec\.replica: field not declared in schema/);
  t.is((await stored('ssa')).status, 404);
});

for (const minor of [28, 33]) {
  test(`kubectl 1.${minor}: a typo in apply is refused, --validate=warn warns`, async (t) => {
    const other = new Kubectl(minor, kubeconfig(mkdtempSync(join(tmpdir(), 'berth-kfv-')), cluster.url));
    const r = await other.run(['apply', '-f', '-'], TYPO(`typo-${minor}`));
    t.not(r.code, 0);
    t.regex(r.stderr, /Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec\.replica"/);
    const w = await other.run(['apply', '--validate=warn', '-f', '-'], TYPO(`warn-${minor}`));
    t.is(w.code, 0, w.stderr);
    t.is(w.stderr.trim(), 'Warning: unknown field "spec.replica"');
  });
}
