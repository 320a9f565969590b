/** A small structured logger: one JSON line per entry on stderr, filtered by level. */
import type { LogLevel, Logger } from './types.js';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(level: LogLevel, bindings: Record<string, unknown>): Logger {
  const min = rank[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void => {
    if (rank[lvl] < min) return;
    const line = JSON.stringify({ level: lvl, time: Date.now(), ...bindings, msg, ...fields });
    process.stderr.write(line + '\n');
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}
