/** The kube-proxy actor's arguments and protocol. */

export const KUBE_PROXY_ADDRESS = 'kube-proxy';

export interface KubeProxyArgs {
  /** The api-server's address; default 'api-server'. */
  readonly apiServer?: string;
  /**
   * true: open real TCP listeners on every ClusterIP:port and NodePort and
   * forward connections (process nodes, real clock). false (default): keep
   * the routing table only and answer `proxy.route` (simulated nodes).
   */
  readonly sockets?: boolean;
  /** Where NodePorts listen; default 127.0.0.1. */
  readonly nodePortAddress?: string;
  /** A listener that could not be opened (EADDRINUSE...) is tried again after this long; default 250 ms. */
  readonly retryListenMs?: number;
  /** Upstream connect attempts per client connection, each to the next endpoint; default 3. */
  readonly connectAttempts?: number;
}

export type KubeProxyMessage =
  /** Reply: true once the Services and Endpoints informers have synced (and the first listeners were asked for). */
  | { type: 'proxy.ready' }
  /** Reply: RouteAnswer: where a connection from clientIP to clusterIP:port would go now (it counts as one: round robin moves on). */
  | { type: 'proxy.route'; clusterIP: string; port: number; clientIP?: string }
  /** Reply: RouteInfo[]: the whole table. */
  | { type: 'proxy.table' }
  /** Reply: KubeProxyStats. */
  | { type: 'proxy.stats' };

export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  /** The pod behind the address (`namespace/name`), when the Endpoints name one. */
  readonly pod?: string;
  readonly nodeName?: string;
}

export type RouteAnswer =
  | { readonly ok: true; readonly service: string; readonly portName: string; readonly endpoint: EndpointInfo }
  | { readonly ok: false; readonly service: string | null; readonly reason: 'NoService' | 'NoEndpoints'; readonly message: string };

export interface RouteInfo {
  /** `ip:port`. */
  readonly frontend: string;
  readonly service: string;
  readonly portName: string;
  readonly kind: 'ClusterIP' | 'NodePort';
  readonly endpoints: readonly EndpointInfo[];
  /** ClientIP affinity timeout, null for none. */
  readonly affinitySeconds: number | null;
  /** Sockets mode: a listener is open on the frontend now (absent without sockets). */
  readonly listening?: boolean;
}

export interface KubeProxyStats {
  readonly synced: boolean;
  readonly sockets: boolean;
  readonly routes: number;
  readonly services: number;
  /** Sockets mode: listeners open, and waiting to be opened again after a failure. */
  readonly listening: number;
  readonly retrying: number;
  readonly listenFailures: number;
  readonly connections: { readonly open: number; readonly total: number; readonly rejected: number; readonly upstreamFailures: number; readonly drained: number };
  readonly syncs: number;
}
