/**
 * The test suite's own data location: the data sets are looked for at NPC_TEST_DATA (default
 * ../shared/data), tests that need missing data are skipped and the run ends with how many and why,
 * and under CI=true the missing data fails the module, naming it. Runs vitest itself (the last line of its stdout is the reporter's) on a fixture
 * module (test/fixtures/shared-data-skip/) with its own configuration.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'npc-test-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function innerVitest(
  env: Record<string, string | undefined>,
  args: string[] = [],
): { status: number | null; stdout: string; output: string } {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && key !== 'CI' && key !== 'NPC_TEST_DATA' && key !== 'TEST') clean[key] = value;
  }
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'test/fixtures/shared-data-skip/vitest.config.ts', ...args],
    { cwd: repoRoot, env: { ...clean, NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: 100_000 },
  );
  return { status: r.status, stdout: r.stdout, output: `${r.stdout}${r.stderr}` };
}

describe('where the test suite finds the data sets', () => {
  it('NPC_TEST_DATA pointing at no folder: the tests needing it are skipped and the run ends with their count and the folder', () => {
    const missing = join(dir, 'no-such-folder');
    const r = innerVitest({ NPC_TEST_DATA: missing });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`SKIPPING: shared benchmark data missing: ${missing}`);
    // Two tests skipped for want of data; the one skipped at run time for another reason is not counted.
    const last = r.stdout.trimEnd().split('\n').at(-1);
    expect(last).toBe(`2 tests skipped: data sets not found at ${missing} (set NPC_TEST_DATA to their folder; see docs/development.md)`);
  });

  it('NPC_TEST_DATA pointing at a folder with the file: the tests run and no skip line is printed', () => {
    const present = join(dir, 'data');
    mkdirSync(join(present, 'ag_news'), { recursive: true });
    writeFileSync(join(present, 'ag_news', 'test.jsonl.gz'), '');
    const r = innerVitest({ NPC_TEST_DATA: present });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/3 passed \| 1 skipped/);
    expect(r.output).not.toContain('data sets not found');
  });

  it('with a name filter (-t) only the skipped tests it selects are counted', () => {
    const missing = join(dir, 'no-such-folder');
    const r = innerVitest({ NPC_TEST_DATA: missing }, ['-t', 'needs the data first']);
    expect(r.status, r.output).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^1 test skipped: data sets not found at /);
  });

  it('a relative NPC_TEST_DATA is taken from the repository root', () => {
    const r = innerVitest({ NPC_TEST_DATA: 'no-such-relative-folder' });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`data sets not found at ${join(repoRoot, 'no-such-relative-folder')} `);
  });

  it('under CI=true missing data fails the run, naming the missing file and NPC_TEST_DATA', () => {
    const missing = join(dir, 'absent');
    const r = innerVitest({ NPC_TEST_DATA: missing, CI: 'true' });
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toContain(
      `shared benchmark data missing: ${missing}, ${join(missing, 'ag_news', 'test.jsonl.gz')} (the data sets are looked for at ${missing}; set NPC_TEST_DATA to their folder); failing because CI is set`,
    );
  });
});
