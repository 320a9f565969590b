/**
 * Writes the scheduler's decisions through the api-server, one batch per
 * kind of write per cycle, and hands failures back to the core:
 * - bindings: POST pods/<name>/binding; a refused or failed bind goes back
 *   to the Scheduler (`bindFailed`: the assumption is dropped and the pod
 *   retried after back-off); a Scheduled Event for each bound pod;
 * - failures: the PodScheduled=False condition (strategic status patch,
 *   with status.nominatedNodeName set or cleared) and a FailedScheduling
 *   Event, once per change of message (a pod that already carries the same
 *   condition, e.g. after a restart, is left alone);
 * - preemptions: victims deleted with their grace period (uid
 *   precondition) and a Preempted Event.
 */
import type { ApiRequest, ApiResponse } from '../api-server/messages.js';
import type { Pod, PodCondition } from '../../lib/api/types/pod.js';
import type { Clock } from '../../lib/client/clock.js';
import type { ApiClient } from '../../lib/client/client.js';
import type { ReadonlyCache } from '../../lib/client/object-cache.js';
import type { EventRecorder } from '../controller-manager/events.js';
import type { Decisions, Failure, Scheduler } from './scheduler.js';

export interface DecisionWriterDeps {
  readonly api: ApiClient;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly recorder: EventRecorder;
  /** The scheduler's pod cache: the objects events are about, and the status a failure is compared with. */
  readonly pods: Pick<ReadonlyCache<Pod>, 'get'>;
  readonly log: (msg: string, fields: Record<string, unknown>) => void;
  readonly onError?: (err: unknown) => void;
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function ok(res: ApiResponse): boolean {
  return res.code >= 200 && res.code < 300;
}

const POD = { apiVersion: 'v1', kind: 'Pod' };

export class DecisionWriter {
  readonly counts = { bound: 0, bindFailed: 0, conditions: 0, victims: 0 };
  /** Pod key -> the uid, message and nominated node last written for it. */
  private readonly reported = new Map<string, string>();

  constructor(private readonly deps: DecisionWriterDeps) {}

  /** The pod was bound, finished or deleted: its next failure, if any, is written again. */
  forget(key: string): void {
    this.reported.delete(key);
  }

  async apply(d: Decisions): Promise<void> {
    await Promise.all([this.bind(d), this.report(d.failures), this.evict(d)]);
  }

  private async bind(d: Decisions): Promise<void> {
    if (d.bindings.length === 0) return;
    const requests: ApiRequest[] = d.bindings.map((b) => ({
      verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: b.namespace, name: b.name, subresource: 'binding',
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: b.name, namespace: b.namespace, uid: b.uid }, target: { apiVersion: 'v1', kind: 'Node', name: b.node } },
    }));
    let out: ApiResponse[];
    try {
      out = await this.deps.api.transport.batch(requests, { brief: true });
    } catch (err) {
      for (const b of d.bindings) this.deps.scheduler.bindFailed(b.key);
      this.counts.bindFailed += d.bindings.length;
      this.deps.onError?.(err);
      return;
    }
    d.bindings.forEach((b, i) => {
      const res = out[i]!;
      if (ok(res)) {
        this.counts.bound++;
        this.deps.scheduler.bindSucceeded(b.key);
        const pod = this.deps.pods.get(b.key);
        if (pod) this.deps.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${b.namespace}/${b.name} to ${b.node}`, POD);
      } else {
        this.counts.bindFailed++;
        this.deps.log('bind failed', { pod: b.key, node: b.node, code: res.code, message: (res.body as { message?: string }).message });
        this.deps.scheduler.bindFailed(b.key);
      }
    });
  }

  /** PodScheduled=False and a FailedScheduling event, only when the message (or nominated node) changed. */
  private async report(failures: readonly Failure[]): Promise<void> {
    const requests: ApiRequest[] = [];
    const now = this.deps.clock.now();
    for (const f of failures) {
      const pod = this.deps.pods.get(f.key);
      if (!pod || pod.metadata.uid !== f.uid || pod.spec?.nodeName) continue;
      const sig = `${f.uid}\u0000${f.condition.message}\u0000${f.nominatedNodeName ?? ''}\u0000${f.clearNomination ? 'clear' : ''}`;
      if (this.reported.get(f.key) === sig) continue;
      this.reported.set(f.key, sig);
      const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
      const nominated = f.nominatedNodeName;
      // The scheduler dropped the nomination: clear it in the status too, or a restart would restore it.
      const clear = f.clearNomination === true && !!pod.status?.nominatedNodeName;
      if (cur?.status === 'False' && cur.reason === 'Unschedulable' && cur.message === f.condition.message && (!nominated || pod.status?.nominatedNodeName === nominated) && !clear) continue;
      const condition: PodCondition = {
        ...f.condition,
        lastProbeTime: null,
        lastTransitionTime: cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : timestamp(now),
      };
      const status: Record<string, unknown> = { conditions: [condition] };
      if (nominated) status['nominatedNodeName'] = nominated;
      else if (clear) status['nominatedNodeName'] = null;
      requests.push({
        verb: 'patch', group: '', version: 'v1', resource: 'pods', namespace: f.namespace, name: f.name, subresource: 'status',
        patchType: 'strategic', body: { status },
      });
      this.deps.recorder.event(pod, 'Warning', 'FailedScheduling', f.condition.message, POD);
    }
    if (requests.length === 0) return;
    try {
      const out = await this.deps.api.transport.batch(requests, { brief: true });
      out.forEach((res, i) => {
        if (ok(res)) this.counts.conditions++;
        else this.deps.log('status patch failed', { pod: `${requests[i]!.namespace}/${requests[i]!.name}`, code: res.code });
      });
    } catch (err) {
      this.deps.onError?.(err);
    }
  }

  private async evict(d: Decisions): Promise<void> {
    const requests: ApiRequest[] = [];
    for (const p of d.preemptions) {
      for (const v of p.victims) {
        const query = v.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: String(v.gracePeriodSeconds) } : {};
        requests.push({
          verb: 'delete', group: '', version: 'v1', resource: 'pods', namespace: v.namespace, name: v.name, query,
          body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: v.uid } },
        });
        const victim = this.deps.pods.get(v.key);
        if (victim) this.deps.recorder.event(victim, 'Normal', 'Preempted', `Preempted by pod ${p.uid} on node ${p.node}`, POD);
      }
    }
    if (requests.length === 0) return;
    try {
      const out = await this.deps.api.transport.batch(requests, { brief: true });
      out.forEach((res, i) => {
        if (ok(res) || res.code === 404) this.counts.victims++;
        else this.deps.log('victim delete failed', { pod: `${requests[i]!.namespace}/${requests[i]!.name}`, code: res.code });
      });
    } catch (err) {
      this.deps.onError?.(err);
    }
  }
}
