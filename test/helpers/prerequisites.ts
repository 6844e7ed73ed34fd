/**
 * What a test needs besides the shared data sets (those: test/helpers/shared-data.ts): a program such as
 * python3, or a permission such as running npc as another user. A missing one is never passed over in
 * silence. With `CI` set it throws, naming what is missing: called while a test file is collected, the
 * file fails; called inside a test, the test fails. Otherwise it prints `SKIPPING <test>: needs <what>:
 * <why>` and returns false, and the caller skips (`describe.skipIf(!ok)`, or `ctx.skip()` in a test).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';

/** True when `problem` is undefined; see the module comment for what happens otherwise. */
export function requirePrerequisite(test: string, what: string, problem: string | undefined): boolean {
  if (problem === undefined) return true;
  if (process.env.CI) throw new Error(`${test} needs ${what}: ${problem}; failing because CI is set`);
  console.warn(`SKIPPING ${test}: needs ${what}: ${problem}`);
  return false;
}

/** Why a probe run of a program failed (it could not be started, or it exited non-zero), or undefined. */
export function spawnProblem(r: SpawnSyncReturns<string | Buffer>): string | undefined {
  if (r.error) return `not runnable here (${r.error.message})`;
  if (r.status !== 0) {
    const said = String(r.stderr ?? '')
      .trim()
      .split('\n')
      .at(-1);
    return `${r.status === null ? `killed by ${r.signal}` : `exit ${r.status}`}${said ? `: ${said}` : ''}`;
  }
  return undefined;
}

/** python3, run with `args` as a probe (by default `--version`): requirePrerequisite for it. */
export function requirePython3(test: string, args: string[] = ['--version']): boolean {
  return requirePrerequisite(test, 'python3', spawnProblem(spawnSync('python3', args, { encoding: 'utf8' })));
}
