import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCachedIndex, writeCachedIndex } from '../../src/io/index-cache.js';
import { TrainingIndex } from '../../src/model/training-index.js';
import { LabelEncoder } from '../../src/model/labels.js';
import { createEngineCompressor, engineIdentity } from '../../src/compress/index.js';
import { NearestNeighbors } from '../../src/model/neighbors.js';

const texts = ['the striker scored twice', 'bank rates rose again', 'a new compiler release', 'caf\u00e9 \u4e2d\u6587 \u{1F600}', 'x'];
// 12345678901234567890n: a label beyond 2^53 must come back exactly (JSON numbers would round it).
const labels = ['sport', 'money', 'tech', 12345678901234567890n, 3];

describe('prepared index files', () => {
  const compressor = createEngineCompressor();
  const index = TrainingIndex.fromTexts(texts, labels, compressor);
  const prepared = { arrays: index.arrays(), classes: [...index.encoder.classes] };

  it('round-trips the arrays and classes exactly, and searches the same', async () => {
    const entry = { path: join(mkdtempSync(join(tmpdir(), 'npc-idx-')), 'a.npcidx'), key: 'key-1', engine: engineIdentity() };
    await writeCachedIndex(entry, prepared);
    const back = readCachedIndex(entry)!;
    expect(back.classes).toEqual(index.encoder.classes);
    expect(back.classes).toContain(12345678901234567890n);
    for (const name of ['data', 'offsets', 'compressedLengths', 'labelIds'] as const) {
      expect(Array.from(back.arrays[name])).toEqual(Array.from(index[name]));
      expect(back.arrays[name].buffer).toBeInstanceOf(SharedArrayBuffer);
    }
    const again = new TrainingIndex(back.arrays, new LabelEncoder(back.classes), compressor, true);
    const query = new TextEncoder().encode('the striker scored');
    expect(again.search(query, new NearestNeighbors(5)).toList()).toEqual(index.search(query, new NearestNeighbors(5)).toList());
  });

  it('reads another key, a damaged file or a missing file as a miss, never as data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-idx-'));
    const path = join(dir, 'a.npcidx');
    const entry = { path, key: 'key-1', engine: engineIdentity() };
    await writeCachedIndex(entry, prepared);
    expect(readCachedIndex({ ...entry, key: 'key-2' })).toBeUndefined();
    expect(readCachedIndex({ ...entry, path: join(dir, 'missing.npcidx') })).toBeUndefined();
    const bytes = readFileSync(path);
    const flipped = Buffer.from(bytes);
    flipped[bytes.length - 10] ^= 0xff;
    writeFileSync(path, flipped);
    expect(readCachedIndex(entry)).toBeUndefined();
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    expect(readCachedIndex(entry)).toBeUndefined();
    writeFileSync(path, 'not an index');
    expect(readCachedIndex(entry)).toBeUndefined();
  });

  it('a flipped byte in any of the four arrays (offsets, C(y), label ids, texts) reads as a miss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-idx-'));
    const path = join(dir, 'a.npcidx');
    const entry = { path, key: 'key-1', engine: engineIdentity() };
    await writeCachedIndex(entry, prepared);
    const bytes = readFileSync(path);
    const body = bytes.indexOf(0x0a, 8) + 1;
    const rows = texts.length;
    const starts = { offsets: body, lengths: body + 4 * (rows + 1), labels: body + 4 * (2 * rows + 1), texts: body + 4 * (3 * rows + 1) };
    for (const [section, at] of Object.entries(starts)) {
      const flipped = Buffer.from(bytes);
      flipped[at + 1] ^= 0x40;
      writeFileSync(path, flipped);
      expect({ section, read: readCachedIndex(entry) }).toEqual({ section, read: undefined });
    }
    writeFileSync(path, bytes);
    expect(readCachedIndex(entry)).toBeDefined();
  });

  it('a header longer than one read (3,000 label classes with long names) round-trips', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => `a label class with a long name, number ${i}`);
    const big = TrainingIndex.fromTexts(
      many.map((_, i) => `text ${i}`),
      many,
      compressor,
    );
    const entry = { path: join(mkdtempSync(join(tmpdir(), 'npc-idx-')), 'big.npcidx'), key: 'key-big', engine: engineIdentity() };
    await writeCachedIndex(entry, { arrays: big.arrays(), classes: [...big.encoder.classes] });
    expect(readFileSync(entry.path).indexOf(0x0a, 8)).toBeGreaterThan(64 * 1024);
    const back = readCachedIndex(entry)!;
    expect(back.classes).toEqual(big.encoder.classes);
    expect(Array.from(back.arrays.labelIds)).toEqual(Array.from(big.labelIds));
    expect(Array.from(back.arrays.data)).toEqual(Array.from(big.data));
  });
});
