/**
 * The write-heavy workload the crash suite runs while it kills `berth up`:
 * writers that create, update (merge patch) and delete ConfigMaps over
 * HTTP as fast as the server answers, each on keys of its own, recording
 * every answer in the ledger. A write whose connection breaks has an
 * unknown outcome; the writer leaves that key alone from then on. While the
 * server is down the writers wait for the next one.
 */
import type { Ledger } from './ledger.js';
import { seededRandom } from '../../chaos/helpers/plan.js';

export const NS = 'default';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | null;
}

/** One HTTP call; throws on a broken connection or no answer within 10 s (outcome unknown). */
export async function call(url: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  const res = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed };
}

const rvOf = (body: Record<string, unknown> | null): number => Number((body?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion);

export class Workload {
  /** The server to write to; null while it is down. */
  target: string | null = null;
  private running = false;
  private loops: Promise<void>[] = [];
  /** Answers other than 2xx that are not "the server is busy or restarting" (a bug if any). */
  readonly unexpected: string[] = [];
  busy = 0;

  constructor(
    private readonly ledger: Ledger,
    private readonly writers: number,
    private readonly seed: number,
  ) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.writers }, (_, i) => this.writer(i));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async writer(w: number): Promise<void> {
    const rnd = seededRandom(this.seed * 1_000 + w);
    const live = new Map<string, number>(); // my keys that exist, with their v
    let next = 0;
    while (this.running) {
      const url = this.target;
      if (url === null) {
        await sleep(20);
        continue;
      }
      const roll = rnd();
      const keys = [...live.keys()];
      if (keys.length === 0 || roll < 0.5) {
        const name = `w${w}-${next++}`;
        const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: '0', pad: 'x'.repeat(200) } };
        await this.write(url, name, true, 0, () => call(url, 'POST', `/api/v1/namespaces/${NS}/configmaps`, obj), 201, live);
      } else if (roll < 0.85) {
        const name = keys[Math.floor(rnd() * keys.length)]!;
        const v = live.get(name)! + 1;
        await this.write(url, name, true, v, () => call(url, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/${name}`, { data: { v: String(v) } }, 'application/merge-patch+json'), 200, live);
      } else {
        const name = keys[Math.floor(rnd() * keys.length)]!;
        await this.write(url, name, false, 0, () => call(url, 'DELETE', `/api/v1/namespaces/${NS}/configmaps/${name}`), 200, live);
      }
    }
  }

  private async write(url: string, name: string, exists: boolean, v: number, op: () => Promise<Answer>, ok: number, live: Map<string, number>): Promise<void> {
    let a: Answer;
    try {
      a = await op();
    } catch {
      // Broken connection or no answer: committed or not, we cannot know. Never touch the key again.
      this.ledger.unknownOutcome(name, exists, v);
      live.delete(name);
      if (this.target === url) await sleep(20);
      return;
    }
    if (a.status === ok) {
      // A delete answers with the object as it was (its last revision); the delete's own revision is later.
      this.ledger.ack(name, exists ? { exists: true, v, rv: rvOf(a.body) } : { exists: false, rv: rvOf(a.body) });
      if (exists) live.set(name, v);
      else live.delete(name);
      return;
    }
    // Busy or restarting (429, 503, 504): the write did not happen as far as the server says, but a
    // 503/504 after the store's commit is possible in principle, so it counts as unknown too.
    this.ledger.unknownOutcome(name, exists, v);
    live.delete(name);
    if (a.status === 429 || a.status === 503 || a.status === 504) this.busy++;
    else this.unexpected.push(`${name}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
