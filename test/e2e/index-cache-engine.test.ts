/**
 * The index cache belongs to one engine: an entry records the identity of the engine that computed its
 * C(y) (the sha256 of engine.wasm as shipped), and an entry recorded by any other engine is rebuilt, never
 * read. The other engine's entry is written by hand here: the product has no switch to pretend otherwise.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { repoRoot, runNpc } from '../helpers/run-npc.js';

const WORDS = 'stock market rates bank oil prices team goal match season chip code release phone'.split(' ');

/** 20,000 rows (the size that gets cached), deterministic, two labels. */
function trainingFile(dir: string): string {
  const lines: string[] = [];
  let state = 12345;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < 20_000; i++) {
    const words = Array.from({ length: 6 }, () => WORDS[next() % WORDS.length]);
    lines.push(JSON.stringify({ label: i % 2 === 0 ? 'a' : 'b', text: `${words.join(' ')} ${i}` }));
  }
  const path = join(dir, 'train.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

interface IndexFile {
  bytes: Buffer;
  header: { key: string; engine: string; rows: number };
  /** Byte offset of the first C(y) in the file. */
  lengthsAt: number;
}

function readIndexFile(path: string): IndexFile {
  const bytes = readFileSync(path);
  const newline = bytes.indexOf(0x0a, 'NPCIDX1\n'.length);
  const header = JSON.parse(bytes.subarray('NPCIDX1\n'.length, newline).toString('utf8')) as IndexFile['header'];
  return { bytes, header, lengthsAt: newline + 1 + 4 * (header.rows + 1) };
}

/** The file with every C(y) set to `value` and its CRC-32 made right again (so only the header can refuse it). */
function withLengths(file: IndexFile, value: number): Buffer {
  const out = Buffer.from(file.bytes);
  for (let row = 0; row < file.header.rows; row++) out.writeInt32LE(value, file.lengthsAt + 4 * row);
  const body = out.indexOf(0x0a, 'NPCIDX1\n'.length) + 1;
  out.writeUInt32LE(crc32(out.subarray(body, out.length - 4)), out.length - 4);
  return out;
}

describe('the index cache and the engine identity', () => {
  it('records the sha256 of the shipped engine.wasm, and rebuilds an entry recorded by another engine instead of reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-idx-engine-'));
    const train = trainingFile(dir);
    const env = { NPC_DATA_DIR: join(dir, 'cache') };
    const args = ['classify', '--train', train, '--json', '--neighbors', '3', '--jobs', '1', 'stock market rates', 'team goal match'];

    const first = await runNpc(args, { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [name] = readdirSync(join(dir, 'cache', 'index'));
    const path = join(dir, 'cache', 'index', name);
    const written = readIndexFile(path);
    const shipped = `sha256:${createHash('sha256')
      .update(readFileSync(join(repoRoot, 'src', 'deflate', 'engine.wasm')))
      .digest('hex')}`;
    expect(written.header.engine).toBe(shipped);

    // The control: this engine's entry is trusted as it is (here with every C(y) made 1, so the answers change).
    writeFileSync(path, withLengths(written, 1));
    const poisoned = await runNpc(args, { env });
    expect(poisoned.code).toBe(0);
    expect(poisoned.stdout).not.toBe(first.stdout);

    // The same poisoned entry, recorded by another engine: not read; the lengths are computed again and cached anew.
    const other = `sha256:${'0'.repeat(64)}`;
    expect(other).toHaveLength(shipped.length); // the header keeps its length: only the identity differs
    writeFileSync(path, Buffer.from(withLengths(written, 1).toString('latin1').replace(shipped, other), 'latin1'));
    expect(readIndexFile(path).header.engine).toBe(other);
    const rebuilt = await runNpc(args, { env });
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toBe(first.stdout);
    expect(readFileSync(path).equals(written.bytes)).toBe(true);
  });
});
