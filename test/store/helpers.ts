/** Shared helpers for the store tests: temp directories, a Pod-shaped value, error collection. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { openLmdbStore, type LmdbStore, type LmdbStoreOptions, type StoreError } from '../../lib/store/index.js';

export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Opened {
  store: LmdbStore;
  dir: string;
  errors: StoreError[];
}

/** Open a store in a fresh temp dir; closed (and the dir removed) at teardown. */
export function openTemp(t: ExecutionContext, options: Partial<LmdbStoreOptions> = {}): Opened {
  const dir = options.path ?? tempDir(t);
  const errors: StoreError[] = [];
  const store = openLmdbStore({ onError: (e) => errors.push(e), ...options, path: dir });
  t.teardown(() => store.close());
  return { store, dir, errors };
}

export function podKey(ns: string, name: string): string {
  return `/registry/core/pods/${ns}/${name}`;
}

/** A Pod-shaped object (~1.2 KB as msgpack). */
export function pod(name: string, ns = 'default', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `uid-${ns}-${name}`,
      labels: { app: 'web', tier: 'frontend' },
      annotations: { 'kubernetes.io/created-by': 'berth' },
    },
    spec: {
      nodeName: '',
      restartPolicy: 'Always',
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          env: [{ name: 'MODE', value: 'production' }],
        },
      ],
      ...extra,
    },
    status: { phase: 'Pending' },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
