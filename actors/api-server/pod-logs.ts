/**
 * pods/log as Kubernetes serves it: the api-server finds the pod's node and
 * proxies to that node's kubelet endpoint (`/containerLogs/<ns>/<pod>/
 * <container>` at the Node's InternalIP and daemonEndpoints port), passing
 * follow, previous, timestamps, tailLines, limitBytes, sinceSeconds and
 * sinceTime on. Simulated nodes write no logs, which the answer says.
 */
import { get } from 'node:http';
import { nodes, pods } from '../../lib/api/resources/index.js';
import { badRequest, internalError } from '../../lib/api/status.js';
import type { Node } from '../../lib/api/types/core.js';
import type { Status } from '../../lib/api/types/meta.js';
import type { Pod } from '../../lib/api/types/pod.js';
import type { ServerContext } from './context.js';
import { failed } from './objects.js';
import { getObject } from './read.js';

const PASSED = ['follow', 'previous', 'timestamps', 'tailLines', 'limitBytes', 'sinceSeconds', 'sinceTime'] as const;

/** The kubelet URL for a pods/log request, or the Status that answers it. */
export function kubeletLogUrl(ctx: ServerContext, namespace: string | undefined, name: string, query: URLSearchParams): string | Status {
  const found = getObject(ctx, pods, namespace, name);
  if (failed(found)) return found;
  const pod = found as Pod;
  const names = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.name);
  let container = query.get('container') ?? '';
  if (!container) {
    const regular = pod.spec?.containers ?? [];
    if (regular.length !== 1) return badRequest(`a container name must be specified for pod ${name}, choose one of: [${regular.map((c) => c.name).join(' ')}]`);
    container = regular[0]!.name;
  }
  if (!names.includes(container)) return badRequest(`container ${container} is not valid for pod ${name}`);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return badRequest(`pod ${name} does not have a host assigned`);
  const nodeFound = getObject(ctx, nodes, undefined, nodeName);
  if (failed(nodeFound)) return badRequest(`pod ${name} is bound to node ${nodeName}, which does not exist`);
  const node = nodeFound as Node;
  if (node.status?.nodeInfo?.containerRuntimeVersion?.startsWith('berth-sim')) {
    return badRequest(`container "${container}" in pod "${name}" runs on the simulated node ${nodeName}: simulated containers write no logs (run nodes with the process runtime: berth up --runtime process)`);
  }
  const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!ip || !port) return badRequest(`node ${nodeName} has no kubelet endpoint (InternalIP and daemonEndpoints.kubeletEndpoint)`);
  const q = new URLSearchParams();
  for (const k of PASSED) {
    const v = query.get(k);
    if (v !== null) q.set(k, v);
  }
  const enc = encodeURIComponent;
  return `http://${ip}:${port}/containerLogs/${enc(namespace ?? '')}/${enc(name)}/${enc(container)}${q.size > 0 ? `?${q}` : ''}`;
}

export interface LogSink {
  /** The kubelet answered 200: the body follows. */
  head(): void;
  data(chunk: Buffer): void;
  end(): void;
  /** The kubelet refused or could not be reached. */
  fail(s: Status): void;
  /** Called when the client goes away: stop proxying. */
  onClose(stop: () => void): void;
}

/** Stream the kubelet's answer to `sink`. */
export function proxyLogs(url: string, sink: LogSink): void {
  const req = get(url, { agent: false }, (res) => {
    if (res.statusCode !== 200) {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => sink.fail(res.statusCode === 404 ? { ...badRequest(body.trim()), code: 404, reason: 'NotFound' } : badRequest(body.trim())));
      return;
    }
    sink.head();
    res.on('data', (d: Buffer) => sink.data(d));
    res.on('end', () => sink.end());
    res.on('error', () => sink.end());
  });
  req.on('error', (err) => sink.fail(internalError(`the kubelet at ${new URL(url).host} did not answer: ${err.message}`)));
  sink.onClose(() => req.destroy());
}

/** The whole (non-follow) log as text, for in-process callers. */
export function fetchLogs(url: string): Promise<string | Status> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const u = new URL(url);
    u.searchParams.delete('follow');
    proxyLogs(u.toString(), {
      head: () => undefined,
      data: (c) => chunks.push(c),
      end: () => resolve(Buffer.concat(chunks).toString('utf8')),
      fail: (s) => resolve(s),
      onClose: () => undefined,
    });
  });
}
