/**
 * A bare node:http client for the fuzz and security suites: any method,
 * any path (sent as given, not normalized the way fetch would), raw bytes
 * as the body, and the answer's status and text.
 */
import { Agent, request } from 'node:http';

export interface RawResult {
  readonly status: number;
  readonly text: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}

export function rawRequest(base: string, r: RawRequest, agent?: Agent, timeoutMs = 15_000): Promise<RawResult> {
  const url = new URL(base);
  // Node's client sends no Content-Length for a DELETE body (and would leave the bytes to be read as the next request).
  const headers = { ...(r.headers ?? {}) };
  if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent: agent ?? false },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      },
    );
    // A server that answers early (413) and closes may break our upload; what counts is the answer.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${r.method} ${r.path}: no answer within ${timeoutMs} ms`)));
    req.end(r.body);
  });
}
