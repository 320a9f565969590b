/**
 * What the crash suite's writers were told: every write the api-server
 * acknowledged (2xx), per key, and the writes whose outcome is unknown (in
 * flight when the process died: committed or not, both are right). After a
 * restart the store must hold, for every key, its last acknowledged state
 * or the one unknown write that followed it, and nothing else.
 */

/** A ConfigMap's state as the writers see it: its `v` value and resourceVersion, or gone. */
export type KeyState = { readonly exists: true; readonly v: number; readonly rv: number } | { readonly exists: false; readonly rv: number };

interface KeyRecord {
  acked: KeyState | null;
  /** The write in flight when the connection broke: it may or may not have committed. */
  unknown: { readonly exists: boolean; readonly v: number } | null;
}

export interface LedgerCheck {
  /** Keys whose acknowledged state was found as acknowledged (or superseded by their unknown write). */
  readonly recovered: number;
  readonly violations: string[];
}

export class Ledger {
  private readonly keys = new Map<string, KeyRecord>();
  acks = 0;
  unknowns = 0;
  maxAckedRv = 0;

  ack(name: string, state: KeyState): void {
    const r = this.record(name);
    r.acked = state;
    r.unknown = null;
    this.acks++;
    this.maxAckedRv = Math.max(this.maxAckedRv, state.rv);
  }

  /** The writer never touches `name` again after this. */
  unknownOutcome(name: string, exists: boolean, v: number): void {
    this.record(name).unknown = { exists, v };
    this.unknowns++;
  }

  private record(name: string): KeyRecord {
    let r = this.keys.get(name);
    if (!r) this.keys.set(name, (r = { acked: null, unknown: null }));
    return r;
  }

  /** Compare with the ConfigMaps the server lists now (name -> v, resourceVersion). */
  check(stored: ReadonlyMap<string, { v: number; rv: number }>): LedgerCheck {
    const violations: string[] = [];
    let recovered = 0;
    for (const [name, r] of this.keys) {
      const got = stored.get(name);
      const asAcked = r.acked !== null && (r.acked.exists ? got !== undefined && got.v === r.acked.v && got.rv === r.acked.rv : got === undefined);
      const asNeverAcked = r.acked === null && got === undefined;
      const asUnknown = r.unknown !== null && (r.unknown.exists ? got !== undefined && got.v === r.unknown.v && (r.acked === null || got.rv > r.acked.rv) : got === undefined);
      if (asAcked || asNeverAcked || asUnknown) {
        if (r.acked !== null) recovered++;
        continue;
      }
      const want = r.acked === null ? 'absent (never acknowledged)' : r.acked.exists ? `v=${r.acked.v} at ${r.acked.rv}` : `deleted at ${r.acked.rv}`;
      const maybe = r.unknown === null ? '' : ` or, from the write in flight, ${r.unknown.exists ? `v=${r.unknown.v}` : 'deleted'}`;
      violations.push(`${name}: want ${want}${maybe}; stored ${got ? `v=${got.v} at ${got.rv}` : 'nothing'}`);
    }
    for (const name of stored.keys()) if (!this.keys.has(name)) violations.push(`${name}: stored but never written`);
    return { recovered, violations };
  }

  get size(): number {
    return this.keys.size;
  }
}
