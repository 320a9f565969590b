/**
 * /metrics in the Prometheus text format, written by hand: request counts
 * by verb, resource and code, request latency histograms by verb and
 * resource, the number of open watches by resource, the bytes waiting in
 * watch clients' sockets and the slow watchers dropped. Names follow the
 * Kubernetes api-server's (apiserver_request_total, ...).
 */

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly watches = new Map<string, number>();
  private watchesTotal = 0;
  private rejected = new Map<string, number>();
  private readonly dropped = new Map<string, number>();

  /** `watchBuffered` is read at render time: bytes written to watch clients and not yet taken by their sockets. */
  constructor(private readonly watchBuffered: () => number = () => 0) {}

  observe(verb: string, resource: string, code: number, seconds: number): void {
    const k = `${verb}\u0000${resource}\u0000${code}`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
    const hk = `${verb}\u0000${resource}`;
    let h = this.latency.get(hk);
    if (!h) this.latency.set(hk, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  watchOpened(resource: string): void {
    this.watches.set(resource, (this.watches.get(resource) ?? 0) + 1);
    this.watchesTotal++;
  }

  watchClosed(resource: string): void {
    this.watches.set(resource, Math.max(0, (this.watches.get(resource) ?? 0) - 1));
  }

  watchDropped(resource: string): void {
    this.dropped.set(resource, (this.dropped.get(resource) ?? 0) + 1);
  }

  rejectedRequest(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, resource and HTTP response code.');
    out.push('# TYPE apiserver_request_total counter');
    for (const [k, n] of this.requests) {
      const [verb, resource, code] = k.split('\u0000');
      out.push(`apiserver_request_total{code="${code}",resource="${label(resource!)}",verb="${verb}"} ${n}`);
    }
    out.push('# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb and resource.');
    out.push('# TYPE apiserver_request_duration_seconds histogram');
    for (const [k, h] of this.latency) {
      const [verb, resource] = k.split('\u0000');
      const l = `resource="${label(resource!)}",verb="${verb}"`;
      BUCKETS.forEach((b, i) => out.push(`apiserver_request_duration_seconds_bucket{${l},le="${b}"} ${h.counts[i]}`));
      out.push(`apiserver_request_duration_seconds_bucket{${l},le="+Inf"} ${h.count}`);
      out.push(`apiserver_request_duration_seconds_sum{${l}} ${h.sum}`);
      out.push(`apiserver_request_duration_seconds_count{${l}} ${h.count}`);
    }
    out.push('# HELP apiserver_longrunning_requests Number of open watches by resource.');
    out.push('# TYPE apiserver_longrunning_requests gauge');
    for (const [resource, n] of this.watches) out.push(`apiserver_longrunning_requests{resource="${label(resource)}",verb="WATCH"} ${n}`);
    out.push('# HELP apiserver_watch_requests_total Watches opened since start.');
    out.push('# TYPE apiserver_watch_requests_total counter');
    out.push(`apiserver_watch_requests_total ${this.watchesTotal}`);
    out.push('# HELP berth_watch_buffered_bytes Bytes written to watch clients and not yet taken by their sockets.');
    out.push('# TYPE berth_watch_buffered_bytes gauge');
    out.push(`berth_watch_buffered_bytes ${this.watchBuffered()}`);
    out.push('# HELP berth_watch_dropped_total Watches dropped because the client fell too far behind, by resource.');
    out.push('# TYPE berth_watch_dropped_total counter');
    for (const [resource, n] of this.dropped) out.push(`berth_watch_dropped_total{resource="${label(resource)}"} ${n}`);
    out.push('# HELP apiserver_rejected_requests_total Requests rejected before handling, by reason.');
    out.push('# TYPE apiserver_rejected_requests_total counter');
    for (const [reason, n] of this.rejected) out.push(`apiserver_rejected_requests_total{reason="${reason}"} ${n}`);
    return out.join('\n') + '\n';
  }
}
