/**
 * Plays a chaos plan on a running cluster under the virtual clock: creates
 * the Deployments, then at each step's virtual time kills a host thread,
 * fails or recovers nodes, rolls out or scales. The driver is a user with a
 * retrying client: a call that finds the api-server restarting is tried
 * again, and every write the api-server acknowledged is recorded so the
 * check can find it in the store's history.
 */
import { nodeAddress } from '../../../actors/node/spec.js';
import { deployments, storageKey } from '../../../lib/api/resources/index.js';
import type { Deployment } from '../../../lib/api/types/apps.js';
import { ApiError, isAlreadyExists } from '../../../lib/client/errors.js';
import type { ChaosCluster } from './chaos-cluster.js';
import { describeStep, IMAGE_V1, type ChaosPlan, type ChaosStep } from './plan.js';

export interface AckedWrite {
  readonly what: string;
  readonly key: string;
  readonly revision: number;
}

export interface KillRecord {
  readonly n: number;
  /** Virtual ms since the run started. */
  readonly at: number;
  readonly address: string;
}

export interface DriveResult {
  readonly kills: KillRecord[];
  readonly acked: AckedWrite[];
  /** Virtual ms from the first Deployment to the last step. */
  readonly virtualMs: number;
}

export type Log = (line: string) => void;

const NS = 'default';

export function deploymentObject(name: string, replicas: number, image: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'web', image, resources: { requests: { cpu: '250m', memory: '512Mi' } } }],
          // Kubernetes' default toleration is 300 s; 30 s gets failed nodes' pods evicted within the run.
          tolerations: [
            { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
            { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
          ],
        },
      },
    },
  };
}

export class ChaosDriver {
  private readonly acked: AckedWrite[] = [];
  private readonly kills: KillRecord[] = [];
  /** Nodes down now: a restarted node host forgets its kubelets' outage, so it is applied again. */
  private readonly down = new Set<string>();
  private start = 0;

  constructor(
    private readonly c: ChaosCluster,
    private readonly plan: ChaosPlan,
    private readonly log: Log,
  ) {}

  async run(): Promise<DriveResult> {
    const { sup } = this.c;
    this.start = sup.clock.now();
    this.log(`chaos seed=${this.plan.seed} size=${this.plan.size.name}: ${this.plan.size.nodes} nodes on ${this.plan.hosts} node hosts, ${this.plan.size.deployments} x ${this.plan.size.replicasEach} pods, ${this.plan.size.kills} kills`);
    for (const name of this.plan.deploymentNames) {
      const obj = deploymentObject(name, this.plan.size.replicasEach, IMAGE_V1);
      await this.write(`create ${name}`, name, () => this.c.api.create(deployments, obj, { namespace: NS }), true);
    }
    for (const step of this.plan.steps) {
      await sup.clock.runUntil(this.start + step.at);
      this.log(describeStep(step));
      await this.apply(step);
    }
    return { kills: this.kills, acked: this.acked, virtualMs: sup.clock.now() - this.start };
  }

  private async apply(step: ChaosStep): Promise<void> {
    switch (step.kind) {
      case 'kill': {
        const address = step.victim === 'nodes' ? this.c.hostAddress(step.host) : step.victim;
        await this.kill(step.n, address);
        if (step.victim === 'nodes') await this.reapplyOutages(step.host);
        return;
      }
      case 'fail':
      case 'recover':
        for (const n of step.nodes) {
          if (step.kind === 'fail') this.down.add(n);
          else this.down.delete(n);
          await this.retry(`${step.kind} ${n}`, () => this.c.sup.request(nodeAddress(n), { type: step.kind === 'fail' ? 'kubelet.fail' : 'kubelet.recover' }, { timeoutMs: 10_000 }));
        }
        return;
      case 'rollout':
        for (const name of this.plan.deploymentNames) {
          const patch = { spec: { template: { spec: { containers: [{ ...deploymentObject(name, 0, step.image).spec!.template.spec!.containers[0]! }] } } } };
          await this.write(`rollout ${name}`, name, () => this.c.api.patch(deployments, name, 'merge', patch, { namespace: NS }));
        }
        return;
      case 'scale':
        for (const [name, replicas] of Object.entries(step.replicas)) {
          await this.write(`scale ${name}=${replicas}`, name, () => this.c.api.patch(deployments, name, 'merge', { spec: { replicas } }, { namespace: NS }));
        }
        return;
      default: {
        const never: never = step;
        throw new Error(`unknown step ${JSON.stringify(never)}`);
      }
    }
  }

  /** Kill the thread carrying `address`; if it is still coming back from an earlier kill, wait for it. */
  private async kill(n: number, address: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.c.sup.killHost(address, `chaos kill #${n} (seed ${this.plan.seed})`);
        this.kills.push({ n, at: this.c.sup.clock.now() - this.start, address });
        return;
      } catch (err) {
        if (attempt >= 80) throw new Error(`kill #${n}: ${address} did not come back to be killed: ${String(err)}`);
        await this.c.sup.clock.runFor(250);
      }
    }
  }

  private async reapplyOutages(host: number): Promise<void> {
    const per = this.plan.size.nodesPerHost;
    const mine = this.plan.nodeNames.slice(host * per, (host + 1) * per).filter((n) => this.down.has(n));
    for (const n of mine) await this.retry(`fail ${n} again after its host restarted`, () => this.c.sup.request(nodeAddress(n), { type: 'kubelet.fail' }, { timeoutMs: 10_000 }));
  }

  /** A write through the api: retried while the control plane restarts; its acknowledged revision recorded. */
  private async write(what: string, name: string, call: () => Promise<Deployment>, isCreate = false): Promise<void> {
    const res = await this.retry(what, async () => {
      try {
        return await call();
      } catch (err) {
        // A create acknowledged to nobody (the api-server died after the store's commit) shows up as AlreadyExists.
        if (isCreate && isAlreadyExists(err)) return null;
        throw err;
      }
    });
    if (res) this.acked.push({ what, key: storageKey(deployments, NS, name), revision: Number(res.metadata.resourceVersion) });
  }

  /** Transport failures (actor down, timeouts) and 5xx/429 are retried after 250 virtual ms; other API errors are bugs. */
  private async retry<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const retriable = !(err instanceof ApiError) || err.code >= 500 || err.code === 429;
        if (!retriable || attempt >= 240) throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)} (after ${attempt + 1} attempts)`);
        await this.c.sup.clock.runFor(250);
      }
    }
  }
}
