/** Spawns the real `bin/npc.js` (compiled dist/, built by `npm test` before vitest runs). */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceStamp, STAMP_FILE } from '../../scripts/build-stamp.mjs';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const npcBin = fileURLToPath(new URL('../../bin/npc.js', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a spawned npc: a copy of this process's (a test adds to it, never to ours). */
export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}

let builtFromTheseSources = false;

/**
 * Every spawn of bin/npc.js (and every import of dist/) goes through here: dist/ must exist and be built
 * from the sources as they are now (its build stamp, scripts/build-stamp.mjs, against a fresh hash of
 * them; checked once per test file), so no test runs a stale build.
 */
export function assertBuilt(): void {
  if (builtFromTheseSources) return;
  if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it) before the end-to-end tests');
  }
  let stamp = '';
  try {
    stamp = readFileSync(join(repoRoot, STAMP_FILE), 'utf8').trim();
  } catch {
    // no stamp: a build that did not finish, or one from before stamps
  }
  if (stamp !== sourceStamp(repoRoot)) {
    throw new Error(
      `dist/ is stale: it was not built from the sources as they are now (${STAMP_FILE} ${stamp === '' ? 'is missing' : 'differs'}); run \`npm run build\` (npm test does it) before the end-to-end tests`,
    );
  }
  builtFromTheseSources = true;
}

export function runNpc(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [npcBin, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...childEnv(), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}
