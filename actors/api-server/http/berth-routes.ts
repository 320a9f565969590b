/**
 * Endpoints answered by asking other actors, not the api-server's cache:
 *
 * - /metrics: the api-server's own metrics, then every actor's counters on
 *   every thread, which the supervisor gathers (a `sys.stats` request).
 * - /apis/berth.dev/v1/explain/namespaces/NS/pods/NAME: the scheduler's
 *   per-plugin verdicts and scores for one pod. Only the scheduler holds
 *   what that needs (its node cache, plugin state), and an HTTP client such
 *   as `berth explain` reaches the cluster only through the api-server, so
 *   the api-server relays the question over the message plane, as the
 *   Kubernetes api-server proxies to kubelets for logs.
 */
import { renderActorMetrics } from '../../../lib/cluster/actor-metrics.js';
import { ActorError, RemoteError } from '../../../lib/actor/errors.js';
import type { ActorStats } from '../../../lib/actor/actor-cell.js';
import type { Message } from '../../../lib/actor/types.js';
import type { SchedulerExplanation, SchedulerMessage } from '../../scheduler/messages.js';
import type { Reply } from './endpoints.js';

/** A request to another actor (the api-server's ctx.request). */
export type Ask = <R>(to: string, msg: Message & Record<string, unknown>) => Promise<R>;

export const EXPLAIN_API_VERSION = 'berth.dev/v1';

const status = (code: number, reason: string, message: string): Reply => ({
  code,
  contentType: 'application/json',
  data: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }),
});

export async function metricsReply(own: string, ask: Ask | undefined): Promise<Reply> {
  let actors: string;
  if (!ask) actors = '';
  else {
    try {
      actors = renderActorMetrics(await ask<ActorStats[]>('supervisor', { type: 'sys.stats' }));
    } catch (err) {
      // The api-server's own metrics still count when the supervisor cannot answer.
      actors = `# berth actor metrics unavailable: ${(err as Error).message.replace(/\n/g, ' ')}\n`;
    }
  }
  return { code: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', data: own + actors };
}

/** What GET .../explain/... answers: the scheduler's explanation with a kind to tell it from a Status. */
export interface ExplanationBody extends SchedulerExplanation {
  readonly kind: 'SchedulerExplanation';
  readonly apiVersion: typeof EXPLAIN_API_VERSION;
}

export async function explainReply(namespace: string, name: string, ask: Ask | undefined, scheduler = 'scheduler'): Promise<Reply> {
  if (!ask) return status(503, 'ServiceUnavailable', 'explain is not available on this server');
  try {
    const out = await ask<SchedulerExplanation>(scheduler, { type: 'scheduler.explain', namespace, name } satisfies SchedulerMessage);
    const body: ExplanationBody = { kind: 'SchedulerExplanation', apiVersion: EXPLAIN_API_VERSION, ...out };
    return { code: 200, contentType: 'application/json', data: JSON.stringify(body) };
  } catch (err) {
    if (err instanceof RemoteError && err.code === 'NOT_FOUND') return status(404, 'NotFound', `pods "${name}" not found in namespace "${namespace}" (as the scheduler sees it)`);
    if (err instanceof ActorError) return status(503, 'ServiceUnavailable', `the scheduler cannot answer: ${err.message}`);
    throw err;
  }
}
