/**
 * The kubelet of one node: registers the Node, renews its Lease and
 * heartbeats the node status; watches only its own pods (an informer with
 * spec.nodeName=<node>) and drives each (pod-state.ts, probes) through its
 * container runtime, simulated or real processes (runtime/). Every timer goes through the host (the actor's context),
 * so virtual time drives it. Status changes are collected per instant and
 * written as one api.batch; a pod whose deletion has finished stopping is
 * deleted with gracePeriodSeconds=0 once its final status is written.
 */
import { delayOnGrid, onPodGrid } from './grid.js';
import { leases, nodes, pods } from '../../lib/api/resources/index.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { ApiClient } from '../../lib/client/client.js';
import type { Clock } from '../../lib/client/clock.js';
import { isAlreadyExists, isNotFound, TransportError } from '../../lib/client/errors.js';
import { Informer } from '../../lib/client/informer.js';
import { keyOf } from '../../lib/client/object-cache.js';
import { trimDecoded, trimForCache } from '../../lib/client/trim.js';
import { PodIpAllocator } from './ipam.js';
import type { KubeletMessage, KubeletStats } from './messages.js';
import { leaseObject, microTime, NODE_LEASE_NAMESPACE, nodeConditions, nodeObject } from './node-object.js';
import { admitPod, advance, beginStop, catchUp, isTerminal, nextDue, type PodRec } from './pod-state.js';
import { EvictionManager } from './eviction-manager.js';
import { runDueProbes } from './probes-driver.js';
import { RuntimeBridge } from './runtime/bridge.js';
import type { ContainerRuntime } from './runtime/types.js';
import { carryRestartsOverReboot, type Outage } from './outage.js';
import type { NodeSettings } from './settings.js';
import { podBehaviour, type SimConfig } from './sim.js';
import { drawFailures } from './sim-failures.js';
import { FIELD_MANAGER, StatusWriter } from './status-writer.js';

/** What the kubelet needs from its actor. */
export interface KubeletHost {
  now(): number;
  setTimer(delayMs: number, msg: KubeletMessage): number;
  cancelTimer(id: number): void;
  track<T>(work: Promise<T>): Promise<T>;
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** A request found the api-server gone: end every watch, so the informer lists again. */
  transportFailed?(err: Error): void;
  /**
   * The transport decodes objects whose strings pin no message
   * (InProcessTransport's records): the pod informer then only drops
   * managedFields and shares unchanged parts (trimDecoded), without copying
   * every string of every event (trimForCache, for HTTP's JSON).
   */
  readonly decodedStrings?: boolean;
}

const DEFAULT_GRACE_SECONDS = 30;

export class Kubelet {
  readonly informer: Informer<Pod>;
  private readonly pods = new Map<string, PodRec>();
  /**
   * Pod timers by the grid instant they fire at (grid.ts onPodGrid): the
   * node's pods due at one instant share one host timer, so 30 pods starting
   * together cost one timer message per transition, not 30.
   */
  private readonly wheel = new Map<number, { readonly timer: number; readonly keys: Set<string> }>();
  private readonly ipam: PodIpAllocator;
  /** The runtime (simulated or process: actors/node/runtime/) and what it reports. */
  readonly bridge: RuntimeBridge;
  private readonly statuses: StatusWriter;
  private readySince = 0;
  private registered = false;
  /** kubelet.fail / kubelet.partition (outage.ts): what the node cannot do now. */
  private outage: Outage = 'none';
  private downAt = 0;
  private leaseTimer = 0;
  private statusTimer = 0;
  /** Node-pressure eviction (simulated nodes only: their usage is what the sim config says). */
  private readonly eviction: EvictionManager | undefined;
  private evictionTimer = 0;
  private readonly counts = { statusWrites: 0, batches: 0, leaseRenewals: 0, failures: 0 };

  constructor(
    readonly settings: NodeSettings,
    private readonly api: ApiClient,
    clock: Clock,
    private readonly host: KubeletHost,
  ) {
    this.ipam = new PodIpAllocator(settings.cidr);
    this.bridge = new RuntimeBridge(settings, api, {
      record: (key) => this.pods.get(key),
      podObject: (key) => this.informer.store.get(key),
      changed: (rec) => this.changed(rec),
      now: () => host.now(),
      warn: (msg, fields) => host.warn(msg, fields),
    });
    this.eviction =
      settings.runtime === 'berth-sim'
        ? new EvictionManager(settings, {
            now: () => host.now(),
            pods: () => this.pods.values(),
            podObject: (key) => this.informer.store.get(key),
            evict: (rec, message, graceMs) => this.evict(rec, message, graceMs),
            pressureChanged: () => this.writeConditions(),
          })
        : undefined;
    this.statuses = new StatusWriter({
      settings, api, host,
      counts: this.counts,
      record: (key) => this.pods.get(key),
      cached: (key) => this.informer.store.get(key),
      scheme: () => this.runtime.scheme,
      canWrite: () => this.outage === 'none',
      failed: (what, err) => this.failed(what, err),
    });
    this.informer = new Informer<Pod>(api, pods, {
      clock,
      fieldSelector: `spec.nodeName=${settings.name}`,
      // A node host caches every pod of its nodes: without managedFields, with strings that do not pin the messages they came in,
      // and an update sharing what did not change with the version before.
      transform: host.decodedStrings ? trimDecoded : trimForCache,
      onError: (err, during) => host.warn('pod informer', { during, error: String(err) }),
    });
    this.informer.addHandlers({
      onAdd: (p) => this.sync(p),
      onUpdate: (_, p) => this.sync(p),
      onDelete: (p) => this.forget(keyOf(p)),
    });
  }

  /** Register (or refresh) the Node, then watch pods and start the heartbeats. */
  async start(): Promise<void> {
    await this.bridge.listen();
    const now = this.host.now();
    this.readySince = now;
    try {
      await this.api.create(nodes, nodeObject(this.nodeSettings, now));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Level-triggered: after a restart the Node exists; its status is ours to refresh.
      await this.api.patch(nodes, this.settings.name, 'merge', { status: nodeObject(this.nodeSettings, now).status }, { subresource: 'status', fieldManager: FIELD_MANAGER });
    }
    this.registered = true;
    this.informer.start();
    this.onLease();
    this.statusTimer = this.host.setTimer(delayOnGrid(this.host.now(), this.settings.statusMs), { type: 'kubelet.status' });
    if (this.eviction) this.evictionTimer = this.host.setTimer(delayOnGrid(this.host.now(), this.settings.evictionMs), { type: 'kubelet.eviction' });
  }

  async waitForReady(): Promise<void> {
    await this.informer.waitForSync();
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  /** The settings the Node object shows (with the kubelet endpoint's port once known). */
  private get nodeSettings(): NodeSettings {
    return this.bridge.port === undefined ? this.settings : { ...this.settings, kubeletPort: this.bridge.port };
  }

  get runtime(): ContainerRuntime {
    return this.bridge.runtime;
  }

  stop(): void {
    // Processes die with the node.
    this.bridge.close();
    this.informer.stop();
  }

  // ---- heartbeats -------------------------------------------------------

  onLease(): void {
    if (this.outage === 'down') return;
    const now = this.host.now();
    const s = this.settings;
    this.leaseTimer = this.host.setTimer(delayOnGrid(now, s.leaseMs), { type: 'kubelet.lease' });
    if (this.outage === 'partitioned') return;
    const work = this.api
      .patch(leases, s.name, 'merge', { spec: { holderIdentity: s.name, leaseDurationSeconds: s.leaseDurationSeconds, renewTime: microTime(now) } }, { namespace: NODE_LEASE_NAMESPACE, fieldManager: FIELD_MANAGER })
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
        return this.api.create(leases, leaseObject(s, now), { namespace: NODE_LEASE_NAMESPACE, fieldManager: FIELD_MANAGER });
      })
      .then(
        () => void this.counts.leaseRenewals++,
        (err: unknown) => this.failed('lease renewal', err),
      );
    void this.host.track(work);
  }

  onStatus(): void {
    if (this.outage === 'down') return;
    const now = this.host.now();
    this.statusTimer = this.host.setTimer(delayOnGrid(now, this.settings.statusMs), { type: 'kubelet.status' });
    this.writeConditions();
  }

  private writeConditions(): void {
    if (this.outage !== 'none') return;
    const conditions = nodeConditions(this.settings, this.readySince, this.host.now(), this.eviction?.pressure);
    const work = this.api
      .patch(nodes, this.settings.name, 'merge', { status: { conditions } }, { subresource: 'status', fieldManager: FIELD_MANAGER })
      .then(() => undefined, (err: unknown) => this.failed('node status', err));
    void this.host.track(work);
  }

  /** The eviction manager's period: observe, set the pressure conditions, evict at most one pod. */
  onEviction(): void {
    if (this.outage === 'down' || !this.eviction) return;
    this.evictionTimer = this.host.setTimer(delayOnGrid(this.host.now(), this.settings.evictionMs), { type: 'kubelet.eviction' });
    // Pulls finished since their pod's last timer (pod-state nextDue): their storage counts now.
    for (const rec of this.pods.values()) catchUp(rec, this.host.now(), this.runtime);
    this.eviction.synchronize();
  }

  /** Node-pressure eviction: stop the pod's containers; it turns Failed (Evicted) and stays in the API. */
  private evict(rec: PodRec, message: string, graceMs: number): void {
    const now = this.host.now();
    rec.evicted = message;
    rec.evictedAt = now;
    beginStop(rec, now, graceMs, this.runtime);
    this.changed(rec);
  }

  // ---- outages (the scenario runner's kubelet.fail / partition / recover) ----

  /** The machine is down: no heartbeats, no writes, every container and pod record lost. */
  fail(): void {
    if (this.outage === 'down') return;
    this.outage = 'down';
    this.downAt = this.host.now();
    this.informer.stop();
    this.host.cancelTimer(this.leaseTimer);
    this.host.cancelTimer(this.statusTimer);
    this.host.cancelTimer(this.evictionTimer);
    for (const key of [...this.pods.keys()]) this.forget(key);
    this.statuses.reset();
  }

  /** Cut off from the api-server: pods run on, nothing is written or watched. */
  partition(): void {
    if (this.outage === 'down') return;
    this.outage = 'partitioned';
    this.informer.stop();
  }

  /** Back: a failed node comes back as after a reboot; a partitioned one re-syncs and reports. */
  async recover(): Promise<void> {
    const was = this.outage;
    if (was === 'none') return;
    this.outage = 'none';
    this.host.cancelTimer(this.leaseTimer);
    this.host.cancelTimer(this.statusTimer);
    if (was === 'down') {
      await this.start();
      // The api's pods bound here (from the cache until the re-list lands; it corrects the rest).
      for (const p of this.informer.store.list()) {
        this.sync(p);
        const rec = this.pods.get(keyOf(p));
        if (rec && rec.uid === p.metadata.uid) carryRestartsOverReboot(rec, p, this.downAt);
      }
      return;
    }
    this.informer.start();
    for (const key of this.pods.keys()) this.statuses.changed(key);
    this.onLease();
    this.onStatus();
  }

  // ---- pods ---------------------------------------------------------------

  /** Level-triggered: whatever the event, compare the pod with our record. */
  private sync(pod: Readonly<Pod>): void {
    const key = keyOf(pod);
    const uid = pod.metadata.uid ?? '';
    let rec = this.pods.get(key);
    if (rec && rec.uid !== uid) {
      this.forget(key);
      rec = undefined;
    }
    const phase = pod.status?.phase;
    if (!rec) {
      if (pod.metadata.deletionTimestamp) {
        // Deleted before it started here: nothing to stop.
        this.statuses.deleteWhenWritten(key, { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid });
        return;
      }
      if (phase === 'Succeeded' || phase === 'Failed') return;
      rec = this.admit(pod, key, uid);
    }
    if (pod.metadata.deletionTimestamp && rec.evicted !== undefined && rec.stopped) {
      // An evicted pod someone deletes now: its containers are long stopped.
      this.statuses.deleteWhenWritten(key, { namespace: rec.namespace, name: rec.name, uid });
    }
    if (pod.metadata.deletionTimestamp && !rec.deleting) {
      const grace = (pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
      beginStop(rec, this.host.now(), grace, this.runtime);
      this.changed(rec);
    }
    // Another writer may have changed what the kubelet reports (status-writer.ts).
    this.statuses.reconcile(rec, pod);
  }

  private admit(pod: Readonly<Pod>, key: string, uid: string): PodRec {
    const sim = podBehaviour(this.settings.sim, pod.metadata.annotations);
    if (!sim.ok) this.host.warn('ignoring the simulate annotation', { pod: key, error: sim.error });
    const ip = pod.spec?.hostNetwork ? 0 : this.ipam.allocate();
    if (!pod.spec?.hostNetwork && ip === 0) this.host.warn('podCIDR exhausted', { pod: key, podCIDR: this.settings.podCIDR });
    const spec = pod.spec ?? { containers: [] };
    const rec = admitPod(
      {
        key, uid,
        namespace: pod.metadata.namespace ?? '',
        name: pod.metadata.name ?? '',
        restartPolicy: spec.restartPolicy,
        initContainers: spec.initContainers ?? [],
        containers: spec.containers,
      },
      behaviourOf(sim.ok ? sim.value : this.settings.sim, pod),
      ip,
      this.host.now(),
      this.runtime,
    );
    this.pods.set(key, rec);
    // Under node pressure the kubelet turns pods away: Failed, reason Evicted, nothing started.
    const rejected = this.eviction?.rejects(pod);
    if (rejected) {
      rec.evicted = rejected;
      beginStop(rec, this.host.now(), 0, this.runtime);
    }
    this.changed(rec);
    return rec;
  }

  /** The pod is gone from the API: its record, timer and IP go too. */
  private forget(key: string): void {
    const rec = this.pods.get(key);
    this.statuses.forget(key);
    if (!rec) return;
    this.pods.delete(key);
    this.unschedule(rec);
    if (rec.ip) this.ipam.release(rec.ip);
    this.runtime.removePod(rec);
  }

  /** The pods due at grid instant `at` (one host timer for all of them): apply what is due, probe, reschedule. */
  onPodsTimer(at: number): void {
    const slot = this.wheel.get(at);
    if (!slot) return;
    this.wheel.delete(at);
    const now = this.host.now();
    for (const key of slot.keys) {
      const rec = this.pods.get(key);
      if (!rec || rec.timerAt !== at) continue;
      rec.timerAt = Infinity;
      const advanced = advance(rec, now, this.runtime);
      if (runDueProbes(rec, now, this.bridge) || advanced) this.changed(rec);
      else this.schedule(rec);
    }
    this.statuses.flushNow();
  }

  private changed(rec: PodRec): void {
    if (rec.ip && isTerminal(rec)) {
      this.ipam.release(rec.ip);
      rec.ip = 0;
    }
    this.statuses.changed(rec.key);
    this.schedule(rec);
  }

  /** The pod's next wake-up on the pod grid, in the slot of that instant (a host timer set with the slot's first pod). */
  private schedule(rec: PodRec): void {
    const due = nextDue(rec, this.runtime.live !== undefined);
    const at = due === Infinity ? Infinity : onPodGrid(due);
    if (at === rec.timerAt) return;
    this.unschedule(rec);
    if (at === Infinity) return;
    rec.timerAt = at;
    let slot = this.wheel.get(at);
    if (!slot) {
      slot = { timer: this.host.setTimer(Math.max(0, at - this.host.now()), { type: 'kubelet.pods', at }), keys: new Set() };
      this.wheel.set(at, slot);
    }
    slot.keys.add(rec.key);
  }

  /** Out of its slot; the slot's timer goes with its last pod. */
  private unschedule(rec: PodRec): void {
    const at = rec.timerAt;
    rec.timerAt = Infinity;
    const slot = this.wheel.get(at);
    if (!slot || !slot.keys.delete(rec.key) || slot.keys.size > 0) return;
    this.host.cancelTimer(slot.timer);
    this.wheel.delete(at);
  }

  /** The api.batch of status writes and deletions this instant collected (status-writer.ts). */
  onFlush(): void {
    this.statuses.onFlush();
  }

  private failed(what: string, err: unknown): void {
    this.counts.failures++;
    this.host.warn(`${what} failed`, { error: err instanceof Error ? err.message : String(err) });
    // The api-server did not answer: its watches are gone too, so the informer lists again.
    if (err instanceof TransportError) this.host.transportFailed?.(err);
  }

  stats(): KubeletStats {
    let running = 0;
    for (const rec of this.pods.values()) if (rec.readySince >= 0) running++;
    return { node: this.settings.name, podCIDR: this.settings.podCIDR, pods: this.pods.size, running, ips: this.ipam.allocated, ...this.counts };
  }
}

/** The pod's simulated behaviour with the failures its containers drew. */
function behaviourOf(sim: SimConfig, pod: Readonly<Pod>): SimConfig {
  if (!sim.failures?.length) return sim;
  return drawFailures(sim, sim.failures, { name: pod.metadata.name ?? '', labels: pod.metadata.labels }, pod.spec?.containers.map((c) => c.name) ?? []);
}
