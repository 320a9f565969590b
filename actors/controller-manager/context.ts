/**
 * What every controller is given: the API client, shared informers (one
 * per resource, read-only caches), the clock, and the event recorder.
 */
import type { Clock } from '../../lib/client/clock.js';
import type { ApiClient } from '../../lib/client/client.js';
import { Informer } from '../../lib/client/informer.js';
import { trimForCache } from '../../lib/client/trim.js';
import type { Client, ResourceRef } from '../../lib/client/types.js';
import type { KubeObject } from '../../lib/api/types/meta.js';
import type { EventRecorder } from './events.js';

/**
 * The client controllers use: the typed Client plus batched creates,
 * answered briefly (name, namespace, uid, resourceVersion): the created
 * objects come back through the informers anyway, and sending 500 whole
 * Pods back per burst cost the api-server's thread more than creating them.
 */
export type Api = Client & Pick<ApiClient, 'createManyBrief'>;

export interface ControllerContext {
  readonly api: Api;
  readonly clock: Clock;
  readonly informers: InformerSet;
  readonly recorder: EventRecorder;
  readonly track?: <T>(work: Promise<T>) => Promise<T>;
  readonly onError?: (controller: string, key: string, err: unknown) => void;
}

/** Shared informers, one per resource, created on first use. */
export class InformerSet {
  private readonly byPlural = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(
    private readonly api: Client,
    private readonly clock: Clock,
    private readonly onError?: (err: unknown, during: string) => void,
  ) {}

  for<T extends KubeObject>(r: ResourceRef<T>): Informer<T> {
    const id = `${r.group}/${r.plural}`;
    let inf = this.byPlural.get(id);
    if (!inf) {
      // Trimmed as kube-controller-manager's: no controller reads managedFields.
      inf = new Informer<KubeObject>(this.api, r as ResourceRef<KubeObject>, { clock: this.clock, onError: this.onError, pageSize: 5000, transform: trimForCache });
      this.byPlural.set(id, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const inf of this.byPlural.values()) inf.start();
  }

  stop(): void {
    this.started = false;
    for (const inf of this.byPlural.values()) inf.stop();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.byPlural.values()].map((i) => i.waitForSync()));
  }

  all(): Informer<KubeObject>[] {
    return [...this.byPlural.values()];
  }
}
