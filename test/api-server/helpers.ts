/** Shared set-up for the api-server tests: a supervisor with the store and the api-server on port 0. */
import type { ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import type { ApiAddress, ApiServerArgs } from '../../actors/api-server/messages.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { Supervisor } from '../../lib/actor/supervisor.js';

export interface Cluster {
  readonly sup: Supervisor;
  readonly url: string;
  readonly dir: string;
}

/** Anything with teardown: an ava context, or a hook's collector (see `Teardowns`). */
export type HasTeardown = Pick<ExecutionContext, 'teardown'>;

/** Collects teardowns in before hooks, where ava has no t.teardown; run them in after.always. */
export class Teardowns implements HasTeardown {
  private readonly fns: (() => Promise<void> | void)[] = [];
  teardown(fn: () => Promise<void> | void): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.fns.reverse()) await fn();
  }
}

export async function startCluster(t: HasTeardown, args: ApiServerArgs = {}, dir?: string): Promise<Cluster> {
  const own = dir === undefined;
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'berth-api-'));
  const sup = await Supervisor.start({
    children: [storeChildSpec({ path: dataDir }), apiServerChildSpec({ port: 0, ...args })],
    logLevel: 'silent',
  });
  const address = await sup.request<ApiAddress>('api-server', { type: 'api.address' }, { timeoutMs: 20_000 });
  t.teardown(async () => {
    await sup.stop();
    if (own) rmSync(dataDir, { recursive: true, force: true });
  });
  return { sup, url: address.url!, dir: dataDir };
}

export interface HttpResult<T = any> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
    if (!('content-type' in (init.headers as Record<string, string>))) (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

export function pod(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
    ...extra,
  };
}

export function deployment(name: string, replicas = 2): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
}

/** Writes a kubeconfig pointing at `url` into `dir`; returns its path. */
export function kubeconfig(dir: string, url: string, token?: string): string {
  const user = token ? `    token: ${token}\n` : '    {}\n';
  const text = `apiVersion: v1
kind: Config
clusters:
- name: berth
  cluster:
    server: ${url}
contexts:
- name: berth
  context:
    cluster: berth
    user: berth
current-context: berth
users:
- name: berth
  user:
${user}`;
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, text);
  return path;
}
