/**
 * C(s) against CPython: every case of test/fixtures/gzip-lengths.json (written by
 * scripts/gzip_reference.py with gzip.compress(data, compresslevel=9)) must come out of
 * `compressedLength` with exactly the reference length. The same cases are run against the exact
 * length engine in src/deflate when it exists.
 *
 * Node's own zlib (zlib.gzipSync) is deliberately NOT the reference: Node bundles Chromium's zlib
 * fork, whose level-9 output is not guaranteed to match CPython's zlib, so nothing here or in npc
 * relies on it. The reference is only ever the lengths the Python script recorded.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Compressor, compressedLength, pakoCompressor, utf8Bytes } from '../../src/compress/index.js';
import {
  checkCompressorAgainstFixture,
  expandedGzipCases,
  type ExpandedCase,
  loadGzipFixture,
  sha256Hex,
} from '../fixtures/gzip-fixture.js';
import { mulberry32, VOCAB } from '../fixtures/recipes.js';
import { repoRoot } from '../helpers/shared-data.js';

const fixture = loadGzipFixture();

/**
 * Categories computed here from the expanded texts (not read from the fixture), so a truncated or
 * thinned-out fixture fails. Each entry: name, predicate, minimum number of cases.
 */
const BLOCK = fixture.symbolsPerBlock;
const hasCodePointOfWidth = (text: string, width: number) =>
  Array.from(text).some((ch) => {
    const cp = ch.codePointAt(0)!;
    const w = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    return w === width;
  });
const isRepeat = (c: ExpandedCase, unit: string) => c.recipe.kind === 'repeat' && c.recipe.unit === unit;
const repeatCount = (c: ExpandedCase) => (c.recipe.kind === 'repeat' ? c.recipe.count : -1);

const CATEGORIES: [string, (c: ExpandedCase) => boolean, number][] = [
  ['empty string', (c) => c.text === '', 1],
  ['one byte', (c) => c.utf8.length === 1, 5],
  ['contains NUL', (c) => c.text.includes('\0'), 8],
  // eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL on purpose
  ['ASCII only, non-empty literal', (c) => c.recipe.kind === 'literal' && c.text !== '' && /^[\x00-\x7f]*$/.test(c.text), 40],
  ['2-byte UTF-8 chars', (c) => hasCodePointOfWidth(c.text, 2), 15],
  ['3-byte UTF-8 chars', (c) => hasCodePointOfWidth(c.text, 3), 15],
  ['4-byte UTF-8 chars', (c) => hasCodePointOfWidth(c.text, 4), 10],
  ['emoji', (c) => /\p{Extended_Pictographic}/u.test(c.text), 8],
  ['CJK', (c) => /\p{Script=Han}/u.test(c.text), 8],
  ['combining marks', (c) => /\p{M}/u.test(c.text), 5],
  ['concatenation a + " " + b', (c) => c.recipe.kind === 'concat', 40],
  ['"a"*N with N in 257..259', (c) => isRepeat(c, 'a') && [257, 258, 259].includes(repeatCount(c)), 3],
  ['"a"*N with N in 32767..32769', (c) => isRepeat(c, 'a') && [32767, 32768, 32769].includes(repeatCount(c)), 3],
  ['"ab"*N crossing 258 bytes', (c) => isRepeat(c, 'ab') && c.bytes > 258 && c.bytes < 600, 2],
  ['"ab"*N over 32 KiB', (c) => isRepeat(c, 'ab') && c.bytes > 32768, 2],
  ['~20 KB generated text', (c) => c.recipe.kind !== 'repeat' && c.bytes >= 18_000 && c.bytes <= 22_000, 8],
  ['~70 KB generated text', (c) => c.recipe.kind !== 'repeat' && c.bytes >= 65_000 && c.bytes <= 75_000, 6],
  ['over 100 KB', (c) => c.bytes > 100_000, 3],
  ['one block of exactly 16,383 symbols', (c) => c.blocks.length === 1 && c.blocks[0][1] === BLOCK, 2],
  ['one block just under 16,383 symbols', (c) => c.blocks.length === 1 && c.blocks[0][1] >= BLOCK - 3 && c.blocks[0][1] < BLOCK, 4],
  ['first block closed at 16,383 symbols', (c) => c.blocks.length >= 2 && c.blocks[0][1] === BLOCK, 20],
  ['empty last block after a full one', (c) => c.blocks.length >= 2 && c.blocks[c.blocks.length - 1][1] === 0, 1],
  ['three or more blocks', (c) => c.blocks.length >= 3, 5],
];

describe('gzip reference fixture', () => {
  it('was written by scripts/gzip_reference.py from CPython gzip.compress level 9', () => {
    expect(fixture.generator).toBe('scripts/gzip_reference.py');
    expect(fixture.definition).toContain('gzip.compress');
    expect(fixture.definition).toContain('compresslevel=9');
    expect(fixture.symbolsPerBlock).toBe(16383);
  });

  it('has at least 200 cases with unique ids', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(200);
    expect(new Set(fixture.cases.map((c) => c.id)).size).toBe(fixture.cases.length);
  });

  it('stores no big text: big inputs are recipes', () => {
    const bigLiterals = expandedGzipCases().filter((c) => c.recipe.kind === 'literal' && c.bytes > 2000);
    expect(bigLiterals.map((c) => c.id)).toEqual([]);
  });

  it.each(CATEGORIES)('covers: %s', (name, predicate, min) => {
    expect(expandedGzipCases().filter(predicate).length, `cases in category "${name}"`).toBeGreaterThanOrEqual(min);
  });

  it('mulberry32 in TypeScript yields the same integers as the Python script', () => {
    for (const v of fixture.prng) {
      const next = mulberry32(v.seed);
      const first = Array.from({ length: v.first.length }, next);
      expect(first, `seed ${v.seed}`).toEqual(v.first);
      for (let i = v.first.length; i < 100_000 - 1; i++) next();
      expect(next(), `seed ${v.seed}, output 100000`).toBe(v.at100000);
    }
    expect(fixture.prng.length).toBeGreaterThanOrEqual(5);
  });

  it('uses the same word lists as the Python script', () => {
    for (const [name, words] of Object.entries(VOCAB)) {
      expect(sha256Hex(utf8Bytes(words.join('\n'))), name).toBe(fixture.vocabSha256[name]);
    }
    expect(Object.keys(fixture.vocabSha256).sort()).toEqual(Object.keys(VOCAB).sort());
  });

  it('expands every recipe to exactly the bytes Python compressed (sha256)', () => {
    const bad = expandedGzipCases()
      .filter((c) => c.utf8.length !== c.bytes || sha256Hex(c.utf8) !== c.sha256)
      .map((c) => c.id);
    expect(bad).toEqual([]);
  });
});

describe('compressedLength (the default engine) and pako reproduce CPython gzip level 9', () => {
  it('compressedLength (default compressor) matches every fixture length', () => {
    const mismatches = expandedGzipCases()
      .filter((c) => compressedLength(c.text) !== c.length)
      .map((c) => ({ id: c.id, expected: c.length, actual: compressedLength(c.text) }));
    expect(mismatches).toEqual([]);
  });

  it('pako matches through the Compressor interface, including the length-prefix form', () => {
    expect(checkCompressorAgainstFixture(pakoCompressor)).toEqual([]);
  });

  it('is not node:zlib (informational: how many cases Node’s bundled zlib would get wrong)', async () => {
    const { gzipSync } = await import('node:zlib');
    const differ = expandedGzipCases().filter((c) => gzipSync(c.utf8, { level: 9 }).length !== c.length);
    console.info(
      `node:zlib ${process.versions.zlib} gzipSync level 9 differs from CPython on ${differ.length} of ` +
        `${fixture.cases.length} fixture cases${
          differ.length
            ? ` (e.g. ${differ
                .slice(0, 3)
                .map((c) => c.id)
                .join(', ')})`
            : ''
        }; ` +
        'npc never uses it for C(s).',
    );
    // What is asserted: the reference is the script's CPython numbers, not whatever Node computes.
    expect(fixture.generator).toBe('scripts/gzip_reference.py');
  });
});

const deflateEntry = path.join(repoRoot, 'src', 'deflate', 'index.ts');

describe('src/deflate (exact length engine) reproduces CPython gzip level 9', () => {
  interface DeflateModule {
    gzipLength?: (bytes: Uint8Array, length?: number) => number;
    DeflateLengthEngine?: new () => Compressor | { gzipLength(bytes: Uint8Array, length?: number): number };
  }
  const load = async (): Promise<DeflateModule> => (await import(/* @vite-ignore */ pathToFileURL(deflateEntry).href)) as DeflateModule;

  it('exports gzipLength, which matches every fixture length', async () => {
    const mod = await load();
    expect(typeof mod.gzipLength).toBe('function');
    const compressor: Compressor = {
      name: 'src/deflate gzipLength',
      gzipLength: (bytes, length) => mod.gzipLength!(bytes, length),
    };
    expect(checkCompressorAgainstFixture(compressor)).toEqual([]);
  });

  it('one reused DeflateLengthEngine instance matches every fixture length', async () => {
    const mod = await load();
    expect(typeof mod.DeflateLengthEngine).toBe('function');
    const engine = new mod.DeflateLengthEngine!();
    expect(typeof engine.gzipLength).toBe('function');
    const compressor: Compressor = {
      name: 'src/deflate DeflateLengthEngine',
      gzipLength: (bytes, length) => engine.gzipLength(bytes, length),
    };
    // One instance for all 2 x 323 calls, small after big and back: no state may leak between inputs.
    expect(checkCompressorAgainstFixture(compressor)).toEqual([]);
  });
});

describe('the engine compressor: scanners sharing one WebAssembly instance', () => {
  it('two scanners of one compressor, interleaved (plain and prepared rows, single inputs between), equal pako', async () => {
    const { createEngineCompressor, createPairScanner, PREPARE_AFTER_QUERIES } = await import('../../src/compress/index.js');
    const engine = createEngineCompressor();
    const next = mulberry32(42);
    const rand = () => next() / 2 ** 32;
    const words = [...VOCAB.ascii, ...VOCAB.mixed];
    const word = () => words[Math.floor(rand() * words.length)];
    const text = (n: number) => Array.from({ length: n }, word).join(' ');
    const sets = [0, 1].map(() => {
      const rows = Array.from({ length: 30 }, () => utf8Bytes(text(1 + Math.floor(rand() * 60))));
      const offsets = new Int32Array(rows.length + 1);
      rows.forEach((r, i) => (offsets[i + 1] = offsets[i] + r.length));
      const data = new Uint8Array(offsets[rows.length]);
      rows.forEach((r, i) => data.set(r, offsets[i]));
      return { rows, offsets, data, scanner: createPairScanner(engine) };
    });
    const pair = (x: Uint8Array, y: Uint8Array) =>
      pakoCompressor.gzipLength(utf8Bytes(new TextDecoder().decode(x) + ' ' + new TextDecoder().decode(y)));
    let byRow = 0;
    for (let q = 0; q < PREPARE_AFTER_QUERIES + 2; q++) {
      const xs = sets.map(() => utf8Bytes(text(5 + Math.floor(rand() * 40))));
      sets.forEach((s, k) => expect(s.scanner.setQuery(xs[k])).toBe(pakoCompressor.gzipLength(xs[k])));
      const prepared = sets.map((s) => s.scanner.prepare?.(s.data, s.offsets, 0, s.rows.length) === true);
      for (let i = 0; i < 30; i++) {
        for (const k of [i % 2, 1 - (i % 2)]) {
          const s = sets[k];
          const got = prepared[k] ? s.scanner.pairLengthOfRow!(i) : s.scanner.pairLength(s.data, s.offsets[i], s.offsets[i + 1]);
          if (prepared[k]) byRow++;
          expect(got, `query ${q} scanner ${k} row ${i}`).toBe(pair(xs[k], s.rows[i]));
          if (i % 7 === 0) expect(engine.gzipLength(s.rows[i])).toBe(pakoCompressor.gzipLength(s.rows[i]));
        }
      }
    }
    expect(byRow, 'pairs by prepared row').toBeGreaterThan(0);
  });
});
