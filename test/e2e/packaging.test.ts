/**
 * The package as users install it (README: `npm pack`, then `npm install -g ./npc-gzip-*.tgz`): packed
 * from this clone into a temporary folder and installed into a temporary prefix. Installing it runs no
 * script of npc-gzip's (npm 11 warns about every install script it has not been told to allow), and the
 * installed `npc` runs. The pack uses `--ignore-scripts`: its `prepack` build would rebuild dist/ under
 * the other end-to-end tests (`npm test` has just built it). Dependencies come from npm's cache when
 * they are there (`--prefer-offline`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared-data.js';

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

/** npm, with none of the npm_* settings an enclosing `npm test` passes down (prefix, global, …). */
function npm(args: string[], cwd: string): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_')) env[key] = value;
  }
  const r = spawnSync('npm', args, { cwd, env: { ...env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 110_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

describe('the packed tarball, installed globally into a temporary prefix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npc-pack-'));
  const prefix = join(dir, 'prefix');
  let install: { status: number | null; output: string };
  let tarball: string;

  beforeAll(() => {
    if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does)');
    const pack = npm(['pack', '--ignore-scripts', '--pack-destination', dir], repoRoot);
    expect(pack.status, pack.output).toBe(0);
    const packed = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
    expect(packed).toEqual([`${pkg.name}-${pkg.version}.tgz`]);
    tarball = join(dir, packed[0]);
    install = npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs, and npm prints no warning about a script of npc-gzip', () => {
    expect(install.status, install.output).toBe(0);
    const ours = install.output.split('\n').filter((line) => /warn/i.test(line) && line.includes(pkg.name));
    expect(ours, install.output).toEqual([]);
    expect(install.output).not.toMatch(/install scripts not yet covered/);
  });

  it('the installed package.json has no install-time script (preinstall, install, postinstall, prepare)', () => {
    const installed = JSON.parse(readFileSync(join(prefix, 'lib', 'node_modules', pkg.name, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    expect(Object.keys(installed.scripts ?? {}).filter((s) => INSTALL_SCRIPTS.includes(s))).toEqual([]);
    // dist/ is built when the tarball is made, not when it is installed.
    expect(installed.scripts?.prepack).toBe('npm run build');
    expect(existsSync(join(prefix, 'lib', 'node_modules', pkg.name, 'dist', 'cli', 'main.js'))).toBe(true);
  });

  it('the installed npc runs: npc --version prints the package version', () => {
    const r = spawnSync(join(prefix, 'bin', 'npc'), ['--version'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
