/** GET pods/<name>/log over HTTP: streamed from the node's kubelet (`-f` stays open while the container runs). */
import type { ServerResponse } from 'node:http';
import type { Status } from '../../../lib/api/types/meta.js';
import type { ServerContext } from '../context.js';
import { kubeletLogUrl, proxyLogs } from '../pod-logs.js';

/** Answers the request; resolves with the HTTP code once the body is done. */
export function serveLogs(ctx: ServerContext, namespace: string | undefined, name: string, params: URLSearchParams, res: ServerResponse): Promise<number> {
  const url = kubeletLogUrl(ctx, namespace, name, params);
  const status = (s: Status): number => {
    if (!res.headersSent) {
      const body = JSON.stringify(s);
      res.writeHead(s.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    }
    return s.code;
  };
  if (typeof url !== 'string') return Promise.resolve(status(url));
  return new Promise((resolve) => {
    proxyLogs(url, {
      head: () => res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' }),
      data: (chunk) => res.write(chunk),
      end: () => {
        res.end();
        resolve(200);
      },
      fail: (s) => resolve(status(s)),
      onClose: (stop) => res.on('close', stop),
    });
  });
}
