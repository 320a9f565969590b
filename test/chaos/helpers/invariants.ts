/**
 * What "converged to exactly the desired state" means after the chaos, as
 * a list of violations (empty: it holds). Read through the api-server (what
 * a user sees) and from every kubelet (what actually runs):
 * - every Deployment at its replicas, on the new template, status caught up;
 * - its ReplicaSets: one active at the replicas, the old ones at 0;
 * - every pod owned by a live ReplicaSet, bound, Running and Ready, none
 *   terminating; as many as wanted per Deployment, no more (none duplicated)
 *   and no fewer (none lost);
 * - every node Ready and untainted, within its allocatable cpu, memory, pods;
 * - every kubelet runs exactly the pods the api binds to it.
 */
import { nodeAddress } from '../../../actors/node/spec.js';
import type { KubeletStats } from '../../../actors/node/messages.js';
import type { Supervisor } from '../../../lib/actor/supervisor.js';
import { deployments, nodes, pods, replicaSets } from '../../../lib/api/resources/index.js';
import type { Deployment, ReplicaSet } from '../../../lib/api/types/apps.js';
import type { Node } from '../../../lib/api/types/core.js';
import type { Pod } from '../../../lib/api/types/pod.js';
import { milliValue, mustParseQuantity } from '../../../lib/api/quantity.js';
import type { ApiClient } from '../../../lib/client/client.js';
import type { ResourceRef } from '../../../lib/client/types.js';
import type { KubeObject } from '../../../lib/api/types/meta.js';
import type { ChaosPlan } from './plan.js';

const NS = 'default';
const MAX_LISTED = 8;
/** Objects per list page: 10,000 pods in one reply (about 24 MB) are over the runtime's 16 MiB message limit. */
const PAGE = 1_000;

/** Every object, page by page (limit and continue), as a client of a large cluster lists. */
export async function listAll<T extends KubeObject>(api: ApiClient, r: ResourceRef<T>, namespace?: string): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await api.list(r, { namespace, limit: PAGE, continue: token });
    out.push(...page.items);
    token = page.metadata.continue || undefined;
  } while (token);
  return out;
}

export interface ClusterCounts {
  readonly pods: number;
  readonly nodes: number;
  readonly replicaSets: number;
}

const isReady = (p: Pod): boolean => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const imageOf = (spec: { containers: { image?: string }[] } | undefined): string | undefined => spec?.containers[0]?.image;
const milli = (q: string | number | undefined): bigint => (q === undefined ? 0n : milliValue(mustParseQuantity(q)));

/** Cheap test, polled while the cluster settles: Deployments report done and the pods agree. */
export async function looksConverged(api: ApiClient, plan: ChaosPlan): Promise<boolean> {
  const ds = (await listAll(api, deployments, NS));
  if (ds.length !== plan.deploymentNames.length) return false;
  for (const d of ds) if (deploymentProblem(d, plan) !== null) return false;
  const ps = (await listAll(api, pods, NS));
  const want = Object.values(plan.finalReplicas).reduce((a, b) => a + b, 0);
  return ps.length === want && ps.every((p) => !p.metadata.deletionTimestamp && isReady(p) && imageOf(p.spec) === plan.finalImage);
}

function deploymentProblem(d: Deployment, plan: ChaosPlan): string | null {
  const name = d.metadata.name!;
  const want = plan.finalReplicas[name];
  const s = d.status ?? {};
  const got = { spec: d.spec?.replicas, image: imageOf(d.spec?.template.spec), observed: s.observedGeneration, replicas: s.replicas, updated: s.updatedReplicas, ready: s.readyReplicas, available: s.availableReplicas };
  const ok = got.spec === want && got.image === plan.finalImage && got.observed === d.metadata.generation && got.replicas === want && got.updated === want && got.ready === want && got.available === want;
  return ok ? null : `deployment ${name}: want ${want} x ${plan.finalImage} at generation ${d.metadata.generation}, got ${JSON.stringify(got)}`;
}

export async function checkInvariants(api: ApiClient, sup: Supervisor, plan: ChaosPlan): Promise<{ violations: string[]; counts: ClusterCounts }> {
  const v: string[] = [];
  const ds = (await listAll(api, deployments, NS));
  const rss = (await listAll(api, replicaSets, NS));
  const ps = (await listAll(api, pods, NS));
  const ns = (await listAll(api, nodes));

  if (sup.state !== 'running') v.push(`supervisor is ${sup.state}`);
  const names = new Set(ds.map((d) => d.metadata.name!));
  for (const want of plan.deploymentNames) if (!names.has(want)) v.push(`deployment ${want} is missing`);
  for (const d of ds) {
    const p = deploymentProblem(d, plan);
    if (p) v.push(p);
  }

  // ReplicaSets by uid, and the Deployment each belongs to.
  const rsByUid = new Map<string, ReplicaSet>();
  const ownerOfRs = new Map<string, string>();
  for (const rs of rss) {
    rsByUid.set(rs.metadata.uid!, rs);
    const owner = rs.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment');
    if (!owner) v.push(`replicaset ${rs.metadata.name} has no Deployment owner`);
    else ownerOfRs.set(rs.metadata.uid!, owner.name);
  }
  for (const d of ds) {
    const mine = rss.filter((rs) => ownerOfRs.get(rs.metadata.uid!) === d.metadata.name);
    const active = mine.filter((rs) => (rs.spec?.replicas ?? 0) > 0 || (rs.status?.replicas ?? 0) > 0);
    const want = plan.finalReplicas[d.metadata.name!];
    if (active.length !== 1) v.push(`deployment ${d.metadata.name}: ${active.length} ReplicaSets with pods (${active.map((r) => `${r.metadata.name}=${r.spec?.replicas}/${r.status?.replicas}`).join(', ')}), want 1`);
    else if (imageOf(active[0]!.spec?.template?.spec) !== plan.finalImage || active[0]!.spec?.replicas !== want || active[0]!.status?.readyReplicas !== want)
      v.push(`deployment ${d.metadata.name}: active ReplicaSet ${active[0]!.metadata.name} is ${imageOf(active[0]!.spec?.template?.spec)} with ${active[0]!.spec?.replicas} wanted, ${active[0]!.status?.readyReplicas} ready; want ${want} x ${plan.finalImage}`);
  }

  // Pods: none lost, none duplicated, all running where the api says.
  const perDeployment = new Map<string, number>();
  const perNode = new Map<string, Pod[]>();
  const uids = new Set<string>();
  const bad: string[] = [];
  for (const p of ps) {
    const name = p.metadata.name!;
    if (uids.has(p.metadata.uid!)) bad.push(`${name}: uid ${p.metadata.uid} seen twice`);
    uids.add(p.metadata.uid!);
    const owner = p.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'ReplicaSet');
    const dep = owner ? ownerOfRs.get(owner.uid) : undefined;
    if (!owner || !rsByUid.has(owner.uid)) bad.push(`${name}: orphan (owner ${owner?.name ?? 'none'} does not exist)`);
    if (dep) perDeployment.set(dep, (perDeployment.get(dep) ?? 0) + 1);
    if (p.metadata.deletionTimestamp) bad.push(`${name}: still terminating (since ${p.metadata.deletionTimestamp})`);
    if (!p.spec?.nodeName) bad.push(`${name}: not bound`);
    else perNode.set(p.spec.nodeName, [...(perNode.get(p.spec.nodeName) ?? []), p]);
    if (p.status?.phase !== 'Running' || !isReady(p)) bad.push(`${name}: ${p.status?.phase ?? 'no phase'}, ready=${isReady(p)}`);
    if (imageOf(p.spec) !== plan.finalImage) bad.push(`${name}: runs ${imageOf(p.spec)}`);
  }
  if (bad.length > 0) v.push(`${bad.length} bad pods: ${bad.slice(0, MAX_LISTED).join('; ')}${bad.length > MAX_LISTED ? '; ...' : ''}`);
  for (const name of plan.deploymentNames) {
    const got = perDeployment.get(name) ?? 0;
    const want = plan.finalReplicas[name]!;
    if (got !== want) v.push(`deployment ${name}: ${got} pods, want ${want} (${got > want ? 'duplicated' : 'lost'})`);
  }

  // Nodes: all back, and none over capacity.
  const known = new Set(ns.map((n) => n.metadata.name!));
  for (const name of plan.nodeNames) if (!known.has(name)) v.push(`node ${name} is missing`);
  for (const n of ns) v.push(...nodeProblems(n, perNode.get(n.metadata.name!) ?? []));
  for (const node of perNode.keys()) if (!known.has(node)) v.push(`${perNode.get(node)!.length} pods bound to unknown node ${node}`);

  // What the kubelets run must be exactly what the api binds to them.
  const stats = await Promise.all(plan.nodeNames.map((n) => sup.request<KubeletStats>(nodeAddress(n), { type: 'kubelet.stats' }, { timeoutMs: 30_000 })));
  const mismatched = stats.filter((s) => s.pods !== (perNode.get(s.node)?.length ?? 0) || s.running !== s.pods);
  if (mismatched.length > 0)
    v.push(`${mismatched.length} kubelets disagree with the api: ${mismatched.slice(0, MAX_LISTED).map((s) => `${s.node} has ${s.pods} pods (${s.running} running), api binds ${perNode.get(s.node)?.length ?? 0}`).join('; ')}`);
  return { violations: v, counts: { pods: ps.length, nodes: ns.length, replicaSets: rss.length } };
}

function nodeProblems(n: Node, bound: readonly Pod[]): string[] {
  const name = n.metadata.name!;
  const out: string[] = [];
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') out.push(`node ${name}: Ready=${ready?.status ?? 'none'} (${ready?.reason ?? ''})`);
  if ((n.spec?.taints ?? []).length > 0) out.push(`node ${name}: still tainted ${n.spec!.taints!.map((x) => `${x.key}:${x.effect}`).join(', ')}`);
  const alloc = n.status?.allocatable ?? {};
  let cpu = 0n;
  let mem = 0n;
  for (const p of bound) {
    for (const c of p.spec?.containers ?? []) {
      cpu += milli(c.resources?.requests?.cpu);
      mem += milli(c.resources?.requests?.memory);
    }
  }
  if (cpu > milli(alloc.cpu)) out.push(`node ${name}: over cpu (${cpu}m of ${milli(alloc.cpu)}m)`);
  if (mem > milli(alloc.memory)) out.push(`node ${name}: over memory (${mem / 1000n} of ${milli(alloc.memory) / 1000n} bytes)`);
  if (BigInt(bound.length) * 1000n > milli(alloc.pods)) out.push(`node ${name}: over pods (${bound.length} of ${alloc.pods})`);
  return out;
}
