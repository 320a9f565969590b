/**
 * `berth explain pod NAME [-n NS]`: why the scheduler places a pod where it
 * does, or why it cannot: each filter plugin's verdict on each node (with
 * the reasons of the failures) and, on the feasible nodes, each score
 * plugin's score and weight. Asks a running cluster over HTTP (the
 * api-server relays to the scheduler actor: /apis/berth.dev/v1/explain/...),
 * found like kubectl finds it: --server, or a kubeconfig (--kubeconfig,
 * $KUBECONFIG, ./.berth/kubeconfig from `berth up`, ~/.kube/config).
 */
import { Argument, Command, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createLogger, effectiveLogLevel } from '../actor/logger.js';
import type { ExplanationBody } from '../../actors/api-server/http/berth-routes.js';
import type { NodeExplanation } from '../../actors/scheduler/explain.js';

export interface ExplainOptions {
  readonly namespace: string;
  readonly server?: string;
  readonly token?: string;
  readonly kubeconfig?: string;
  readonly output: 'table' | 'json';
  readonly all?: boolean;
}

interface Target {
  readonly server: string;
  readonly token?: string;
  readonly from: string;
}

/** Thrown for what the user must fix (exit 2), as opposed to a failing cluster (exit 1). */
export class UsageError extends Error {}

export function findServer(o: Pick<ExplainOptions, 'server' | 'token' | 'kubeconfig'>): Target {
  if (o.server) return { server: o.server.replace(/\/+$/, ''), token: o.token, from: '--server' };
  if (o.kubeconfig && !existsSync(o.kubeconfig)) throw new UsageError(`--kubeconfig ${o.kubeconfig}: no such file`);
  const candidates = o.kubeconfig ? [o.kubeconfig] : [...(process.env.KUBECONFIG ?? '').split(':').filter((p) => p !== ''), join('.berth', 'kubeconfig'), join(homedir(), '.kube', 'config')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new UsageError(`no cluster to ask: give --server URL or --kubeconfig FILE (looked for ${candidates.join(', ')})`);
  return { ...fromKubeconfig(file), ...(o.token ? { token: o.token } : {}) };
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
  clusters?: { name: string; cluster?: { server?: string } }[];
  users?: { name: string; user?: { token?: string } }[];
}

export function fromKubeconfig(file: string): Target {
  let kc: Kubeconfig;
  try {
    kc = (parse(readFileSync(file, 'utf8')) ?? {}) as Kubeconfig;
  } catch (err) {
    throw new UsageError(`${file}: not a readable kubeconfig: ${(err as Error).message.split('\n')[0]}`);
  }
  const current = kc['current-context'];
  const ctx = kc.contexts?.find((c) => c.name === current)?.context;
  if (!ctx) throw new UsageError(`${file}: current-context ${current ? `"${current}" is not among the contexts` : 'is not set'}`);
  const server = kc.clusters?.find((c) => c.name === ctx.cluster)?.cluster?.server;
  if (!server) throw new UsageError(`${file}: cluster "${ctx.cluster ?? ''}" of context "${current}" has no server`);
  const token = kc.users?.find((u) => u.name === ctx.user)?.user?.token;
  return { server: server.replace(/\/+$/, ''), ...(token ? { token } : {}), from: file };
}

export async function fetchExplanation(target: Target, namespace: string, name: string): Promise<ExplanationBody> {
  const url = `${target.server}/apis/berth.dev/v1/explain/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
  const log = createLogger(effectiveLogLevel('silent'), { component: 'berth explain' });
  log.debug('asking the api-server', { url, from: target.from, token: target.token });
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json', ...(target.token ? { Authorization: `Bearer ${target.token}` } : {}) } });
  } catch (err) {
    throw new Error(`cannot reach ${target.server} (from ${target.from}): ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const body = (await res.json().catch(() => null)) as (ExplanationBody | { kind: 'Status'; message?: string }) | null;
  if (!res.ok || !body || body.kind !== 'SchedulerExplanation') {
    const message = body && 'message' in body && body.message ? body.message : `HTTP ${res.status}`;
    if (res.status === 404) throw new UsageError(message);
    throw new Error(`${target.server}: ${message}`);
  }
  return body;
}

/** The explanation as text: a header, then one table row per (node, plugin) that matters. */
export function formatExplanation(e: ExplanationBody, all = false): string {
  const lines: string[] = [];
  lines.push(e.nodeName ? `Pod ${e.pod}: bound to ${e.nodeName}` : `Pod ${e.pod}: not scheduled`);
  if (e.unschedulableMessage) lines.push(`  ${e.unschedulableMessage}`);
  const feasible = e.nodes.filter((n) => n.feasible).sort((a, b) => (b.total ?? 0) - (a.total ?? 0) || a.node.localeCompare(b.node));
  const infeasible = e.nodes.filter((n) => !n.feasible).sort((a, b) => a.node.localeCompare(b.node));
  lines.push(`  ${e.nodes.length} nodes: ${feasible.length} feasible, ${infeasible.length} filtered out`, '');
  if (e.nodes.length === 0) return lines.join('\n') + '\n';
  const rows: string[][] = [['NODE', 'RESULT', 'PLUGIN', 'VERDICT', 'SCORE', 'WEIGHT', 'REASON']];
  const add = (n: NodeExplanation, first: boolean, plugin: string, verdict: string, score: string, weight: string, reason: string): void => {
    rows.push([first ? n.node : '', first ? (n.feasible ? `feasible (total ${fmt(n.total)})` : 'filtered out') : '', plugin, verdict, score, weight, reason]);
  };
  for (const n of [...feasible, ...infeasible]) {
    const shown = n.plugins.filter((p) => all || p.verdict === 'fail' || p.score !== undefined || (n.feasible && p.plugin.endsWith('(score)')));
    if (shown.length === 0) {
      add(n, true, '(every filter passed)', 'pass', '', '', '');
      continue;
    }
    shown.forEach((p, i) => add(n, i === 0, p.plugin, p.verdict, p.score === undefined ? '' : fmt(p.score), p.weight === undefined ? '' : String(p.weight), (p.reasons ?? []).join('; ')));
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) lines.push(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  return lines.join('\n') + '\n';
}

function fmt(n: number | undefined): string {
  if (n === undefined) return '';
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

export async function runExplain(kind: string, name: string, o: ExplainOptions): Promise<number> {
  try {
    if (!['pod', 'pods', 'po'].includes(kind)) throw new UsageError(`explain: only pods can be explained (got "${kind}")`);
    const e = await fetchExplanation(findServer(o), o.namespace, name);
    process.stdout.write(o.output === 'json' ? JSON.stringify(e, null, 2) + '\n' : formatExplanation(e, o.all));
    return 0;
  } catch (err) {
    console.error(`berth explain: ${(err as Error).message}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

export function explainCommand(): Command {
  return new Command('explain')
    .description("show the scheduler's per-plugin verdicts (and scores) for a pod on every node: why it is where it is, or why it is Pending")
    .addArgument(new Argument('<kind>', 'what to explain').choices(['pod', 'pods', 'po']))
    .argument('<name>', 'the pod')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--server <url>', "the api-server's URL (instead of a kubeconfig)")
    .option('--token <token>', 'bearer token for --server')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ./.berth/kubeconfig, ~/.kube/config)')
    .addOption(new Option('-o, --output <format>', 'table or json').choices(['table', 'json']).default('table'))
    .option('--all', 'also list the plugins that passed or did not apply')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  berth explain pod web-7d9f-x2x8q                # against `berth up` (./.berth/kubeconfig)',
        '  berth explain pod big -n batch --server http://127.0.0.1:6443',
        '  berth explain pod big -o json | jq \'.nodes[] | select(.feasible)\'',
      ].join('\n'),
    )
    .action(async (kind: string, name: string, opts: ExplainOptions) => {
      process.exitCode = await runExplain(kind, name, opts);
    });
}
