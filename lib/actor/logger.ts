/**
 * Structured logs: pino, one JSON line per entry on stderr, filtered by
 * level. Each thread has one root pino logger per level; an actor's logger
 * is a child binding its host and address, so thousands of node actors cost
 * a binding each, not a logger each. A host thread's process.stderr is
 * Node's stream to the main thread, so worker logs come out of the
 * embedding process's stderr, in order with its own.
 *
 * Fields whose name looks secret (password, token, secret, authorization,
 * api keys, private keys, credentials) are replaced by "[Redacted]" at any
 * depth before the line is written: pino's own `redact` wants fixed paths,
 * and actors log arbitrary objects.
 */
import { pino, type Logger as PinoLogger } from 'pino';
import type { LogLevel, Logger } from './types.js';

export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

const SECRET_KEY = /pass(word|wd)?$|secret|token|authorization|api[-_]?key|private[-_]?key|credential|cookie/i;
const REDACTED = '[Redacted]';
const MAX_DEPTH = 8;

/** A copy of `value` with secret-looking fields replaced; shared structure is left alone when nothing is secret. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = redactSecrets(v, depth + 1);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  if (value instanceof Error || ArrayBuffer.isView(value)) return value;
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    const r = SECRET_KEY.test(k) && v !== undefined && v !== null ? REDACTED : redactSecrets(v, depth + 1);
    if (r !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = r;
  }
  return out ?? value;
}

const roots = new Map<LogLevel, PinoLogger>();

function root(level: LogLevel): PinoLogger {
  let r = roots.get(level);
  if (!r) {
    r = pino(
      {
        level,
        base: undefined, // no pid/hostname on every line: the host binding says where a line comes from
        timestamp: pino.stdTimeFunctions.epochTime,
        formatters: {
          level: (label) => ({ level: label }),
          log: (obj) => redactSecrets(obj) as Record<string, unknown>,
        },
      },
      process.stderr,
    );
    roots.set(level, r);
  }
  return r;
}

/** Adapts pino's `(fields, msg)` to Berth's `(msg, fields)` so actors keep their interface. */
function wrap(p: PinoLogger): Logger {
  const at = (lvl: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>): void => {
    if (fields) p[lvl](fields, msg);
    else p[lvl](msg);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function createLogger(level: LogLevel, bindings: Record<string, unknown>): Logger {
  return wrap(root(level).child(redactSecrets(bindings) as Record<string, unknown>));
}

let override: LogLevel | null = null;

/**
 * The CLI's `--log-level`: wins over the level a command or an embedder
 * asks its supervisor for, in this process (host threads get it at start).
 */
export function overrideLogLevel(level: LogLevel | null): void {
  override = level;
}

/** The level a supervisor gives its hosts: the override, else what was asked, else `warn`. */
export function effectiveLogLevel(requested: LogLevel | undefined): LogLevel {
  return override ?? requested ?? 'warn';
}

/** Is `s` a log level name? (CLI option parsing.) */
export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}
