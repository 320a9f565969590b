/**
 * Objects every cluster starts with, created at start when absent: the
 * namespaces default, kube-system, kube-public and kube-node-lease.
 */
import { namespaces } from '../../lib/api/resources/index.js';
import type { ServerContext } from './context.js';
import { failed, keyOf } from './objects.js';
import { createChecked } from './write.js';

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/** Creates the missing default namespaces; returns the names created. */
export async function bootstrap(ctx: ServerContext): Promise<string[]> {
  const created: string[] = [];
  for (const name of DEFAULT_NAMESPACES) {
    if (ctx.cache.has(keyOf(namespaces, undefined, name))) continue;
    const r = await createChecked(ctx, namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'berth-api-server' });
    if (failed(r) && r.reason !== 'AlreadyExists') throw new Error(`bootstrap: namespace ${name}: ${r.message}`);
    if (!failed(r)) created.push(name);
  }
  return created;
}
