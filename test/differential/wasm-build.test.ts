/**
 * src/deflate/engine.wasm is committed, not built by `npm ci` (README.md in src/deflate says why). This
 * test rebuilds it from assembly/ with the pinned AssemblyScript (asconfig.json, the same options as
 * `npm run build:wasm`) and requires the very same bytes, so the committed binary is always the one
 * the sources give; and it checks that the compiled dist/ carries the same file (npm run build copies it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const committed = join(root, 'src', 'deflate', 'engine.wasm');

describe('engine.wasm', () => {
  it('is byte-identical to a rebuild of assembly/ (npm run build:wasm)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-wasm-'));
    try {
      const out = join(dir, 'engine.wasm');
      const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
      const r = spawnSync(process.execPath, [asc, '--config', 'asconfig.json', '--outFile', out], { cwd: root, encoding: 'utf8' });
      expect(r.status, `asc failed: ${r.stderr}`).toBe(0);
      const rebuilt = readFileSync(out);
      const have = readFileSync(committed);
      expect(rebuilt.length, 'size of the rebuilt engine.wasm vs the committed one: run `npm run build:wasm` and commit').toBe(have.length);
      expect(rebuilt.equals(have), 'the rebuilt engine.wasm differs from the committed one: run `npm run build:wasm` and commit').toBe(
        true,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is in dist/ next to the compiled loader, the same bytes', () => {
    const dist = join(root, 'dist', 'deflate', 'engine.wasm');
    if (!existsSync(join(root, 'dist', 'deflate', 'engine.js'))) {
      console.warn('test/differential/wasm-build.test.ts: dist/ not built (npm test builds it first): SKIPPING the dist check');
      return;
    }
    expect(readFileSync(dist).equals(readFileSync(committed))).toBe(true);
  });
});
