/**
 * The WebAssembly engine's trees (assembly/trees.ts) against pako 2.1.0's own trees.js, symbol by
 * symbol: the same tallies are fed to pako's _tr_tally / _tr_flush_block (which really build the
 * trees and write the bits) and to ours (which only count), and the running bit count must agree
 * after every block. This reaches what whole inputs rarely do: code-length overflow in the
 * literal/length and distance trees (Fibonacci-like frequencies), single-symbol and empty trees,
 * ties between fixed and dynamic, stored blocks.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { STAT_FIXED_TIE, STAT_OVERFLOW_BL, STAT_OVERFLOW_D, STAT_OVERFLOW_L, STAT_STORED, TestEngine } from '../helpers/test-engine.js';
import { Rng } from '../helpers/deflate-generators.js';

/** zlib's symbol buffer holds 16,383 symbols per block (lit_bufsize - 1). */
const SYM_LIMIT = 16383;
/** One instance for the whole file: its block statistics are cumulative. */
const ours = new TestEngine().raw;

const require = createRequire(import.meta.url);
// pako's CommonJS internals (lib/zlib is an exported subpath of pako 2.1.0).
const pakoDeflate = require('pako/lib/zlib/deflate.js');
const pakoTrees = require('pako/lib/zlib/trees.js');
const ZStream = require('pako/lib/zlib/zstream.js');

type Sym = { dist: number; lc: number }; // dist 0: literal lc

/** A pako deflate state at level 9, windowBits 15 (+16 gzip), memLevel 8, default strategy. */
function pakoState() {
  const strm = new ZStream();
  const rc = pakoDeflate.deflateInit2(strm, 9, 8, 15 + 16, 8, 0);
  if (rc !== 0) throw new Error(`deflateInit2: ${rc}`);
  return strm.state;
}

/** Feed blocks to both implementations; return the running bit counts of pako and of ours. */
function runBoth(blocks: { syms: Sym[]; storedLen: number; bufOk: boolean }[]): { pako: number[]; ours: number[] } {
  const p = pakoState();
  ours.trees_reset();
  const pb: number[] = [];
  const ob: number[] = [];
  let pakoBytes = 0;
  blocks.forEach((blk, i) => {
    const last = i === blocks.length - 1;
    for (const { dist, lc } of blk.syms) {
      pakoTrees._tr_tally(p, dist, lc);
      if (dist === 0) ours.tally_lit(lc);
      else ours.tally_dist(dist, lc);
    }
    pakoTrees._tr_flush_block(p, blk.bufOk ? 0 : -1, blk.storedLen, last);
    pakoBytes += p.pending;
    p.pending = 0; // we only want the count; keep bi_buf / bi_valid
    pb.push(pakoBytes * 8 + p.bi_valid);
    ours.flush_block(blk.storedLen, blk.bufOk ? 1 : 0, last ? 1 : 0);
    ob.push(ours.trees_bits());
  });
  return { pako: pb, ours: ob };
}

function fib(n: number): number[] {
  const f = [1, 1];
  while (f.length < n) f.push(f[f.length - 1] + f[f.length - 2]);
  return f.slice(0, n);
}

/** Symbols drawn from a weighted set of literal codes, length codes and distances, shuffled. */
function symbolsFrom(rng: Rng, counts: { sym: Sym; count: number }[]): Sym[] {
  const out: Sym[] = [];
  for (const { sym, count } of counts) for (let k = 0; k < count; k++) out.push(sym);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, SYM_LIMIT);
}

/** Match lengths lc (= length - 3) of each length code's first value, and first distances. */
const LC_OF_CODE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 255];
const DIST_OF_CODE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385,
  24577,
];

function randomSym(rng: Rng, litAlphabet: number, matchRate: number): Sym {
  if (rng.next() >= matchRate) return { dist: 0, lc: rng.int(litAlphabet) };
  return { dist: 1 + rng.int(32768), lc: rng.int(256) };
}

function randomBlock(rng: Rng): { syms: Sym[]; storedLen: number; bufOk: boolean } {
  const shape = rng.int(8);
  let syms: Sym[];
  const n = rng.pick([0, 1, 2, 5, 30, 200, 2000, SYM_LIMIT]);
  switch (shape) {
    case 0: // literals over an alphabet
      syms = Array.from({ length: n }, () => randomSym(rng, rng.pick([1, 2, 30, 256]), 0));
      break;
    case 1: // mixed
      syms = Array.from({ length: n }, () => randomSym(rng, 256, rng.next()));
      break;
    case 2: {
      // Fibonacci literal frequencies: deep literal/length tree (overflow at 15 bits)
      const f = fib(rng.range(16, 21));
      syms = symbolsFrom(
        rng,
        f.map((count, i) => ({ sym: { dist: 0, lc: (i * 7 + 3) & 255 }, count })),
      );
      break;
    }
    case 3: {
      // Fibonacci length-code frequencies
      const f = fib(rng.range(16, 21));
      syms = symbolsFrom(
        rng,
        f.map((count, i) => ({ sym: { dist: 1 + rng.int(100), lc: LC_OF_CODE[i % 29] }, count })),
      );
      break;
    }
    case 4: {
      // Fibonacci distance-code frequencies: deep distance tree
      const f = fib(rng.range(16, 21));
      syms = symbolsFrom(
        rng,
        f.map((count, i) => ({ sym: { dist: DIST_OF_CODE[(i * 11) % 30], lc: rng.int(256) }, count })),
      );
      break;
    }
    case 5: // a single distance code / single literal
      syms = Array.from({ length: n }, () => (rng.next() < 0.5 ? { dist: 0, lc: 65 } : { dist: DIST_OF_CODE[rng.int(3)], lc: 5 }));
      break;
    case 6: // near the fixed-code distribution, few symbols: ties between fixed and dynamic
      syms = Array.from({ length: rng.range(10, 120) }, () => {
        const r = rng.next();
        if (r < 0.56) return { dist: 0, lc: rng.int(144) };
        if (r < 0.78) return { dist: 0, lc: 144 + rng.int(112) };
        return { dist: DIST_OF_CODE[rng.int(30)] + rng.int(2), lc: LC_OF_CODE[rng.int(23)] };
      });
      break;
    default: // short blocks of a few symbols
      syms = Array.from({ length: rng.int(60) }, () => randomSym(rng, rng.pick([4, 256]), rng.next() * 0.5));
  }
  let covered = 0;
  for (const s of syms) covered += s.dist === 0 ? 1 : s.lc + 3;
  const storedLen = rng.next() < 0.7 ? covered : rng.int(covered + 50);
  return { syms, storedLen: Math.min(storedLen, 65535), bufOk: rng.next() < 0.9 };
}

describe('assembly/trees.ts vs pako 2.1.0 trees.js (bit counts per block)', () => {
  it('agrees on 1,500 streams of random blocks, incl. overflow, single-code and tie blocks', () => {
    const rng = new Rng(20240607);
    const totals = new Float64Array(7);
    let blocksRun = 0;
    for (let t = 0; t < 1500; t++) {
      const blocks = Array.from({ length: rng.range(1, 4) }, () => randomBlock(rng));
      const { pako, ours } = runBoth(blocks);
      expect(ours, `stream ${t}`).toEqual(pako);
      blocksRun += blocks.length;
    }
    for (const k of [STAT_OVERFLOW_L, STAT_OVERFLOW_D, STAT_OVERFLOW_BL, STAT_STORED, STAT_FIXED_TIE]) totals[k] = ours.stat(k);
    expect(blocksRun).toBeGreaterThan(2000);
    expect(totals[STAT_OVERFLOW_L], 'literal/length tree overflow exercised').toBeGreaterThan(10);
    expect(totals[STAT_OVERFLOW_D], 'distance tree overflow exercised').toBeGreaterThan(10);
    expect(totals[STAT_OVERFLOW_BL], 'bit length tree overflow exercised').toBeGreaterThan(10);
    expect(totals[STAT_STORED], 'stored blocks exercised').toBeGreaterThan(10);
    expect(totals[STAT_FIXED_TIE], 'fixed chosen on a byte tie exercised').toBeGreaterThan(0);
  });
});
