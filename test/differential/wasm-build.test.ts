/**
 * src/deflate/engine.wasm (the shipped engine) and test/helpers/engine-test.wasm (the test engine) are
 * committed, not built by `npm ci` (README.md in src/deflate says why). This test rebuilds both from
 * assembly/ with the pinned AssemblyScript (asconfig.json and asconfig.test.json, as
 * `npm run build:wasm` does) and requires the very same bytes, so each committed binary is always the
 * one the sources give; and it checks that the compiled dist/ carries the shipped one (npm run build
 * copies it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const committed = join(root, 'src', 'deflate', 'engine.wasm');

/** Rebuilds the binary of an asconfig file into a temporary file; returns its bytes. */
function rebuild(config: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'npc-wasm-'));
  try {
    const out = join(dir, 'engine.wasm');
    const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
    const r = spawnSync(process.execPath, [asc, '--config', config, '--outFile', out], { cwd: root, encoding: 'utf8' });
    expect(r.status, `asc --config ${config} failed: ${r.stderr}`).toBe(0);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('engine.wasm', () => {
  for (const [config, file] of [
    ['asconfig.json', join('src', 'deflate', 'engine.wasm')],
    ['asconfig.test.json', join('test', 'helpers', 'engine-test.wasm')],
  ]) {
    it(`${file} is byte-identical to a rebuild of assembly/ with ${config} (npm run build:wasm)`, () => {
      const rebuilt = rebuild(config);
      const have = readFileSync(join(root, file));
      expect(rebuilt.length, `size of the rebuilt ${file} vs the committed one: run \`npm run build:wasm\` and commit`).toBe(have.length);
      expect(rebuilt.equals(have), `the rebuilt ${file} differs from the committed one: run \`npm run build:wasm\` and commit`).toBe(true);
    });
  }

  it('is in dist/ next to the compiled loader, the same bytes', () => {
    const dist = join(root, 'dist', 'deflate', 'engine.wasm');
    if (!existsSync(join(root, 'dist', 'deflate', 'engine.js'))) {
      console.warn('test/differential/wasm-build.test.ts: dist/ not built (npm test builds it first): SKIPPING the dist check');
      return;
    }
    expect(readFileSync(dist).equals(readFileSync(committed))).toBe(true);
  });
});
