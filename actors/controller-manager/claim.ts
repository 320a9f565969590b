/**
 * Adoption and release, as Kubernetes' ControllerRefManager: a controller
 * owns the objects whose controller reference names its uid. Orphans that
 * match its selector are adopted (unless the owner or the orphan is being
 * deleted, and only after a live read confirms the owner still exists with
 * that uid); owned objects that no longer match are released (their
 * controller reference removed). Writes are updates with the cached
 * resourceVersion as precondition: a conflict is thrown and the owner's key
 * is retried.
 */
import { isNotFound } from '../../lib/client/errors.js';
import type { ResourceRef } from '../../lib/client/types.js';
import type { Selector } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { Api } from './context.js';
import { controllerOf, copy, newControllerRef } from './objects.js';

export interface ClaimSpec<T extends KubeObject> {
  readonly api: Api;
  readonly resource: ResourceRef<T>;
  readonly owner: Readonly<KubeObject>;
  readonly ownerApiVersion: string;
  readonly ownerKind: string;
  readonly selector: Selector;
  /** Live read of the owner: true when it still exists with the same uid and is not being deleted. */
  readonly recheck: () => Promise<boolean>;
}

/** The objects `spec.owner` controls after adopting and releasing. */
export async function claim<T extends KubeObject>(objs: readonly Readonly<T>[], spec: ClaimSpec<T>): Promise<Readonly<T>[]> {
  const uid = spec.owner.metadata.uid;
  const ownerDeleting = !!spec.owner.metadata.deletionTimestamp;
  const claimed: Readonly<T>[] = [];
  const errors: unknown[] = [];
  let canAdopt: boolean | undefined;
  for (const obj of objs) {
    const ref = controllerOf(obj);
    const matches = spec.selector.matches(obj.metadata.labels ?? {});
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) continue;
      try {
        await write(spec, obj, (refs) => refs.filter((r) => r.uid !== uid));
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
      }
      continue;
    }
    if (ownerDeleting || !matches || obj.metadata.deletionTimestamp) continue;
    canAdopt ??= await spec.recheck();
    if (!canAdopt) continue;
    try {
      claimed.push(await write(spec, obj, (refs) => [...refs, newControllerRef(spec.owner as KubeObject, spec.ownerApiVersion, spec.ownerKind)]));
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}

async function write<T extends KubeObject>(spec: ClaimSpec<T>, obj: Readonly<T>, change: (refs: NonNullable<KubeObject['metadata']['ownerReferences']>) => NonNullable<KubeObject['metadata']['ownerReferences']>): Promise<T> {
  const next = copy(obj) as T;
  const refs = change(next.metadata.ownerReferences ?? []);
  if (refs.length > 0) next.metadata.ownerReferences = refs;
  else delete next.metadata.ownerReferences;
  return spec.api.update(spec.resource, next, { namespace: next.metadata.namespace });
}
