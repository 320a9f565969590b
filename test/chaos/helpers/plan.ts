/**
 * The actor chaos run as data: cluster size, workload, and a timeline of
 * faults drawn from one seed (kills of host threads at random virtual
 * times, node outages, a rolling update, a scale). The same seed and size
 * give the same plan, so a failing run is replayed with BERTH_CHAOS_SEED.
 */

export interface ChaosSize {
  readonly name: string;
  readonly nodes: number;
  /** Simulated nodes per host thread: each such thread is one kill target. */
  readonly nodesPerHost: number;
  readonly deployments: number;
  readonly replicasEach: number;
  readonly kills: number;
  /** Nodes that go down long enough for their pods to be evicted, and nodes that blink. */
  readonly longOutages: number;
  readonly shortOutages: number;
  /** Whose threads are killed; default every kind (VICTIM_KINDS). */
  readonly victims?: readonly VictimKind[];
}

export const SIZES: Readonly<Record<'ci' | 'full', ChaosSize>> = {
  ci: { name: 'ci', nodes: 50, nodesPerHost: 10, deployments: 10, replicasEach: 100, kills: 20, longOutages: 2, shortOutages: 1 },
  full: { name: 'full', nodes: 500, nodesPerHost: 50, deployments: 20, replicasEach: 500, kills: 100, longOutages: 10, shortOutages: 5 },
};

/** Every kind of actor whose host thread the chaos kills; `nodes` is a node host (many kubelets on one thread). */
export const VICTIM_KINDS = ['store', 'api-server', 'scheduler', 'controller-manager', 'nodes'] as const;
export type VictimKind = (typeof VICTIM_KINDS)[number];

export type ChaosStep =
  | { readonly at: number; readonly kind: 'kill'; readonly n: number; readonly victim: VictimKind; readonly host: number }
  | { readonly at: number; readonly kind: 'fail' | 'recover'; readonly nodes: readonly string[] }
  | { readonly at: number; readonly kind: 'rollout'; readonly image: string }
  | { readonly at: number; readonly kind: 'scale'; readonly replicas: Readonly<Record<string, number>> };

export interface ChaosPlan {
  readonly seed: number;
  readonly size: ChaosSize;
  readonly nodeNames: readonly string[];
  /** Node host i carries nodeNames[i*perHost .. (i+1)*perHost). */
  readonly hosts: number;
  readonly deploymentNames: readonly string[];
  /** In time order. */
  readonly steps: readonly ChaosStep[];
  /** What every Deployment must end at. */
  readonly finalReplicas: Readonly<Record<string, number>>;
  readonly finalImage: string;
}

export const IMAGE_V1 = 'registry.local/web:1';
export const IMAGE_V2 = 'registry.local/web:2';

/** mulberry32: small, fast, and the same numbers on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function nodeName(i: number, count: number): string {
  return `node-${String(i).padStart(Math.max(3, String(count - 1).length), '0')}`;
}

export function makePlan(size: ChaosSize, seed: number): ChaosPlan {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const nodeNames = Array.from({ length: size.nodes }, (_, i) => nodeName(i, size.nodes));
  const hosts = Math.ceil(size.nodes / size.nodesPerHost);
  const deploymentNames = Array.from({ length: size.deployments }, (_, i) => `web-${i}`);
  const steps: ChaosStep[] = [];

  // Kills every 2-6 s of virtual time from t = 2 s: the window the other faults are placed in.
  let t = 2_000;
  for (let n = 1; n <= size.kills; n++) {
    const victim = pick(size.victims ?? VICTIM_KINDS);
    steps.push({ at: t, kind: 'kill', n, victim, host: victim === 'nodes' ? Math.floor(rnd() * hosts) : 0 });
    t += 2_000 + Math.floor(rnd() * 4_000);
  }
  const window = t;
  const at = (fraction: number): number => Math.round((window * fraction) / 1_000) * 1_000;

  // Distinct nodes for the outages; long ones last past the pods' 30 s unreachable toleration (+ 40 s grace).
  const shuffled = [...nodeNames];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const long = shuffled.slice(0, size.longOutages).sort();
  const short = shuffled.slice(size.longOutages, size.longOutages + size.shortOutages).sort();
  steps.push({ at: at(0.1), kind: 'fail', nodes: long });
  steps.push({ at: at(0.1) + Math.max(120_000, at(0.5)), kind: 'recover', nodes: long });
  steps.push({ at: at(0.4), kind: 'fail', nodes: short });
  steps.push({ at: at(0.4) + 20_000, kind: 'recover', nodes: short });
  steps.push({ at: at(0.3), kind: 'rollout', image: IMAGE_V2 });

  // Mid-rollout, one Deployment grows by a tenth and another shrinks by a tenth.
  const finalReplicas: Record<string, number> = Object.fromEntries(deploymentNames.map((d) => [d, size.replicasEach]));
  const tenth = Math.max(1, Math.round(size.replicasEach / 10));
  const scaled: Record<string, number> = { [deploymentNames[0]!]: size.replicasEach + tenth };
  if (deploymentNames.length > 1) scaled[deploymentNames[1]!] = size.replicasEach - tenth;
  Object.assign(finalReplicas, scaled);
  steps.push({ at: at(0.5), kind: 'scale', replicas: scaled });

  steps.sort((a, b) => a.at - b.at || order(a) - order(b));
  return { seed, size, nodeNames, hosts, deploymentNames, steps, finalReplicas, finalImage: IMAGE_V2 };
}

/** At the same instant: workload changes and outages before kills, so a replay is unambiguous. */
function order(s: ChaosStep): number {
  return s.kind === 'kill' ? 1 : 0;
}

export function describeStep(s: ChaosStep): string {
  const time = `t=${(s.at / 1000).toFixed(1)}s`;
  switch (s.kind) {
    case 'kill':
      return `${time} kill #${s.n}: ${s.victim === 'nodes' ? `node host ${s.host}` : s.victim}`;
    case 'fail':
    case 'recover':
      return `${time} ${s.kind} ${s.nodes.length} node(s): ${s.nodes.join(', ')}`;
    case 'rollout':
      return `${time} rolling update of every Deployment to ${s.image}`;
    case 'scale':
      return `${time} scale ${Object.entries(s.replicas).map(([d, r]) => `${d}=${r}`).join(', ')}`;
    default: {
      const never: never = s;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
}
