/**
 * The build stamp that lets the end-to-end tests refuse a stale dist/ (scripts/build-stamp.mjs): it must
 * change with anything the build compiles or copies, and only with that.
 */
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceStamp } from '../../scripts/build-stamp.mjs';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'npc-stamp-'));
  mkdirSync(join(root, 'src', 'deflate'), { recursive: true });
  writeFileSync(join(root, 'src', 'index.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'src', 'deflate', 'engine.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  writeFileSync(join(root, 'src', 'deflate', 'README.md'), '# engine\n');
  writeFileSync(join(root, 'tsconfig.json'), '{}\n');
  writeFileSync(join(root, 'tsconfig.build.json'), '{}\n');
  return root;
}

describe('the build stamp', () => {
  it('changes with a source file, the engine.wasm, a new file or a tsconfig; not with a README', () => {
    const root = tree();
    const stamps = [sourceStamp(root)];
    expect(stamps[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(sourceStamp(tree())).toBe(stamps[0]); // the same sources in another place: the same stamp

    appendFileSync(join(root, 'src', 'deflate', 'README.md'), 'more words\n');
    expect(sourceStamp(root)).toBe(stamps[0]);
    for (const change of [
      () => appendFileSync(join(root, 'src', 'index.ts'), '// edited\n'),
      () => appendFileSync(join(root, 'src', 'deflate', 'engine.wasm'), Buffer.from([1])),
      () => writeFileSync(join(root, 'src', 'new.ts'), ''),
      () => writeFileSync(join(root, 'tsconfig.build.json'), '{ }\n'),
      () => writeFileSync(join(root, 'tsconfig.json'), '{ }\n'),
    ]) {
      change();
      const stamp = sourceStamp(root);
      expect(stamps).not.toContain(stamp);
      stamps.push(stamp);
    }
  });

  it('moving bytes from one file to the next changes it (each file is framed by its path and length)', () => {
    const a = tree();
    const b = tree();
    writeFileSync(join(a, 'src', 'index.ts'), 'ab');
    writeFileSync(join(a, 'src', 'other.ts'), 'c');
    writeFileSync(join(b, 'src', 'index.ts'), 'a');
    writeFileSync(join(b, 'src', 'other.ts'), 'bc');
    expect(sourceStamp(a)).not.toBe(sourceStamp(b));
  });
});
