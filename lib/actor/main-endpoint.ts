/**
 * The supervisor's own endpoint, address `supervisor`: how the embedding
 * thread sends, requests, and receives messages. Messages sent to it (not
 * replies) are handed to the supervisor's `message` listeners.
 */
import type { Packr } from 'msgpackr';
import { MAIN_HOST, SUPERVISOR_ADDRESS, type DeadLetter } from './control.js';
import { Endpoint } from './endpoint.js';
import type { TimerService } from './timers.js';
import type { Address, Message, Sender } from './types.js';

export interface MainEndpointOptions {
  readonly packr: Packr;
  readonly timers: TimerService;
  readonly batch: boolean;
  readonly maxMessageBytes: number;
  readonly onMessage: (msg: Message, from: Sender) => void;
  readonly onDeadLetters: (letters: DeadLetter[]) => void;
  readonly onTurn: () => void;
}

export class MainEndpoint extends Endpoint {
  private readonly options: MainEndpointOptions;

  constructor(options: MainEndpointOptions) {
    super({ hostId: MAIN_HOST, packr: options.packr, timers: options.timers, batch: options.batch, maxMessageBytes: options.maxMessageBytes });
    this.options = options;
    this.routes.set(SUPERVISOR_ADDRESS, MAIN_HOST);
  }

  protected deliverLocal(to: Address, from: Address, reqId: number, body: unknown): void {
    if (to !== SUPERVISOR_ADDRESS) {
      if (reqId > 0) this.reply(to, { address: from, reqId }, { ok: false, code: 'UNROUTABLE', message: `no actor at address ${to}` });
      else this.deadLetter(from, to, (body as Message).type, 'unroutable');
      return;
    }
    this.options.onMessage(body as Message, { address: from, reqId });
  }

  protected afterTurn(): void {
    if (this.deadLetters.length > 0) {
      const letters = this.deadLetters;
      this.deadLetters = [];
      this.options.onDeadLetters(letters);
    }
    this.options.onTurn();
  }

  /** Record a dead letter noticed by the supervisor itself (a relayed frame to a dead host). */
  noteDeadLetter(from: string, to: string, type: string, reason: string): void {
    this.deadLetter(from, to, type, reason);
  }
}
