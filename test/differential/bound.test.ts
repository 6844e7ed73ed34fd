/**
 * assembly/bound.ts: the lower bound on a block's dynamic cost (opt_len) that lets a pair with a
 * length limit skip zlib's Huffman trees. Two properties are tested here:
 *
 * 1. The bound never exceeds zlib's opt_len, static_len is zlib's, and when the bound says it is
 *    exact it is zlib's opt_len. In BOUND_CHECK mode the engine computes the bound of every block
 *    (with the partial bounds of a limited pair when a limit is set), then zlib's trees, and counts
 *    every violation (FLUSH_CHECK_FAILED); the trees themselves are tested against pako in
 *    trees.test.ts, the whole engine in engine.test.ts and pair.test.ts. The blocks: random symbol
 *    streams of every shape (ties, single-code and empty trees, Fibonacci frequencies that make
 *    zlib's trees overflow 15 and 7 bits), generated inputs of every kind from scratch, and real
 *    AG News, R8 and 20News pairs (prepared rows and plain pairs, with and without limits).
 * 2. The limited pair lengths keep their contract: a result below the limit is the exact length; a
 *    result at or above it is a lower bound on the exact length (pairLengthOfRowBounded,
 *    pairLengthBounded), with limits on both sides of the exact length.
 *
 * The search built on it (searchRange) is tested for identical neighbour lists in
 * test/unit/search-range.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  BOUND_CALLS,
  BOUND_CHECK,
  BOUND_EARLY,
  BOUND_NOT_INVARIANT,
  BOUND_ON,
  BOUND_OVERFLOW,
  BOUND_POOLED,
  FLUSH_AT_LIMIT,
  FLUSH_BY_BOUND,
  FLUSH_CHECK_BOUND,
  FLUSH_CHECK_EXACT,
  FLUSH_CHECK_FAILED,
  FLUSH_CHECK_OPT,
  STAT_OVERFLOW_BL,
  STAT_OVERFLOW_L,
  TestEngine,
} from '../helpers/test-engine.js';
import { KINDS, Rng, generate } from '../helpers/deflate-generators.js';
import { readTexts } from '../helpers/deflate-data.js';
import { requireSharedData } from '../helpers/shared-data.js';
import { packQueries } from '../../src/parallel/batch.js';

const utf8 = new TextEncoder();

/** Checks (blocks whose bound was compared with zlib's trees) and exact claims seen in this file. */
let checks = 0;
let exactClaims = 0;

/** After a flush in BOUND_CHECK mode: count the check (bound -1: the bound declined). */
function countCheck(e: TestEngine): void {
  if (e.flushStat(FLUSH_CHECK_BOUND) >= 0) {
    checks++;
    if (e.flushStat(FLUSH_CHECK_EXACT) !== 0) exactClaims++;
  }
}

type Sym = { dist: number; lc: number }; // dist 0: literal lc

const LC_OF_CODE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 255];
const DIST_OF_CODE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385,
  24577,
];

function fib(n: number): number[] {
  const f = [1, 1];
  while (f.length < n) f.push(f[f.length - 1] + f[f.length - 2]);
  return f.slice(0, n);
}

/** Symbols with the given counts, shuffled. */
function symbols(rng: Rng, counts: { sym: Sym; count: number }[]): Sym[] {
  const out: Sym[] = [];
  for (const { sym, count } of counts) for (let k = 0; k < count; k++) out.push(sym);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, 16383);
}

/** A random symbol: a literal of the alphabet, or a match of a random length code and distance code. */
function anySym(rng: Rng, alphabet: number[], lengths: number, dists: number): Sym {
  if (rng.next() < 0.7) return { dist: 0, lc: rng.pick(alphabet) };
  return { dist: DIST_OF_CODE[rng.int(dists)] + rng.int(2), lc: LC_OF_CODE[rng.int(lengths)] };
}

/** A block's symbols, of one of many shapes. */
function randomBlock(rng: Rng): Sym[] {
  const shape = rng.int(9);
  const alphabet = Array.from({ length: rng.pick([1, 2, 3, 5, 26, 60, 120, 256]) }, () => rng.int(256));
  switch (shape) {
    case 0: // Zipf-like text: many symbols of frequency 1-3, a few frequent ones
      return symbols(
        rng,
        alphabet.map((lc, i) => ({ sym: { dist: 0, lc }, count: Math.max(1, Math.floor(200 / (i + 1) ** rng.range(1, 2))) })),
      ).concat(Array.from({ length: rng.int(120) }, () => anySym(rng, alphabet, 29, 30)));
    case 1: // equal frequencies: ties everywhere
      return symbols(
        rng,
        alphabet.map((lc) => ({ sym: { dist: 0, lc }, count: rng.pick([1, 2, 3, 4, 7]) })),
      );
    case 2: {
      // Fibonacci literal frequencies: trees deeper than 15 bits (zlib's fix-up)
      const f = fib(rng.range(15, 21));
      return symbols(
        rng,
        f.map((count, i) => ({ sym: { dist: 0, lc: (i * 7 + 3) & 255 }, count })),
      );
    }
    case 3: {
      // Fibonacci distance-code frequencies
      const f = fib(rng.range(12, 21));
      return symbols(
        rng,
        f.map((count, i) => ({ sym: { dist: DIST_OF_CODE[(i * 11) % 30], lc: rng.int(256) }, count })),
      );
    }
    case 4: // one literal, maybe one distance code
      return Array.from({ length: rng.range(1, 40) }, () =>
        rng.next() < 0.5 ? { dist: 0, lc: 65 } : { dist: DIST_OF_CODE[rng.int(2)], lc: 5 },
      );
    case 5: // literals only (an empty distance tree: forced codes)
      return Array.from({ length: rng.range(0, 300) }, () => ({ dist: 0, lc: rng.pick(alphabet) }));
    case 6: // runs of consecutive codes with equal frequencies (REP_3_6 in the header)
      return symbols(
        rng,
        Array.from({ length: rng.range(4, 40) }, (_, i) => ({ sym: { dist: 0, lc: 97 + (i % 26) }, count: 1 + (i % rng.range(1, 4)) })),
      ).concat(Array.from({ length: rng.range(4, 60) }, () => anySym(rng, [32], rng.range(1, 29), rng.range(1, 30))));
    case 7: // long blocks: frequencies in the thousands
      return Array.from({ length: rng.pick([2000, 16383]) }, () => anySym(rng, alphabet, rng.range(1, 29), rng.range(1, 30)));
    default: // short blocks of a few symbols
      return Array.from({ length: rng.int(30) }, () => anySym(rng, alphabet, rng.range(1, 29), rng.range(1, 30)));
  }
}

describe('the bound never exceeds zlib opt_len, and its exact claims are exact (BOUND_CHECK)', () => {
  it('random symbol streams of every shape (ties, forced codes, 15- and 7-bit overflow, REP runs)', () => {
    const e = new TestEngine();
    e.setBoundMode(BOUND_CHECK);
    const raw = e.raw;
    let blocksRun = 0;
    const rng = new Rng(20261207);
    for (let t = 0; t < 3000; t++) {
      raw.trees_reset();
      const blocks = rng.range(1, 3);
      blocksRun += blocks;
      for (let b = 0; b < blocks; b++) {
        const syms = randomBlock(rng);
        let covered = 0;
        for (const s of syms) {
          if (s.dist === 0) raw.tally_lit(s.lc);
          else raw.tally_dist(s.dist, s.lc);
          covered += s.dist === 0 ? 1 : s.lc + 3;
        }
        raw.flush_block(Math.min(covered, 65535), rng.next() < 0.9 ? 1 : 0, b === blocks - 1 ? 1 : 0);
        countCheck(e);
      }
      if (e.flushStat(FLUSH_CHECK_FAILED) !== 0) {
        expect.fail(
          `stream ${t}: bound ${e.flushStat(FLUSH_CHECK_BOUND)} (exact ${e.flushStat(FLUSH_CHECK_EXACT)}) vs zlib opt_len ${e.flushStat(FLUSH_CHECK_OPT)}`,
        );
      }
    }
    expect(checks).toBeGreaterThan(4000);
    expect(checks, 'the bound handles every block').toBe(blocksRun);
    expect(e.flushStat(BOUND_OVERFLOW), 'trees deeper than 15 bits').toBeGreaterThan(10);
    expect(e.stat(STAT_OVERFLOW_L), 'zlib overflow fix-ups').toBeGreaterThan(10);
    expect(e.stat(STAT_OVERFLOW_BL), 'bit-length tree over 7 bits').toBeGreaterThan(0);
    expect(e.flushStat(BOUND_NOT_INVARIANT), 'classes not invariant').toBeGreaterThan(10);
    expect(e.flushStat(BOUND_POOLED), 'pooled header items').toBeGreaterThan(100);
    expect(exactClaims, 'exact claims').toBeGreaterThan(500);
  });

  it('generated inputs of every kind, from scratch (every block of multi-block inputs too)', () => {
    const e = new TestEngine();
    e.setBoundMode(BOUND_CHECK);
    const rng = new Rng(7207);
    const before = checks;
    for (let i = 0; i < 2500; i++) {
      const kind = KINDS[i % KINDS.length];
      const n = rng.pick([0, 1, 3, 10, 60, 200, 500, 1000, 1024, 3000, 20000]);
      const bytes = generate(rng, kind, n);
      e.gzipLength(bytes);
      countCheck(e);
      if (e.flushStat(FLUSH_CHECK_FAILED) !== 0) expect.fail(`${kind} n=${n}: a bound above zlib's opt_len or a wrong exact claim`);
    }
    expect(checks - before).toBeGreaterThan(1500);
  });
});

const AG_TRAIN = 'ag_news/train.first2000.jsonl.gz';
const AG_TEST = 'ag_news/test.jsonl.gz';
const R8_TRAIN = 'r8/train.jsonl.gz';
const R8_TEST = 'r8/test.jsonl.gz';
const NEWS_TRAIN = '20news/train.jsonl.gz';
const NEWS_TEST = '20news/test.jsonl.gz';
const haveAg = requireSharedData(AG_TRAIN, AG_TEST);
const haveR8 = requireSharedData(R8_TRAIN, R8_TEST);
const haveNews = requireSharedData(NEWS_TRAIN, NEWS_TEST);

function rowsOf(texts: string[]): { data: Uint8Array; offsets: Int32Array } {
  const enc = texts.map((t) => utf8.encode(t));
  const { bytes: data, offsets } = packQueries(enc);
  return { data, offsets };
}

/**
 * Every pair of queries x rows, in BOUND_CHECK mode: by row (prepared if short enough) and as a
 * plain pair, each without a limit (the full bound) and with limits below and around the exact
 * length (the partial bounds of the early exit). Also the limited lengths' contract in BOUND_ON
 * mode. Returns the number of pairs.
 */
function checkRealPairs(queries: string[], rows: string[], what: string, limits: boolean): number {
  const e = new TestEngine();
  const { data, offsets } = rowsOf(rows);
  e.loadRows(data, offsets, 0, rows.length);
  e.prepareRows();
  let pairs = 0;
  for (const q of queries) {
    const x = utf8.encode(q);
    e.setQuery(x);
    for (let i = 0; i < rows.length; i++) {
      e.setBoundMode(BOUND_CHECK);
      const exact = e.pairLengthOfRow(i);
      countCheck(e);
      if (e.pairLength(data, offsets[i], offsets[i + 1]) !== exact) expect.fail(`${what}: row ${i}: plain pair differs`);
      countCheck(e);
      if (limits) {
        for (const d of [-60, -20, -5, 0, 3]) {
          if (e.pairLengthOfRowBounded(i, exact + d) !== exact) expect.fail(`${what}: row ${i}: checked bounded length differs`);
          countCheck(e);
        }
      }
      if (e.flushStat(FLUSH_CHECK_FAILED) !== 0) {
        expect.fail(
          `${what}: row ${i}: bound ${e.flushStat(FLUSH_CHECK_BOUND)} exact ${e.flushStat(FLUSH_CHECK_EXACT)} vs zlib opt_len ${e.flushStat(FLUSH_CHECK_OPT)}`,
        );
      }
      if (limits) {
        e.setBoundMode(BOUND_ON);
        for (const d of [-40, -10, -3, -1, 0, 1, 2, 10]) {
          const limit = exact + d;
          for (const got of [e.pairLengthOfRowBounded(i, limit), e.pairLengthBounded(data, offsets[i], offsets[i + 1], limit)]) {
            if (got < limit ? got !== exact : got > exact) expect.fail(`${what}: row ${i}: limit ${limit}: got ${got}, exact ${exact}`);
          }
        }
      }
      pairs++;
    }
  }
  return pairs;
}

describe.skipIf(!haveAg || !haveR8 || !haveNews)('real texts: the bound against zlib trees, and the limited lengths', () => {
  it('AG News: 20 test texts x the 2,000-row train head (40,000 pairs), with limits around each length', () => {
    const e0 = checks;
    const pairs = checkRealPairs(readTexts(AG_TEST, 20), readTexts(AG_TRAIN, 2000), 'AG News', true);
    expect(pairs).toBe(40_000);
    expect(checks - e0).toBeGreaterThanOrEqual(7 * 40_000);
  });

  it('R8: 10 test texts x 300 train texts (longer texts; pairs over 1,024 bytes are not prepared)', () => {
    expect(checkRealPairs(readTexts(R8_TEST, 10), readTexts(R8_TRAIN, 300), 'R8', true)).toBe(3000);
  });

  it('20News: 4 test texts x 120 train texts (up to 75 KB: several blocks, windows that slide)', () => {
    expect(checkRealPairs(readTexts(NEWS_TEST, 4), readTexts(NEWS_TRAIN, 120), '20News', true)).toBe(480);
  });

  it('the skip and the exact shortcut both happen on AG News (BOUND_ON, limits at the exact length)', () => {
    const e = new TestEngine();
    const rows = readTexts(AG_TRAIN, 500);
    const { data, offsets } = rowsOf(rows);
    e.loadRows(data, offsets, 0, rows.length);
    e.prepareRows();
    for (const q of readTexts(AG_TEST, 5)) {
      e.setQuery(utf8.encode(q));
      for (let i = 0; i < rows.length; i++) {
        const exact = e.pairLengthOfRow(i);
        for (const limit of [exact - 40, exact - 20]) {
          const lb = e.pairLengthOfRowBounded(i, limit);
          expect(lb).toBeGreaterThanOrEqual(limit);
          expect(lb).toBeLessThanOrEqual(exact);
        }
        const r = e.pairLengthOfRowBounded(i, exact + 1);
        expect(r).toBe(exact);
      }
    }
    expect(e.flushStat(FLUSH_AT_LIMIT), 'pairs stopped at the limit').toBeGreaterThan(1000);
    expect(e.flushStat(FLUSH_BY_BOUND), 'pairs whose bound was exact (no trees)').toBeGreaterThan(100);
    expect(e.flushStat(BOUND_EARLY), 'first partial bound reached the limit').toBeGreaterThan(10);
    expect(e.flushStat(BOUND_CALLS)).toBe(3 * 5 * 500);
  });
});

describe('count', () => {
  it('checked at least 300,000 blocks against zlib trees in this file', () => {
    console.log(`deflate bound.test.ts: ${checks} bounds checked against zlib's trees, ${exactClaims} claimed exact`);
    if (haveAg && haveR8 && haveNews) expect(checks).toBeGreaterThanOrEqual(300_000);
  });
});
