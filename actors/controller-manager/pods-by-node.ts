/**
 * An index of the pod informer's cache by spec.nodeName (client-go's
 * "spec.nodeName" indexer), kept up to date by informer handlers, so the
 * node controllers find a node's pods without scanning every pod.
 */
import type { Informer } from '../../lib/client/informer.js';
import { keyOf } from '../../lib/client/object-cache.js';
import type { Pod } from '../../lib/api/types/pod.js';

export class PodsByNode {
  private readonly byNode = new Map<string, Set<string>>();

  constructor(
    private readonly informer: Informer<Pod>,
    /** Called after the index changed for a pod (with the node it was on before, if it moved). */
    onChange?: (pod: Readonly<Pod>, old: Readonly<Pod> | undefined) => void,
  ) {
    informer.addHandlers({
      onAdd: (p) => {
        this.put(p);
        onChange?.(p, undefined);
      },
      onUpdate: (o, p) => {
        // Most updates (status) keep the node: the key is in its set already.
        if (o.spec?.nodeName !== p.spec?.nodeName) {
          this.drop(o);
          this.put(p);
        }
        onChange?.(p, o);
      },
      onDelete: (p) => {
        this.drop(p);
        onChange?.(p, p);
      },
    });
  }

  private put(p: Readonly<Pod>): void {
    const node = p.spec?.nodeName;
    if (!node) return;
    let s = this.byNode.get(node);
    if (!s) this.byNode.set(node, (s = new Set()));
    s.add(keyOf(p));
  }

  private drop(p: Readonly<Pod>): void {
    const node = p.spec?.nodeName;
    if (!node) return;
    const s = this.byNode.get(node);
    s?.delete(keyOf(p));
    if (s?.size === 0) this.byNode.delete(node);
  }

  keys(node: string): string[] {
    return [...(this.byNode.get(node) ?? [])];
  }

  /** The pods on `node`, from the cache. */
  pods(node: string): Readonly<Pod>[] {
    const out: Readonly<Pod>[] = [];
    for (const k of this.byNode.get(node) ?? []) {
      const p = this.informer.store.get(k);
      if (p) out.push(p);
    }
    return out;
  }

  nodes(): string[] {
    return [...this.byNode.keys()];
  }
}
