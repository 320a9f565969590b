/** The dead-letter log: the most recent undeliverable messages, with a total count. */
import type { DeadLetter } from './control.js';

export class DeadLetterLog {
  readonly letters: DeadLetter[] = [];
  total = 0;

  constructor(private readonly limit: number) {}

  /** Keep the letters (dropping the oldest past the limit); returns them for listeners. */
  record(letters: readonly DeadLetter[]): readonly DeadLetter[] {
    for (const letter of letters) {
      this.total++;
      this.letters.push(letter);
      if (this.letters.length > this.limit) this.letters.shift();
    }
    return letters;
  }
}
