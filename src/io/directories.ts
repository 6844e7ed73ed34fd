/**
 * Creating a directory and its missing parents with one mkdir per missing level and no retries.
 * Node's `mkdir(dir, {recursive: true})` retries forever where mkdir reports ENOENT although the parent
 * exists (a folder under /proc: ~40,000 failed calls a second at 100 % CPU); this gives up at once.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` (and its parents) if missing. Returns the first directory it created (the root of what
 * is new, for cleaning up), or undefined when `dir` already existed. Throws the system error otherwise.
 */
export function makeDirectories(dir: string): string | undefined {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(d).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (isDirectory === false) throw Object.assign(new Error(`${d} is not a directory`), { code: 'ENOTDIR' });
    if (isDirectory) break;
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]);
    } catch (err) {
      // Another process may have made it meanwhile: that is fine, anything else is not.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return missing.length ? missing[missing.length - 1] : undefined;
}
