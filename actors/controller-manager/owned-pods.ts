/**
 * What the ReplicaSet, DaemonSet and Job controllers do alike with the pods
 * they own, as Kubernetes' controllers do.
 *
 * Creating: each answer of a batch of creates is an event (SuccessfulCreate)
 * or a failure that will never be observed, so its expectation is lowered
 * at once, AlreadyExists included (with generateName that is a name
 * collision with another pod; still expecting it would hold the owner still
 * until the expectations expire, 5 minutes).
 *
 * Deleting: expect the deletions first (so the informer's echoes are not
 * mistaken for outside changes), delete side by side, record
 * SuccessfulDelete or FailedDelete per pod; a pod already gone is fine; the
 * first real failure is thrown after all were tried, so the key is retried
 * with back-off.
 */
import { pods } from '../../lib/api/resources/index.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { isNotFound } from '../../lib/client/errors.js';
import { keyOf } from '../../lib/client/object-cache.js';
import type { BriefObject } from '../../lib/client/types.js';
import type { ControllerContext } from './context.js';
import type { Expectations } from './expectations.js';
import { errorMessage } from './objects.js';

/** The answers of one batch of creates: events and expectations; how many were created and the first failure. */
export function recordCreates(
  ctx: ControllerContext,
  expectations: Expectations,
  key: string,
  owner: Readonly<KubeObject>,
  gvk: { apiVersion: string; kind: string },
  answers: readonly (BriefObject | Error)[],
): { ok: number; error: unknown } {
  let ok = 0;
  let error: unknown;
  for (const r of answers) {
    if (r instanceof Error) {
      error ??= r;
      expectations.creationObserved(key);
    } else {
      ok++;
      ctx.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${r.metadata.name}`, gvk);
    }
  }
  return { ok, error };
}

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
