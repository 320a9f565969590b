/**
 * The service environment variables the kubelet gives every container, the
 * older form of service discovery next to DNS: for each Service of the
 * pod's namespace that has a ClusterIP (and always the `kubernetes` Service
 * of `default`), `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT` (the first
 * port), `<NAME>_SERVICE_PORT_<PORTNAME>` per named port, and the Docker
 * link variables `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>` with `_PROTO`,
 * `_PORT`, `_ADDR`. `<NAME>` is the Service name upper-cased with `-` and
 * `.` as `_` (and a leading `_` when it starts with a digit).
 * `enableServiceLinks: false` leaves out all but the `kubernetes` Service.
 * The container's own `env` is laid over these.
 */
import type { Service } from '../api/types/core.js';

const MASTER = { namespace: 'default', name: 'kubernetes' };

export function envVarName(s: string): string {
  const n = s.replace(/[-.]/g, '_').toUpperCase();
  return /^[0-9]/.test(n) ? `_${n}` : n;
}

export function serviceEnv(services: readonly Readonly<Service>[], podNamespace: string, enableServiceLinks = true): Record<string, string> {
  const chosen = new Map<string, Readonly<Service>>();
  for (const s of services) {
    if (enableServiceLinks && s.metadata.namespace === podNamespace) chosen.set(s.metadata.name ?? '', s);
  }
  // The master Service is for every pod, unless one of the pod's namespace already has its name.
  for (const s of services) {
    if (s.metadata.namespace === MASTER.namespace && s.metadata.name === MASTER.name && !chosen.has(MASTER.name)) chosen.set(MASTER.name, s);
  }
  const env: Record<string, string> = {};
  for (const [name, s] of [...chosen].sort(([a], [b]) => a.localeCompare(b))) {
    const ip = s.spec?.clusterIP;
    const ports = s.spec?.ports ?? [];
    if (!ip || ip === 'None' || ports.length === 0) continue;
    const prefix = envVarName(name);
    env[`${prefix}_SERVICE_HOST`] = ip;
    env[`${prefix}_SERVICE_PORT`] = String(ports[0]!.port);
    for (const p of ports) if (p.name) env[`${prefix}_SERVICE_PORT_${envVarName(p.name)}`] = String(p.port);
    for (const [i, p] of ports.entries()) {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${ip}:${p.port}`;
      if (i === 0) env[`${prefix}_PORT`] = url;
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      env[pp] = url;
      env[`${pp}_PROTO`] = proto;
      env[`${pp}_PORT`] = String(p.port);
      env[`${pp}_ADDR`] = ip;
    }
  }
  return env;
}
