/**
 * PairLengthEngine: pairLength(y) after setQuery(x) must equal the single-input engine (itself
 * tested against pako) on x ++ " " ++ y, and pako directly on a sample.
 */
import pako from 'pako';
import { describe, expect, it } from 'vitest';
import { DeflateLengthEngine } from '../../src/deflate/index.js';
import { PairLengthEngine, prepareText } from '../../src/deflate/pair.js';
import { KINDS, Rng, generate } from './generators.js';
import { hasData, readTexts } from './data.js';

const utf8 = new TextEncoder();
const single = new DeflateLengthEngine();

function concat(x: Uint8Array, y: Uint8Array): Uint8Array {
  const b = new Uint8Array(x.length + 1 + y.length);
  b.set(x);
  b[x.length] = 0x20;
  b.set(y, x.length + 1);
  return b;
}

let checked = 0;
function check(pe: PairLengthEngine, x: Uint8Array, y: Uint8Array, what: string, withPako = false): void {
  const cat = concat(x, y);
  const want = single.gzipLength(cat);
  const got = pe.pairLength(y);
  checked++;
  if (got !== want) expect.fail(`${what}: |x|=${x.length} |y|=${y.length}: pair ${got} != single ${want}`);
  const prepared = prepareText(y);
  const prep = pe.pairLengthPrepared(prepared);
  if (prep !== want) expect.fail(`${what}: |x|=${x.length} |y|=${y.length}: prepared ${prep} != single ${want}`);
  if (withPako) expect(got, `${what} vs pako`).toBe(pako.gzip(cat, { level: 9 }).length);
}

describe('PairLengthEngine == gzipLength(x ++ " " ++ y)', () => {
  it('generated x and y of every kind and size (0 .. 70 KB), incl. empty x / y', () => {
    const rng = new Rng(31);
    const pe = new PairLengthEngine();
    for (let q = 0; q < 100; q++) {
      const kx = KINDS[rng.int(KINDS.length - 2)];
      const r = rng.next();
      const nx = q < 4 ? q : r < 0.7 ? rng.int(700) : r < 0.93 ? rng.int(5000) : rng.int(40000);
      const x = generate(rng, kx, nx);
      pe.setQuery(x);
      for (let j = 0; j < 30; j++) {
        const ky = rng.next() < 0.5 ? kx : KINDS[rng.int(KINDS.length - 2)];
        const r2 = rng.next();
        const ny = j === 0 ? 0 : r2 < 0.75 ? rng.int(700) : r2 < 0.97 ? rng.int(5000) : rng.int(70000);
        check(pe, x, generate(rng, ky, ny), `q${q} ${kx}/${ky} j${j}`, j < 2);
      }
    }
  });

  it('y continuing strings of x (matches across the junction), sizes around 1024 and 65274', () => {
    const rng = new Rng(32);
    const pe = new PairLengthEngine();
    for (let q = 0; q < 80; q++) {
      const big = q % 20 === 19;
      const x = generate(rng, rng.pick(['words', 'repetitive', 'runs', 'alphabet'] as const), (big ? rng.pick([20000, 65000]) : rng.pick([10, 200, 500, 1000, 1020, 3000])) + rng.int(30));
      pe.setQuery(x);
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
        for (let k = len; k < ny; k++) y[k] = rng.next() < 0.5 ? x[rng.int(Math.max(1, x.length))] ?? 0 : rng.int(256);
        check(pe, x, y, `junction q${q} j${j}`, j < 1);
      }
    }
  });

  it('x over 16,383 symbols (a block flushed inside the snapshot) and x too long for a snapshot', () => {
    const rng = new Rng(33);
    const pe = new PairLengthEngine();
    for (const nx of [17_000, 30_000, 64_000, 65_300, 80_000]) {
      const x = generate(rng, 'random', nx);
      pe.setQuery(x);
      for (let j = 0; j < 6; j++) check(pe, x, generate(rng, rng.pick(['random', 'words'] as const), rng.int(3000)), `big x ${nx}`, j < 1);
    }
  });

  it('one engine, queries and pairs interleaved with single-input calls: no state leaks', () => {
    const rng = new Rng(34);
    const pe = new PairLengthEngine();
    const xs = Array.from({ length: 8 }, () => generate(rng, 'words', rng.int(800)));
    const ys = Array.from({ length: 30 }, () => generate(rng, rng.pick(['words', 'unicode', 'random'] as const), rng.int(1500)));
    const want = xs.map((x) => ys.map((y) => single.gzipLength(concat(x, y))));
    for (let round = 0; round < 4; round++) {
      const qi = rng.int(xs.length);
      pe.setQuery(xs[qi]);
      for (let k = 0; k < 40; k++) {
        const yi = rng.int(ys.length);
        expect(pe.pairLength(ys[yi]), `round ${round} q${qi} y${yi}`).toBe(want[qi][yi]);
      }
    }
    expect(() => new PairLengthEngine().pairLength(ys[0])).toThrow();
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

const AG = ['ag_news/test.jsonl.gz', 'ag_news/train.first2000.jsonl.gz'];
const haveData = hasData(...AG);
if (!haveData) console.warn('test/deflate/pair.test.ts: ../shared/data/ag_news not found: SKIPPING the AG News pair tests');

describe.skipIf(!haveData)('PairLengthEngine on AG News (test x against train y)', () => {
  it('40 queries x 250 train texts', () => {
    const xs = readTexts(AG[0], 2000).map((t) => utf8.encode(t));
    const ys = readTexts(AG[1], 2000).map((t) => utf8.encode(t));
    const rng = new Rng(35);
    const pe = new PairLengthEngine();
    for (let q = 0; q < 40; q++) {
      const x = rng.pick(xs);
      pe.setQuery(x);
      for (let j = 0; j < 250; j++) check(pe, x, rng.pick(ys), `ag q${q} j${j}`, j < 3);
    }
    console.log(`deflate pair.test.ts: ${checked} pairs checked`);
  });
});
