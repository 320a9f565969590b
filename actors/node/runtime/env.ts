/**
 * A process container's environment, as the kubelet builds it: the
 * Kubernetes service variables of the services existing when the container
 * starts (lib/dns/service-env.ts), then envFrom, then env (value with $(VAR)
 * expansion, or valueFrom configMapKeyRef, secretKeyRef, fieldRef), then the
 * downward API fields every Berth container gets (POD_NAME, POD_NAMESPACE,
 * POD_IP, NODE_NAME, HOST = the pod IP to bind, and BERTH_DNS when the node
 * knows the cluster DNS) unless the pod sets them. Nothing is inherited from the
 * node's own environment but PATH: the server's secrets stay its own.
 */
import { configMaps, secrets, services } from '../../../lib/api/resources/index.js';
import type { ConfigMap, Secret, Service } from '../../../lib/api/types/core.js';
import type { Container, Pod } from '../../../lib/api/types/pod.js';
import type { ApiClient } from '../../../lib/client/client.js';
import { isNotFound } from '../../../lib/client/errors.js';
import { BERTH_DNS_ENV } from '../../../lib/dns/resolver.js';
import { serviceEnv } from '../../../lib/dns/service-env.js';
import { expand } from './program.js';

export type EnvResult = { readonly ok: true; readonly env: Record<string, string> } | { readonly ok: false; readonly error: string };

export interface EnvSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  services(namespace: string): Promise<readonly Service[]>;
}

/** Sources read through the API (each start reads them afresh, as the kubelet's informers would have them). */
export function apiEnvSources(api: ApiClient): EnvSources {
  const orUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  return {
    configMap: (ns, name) => orUndefined(api.get(configMaps, name, { namespace: ns })),
    secret: (ns, name) => orUndefined(api.get(secrets, name, { namespace: ns })),
    services: async (ns) => {
      const own = (await api.list(services, { namespace: ns })).items;
      if (ns === 'default') return own;
      const master = await orUndefined(api.get(services, 'kubernetes', { namespace: 'default' }));
      return master ? [...own, master] : own;
    },
  };
}

function fieldValue(pod: Pod, podIP: string, path: string): string | undefined {
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return podIP;
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    default: {
      const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
      if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
      return undefined;
    }
  }
}

function decode(b64: string): string {
  return Buffer.from(b64, 'base64').toString('utf8');
}

/** The environment of `c` in `pod` on this node; an error names the missing source (the container does not start). */
export interface NodeEnvFacts {
  readonly podIP: string;
  readonly nodeName: string;
  /** The cluster DNS server as host:port, given to containers as BERTH_DNS; undefined for none. */
  readonly dns?: string;
}

export async function containerEnv(pod: Pod, c: Container, facts: NodeEnvFacts, src: EnvSources): Promise<EnvResult> {
  const { podIP, nodeName } = facts;
  const ns = pod.metadata.namespace ?? 'default';
  const where = `container "${c.name}"`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  Object.assign(env, serviceEnv(await src.services(ns), ns, pod.spec?.enableServiceLinks !== false));
  for (const [i, from] of (c.envFrom ?? []).entries()) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await src.configMap(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        return { ok: false, error: `${where}: envFrom[${i}]: configmap "${from.configMapRef.name}" not found` };
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env[prefix + k] = v;
    } else if (from.secretRef) {
      const s = await src.secret(ns, from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        return { ok: false, error: `${where}: envFrom[${i}]: secret "${from.secretRef.name}" not found` };
      }
      for (const [k, v] of Object.entries(s.data ?? {})) env[prefix + k] = decode(v);
    }
  }
  for (const [i, e] of (c.env ?? []).entries()) {
    const at = `${where}: env[${i}] (${e.name})`;
    const vf = e.valueFrom;
    if (!vf) {
      env[e.name] = expand(e.value ?? '', env);
      continue;
    }
    if (vf.fieldRef) {
      const v = fieldValue(pod, podIP, vf.fieldRef.fieldPath);
      if (v === undefined) return { ok: false, error: `${at}: unsupported fieldPath "${vf.fieldRef.fieldPath}"` };
      env[e.name] = v;
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const v = (await src.configMap(ns, ref.name ?? ''))?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        return { ok: false, error: `${at}: key "${ref.key}" of configmap "${ref.name}" not found` };
      }
      env[e.name] = v;
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const v = (await src.secret(ns, ref.name ?? ''))?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        return { ok: false, error: `${at}: key "${ref.key}" of secret "${ref.name}" not found` };
      }
      env[e.name] = decode(v);
    } else {
      return { ok: false, error: `${at}: resourceFieldRef is not supported by the process runtime` };
    }
  }
  // HOST: the address to bind (the pod's own IP, so pods on a node can share ports); HOSTNAME as in a container.
  const downward: Record<string, string> = { POD_NAME: pod.metadata.name ?? '', POD_NAMESPACE: ns, POD_IP: podIP, NODE_NAME: nodeName, HOST: podIP, HOSTNAME: pod.metadata.name ?? '' };
  if (facts.dns) downward[BERTH_DNS_ENV] = facts.dns;
  for (const [k, v] of Object.entries(downward)) if (!(k in env)) env[k] = v;
  return { ok: true, env };
}
