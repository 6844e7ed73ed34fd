/**
 * The WebAssembly engine's pair paths: pairLength(y) after setQuery(x), and pairLengthOfRow(i) over
 * rows loaded into the engine (plain, then prepared), must equal the single-input path (itself
 * tested against pako) on x ++ " " ++ y, and pako directly on a sample. One instance does it all
 * (as in a worker), so single-input calls are interleaved with the pairs to catch shared state.
 */
import pako from 'pako';
import { describe, expect, it } from 'vitest';
import { DeflateLengthEngine } from '../../src/deflate/index.js';
import { TestEngine } from '../helpers/test-engine.js';
import { KINDS, Rng, generate } from '../helpers/deflate-generators.js';
import { readTexts } from '../helpers/deflate-data.js';
import { requireSharedData } from '../helpers/shared-data.js';

const utf8 = new TextEncoder();
const single = new DeflateLengthEngine();

function concat(x: Uint8Array, y: Uint8Array): Uint8Array {
  const b = new Uint8Array(x.length + 1 + y.length);
  b.set(x);
  b[x.length] = 0x20;
  b.set(y, x.length + 1);
  return b;
}

/** Pairs checked against pako in this file (each through pairLength and through loaded rows, plain and prepared). */
let checked = 0;

/**
 * The pairs of one query x with ys: pairLength of each y, then the ys as rows loaded into the engine
 * (in a larger buffer, at an offset), plain and prepared; a single-input call of the same engine is
 * slipped in between pairs now and then.
 */
function checkQuery(pe: DeflateLengthEngine, x: Uint8Array, ys: Uint8Array[], what: string): void {
  const want = ys.map((y) => {
    const cat = concat(x, y);
    const p = pako.gzip(cat, { level: 9 }).length;
    const e = single.gzipLength(cat);
    if (e !== p) expect.fail(`${what}: |x|=${x.length} |y|=${y.length}: single ${e} != pako ${p}`);
    return p;
  });
  expect(pe.setQuery(x), `${what}: C(x)`).toBe(single.gzipLength(x));
  ys.forEach((y, j) => {
    const got = pe.pairLength(y);
    if (got !== want[j]) expect.fail(`${what} y${j}: |x|=${x.length} |y|=${y.length}: pair ${got} != pako ${want[j]}`);
    if (j % 7 === 3) expect(pe.gzipLength(y), `${what} y${j}: interleaved single`).toBe(single.gzipLength(y));
  });
  const lead = 5;
  const total = ys.reduce((a, y) => a + y.length, lead);
  const data = new Uint8Array(total + 3);
  const offsets = new Int32Array(ys.length + 2);
  offsets[0] = 0;
  offsets[1] = lead; // row 0 is a 5-byte lead-in outside the loaded range
  ys.forEach((y, j) => {
    data.set(y, offsets[j + 1]);
    offsets[j + 2] = offsets[j + 1] + y.length;
  });
  pe.loadRows(data, offsets, 1, ys.length + 1);
  for (const prepared of [false, true]) {
    if (prepared) pe.prepareRows();
    ys.forEach((y, j) => {
      const got = pe.pairLengthOfRow(j + 1);
      if (got !== want[j]) {
        expect.fail(`${what} y${j}: |x|=${x.length} |y|=${y.length}: row ${got} != pako ${want[j]} (prepared: ${prepared})`);
      }
      if (j % 11 === 5) expect(pe.gzipLength(y), `${what} y${j}: interleaved single`).toBe(single.gzipLength(y));
    });
  }
  checked += ys.length;
}

describe('pairs == gzipLength(x ++ " " ++ y)', () => {
  it('generated x and y of every kind and size (0 .. 70 KB), incl. empty x / y', () => {
    const rng = new Rng(31);
    const pe = new DeflateLengthEngine();
    for (let q = 0; q < 100; q++) {
      const kx = KINDS[rng.int(KINDS.length - 2)];
      const r = rng.next();
      const nx = q < 4 ? q : r < 0.7 ? rng.int(700) : r < 0.93 ? rng.int(5000) : rng.int(40000);
      const x = generate(rng, kx, nx);
      const ys: Uint8Array[] = [];
      for (let j = 0; j < 30; j++) {
        const ky = rng.next() < 0.5 ? kx : KINDS[rng.int(KINDS.length - 2)];
        const r2 = rng.next();
        const ny = j === 0 ? 0 : r2 < 0.75 ? rng.int(700) : r2 < 0.97 ? rng.int(5000) : rng.int(70000);
        ys.push(generate(rng, ky, ny));
      }
      checkQuery(pe, x, ys, `q${q} ${kx}`);
    }
  });

  it('y continuing strings of x (matches across the junction), sizes around 1024 and 65274', () => {
    const rng = new Rng(32);
    const pe = new DeflateLengthEngine();
    for (let q = 0; q < 80; q++) {
      const big = q % 20 === 19;
      const x = generate(
        rng,
        rng.pick(['words', 'repetitive', 'runs', 'alphabet'] as const),
        (big ? rng.pick([20000, 65000]) : rng.pick([10, 200, 500, 1000, 1020, 3000])) + rng.int(30),
      );
      const ys: Uint8Array[] = [];
      for (let j = 0; j < (big ? 6 : 12); j++) {
        // y = a copy of some part of x (possibly its end) + noise, total size near a boundary
        const from = rng.int(x.length + 1);
        const len = rng.int(Math.min(600, x.length - from) + 1);
        const target = big
          ? rng.pick([0, 300, 65274 - x.length - 1, 65275 - x.length - 1])
          : rng.pick([0, 5, 300, 1024 - x.length - 1, 1025 - x.length - 1]);
        const ny = Math.max(len, target + rng.int(3) - 1);
        const y = new Uint8Array(ny);
        y.set(x.subarray(from, from + len));
        for (let k = len; k < ny; k++) y[k] = rng.next() < 0.5 ? (x[rng.int(Math.max(1, x.length))] ?? 0) : rng.int(256);
        ys.push(y);
      }
      checkQuery(pe, x, ys, `junction q${q}`);
    }
  });

  it('x over 16,383 symbols (a block flushed inside the snapshot) and x too long for a snapshot', () => {
    const rng = new Rng(33);
    const pe = new DeflateLengthEngine();
    for (const nx of [17_000, 30_000, 64_000, 65_272, 65_273, 65_300, 80_000]) {
      const x = generate(rng, 'random', nx);
      const ys = Array.from({ length: 6 }, (_, j) => generate(rng, rng.pick(['random', 'words'] as const), j === 0 ? 0 : rng.int(3000)));
      checkQuery(pe, x, ys, `big x ${nx}`);
    }
  });

  it('one engine, queries and pairs interleaved with single-input calls: no state leaks', () => {
    const rng = new Rng(34);
    const pe = new TestEngine();
    const xs = Array.from({ length: 8 }, () => generate(rng, 'words', rng.int(800)));
    const ys = Array.from({ length: 30 }, () => generate(rng, rng.pick(['words', 'unicode', 'random'] as const), rng.int(1500)));
    const want = xs.map((x) => ys.map((y) => single.gzipLength(concat(x, y))));
    for (let round = 0; round < 4; round++) {
      const qi = rng.int(xs.length);
      pe.setQuery(xs[qi]);
      for (let k = 0; k < 40; k++) {
        const yi = rng.int(ys.length);
        if (k % 5 === 0) expect(pe.gzipLength(ys[yi]), `round ${round} single y${yi}`).toBe(single.gzipLength(ys[yi]));
        if (k % 13 === 7) pe.raw.set_pair_busy(); // pretend the previous pair call trapped
        if (k % 17 === 8) pe.raw.set_pair_epoch(0x7fff0000 - 900 - rng.int(3)); // force the epoch reset path
        expect(pe.pairLength(ys[yi]), `round ${round} q${qi} y${yi}`).toBe(want[qi][yi]);
      }
    }
    // rows of two training sets, alternately, with other queries and single inputs in between
    const sets = [ys.slice(0, 15), ys.slice(10)].map((part) => {
      const data = new Uint8Array(part.reduce((a, y) => a + y.length, 0));
      const offsets = new Int32Array(part.length + 1);
      part.forEach((y, j) => {
        data.set(y, offsets[j]);
        offsets[j + 1] = offsets[j] + y.length;
      });
      return { part, data, offsets, first: ys.indexOf(part[0]) };
    });
    for (let round = 0; round < 6; round++) {
      const set = sets[round % 2];
      const qi = rng.int(xs.length);
      pe.setQuery(xs[qi]);
      pe.loadRows(set.data, set.offsets, 0, set.part.length);
      if (round >= 2) pe.prepareRows();
      set.part.forEach((y, j) => {
        if (j % 4 === 1) expect(pe.gzipLength(xs[j % xs.length])).toBe(single.gzipLength(xs[j % xs.length]));
        if (j % 9 === 2) pe.raw.set_pair_busy();
        expect(pe.pairLengthOfRow(j), `rows round ${round} q${qi} row ${j}`).toBe(want[qi][set.first + j]);
      });
    }
    expect(() => pe.pairLengthOfRow(sets[1].part.length)).toThrow(RangeError);
    expect(() => new DeflateLengthEngine().pairLength(ys[0])).toThrow();
    // y given as a range of a larger buffer
    const flat = new Uint8Array(ys.reduce((a, y) => a + y.length, 0));
    const starts: number[] = [];
    let off = 0;
    for (const y of ys) {
      starts.push(off);
      flat.set(y, off);
      off += y.length;
    }
    pe.setQuery(xs[2]);
    ys.forEach((y, yi) => expect(pe.pairLength(flat, starts[yi], starts[yi] + y.length), `range y${yi}`).toBe(want[2][yi]));
    expect(() => pe.pairLength(flat, 5, 3)).toThrow(RangeError);
    expect(() => pe.pairLength(flat, 0, flat.length + 1)).toThrow(RangeError);
  });
});

describe('memory regions: growing inputs, long queries and row sets of growing size, interleaved on one instance', () => {
  it('every length equals pako while the regions grow and move', () => {
    const rng = new Rng(37);
    const pe = new TestEngine();
    const ref = (b: Uint8Array) => pako.gzip(b, { level: 9 }).length;
    for (let k = 1; k <= 24; k++) {
      const big = generate(rng, 'words', 65_536 + k * 9000); // the input region grows (and moves when rows sit above it)
      expect(pe.gzipLength(big), `big input ${k}`).toBe(ref(big));
      const ys = Array.from({ length: 5 + k }, () => generate(rng, rng.pick(['words', 'unicode'] as const), rng.int(900)));
      const x = generate(rng, 'words', k % 5 === 0 ? 66_000 + k * 1000 : rng.int(800)); // long queries: the query region
      checkQuery(pe, x, ys, `regions ${k}`);
    }
    expect(pe.memoryBytes(), 'linear memory in use').toBeLessThan(32 << 20);
  });
});

const AG = ['ag_news/test.jsonl.gz', 'ag_news/train.first2000.jsonl.gz'];
const NEWS20 = '20news/train.jsonl.gz';
const haveData = requireSharedData(...AG);
const have20 = requireSharedData(NEWS20);

describe.skipIf(!haveData)('pairs on AG News (test x against train y)', () => {
  it('40 queries x 250 train texts', () => {
    const xs = readTexts(AG[0], 2000).map((t) => utf8.encode(t));
    const ys = readTexts(AG[1], 2000).map((t) => utf8.encode(t));
    const rng = new Rng(35);
    const pe = new DeflateLengthEngine();
    for (let q = 0; q < 40; q++) {
      const x = rng.pick(xs);
      checkQuery(
        pe,
        x,
        Array.from({ length: 250 }, () => rng.pick(ys)),
        `ag q${q}`,
      );
    }
  });
});

describe.skipIf(!have20)('pairs on 20News (long texts: several blocks, pairs over 65,274 bytes)', () => {
  it('12 queries x 25 texts, the longest (up to 75 KB) among them', () => {
    const ts = readTexts(NEWS20).map((t) => utf8.encode(t));
    const byLen = [...ts].sort((a, b) => b.length - a.length);
    const rng = new Rng(36);
    const pe = new DeflateLengthEngine();
    let over = 0;
    for (let q = 0; q < 12; q++) {
      const x = q < 4 ? byLen[q * 3] : rng.pick(ts);
      const ys = Array.from({ length: 25 }, (_, j) => (j < 4 ? byLen[rng.int(40)] : rng.pick(ts)));
      for (const y of ys) if (x.length + 1 + y.length > 65_274) over++;
      checkQuery(pe, x, ys, `20news q${q}`);
    }
    expect(over, 'pairs too long for the pair path (zlib slides its window)').toBeGreaterThan(20);
  });
});

describe('count', () => {
  it('checked at least 14,000 pairs against pako in this file', () => {
    console.log(
      `deflate pair.test.ts: ${checked} pairs checked against pako 2.1.0 (each by pairLength and as a loaded row, plain and prepared)`,
    );
    if (haveData && have20) expect(checked).toBeGreaterThanOrEqual(14_000);
  });
});
