/**
 * Deleting a controller's surplus pods, as Kubernetes' controllers do:
 * expect the deletions first (so the informer's echoes are not mistaken for
 * outside changes), delete side by side, record SuccessfulDelete or
 * FailedDelete per pod; a pod already gone is fine; the first real failure
 * is thrown after all were tried, so the key is retried with back-off.
 */
import { pods } from '../../lib/api/resources/index.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { isNotFound } from '../../lib/client/errors.js';
import { keyOf } from '../../lib/client/object-cache.js';
import type { ControllerContext } from './context.js';
import type { Expectations } from './expectations.js';
import { errorMessage } from './objects.js';

export async function deleteOwnedPods(
  ctx: ControllerContext,
  expectations: Expectations,
  key: string,
  owner: Readonly<KubeObject>,
  gvk: { apiVersion: string; kind: string },
  victims: readonly Readonly<Pod>[],
): Promise<void> {
  expectations.expectDeletions(key, victims.map((p) => keyOf(p)));
  const results = await Promise.allSettled(victims.map((p) => ctx.api.delete(pods, p.metadata.name!, { namespace: p.metadata.namespace })));
  let failure: unknown;
  results.forEach((r, i) => {
    const p = victims[i]!;
    if (r.status === 'fulfilled') {
      ctx.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, gvk);
      return;
    }
    expectations.deletionObserved(key, keyOf(p));
    if (isNotFound(r.reason)) return;
    failure ??= r.reason;
    ctx.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(r.reason)}`, gvk);
  });
  if (failure) throw failure;
}
