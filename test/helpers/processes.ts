/** OS processes as the process-runtime tests see them. */
import { readFileSync } from 'node:fs';

/** Running (a zombie nobody has reaped yet counts as dead: it is only waiting to be reaped). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
