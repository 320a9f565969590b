/** `berth up`: a control plane kubectl can drive, stopped with Ctrl-C and resumed with its state. */
import test from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlBinary } from '../api-server/kubectl-helpers.js';

const cli = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));
const kubectl = kubectlBinary(32);

async function up(data: string): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const child = spawn(process.execPath, [cli, 'up', '--data', data, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const kubeconfig = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /export KUBECONFIG=(\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`berth up exited with ${code}: ${out}`)));
  });
  return { child, kubeconfig };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

test('berth up writes a kubeconfig for kubectl, stops on Ctrl-C, and resumes with its state', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'berth-up-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const k = (kubeconfig: string, ...args: string[]): string =>
    execFileSync(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(data, 'kcache'), ...args], { encoding: 'utf8' });

  const first = await up(data);
  t.regex(k(first.kubeconfig, 'get', 'namespaces'), /default\s+Active/);
  t.regex(k(first.kubeconfig, 'create', 'configmap', 'kept', '--from-literal=answer=42'), /configmap\/kept created/);
  // The controller-manager runs too: a Deployment gets its ReplicaSet and Pods (Pending: no nodes yet).
  k(first.kubeconfig, 'create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2');
  const deadline = Date.now() + 20_000;
  let pods = '';
  while (Date.now() < deadline) {
    pods = k(first.kubeconfig, 'get', 'pods', '-l', 'app=web', '-o', 'name');
    if (pods.trim().split('\n').filter(Boolean).length === 2) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  t.is(pods.trim().split('\n').filter(Boolean).length, 2, pods);
  // The scheduler runs too: a Node created with kubectl gets the pods bound to it.
  const nodeYaml = 'apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-1\nstatus:\n  allocatable: {cpu: "4", memory: 8Gi, pods: "110"}\n';
  execFileSync(kubectl, ['--kubeconfig', first.kubeconfig, '--cache-dir', join(data, 'kcache'), 'apply', '-f', '-'], { input: nodeYaml, encoding: 'utf8' });
  let nodesOfPods = '';
  while (Date.now() < deadline + 20_000) {
    nodesOfPods = k(first.kubeconfig, 'get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.nodeName}');
    if (nodesOfPods === 'worker-1 worker-1') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  t.is(nodesOfPods, 'worker-1 worker-1');
  t.regex(k(first.kubeconfig, 'get', 'pods', '-o', 'wide'), /Pending\s+0\s+\S+\s+<none>\s+worker-1/);
  t.is(await stop(first.child), 0);

  const second = await up(data);
  t.teardown(() => second.child.kill('SIGKILL'));
  t.is(k(second.kubeconfig, 'get', 'configmap', 'kept', '-o', 'jsonpath={.data.answer}'), '42');
  t.is(await stop(second.child), 0);
});
