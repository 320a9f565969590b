/**
 * What an image means to the process runtime: `node` (or `node:<tag>`)
 * is the Node binary running this node (process.execPath), as the official
 * node image's entrypoint runs `node` with the args; any other image has no
 * filesystem behind it, so the container's `command[0]` names the program
 * (looked up on PATH). No shell is involved.
 */
import type { Container } from '../../../lib/api/types/pod.js';

export type Program = { readonly ok: true; readonly file: string; readonly args: readonly string[] } | { readonly ok: false; readonly error: string };

export function isNodeImage(image: string | undefined): boolean {
  const name = (image ?? '').split('@')[0]!.replace(/:[^/:]*$/, '');
  return name === 'node' || name === 'docker.io/library/node' || name === 'library/node';
}

/**
 * Kubernetes' command/args over the image's entrypoint: `command` replaces
 * the entrypoint, `args` the default arguments; `$(VAR)` references are
 * expanded from the container's environment.
 */
export function programOf(c: Pick<Container, 'image' | 'command' | 'args'>, env: Readonly<Record<string, string>>): Program {
  const command = (c.command ?? []).map((s) => expand(s, env));
  const args = (c.args ?? []).map((s) => expand(s, env));
  if (isNodeImage(c.image)) {
    const argv = [...command, ...args];
    // `node …` or a bare script/flags: both run this Node binary.
    if (argv[0] === 'node') argv.shift();
    if (command.length > 0 && command[0] !== 'node') return { ok: true, file: command[0]!, args: [...command.slice(1), ...args] };
    return { ok: true, file: process.execPath, args: argv };
  }
  if (command.length === 0) {
    return { ok: false, error: `image "${c.image ?? ''}" has no entrypoint on a process node: give the program as command[0] (only the node image runs without one)` };
  }
  return { ok: true, file: command[0]!, args: [...command.slice(1), ...args] };
}

/** $(VAR) from env; $$ escapes; an unknown reference stays as written (as Kubernetes does). */
export function expand(s: string, env: Readonly<Record<string, string>>): string {
  if (!s.includes('$')) return s;
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    const v = env[name!];
    return v === undefined ? m : v;
  });
}
