/**
 * Crash safety: a child process writes and reports every acknowledgement;
 * it is killed with SIGKILL at a random moment; the store is reopened and
 * every acknowledged write must be there with its revision. 20 rounds on the
 * same directory, so each round also reopens after the previous crash.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { openLmdbStore } from '../../lib/store/index.js';
import { rng, sleep, tempDir } from './helpers.js';

const writer = fileURLToPath(new URL('../fixtures/store/writer.js', import.meta.url));

interface Ack {
  type: 'ack';
  acks: [string, number][];
  counter: [number, number, number];
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode ?? child.exitCode);
    else child.once('exit', (code, signal) => resolve(signal ?? code));
  });
}

test('every acknowledged write survives kill -9, over 20 random kills', async (t) => {
  t.timeout(120_000);
  const dir = tempDir(t);
  const random = rng(20251127);
  const acked = new Map<string, number>();
  let maxAcked = 0;
  let totalAcks = 0;

  for (let round = 0; round < 20; round++) {
    // Counter values restart each round (a new child), so they are checked per round.
    const counters = new Map<number, { n: number; revision: number }>();
    const child = fork(writer, [dir, 'write', `r${round}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const firstAck = new Promise<void>((resolve, reject) => {
      child.on('message', (m: { type: string }) => {
        if (m.type === 'open-failed') reject(new Error(`child could not open: ${JSON.stringify(m)}`));
        if (m.type !== 'ack') return;
        const ack = m as Ack;
        for (const [key, revision] of ack.acks) {
          t.true(revision > 0, `write of ${key} failed in the child`);
          // Items are written once, so their revision must match exactly; counters are checked below.
          if (key.startsWith('/registry/test/items/')) acked.set(key, revision);
          if (revision > maxAcked) maxAcked = revision;
          totalAcks++;
        }
        const [w, n, revision] = ack.counter;
        const prev = counters.get(w);
        if (!prev || n > prev.n) counters.set(w, { n, revision });
        resolve();
      });
      child.once('exit', () => reject(new Error('child exited before its first acknowledgement')));
    });
    await firstAck;
    await sleep(Math.floor(random() * 120));
    child.kill('SIGKILL');
    t.is(await exited(child), 'SIGKILL');

    const store = openLmdbStore({ path: dir, onError: (e) => t.fail(`reported: ${e.message}`) });
    try {
      t.true(store.revision >= maxAcked, `round ${round}: revision ${store.revision} < acknowledged ${maxAcked}`);
      let missing = 0;
      for (const [key, revision] of acked) {
        const kv = store.getSync(key);
        if (kv?.revision !== revision || (kv.value as { metadata: { resourceVersion: string } }).metadata.resourceVersion !== String(revision))
          missing++;
      }
      t.is(missing, 0, `round ${round}: ${missing} acknowledged writes lost or changed`);
      for (const [w, { n, revision }] of counters) {
        const kv = store.getSync(`/registry/test/counters/${w}`);
        t.true((kv?.revision ?? 0) >= revision && (kv?.value as { n: number }).n >= n, `counter ${w}`);
      }
      // Revisions continue after the crash.
      const next = await store.writeOne({ op: 'create', key: `/registry/test/after/${round}`, value: round });
      t.true(next.ok && next.revision === store.revision && next.revision > maxAcked);
      maxAcked = store.revision;
    } finally {
      await store.close();
    }
  }
  t.log(`${totalAcks} acknowledged writes checked across 20 kills`);
  t.true(totalAcks > 20 * 21);
});
