/**
 * Bare HTTP watch clients for the fault suites: ones that read every line,
 * ones that never read (a raw socket, paused), and /metrics scraping.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';

export interface LineWatch {
  readonly req: ClientRequest;
  readonly res: IncomingMessage;
  readonly lines: string[];
  /** Resolves when the stream ends or breaks. */
  readonly ended: Promise<void>;
}

/** A watch that reads and keeps every line. */
export function openWatch(base: string, path: string, headers: Record<string, string> = {}): Promise<LineWatch> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers, agent: false }, (res) => {
      const lines: string[] = [];
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        lines.push(...parts.filter((l) => l !== ''));
      });
      const ended = new Promise<void>((done) => {
        res.on('close', () => done());
        res.on('error', () => done());
      });
      resolve({ req, res, lines, ended });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A client that asks for a watch and then never reads its socket. */
export function stalledWatch(base: string, path: string): Promise<Socket> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.on('error', () => undefined); // destroyed by the server later, by design
    socket.once('error', reject);
  });
}

/**
 * Reads what a paused raw socket has (and gets) until the chunked response
 * ends or the socket closes: the HTTP body's lines, chunk sizes included, as text.
 */
export function drain(socket: Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = (): void => resolve(Buffer.concat(chunks).toString('utf8'));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (c.subarray(-5).toString('latin1') === '0\r\n\r\n') done();
    });
    socket.once('close', done);
    socket.once('end', done);
    setTimeout(done, timeoutMs).unref();
    socket.resume();
  });
}

/** One metric's value summed over its label sets, from the Prometheus text. */
export async function metric(base: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** A TCP port that was free a moment ago (for a server that must come back on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
