// Ages and durations as kubectl shows them in the AGE, LAST SEEN and
// DURATION columns: k8s.io/apimachinery/pkg/util/duration.HumanDuration,
// which keeps two or three significant figures ("90s", "3m2s", "47m",
// "5h10m", "2d3h", "400d", "3y20d"). Times are milliseconds since the epoch
// so the caller's (possibly virtual) clock decides what "now" is.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Go's HumanDuration for a duration in milliseconds. Go truncates toward
 * zero at every step (int(d.Seconds()), d / time.Minute), so Math.trunc.
 * Up to 2 s in the future counts as "0s" (clock skew); further is "<invalid>".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Milliseconds since the epoch, or undefined for a missing/zero/unparseable timestamp. */
export function parseTime(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  // Go's zero time (0001-01-01T00:00:00Z) is "unset" to the printers.
  if (Number.isNaN(t) || t <= -62135596800000) return undefined;
  return t;
}

/** translateTimestampSince: "<unknown>" for an unset time, else the age at `now`. */
export function since(ts: string | null | undefined, now: number): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}
