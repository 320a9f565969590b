/**
 * Durability through the whole stack: a process running the supervisor and
 * the store actor is killed with SIGKILL at a random moment; every write it
 * acknowledged is there after reopening, with the revision it was given.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLmdbStore } from '../../lib/store/index.js';

const writer = fileURLToPath(new URL('../fixtures/store-actor/writer.js', import.meta.url));

async function runAndKill(dir: string, prefix: string, killAfterMs: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, [writer, dir, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked = new Map<string, number>();
  let buffered = '';
  let firstAck!: () => void;
  const acking = new Promise<void>((resolve) => (firstAck = resolve));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') continue;
      const [key, rev] = line.split(' ');
      acked.set(key!, Number(rev));
      firstAck();
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // The random moment is counted from the first acknowledgement, so a slow start never leaves nothing to check.
  await acking;
  await new Promise((resolve) => setTimeout(resolve, killAfterMs));
  child.kill('SIGKILL');
  await exited;
  return acked;
}

test('every acknowledged write survives SIGKILL of the whole process (5 random moments)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-store-crash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let total = 0;
  for (let round = 0; round < 5; round++) {
    const killAfterMs = Math.floor(Math.random() * 400);
    const acked = await runAndKill(dir, `r${round}`, killAfterMs);
    total += acked.size;
    const store = openLmdbStore({ path: dir, onError: () => undefined });
    try {
      let missing = 0;
      for (const [key, revision] of acked) {
        const kv = store.getSync(key);
        // The value too: batches are stored in place in the received bytes (op-batch.ts), so check they are whole.
        const meta = (kv?.value as { metadata?: { name?: string; resourceVersion?: string } } | undefined)?.metadata;
        if (!kv || kv.revision !== revision || meta?.name !== key.slice(key.lastIndexOf('/') + 1) || meta.resourceVersion !== String(revision)) missing++;
      }
      t.is(missing, 0, `round ${round}: ${missing} of ${acked.size} acknowledged writes lost`);
    } finally {
      await store.close();
    }
  }
  t.log(`${total} acknowledged writes checked over 5 kills`);
});
