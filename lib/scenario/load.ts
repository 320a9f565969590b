/**
 * loadScenario: reads a scenario file and the `file:` workloads next to it.
 * Paths that leave the scenario's directory (`..`, absolute paths, or a
 * symbolic link pointing outside) are refused with a located error.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep, isAbsolute } from 'node:path';
import type { ScenarioError } from './errors.js';
import { parseScenario, type ParseResult } from './parse.js';
import type { ReadFile } from './workloads.js';

export async function loadScenario(path: string): Promise<ParseResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const error: ScenarioError = { code: 'file', file: path, line: 1, column: 1, path: '', message: `cannot read the scenario: ${messageOf(e)}` };
    return { ok: false, errors: [error] };
  }
  return parseScenario(text, path, { readFile: fileReader(dirname(path)) });
}

/**
 * A reader for files under `dir`. parseScenario has already refused `..`
 * and absolute paths; this also refuses a link that resolves outside.
 */
export function fileReader(dir: string): ReadFile {
  return (rel) => {
    const full = resolve(dir, rel);
    try {
      const real = realpathSync(full);
      const within = relative(realpathSync(dir), real);
      if (within === '' || within.startsWith(`..${sep}`) || within === '..' || isAbsolute(within)) {
        return { ok: false, error: "it resolves outside the scenario's directory" };
      }
      return { ok: true, text: readFileSync(real, 'utf8') };
    } catch (e) {
      return { ok: false, error: messageOf(e) };
    }
  };
}

function messageOf(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'no such file';
  if (err?.code === 'EISDIR') return 'it is a directory';
  return e instanceof Error ? e.message : String(e);
}
