/**
 * A small DNS server on one address, UDP and TCP on the same port (TCP is
 * where a client asks again when a UDP answer came back truncated). It
 * knows nothing of Kubernetes: `answer` maps a question to an rcode and
 * records. A packet that cannot be read is answered FORMERR when it has a
 * header, dropped otherwise; a misbehaving client never stops the server.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { buildError, buildResponse, parseQuery, RCODE, UDP_MAX_BYTES, type DnsQuestion } from './wire.js';
import type { Lookup } from './records.js';

export interface DnsServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (default): a free port, the same for UDP and TCP. */
  readonly port?: number;
  readonly answer: (q: DnsQuestion) => Lookup;
  /** A TCP connection idle this long is closed; default 10 s. */
  readonly tcpIdleMs?: number;
}

export interface DnsServerStats {
  readonly queries: number;
  readonly nxdomain: number;
  readonly errors: number;
  readonly dropped: number;
  readonly truncated: number;
}

/** A TCP message's length is two bytes. */
const TCP_MAX_BYTES = 65_535;

/** Ephemeral ports tried when UDP's free port is taken for TCP. */
const PORT_ATTEMPTS = 20;

export class DnsServer {
  private udp: UdpSocket | null = null;
  private tcp: Server | null = null;
  private readonly conns = new Set<Socket>();
  private counts = { queries: 0, nxdomain: 0, errors: 0, dropped: 0, truncated: 0 };
  private bound: { host: string; port: number } | null = null;

  constructor(private readonly opts: DnsServerOptions) {}

  get address(): { host: string; port: number } | null {
    return this.bound;
  }

  get stats(): DnsServerStats {
    return { ...this.counts };
  }

  /** Binds UDP then TCP on its port; with port 0 another pair is tried if TCP's half is taken. */
  async start(): Promise<{ host: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    const wanted = this.opts.port ?? 0;
    let lastError: unknown;
    for (let i = 0; i < (wanted === 0 ? PORT_ATTEMPTS : 1); i++) {
      const udp = await this.bindUdp(host, wanted);
      const port = udp.address().port;
      try {
        this.tcp = await this.bindTcp(host, port);
        this.udp = udp;
        this.bound = { host, port };
        return this.bound;
      } catch (err) {
        lastError = err;
        udp.close();
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = null;
    this.tcp = null;
    this.bound = null;
    await Promise.all([
      udp ? new Promise<void>((r) => udp.close(() => r())) : undefined,
      tcp ? new Promise<void>((r) => tcp.close(() => r())) : undefined,
    ]);
  }

  /** The response bytes for one query, or null to stay silent. */
  respond(packet: Buffer, maxBytes: number | undefined): Buffer | null {
    const parsed = parseQuery(packet);
    if (!parsed.ok) {
      if (parsed.id === undefined) {
        this.counts.dropped++;
        return null;
      }
      this.counts.errors++;
      return buildError(parsed.id, parsed.rcode, parsed.rd);
    }
    this.counts.queries++;
    const { question } = parsed.query;
    let result: Lookup;
    try {
      result = this.opts.answer(question);
    } catch {
      this.counts.errors++;
      return buildResponse(parsed.query, RCODE.SERVFAIL, []);
    }
    if (result.rcode === RCODE.NXDOMAIN) this.counts.nxdomain++;
    const out = buildResponse(parsed.query, result.rcode, result.answers, { maxBytes });
    if (out[2]! & 0x02) this.counts.truncated++;
    return out;
  }

  private bindUdp(host: string, port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const sock = createSocket('udp4');
      sock.once('error', reject);
      sock.bind(port, host, () => {
        sock.off('error', reject);
        // After binding, socket errors (an ICMP unreachable reported on send) are not fatal.
        sock.on('error', () => void this.counts.errors++);
        sock.on('message', (msg, rinfo) => {
          const out = this.respond(msg, UDP_MAX_BYTES);
          if (out) sock.send(out, rinfo.port, rinfo.address);
        });
        resolve(sock);
      });
    });
  }

  private bindTcp(host: string, port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((c) => this.serveTcp(c));
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', () => void this.counts.errors++);
        resolve(server);
      });
    });
  }

  /** DNS over TCP: each message is preceded by its length in two bytes (RFC 1035 4.2.2). */
  private serveTcp(c: Socket): void {
    this.conns.add(c);
    c.setTimeout(this.opts.tcpIdleMs ?? 10_000, () => c.destroy());
    c.on('error', () => void this.counts.errors++);
    c.on('close', () => this.conns.delete(c));
    let pending: Buffer = Buffer.alloc(0);
    c.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        const out = this.respond(Buffer.from(msg), TCP_MAX_BYTES);
        if (!out) {
          // Not even a header: the stream cannot be trusted any further.
          c.destroy();
          return;
        }
        const framed = Buffer.alloc(2 + out.length);
        framed.writeUInt16BE(out.length, 0);
        out.copy(framed, 2);
        c.write(framed);
      }
    });
  }
}
