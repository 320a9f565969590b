/**
 * Durations the way Go's time.ParseDuration writes them, in milliseconds:
 * "30s", "5m", "1h30m", "1.5s", "250ms". Units: ms, s, m, h. Virtual time is
 * counted in milliseconds, so finer units are not accepted.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WHOLE = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$/;
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;

export const DURATION_HINT = 'must be a duration like 500ms, 30s, 5m or 1h30m';

/** Milliseconds, or undefined when `text` is not a duration. The number 0 is accepted as "0s". */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return text === 0 ? 0 : undefined;
  if (!WHOLE.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Number.isFinite(ms) ? ms : undefined;
}

/** The shortest Go-style text for a number of milliseconds: 90000 -> "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      rest -= n * size;
    }
  }
  if (rest > 0) parts.push(`${Math.round(rest * 1000) / 1000}ms`);
  return parts.join('');
}
