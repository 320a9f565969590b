/** Shared bits for the actor runtime's tests: fixture modules and polling. */
import type { Message } from '../../lib/actor/types.js';

export const echoModule = new URL('../fixtures/actors/echo.js', import.meta.url).href;
export const tickerModule = new URL('../fixtures/actors/ticker.js', import.meta.url).href;

/** The fixtures' message shapes are loose on purpose: tests send what they like. */
export function msg(type: string, fields: Record<string, unknown> = {}): Message {
  return { type, ...fields } as Message;
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Ask an actor for its thread id, retrying while it restarts. */
export async function threadOf(sup: { request<R>(to: string, m: Message, o?: { timeoutMs?: number }): Promise<R> }, address: string): Promise<number> {
  let last: unknown;
  for (let i = 0; i < 200; i++) {
    try {
      return await sup.request<number>(address, msg('thread'), { timeoutMs: 2_000 });
    } catch (err) {
      last = err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw last;
}
