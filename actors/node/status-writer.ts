/**
 * The kubelet's pod status writes. Pods whose state changed are collected
 * per instant and written as one api.batch (strategic merge patches of
 * pods/status holding what differs from the API's copy, status-diff.ts;
 * none when nothing does), followed by the deletions of pods whose final
 * status is written: one batch in flight at a time, a failed write retried
 * after a second. A pod that finished stopping is deleted with
 * gracePeriodSeconds=0 and its uid as a precondition, so a new pod by the
 * same name is never ours to delete.
 *
 * Level-triggered against other writers (the node lifecycle controller
 * marking pods not Ready while the node was away): a watch update that is
 * not the echo of our own last write is compared with the kubelet's status,
 * and a difference is written back (`reconcile`), as Kubernetes' status
 * manager reconciles what the API shows.
 */
import type { ApiRequest, ApiResponse } from '../../actors/api-server/messages.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { ApiClient } from '../../lib/client/client.js';
import type { KubeletHost } from './kubelet.js';
import type { PodRec } from './pod-state.js';
import { statusDiff, type StatusPatch } from './status-diff.js';
import type { NodeSettings } from './settings.js';

export const FIELD_MANAGER = 'kubelet';
const RETRY_MS = 1_000;
/** Every status write's query (shared: requests are never changed once made). */
const WRITE_QUERY: Readonly<Record<string, string>> = Object.freeze({ fieldManager: FIELD_MANAGER });

export interface PendingDelete {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** What the writer reads from its kubelet. */
export interface StatusWriterDeps {
  readonly settings: NodeSettings;
  readonly api: ApiClient;
  readonly host: KubeletHost;
  /** The kubelet's counters, shared (kubelet.stats). */
  readonly counts: { statusWrites: number; batches: number; failures: number };
  record(key: string): PodRec | undefined;
  /** The pod as the informer last saw it. */
  cached(key: string): Pod | undefined;
  /** The runtime's container-ID scheme (berth-sim://, berth-process://). */
  scheme(): string;
  /** False while the node is down or cut off: nothing is written. */
  canWrite(): boolean;
  failed(what: string, err: unknown): void;
}

export class StatusWriter {
  private readonly dirty = new Set<string>();
  private readonly deletes = new Map<string, PendingDelete>();
  private flushTimer = 0;
  /** When the flush timer fires. */
  private flushAt = 0;
  private inflight = false;

  constructor(private readonly d: StatusWriterDeps) {}

  /** The pod's status is to be written at the next flush. */
  changed(key: string): void {
    this.dirty.add(key);
    this.scheduleFlush();
  }

  /** Delete the pod once its final status is written. */
  deleteWhenWritten(key: string, pending: PendingDelete): void {
    this.deletes.set(key, pending);
    this.scheduleFlush();
  }

  /** The pod is gone: nothing more to write about it. */
  forget(key: string): void {
    this.deletes.delete(key);
    this.dirty.delete(key);
  }

  /** The node went down: everything pending is dropped (its records are gone). */
  reset(): void {
    if (this.flushTimer) this.d.host.cancelTimer(this.flushTimer);
    this.flushTimer = 0;
    this.dirty.clear();
    this.deletes.clear();
  }

  private scheduleFlush(delayMs = this.d.settings.flushMs): void {
    if (this.flushTimer || this.inflight) return;
    this.flushAt = this.d.host.now() + delayMs;
    this.flushTimer = this.d.host.setTimer(delayMs, { type: 'kubelet.flush' });
  }

  /**
   * At the end of a kubelet turn that changed pods (its pod timers): the
   * flush now rather than in a timer turn of its own at the same instant,
   * while the pods it writes are still in the CPU's caches (a node host runs
   * every node's timers of an instant before any of their flushes).
   */
  flushNow(): void {
    if (this.d.settings.flushMs > 0 || this.inflight || (this.dirty.size === 0 && this.deletes.size === 0)) return;
    // A retry after a failed write keeps its second.
    if (this.flushTimer && this.flushAt > this.d.host.now()) return;
    if (this.flushTimer) this.d.host.cancelTimer(this.flushTimer);
    this.onFlush();
  }

  /** One api.batch: every changed pod's status, then the deletions whose final status is written. */
  onFlush(): void {
    this.flushTimer = 0;
    if (this.inflight || !this.d.canWrite()) return;
    const requests: ApiRequest[] = [];
    const written: PodRec[] = [];
    for (const key of this.dirty) {
      const rec = this.d.record(key);
      const cached = this.d.cached(key);
      if (!rec || !cached) continue;
      const patch = statusDiff(rec, cached.status, this.d.settings.internalIP, this.d.scheme());
      if (!patch) {
        // The API shows it already: as good as written.
        this.deleteIfFinal(rec);
        continue;
      }
      requests.push(statusPatch(rec, patch));
      rec.writing = true;
      written.push(rec);
    }
    const deletes = [...this.deletes.entries()];
    for (const [, d] of deletes) requests.push(deleteRequest(d));
    this.dirty.clear();
    this.deletes.clear();
    if (requests.length === 0) return;
    this.inflight = true;
    this.d.counts.batches++;
    let retry = false;
    // Brief answers: the resourceVersion is all the kubelet reads of a written pod.
    const work = this.d.api.transport.batch(requests, { brief: true }).then(
      (out) => {
        out.forEach((res, i) => {
          if (i < written.length) retry = this.afterStatus(written[i]!, res) || retry;
          else retry = this.afterDelete(deletes[i - written.length]!, res) || retry;
        });
      },
      (err: unknown) => {
        retry = true;
        for (const rec of written) {
          rec.writing = false;
          this.dirty.add(rec.key);
        }
        for (const [k, d] of deletes) this.deletes.set(k, d);
        this.d.failed('pod status batch', err);
      },
    );
    void this.d.host.track(work).finally(() => {
      this.inflight = false;
      if (this.dirty.size > 0 || this.deletes.size > 0) this.scheduleFlush(retry ? RETRY_MS : this.d.settings.flushMs);
    });
  }

  /**
   * A watch update of a pod with a record: unless a write of it is pending
   * or the update is the echo of our last one, write whatever the API shows
   * differently from the kubelet.
   */
  reconcile(rec: PodRec, pod: Readonly<Pod>): void {
    if (rec.writing || this.dirty.has(rec.key) || this.d.record(rec.key) !== rec) return;
    // Our echo, or an update older than it (its answer came first: HTTP): nothing to compare.
    if (rec.writtenRev > 0 && revisionOf(pod.metadata.resourceVersion) <= rec.writtenRev) return;
    rec.writtenRev = 0;
    if (statusDiff(rec, pod.status, this.d.settings.internalIP, this.d.scheme())) this.changed(rec.key);
  }

  /** A stopped pod whose final status the API shows is deleted next. */
  private deleteIfFinal(rec: PodRec): void {
    const deleted = rec.evicted === undefined || !!this.d.cached(rec.key)?.metadata.deletionTimestamp;
    if (rec.stopped && deleted && this.d.record(rec.key) === rec) this.deletes.set(rec.key, { namespace: rec.namespace, name: rec.name, uid: rec.uid });
  }

  /** True when the write should be retried. */
  private afterStatus(rec: PodRec, res: ApiResponse): boolean {
    rec.writing = false;
    if (res.code >= 200 && res.code < 300) {
      this.d.counts.statusWrites++;
      this.deleteIfFinal(rec);
      const rev = revisionOf((res.body as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion);
      const seen = revisionOf(this.d.cached(rec.key)?.metadata.resourceVersion);
      // Updates that came while the write was out were not compared. Usually the last was
      // our echo (the api-server sends it before its answer). One from another writer
      // after ours is compared now; one still to come (HTTP) is ours and skipped; without
      // a revision to go by, the next update is compared whatever it is.
      rec.writtenRev = rev;
      if (rev > 0 && seen > rev) this.reconcile(rec, this.d.cached(rec.key)!);
      return false;
    }
    if (res.code === 404) return false;
    this.d.counts.failures++;
    if (this.d.record(rec.key) === rec) this.dirty.add(rec.key);
    return true;
  }

  private afterDelete([key, d]: [string, PendingDelete], res: ApiResponse): boolean {
    // 404: already gone; 409: the uid precondition failed, a new pod by that name is not ours to delete.
    if ((res.code >= 200 && res.code < 300) || res.code === 404 || res.code === 409) return false;
    this.d.counts.failures++;
    this.deletes.set(key, d);
    return true;
  }
}

/**
 * Berth's resourceVersions are store revisions (decimal integers): the
 * number, or 0 when it is not one (then nothing is skipped as an echo).
 */
function revisionOf(rv: string | undefined): number {
  if (!rv || rv.length > 15) return 0;
  let n = 0;
  for (let i = 0; i < rv.length; i++) {
    const c = rv.charCodeAt(i);
    if (c < 48 || c > 57) return 0;
    n = n * 10 + c - 48;
  }
  return n;
}

function statusPatch(rec: PodRec, status: StatusPatch): ApiRequest {
  return { verb: 'patch', group: '', version: 'v1', resource: 'pods', namespace: rec.namespace, name: rec.name, subresource: 'status', patchType: 'strategic', body: { status }, query: WRITE_QUERY };
}

function deleteRequest(d: PendingDelete): ApiRequest {
  return { verb: 'delete', group: '', version: 'v1', resource: 'pods', namespace: d.namespace, name: d.name, query: { gracePeriodSeconds: '0' }, body: { preconditions: { uid: d.uid } } };
}
