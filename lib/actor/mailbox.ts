/** A FIFO of envelopes with O(1) push and shift (an array with a moving head). */
import type { Sender } from './types.js';

export interface Envelope {
  readonly sender: Sender;
  readonly body: unknown;
}

export class Mailbox {
  private items: Envelope[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(env: Envelope): void {
    this.items.push(env);
  }

  shift(): Envelope | undefined {
    if (this.head >= this.items.length) return undefined;
    const env = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as Envelope;
    // Compact once the dead prefix dominates, so memory follows the live length.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return env;
  }

  /** Empty the mailbox, returning what was in it. */
  drain(): Envelope[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}
