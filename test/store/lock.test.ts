import { fork, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { LOCK_FILE, LockedError, openLmdbStore } from '../../lib/store/index.js';
import { openTemp, tempDir } from './helpers.js';

const writer = fileURLToPath(new URL('../fixtures/store/writer.js', import.meta.url));

test('a second process gets a clear LOCKED error naming the holder; a dead holder frees it', async (t) => {
  const dir = tempDir(t);
  const child = fork(writer, [dir, 'hold'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: { type: string }) => (m.type === 'ready' ? resolve() : reject(new Error(JSON.stringify(m)))));
    child.once('exit', () => reject(new Error('holder exited')));
  });

  const start = performance.now();
  const err = t.throws(() => openLmdbStore({ path: dir }), { instanceOf: LockedError });
  t.true(performance.now() - start < 1000, 'fails at once');
  t.is(err?.code, 'LOCKED');
  t.is(err?.pid, child.pid as number);
  t.regex(err?.message ?? '', new RegExp(`process ${String(child.pid)} `));

  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const store = openLmdbStore({ path: dir }); // stale lock (dead pid) is taken over
  t.teardown(() => store.close());
  t.is(store.revision, 0);
});

test('a child trying to open a directory this process holds reports LOCKED with our pid', async (t) => {
  const { dir } = openTemp(t);
  const child = fork(writer, [dir, 'hold'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const message = await new Promise<{ type: string; code?: string; pid?: number }>((resolve) => child.once('message', resolve));
  await new Promise((r) => child.once('exit', r));
  t.like(message, { type: 'open-failed', code: 'LOCKED', pid: process.pid });
});

test('the same process cannot open a directory twice; close releases it', async (t) => {
  const dir = tempDir(t);
  const a = openLmdbStore({ path: dir });
  const err = t.throws(() => openLmdbStore({ path: dir }), { instanceOf: LockedError });
  t.is(err?.pid, process.pid);
  await a.close();
  const b = openLmdbStore({ path: dir });
  await b.close();
  t.pass();
});

test('a lock left by a dead or reused pid is stale', async (t) => {
  const dir = tempDir(t);
  // A pid that existed and is gone.
  const dead = spawnSync(process.execPath, ['-e', '']);
  t.true(dead.pid > 0);
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead.pid, hostname: hostname(), start: '1' }));
  const a = openLmdbStore({ path: dir });
  await a.close();
  // Our own pid, but not held by us: left by an earlier process that had the same pid.
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, hostname: hostname(), start: 'earlier' }));
  const b = openLmdbStore({ path: dir });
  await b.close();
  // A live process (our parent) with no recorded start time is respected.
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, hostname: hostname(), start: null }));
  t.throws(() => openLmdbStore({ path: dir }), { instanceOf: LockedError });
});
