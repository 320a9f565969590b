/**
 * Between a kubelet and its runtime: builds the runtime the settings ask
 * for, applies what the runtime reports (a process started or exited, a
 * probe's outcome) to the kubelet's pod records, and serves the kubelet
 * endpoint for container logs on process nodes. Runtime reports arrive on
 * the kubelet's thread between its messages and are handled at once, like one.
 */
import type { Pod } from '../../../lib/api/types/pod.js';
import type { ApiClient } from '../../../lib/client/client.js';
import { containerExited, containerStarted, type ContainerRec, type PodRec } from '../pod-state.js';
import { applyProbe, type ProbeHost } from '../probes-driver.js';
import type { ProbeRec } from '../probes.js';
import type { NodeSettings } from '../settings.js';
import { createRuntime } from './index.js';
import { KubeletServer, type LogLookup } from './log-server.js';
import type { ContainerRuntime, RuntimeEvents } from './types.js';

const DEFAULT_GRACE_SECONDS = 30;

/** What the bridge needs of its kubelet. */
export interface BridgeHost {
  record(key: string): PodRec | undefined;
  /** The pod as last seen from the API. */
  podObject(key: string): Readonly<Pod> | undefined;
  /** A record changed: write its status, reschedule its timer. */
  changed(rec: PodRec): void;
  now(): number;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export class RuntimeBridge implements RuntimeEvents, ProbeHost {
  readonly runtime: ContainerRuntime;
  private server: KubeletServer | null = null;
  /** The kubelet endpoint's port once it listens (process nodes). */
  port: number | undefined;

  constructor(
    private readonly settings: NodeSettings,
    api: ApiClient,
    private readonly k: BridgeHost,
  ) {
    this.runtime = createRuntime(settings, { api, events: this, podOf: (key) => k.podObject(key), now: () => k.now(), warn: (m, f) => k.warn(m, f) });
  }

  /** Process nodes: serve container logs on the node's InternalIP (once). */
  async listen(): Promise<void> {
    if (this.runtime.kind !== 'process' || this.server) return;
    this.server = new KubeletServer(this.logLookup);
    this.port = await this.server.listen(this.settings.internalIP);
  }

  /** The node stops: its processes die with it. */
  close(): void {
    this.runtime.shutdown();
    this.server?.close();
    this.server = null;
  }

  /** The record and container a report is about, if it is still the same run. */
  private target(key: string, uid: string, container: string, run: number): [PodRec, ContainerRec] | undefined {
    const rec = this.k.record(key);
    if (!rec || rec.uid !== uid) return undefined;
    const c = rec.containers.find((x) => x.name === container);
    return c && c.restarts === run ? [rec, c] : undefined;
  }

  started(key: string, uid: string, container: string, run: number, t: number): void {
    const hit = this.target(key, uid, container, run);
    if (!hit) return;
    containerStarted(hit[0], hit[1], t);
    this.k.changed(hit[0]);
  }

  exited(key: string, uid: string, container: string, run: number, t: number, exitCode: number, reason: string, message?: string): void {
    const hit = this.target(key, uid, container, run);
    if (!hit) return;
    containerExited(hit[0], hit[1], t, exitCode, reason, this.runtime, message);
    this.k.changed(hit[0]);
  }

  probed(pod: PodRec, c: ContainerRec, run: number, p: ProbeRec, ok: boolean): void {
    if (this.k.record(pod.key) !== pod) return;
    if (applyProbe(pod, c, p, run, ok, this.k.now(), this)) this.k.changed(pod);
  }

  /** A kill by a failed probe gets the probe's grace period, else the pod's. */
  graceMs(pod: PodRec, p: ProbeRec): number {
    const spec = this.k.podObject(pod.key)?.spec;
    return (p.spec.terminationGracePeriodSeconds ?? spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
  }

  warn(msg: string, fields?: Record<string, unknown>): void {
    this.k.warn(msg, fields);
  }

  /** namespace/pod/container to the runtime's log of it. */
  private readonly logLookup: LogLookup = (namespace, name, container, o) => {
    const rec = this.k.record(`${namespace}/${name}`);
    if (!rec) return { error: `pod "${name}" in namespace "${namespace}" is not running on node ${this.settings.name}`, code: 404 };
    const c = rec.containers.find((x) => x.name === container);
    if (!c) return { error: `container "${container}" not found in pod "${name}"`, code: 404 };
    const out = this.runtime.logs(rec, c, o);
    return 'error' in out ? { error: out.error, code: 400 } : out;
  };
}
