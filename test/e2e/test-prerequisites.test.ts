/**
 * The test suite's own rule for the programs its tests need (test/helpers/prerequisites.ts): without
 * python3 a test that needs it is skipped with the reason printed, and under CI=true it fails, naming
 * python3. Runs vitest itself on fixture modules (test/fixtures/prerequisites/: one asks while it is
 * collected, one inside its test) with python3 hidden: PATH is a folder holding only node.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requirePython3 } from '../helpers/prerequisites.js';
import { repoRoot } from '../helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'npc-prerequisites-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const onlyNode = join(dir, 'bin');
mkdirSync(onlyNode);
symlinkSync(process.execPath, join(onlyNode, 'node'));

function innerVitest(env: Record<string, string | undefined>): { status: number | null; output: string } {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && key !== 'CI' && key !== 'TEST') clean[key] = value;
  }
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'test/fixtures/prerequisites/vitest.config.ts'],
    { cwd: repoRoot, env: { ...clean, NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: 100_000 },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('tests that need python3', () => {
  it('under CI=true with python3 missing from PATH: the run fails, naming python3, whether asked at collection or in the test', () => {
    const r = innerVitest({ CI: 'true', PATH: onlyNode });
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toContain(
      'the collected fixture needs python3: not runnable here (spawnSync python3 ENOENT); failing because CI is set',
    );
    expect(r.output).toContain('the fixture test needs python3: not runnable here (spawnSync python3 ENOENT); failing because CI is set');
    expect(r.output).not.toContain('SKIPPING the');
  });

  it('without CI and python3 missing from PATH: both are skipped, each printing why, and the run passes', () => {
    const r = innerVitest({ PATH: onlyNode });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SKIPPING the collected fixture: needs python3: not runnable here (spawnSync python3 ENOENT)');
    expect(r.output).toContain('SKIPPING the fixture test: needs python3: not runnable here (spawnSync python3 ENOENT)');
    expect(r.output).toMatch(/Tests {2}2 skipped \(2\)/);
  });

  it('under CI=true with python3 on PATH: both run and pass', (ctx) => {
    if (!requirePython3('the check that python3 on PATH is found')) return ctx.skip();
    const r = innerVitest({ CI: 'true' });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/Tests {2}2 passed \(2\)/);
  });
});
