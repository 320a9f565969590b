/**
 * Indexed watch triggers, as Kubernetes' watch cache has them: a watch whose
 * field selector pins `spec.nodeName` to one value (every kubelet's watch of
 * its own pods) is woken only by events of pods on that node, before or
 * after the change. Without it, each pod event is matched against every
 * kubelet's selector: events x nodes, which at 5,000 nodes is most of the
 * api-server's time.
 */
import { pods, storagePrefix } from '../../lib/api/resources/index.js';
import type { Fields } from '../../lib/api/selectors/index.js';

export interface WatchTrigger {
  /** The field a selector names with '=' to be indexed. */
  readonly field: string;
  /** The object's value of that field, from its selectable fields (cached-object.ts). */
  valueOf(fields: Fields | undefined): string;
}

const podNodeName: WatchTrigger = { field: 'spec.nodeName', valueOf: (fields) => fields?.['spec.nodeName'] ?? '' };

/** Bucket (`/registry/<group>/<plural>/`) -> its trigger. */
export const WATCH_TRIGGERS: ReadonlyMap<string, WatchTrigger> = new Map([[storagePrefix(pods), podNodeName]]);
