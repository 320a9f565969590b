/**
 * examples/embed-service.mjs, as a user runs it (`node examples/...` after
 * the build, importing 'berth' by package name): a plain HTTP service that
 * embeds a cluster, deploys on request, reports status and metrics, serves
 * kubectl's API, and stops cleanly on SIGTERM.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const example = fileURLToPath(new URL('../../../examples/embed-service.mjs', import.meta.url));

test('the embedding example deploys, reports status and metrics, and stops on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [example, '--port', '0', '--nodes', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const first = await Promise.race([
    new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
    exited.then((code) => Promise.reject(new Error(`the example exited (${code}) before it was ready: ${stderr}`))),
  ]);
  const info = JSON.parse(first) as { service: string; api: string; kubeconfig: string };
  t.regex(info.api, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.true(existsSync(info.kubeconfig));

  const deploy = await fetch(`${info.service}/deploy`, { method: 'POST', body: JSON.stringify({ name: 'web', image: 'nginx:1.27', replicas: 3, wait: true }) });
  t.is(deploy.status, 200, await deploy.clone().text());
  t.like(await deploy.json(), { deployment: 'web', replicas: 3, ready: true });

  const status = (await (await fetch(`${info.service}/status`)).json()) as { nodes: string[]; deployments: { name: string; ready: number }[]; pods: Record<string, number> };
  t.deepEqual(status.nodes, ['node-000', 'node-001']);
  t.deepEqual(status.deployments, [{ name: 'web', replicas: 3, ready: 3 }]);
  t.deepEqual(status.pods, { Running: 3 });

  // The cluster's own API answers kubectl-style requests.
  const podList = (await (await fetch(`${info.api}/api/v1/namespaces/default/pods`)).json()) as { items: unknown[] };
  t.is(podList.items.length, 3);

  const metrics = await (await fetch(`${info.service}/metrics`)).text();
  t.regex(metrics, /apiserver_request_total\{/);
  t.regex(metrics, /berth_actor_messages_handled_total\{actor="scheduler",thread="\d+"\} [1-9]/);

  const bad = await fetch(`${info.service}/deploy`, { method: 'POST', body: JSON.stringify({ name: 'Not_A_Name' }) });
  t.is(bad.status, 422);
  t.regex(((await bad.json()) as { message: string }).message, /metadata\.name: Invalid value: "Not_A_Name"/);

  child.kill('SIGTERM');
  t.is(await exited, 0, stderr);
  t.false(existsSync(dirname(info.kubeconfig)), 'the cluster removed its temporary data directory');
});
