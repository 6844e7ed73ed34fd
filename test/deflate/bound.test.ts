/**
 * bound.ts: opt_len_lower_bound(s) <= the exact dynamic-block cost zlib computes, and
 * static_len_exact(s) === zlib's static_len, on thousands of blocks of every shape and on real AG
 * News pairs tallied by the real engine.
 *
 * The exact values come from the real _tr_flush_block (trees.ts, itself checked against pako's
 * trees.js symbol by symbol in trees.test.ts), run on a copy of the tallies with the competitor
 * blocks made impossible, so the block it picks gives the cost we want and nothing else:
 *  - opt_len: buf_ok = false (no stored block) and static_len preset to 2^30 before the call
 *    (build_tree only adds to it, minus at most 2 * 9 bits for forced codes), so the dynamic block
 *    is chosen (asserted through stats[STAT_DYNAMIC]) and s.bits grows by exactly 3 + opt_len;
 *  - static_len: opt_len preset to 2^30, so the fixed block wins (stats[STAT_FIXED]) and s.bits
 *    grows by 3 + static_len.
 * Real tallies: trees.js is wrapped (vi.mock) so that each block the engine flushes is copied
 * before the real _tr_flush_block runs (the wrapper changes nothing else).
 */
import { describe, expect, it, vi } from 'vitest';
import { D_CODES, END_BLOCK, L_CODES } from '../../src/deflate/constants.js';
import { class_depths_for_test, opt_len_lower_bound, opt_len_quick_bound, static_len_exact } from '../../src/deflate/bound.js';
import {
  DMAP_WORD,
  STAT_DYNAMIC,
  STAT_FIXED,
  STAT_OVERFLOW_BL,
  STAT_OVERFLOW_D,
  STAT_OVERFLOW_L,
  TreesState,
  _tr_flush_block,
  init_block,
} from '../../src/deflate/trees.js';
import { DeflateLengthEngine } from '../../src/deflate/index.js';
import { Rng } from './generators.js';
import { pairBytes, readTexts } from './data.js';
import { requireSharedData } from '../helpers/shared-data.js';

type Tally = { l: Int32Array; d: Int32Array }; // dense frequencies (l[END_BLOCK] = 1)

const hook = vi.hoisted(() => ({ capture: null as null | ((s: unknown) => void) }));

vi.mock('../../src/deflate/trees.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/deflate/trees.js')>();
  return {
    ...mod,
    _tr_flush_block: (s: TreesState, stored_len: number, buf_ok: boolean, last: boolean): void => {
      if (hook.capture !== null) hook.capture(s);
      mod._tr_flush_block(s, stored_len, buf_ok, last);
    },
  };
});

function tallyOf(s: TreesState): Tally {
  const l = new Int32Array(L_CODES);
  const d = new Int32Array(D_CODES);
  for (let n = 0; n < L_CODES; n++) if ((s.used[n >> 5] >>> (n & 31)) & 1) l[n] = s.l_desc.freq[n];
  for (let n = 0; n < D_CODES; n++) if ((s.used[DMAP_WORD] >>> n) & 1) d[n] = s.d_desc.freq[n];
  return { l, d };
}

/** Load a tally into a state just after init_block (END_BLOCK already counted). */
function load(s: TreesState, t: Tally): void {
  for (let n = 0; n < L_CODES; n++) {
    if (n === END_BLOCK || t.l[n] === 0) continue;
    s.l_desc.freq[n] = t.l[n];
    s.used[n >> 5] |= 1 << (n & 31);
  }
  for (let n = 0; n < D_CODES; n++) {
    if (t.d[n] === 0) continue;
    s.d_desc.freq[n] = t.d[n];
    s.used[DMAP_WORD] |= 1 << n;
  }
}

const A = new TreesState();
const C = new TreesState();
const pc = new Int32Array(L_CODES);
const plo = new Int32Array(L_CODES);
const phi = new Int32Array(L_CODES);
const pcnt = new Int32Array(L_CODES);
const pseen = new Int32Array(L_CODES);
/** Trees whose class depths bound.ts claimed proven (and that were checked against zlib's). */
let proven = 0;
const snapL = new Int32Array(A.l_desc.freq.length);
const snapD = new Int32Array(A.d_desc.freq.length);
const snapU = new Int32Array(A.used.length);
function same(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const B = new TreesState();
const D = new TreesState();
/** Calls with a finite target, and those that returned a partial bound (early exit). */
let targetCalls = 0;
let targetEarly = 0;

/** The bound, static_len_exact, and zlib's exact opt_len and static_len for a tally. */
function check(t: Tally, what: string): { bound: number; opt: number } {
  load(A, t);
  snapL.set(A.l_desc.freq);
  snapD.set(A.d_desc.freq);
  snapU.set(A.used);
  const bound = opt_len_lower_bound(A);
  const st = static_len_exact(A);
  if (!same(snapL, A.l_desc.freq) || !same(snapD, A.d_desc.freq) || !same(snapU, A.used) || A.opt_len !== 0 || A.static_len !== 0) {
    expect.fail(`${what}: the bound modified the state`);
  }

  const dyn0 = A.stats[STAT_DYNAMIC];
  A.bits = 0;
  A.static_len = 2 ** 30;
  _tr_flush_block(A, 0, false, false);
  if (A.stats[STAT_DYNAMIC] !== dyn0 + 1) expect.fail(`${what}: dynamic block not chosen`);
  const opt = A.bits - 3;

  load(B, t);
  const fix0 = B.stats[STAT_FIXED];
  B.bits = 0;
  B.opt_len = 2 ** 30;
  _tr_flush_block(B, 0, false, false);
  if (B.stats[STAT_FIXED] !== fix0 + 1) expect.fail(`${what}: fixed block not chosen`);
  const stat = B.bits - 3;

  /* (P) directly: where the class depths are claimed proven, zlib's lengths must match them */
  for (const tree of [0, 1] as const) {
    load(C, t);
    if (!class_depths_for_test(C, tree, pc, plo, phi, pcnt)) {
      init_block(C);
      continue;
    }
    proven++;
    C.static_len = 2 ** 30;
    _tr_flush_block(C, 0, false, false);
    const desc = tree === 0 ? C.l_desc : C.d_desc;
    const f = tree === 0 ? t.l : t.d;
    pseen.fill(0);
    for (let n = 0; n < f.length; n++) {
      if (f[n] === 0) continue;
      const len = desc.len[n];
      if (len < plo[n] || len > phi[n]) expect.fail(`${what}: tree ${tree} code ${n}: zlib length ${len} outside [${plo[n]}, ${phi[n]}]`);
      if (len === plo[n]) pseen[pc[n]]++;
    }
    for (let n = 0; n < f.length; n++) {
      if (f[n] !== 0 && pseen[pc[n]] !== pcnt[pc[n]]) {
        expect.fail(`${what}: tree ${tree} class of code ${n}: ${pseen[pc[n]]} codes at depth ${plo[n]}, claimed ${pcnt[pc[n]]}`);
      }
    }
  }
  if (!(bound <= opt)) expect.fail(`${what}: bound ${bound} > opt_len ${opt}; tally ${JSON.stringify(dump(t))}`);
  /* the early-exit contract of target: r >= target iff bound >= target; r < target => r is the
   * full bound; r <= opt_len always */
  load(D, t);
  const quick = opt_len_quick_bound(D);
  if (!(quick <= opt)) expect.fail(`${what}: quick bound ${quick} > opt_len ${opt}`);
  for (const target of [0, 1, bound - 1, bound, bound + 1, opt, opt + 1, Math.floor(bound / 2), bound - 40, bound + 40, Infinity]) {
    const r = opt_len_lower_bound(D, target);
    if (!(r <= opt)) expect.fail(`${what}: with target ${target}: ${r} > opt_len ${opt}`);
    if (r < target && r !== bound) expect.fail(`${what}: with target ${target}: ${r} < target but the bound is ${bound}`);
    if (bound >= target && !(r >= target)) expect.fail(`${what}: with target ${target}: ${r}, but the bound ${bound} reaches it`);
    targetCalls++;
    if (r !== bound) targetEarly++;
  }
  init_block(D);
  if (st !== stat) expect.fail(`${what}: static_len_exact ${st} != ${stat}`);
  return { bound, opt };
}

function dump(t: Tally): { l: number[][]; d: number[][] } {
  const l: number[][] = [];
  const d: number[][] = [];
  t.l.forEach((f, n) => f && l.push([n, f]));
  t.d.forEach((f, n) => f && d.push([n, f]));
  return { l, d };
}

/**
 * Fibonacci frequencies; strict: a(k) = a(k-1) + a(k-2) + 1 from 1, 2, whose Huffman tree is a
 * chain of depth n even with zlib's height tie-break (which keeps plain Fibonacci weights, where
 * a sum ties with the next leaf, much shallower): n >= 16 overflows 15 bits.
 */
function fib(n: number, strict = false): number[] {
  const f = strict ? [1, 2] : [1, 1];
  while (f.length < n) f.push(f[f.length - 1] + f[f.length - 2] + (strict ? 1 : 0));
  return f.slice(0, n);
}

function shuffled(rng: Rng, a: number[]): number[] {
  const out = a.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** k distinct codes of 0..n-1: random, or consecutive ranges (long runs of used codes). */
function pickCodes(rng: Rng, n: number, k: number, exclude = -1): number[] {
  k = Math.min(k, n - (exclude >= 0 ? 1 : 0));
  const out = new Set<number>();
  if (rng.next() < 0.5) {
    while (out.size < k) {
      const start = rng.int(n);
      const len = 1 + rng.int(Math.max(1, Math.min(40, k - out.size)));
      for (let c = start; c < Math.min(n, start + len) && out.size < k; c++) if (c !== exclude) out.add(c);
    }
  } else {
    while (out.size < k) {
      const c = rng.int(n);
      if (c !== exclude) out.add(c);
    }
  }
  return [...out];
}

/** Frequencies for k codes: many ties, wide, powers of two, Fibonacci (overflow), {1,2}. */
function freqs(rng: Rng, k: number): number[] {
  const kind = rng.int(7);
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    switch (kind) {
      case 0:
        out.push(1 + rng.int(3));
        break;
      case 1:
        out.push(1 + rng.int(1 + rng.int(200)));
        break;
      case 2:
        out.push(1 << rng.int(6));
        break;
      case 3:
        out.push(rng.next() < 0.85 ? 1 : 2);
        break;
      case 4:
        out.push(Math.max(1, Math.floor(Math.exp(rng.next() * 5))));
        break;
      case 5:
        out.push(rng.pick([1, 1, 1, 2, 2, 3, 4, 6, 8]));
        break;
      default:
        out.push(1 + rng.int(60));
    }
  }
  return out;
}

function randomTally(rng: Rng): Tally {
  const l = new Int32Array(L_CODES);
  const d = new Int32Array(D_CODES);
  l[END_BLOCK] = 1;
  const shape = rng.int(10);
  const nl = shape === 0 ? 0 : shape === 1 ? 1 : shape === 2 ? L_CODES - 1 : rng.pick([1, 2, 3, 5, 10, 30, 60, 120, 285]);
  const nd = rng.pick([0, 0, 1, 1, 2, 3, 5, 10, 20, 30]);
  if (shape === 3) {
    // Fibonacci literal/length frequencies (15-bit overflow)
    const f = shuffled(rng, rng.next() < 0.7 ? fib(rng.range(15, 19), true) : fib(rng.range(14, 23)));
    const codes = pickCodes(rng, L_CODES, f.length, END_BLOCK);
    codes.forEach((c, i) => (l[c] = f[i]));
  } else {
    const codes = pickCodes(rng, L_CODES, nl, END_BLOCK);
    const f = freqs(rng, codes.length);
    codes.forEach((c, i) => (l[c] = f[i]));
  }
  if (shape === 4) {
    const f = shuffled(rng, rng.next() < 0.7 ? fib(rng.range(15, 19), true) : fib(rng.range(14, 23)));
    const codes = pickCodes(rng, D_CODES, Math.min(30, f.length));
    codes.forEach((c, i) => (d[c] = f[i]));
  } else {
    const codes = pickCodes(rng, D_CODES, shape === 2 ? 30 : nd);
    const f = freqs(rng, codes.length);
    codes.forEach((c, i) => (d[c] = f[i]));
  }
  if (shape === 5) {
    // one frequency everywhere on a long run: equal lengths, REP codes
    const v = 1 + rng.int(5);
    const start = rng.int(200);
    for (let c = start; c < start + 1 + rng.int(80); c++) if (c !== END_BLOCK) l[c] = v;
  }
  if (shape === 6) {
    // many leaves of weight 1 and one of weight 2: internal nodes of equal (freq, height) and
    // different shapes, whose class depths depend on zlib's heap order (bound.ts, (P))
    l.fill(0);
    l[END_BLOCK] = 1;
    const codes = pickCodes(rng, 256, rng.range(4, 40));
    codes.forEach((c) => (l[c] = 1));
    l[codes[0]] = 2;
  }
  return { l, d };
}

describe('opt_len_lower_bound / static_len_exact', () => {
  it('hand-made edge cases', () => {
    const empty = (): Tally => {
      const l = new Int32Array(L_CODES);
      l[END_BLOCK] = 1;
      return { l, d: new Int32Array(D_CODES) };
    };
    const cases: [string, (t: Tally) => void][] = [
      ['empty block', () => {}],
      ['one literal', (t) => (t.l[65] = 7)],
      ['literal 0', (t) => (t.l[0] = 3)],
      ['d code 0 only', (t) => ((t.l[257] = 2), (t.d[0] = 2))],
      ['d code 1 only', (t) => ((t.l[257] = 2), (t.d[1] = 2))],
      ['d code 29 only', (t) => ((t.l[285] = 2), (t.d[29] = 2))],
      ['every code once', (t) => (t.l.fill(1), t.d.fill(1))],
      ['all literals 4', (t) => t.l.fill(4, 0, 256)],
      ['ten 1s and a 2', (t) => (t.l.fill(1, 97, 107), (t.l[107] = 2))],
    ];
    for (const [what, f] of cases) {
      const t = empty();
      f(t);
      check(t, what);
    }
  });

  it('random tallies of every shape (bound <= exact, static exact)', () => {
    const rng = new Rng(777);
    let exact = 0;
    const N = 40000;
    const A0 = A.stats.slice();
    const proven0 = proven;
    for (let i = 0; i < N; i++) {
      const { bound, opt } = check(randomTally(rng), `random ${i}`);
      if (bound === opt) exact++;
    }
    const ov = [STAT_OVERFLOW_L, STAT_OVERFLOW_D, STAT_OVERFLOW_BL].map((k) => A.stats[k] - A0[k]);
    console.log(
      `bound.test: ${N} random tallies, bound exact on ${exact}; overflows l/d/bl ${ov.join('/')}; ` +
        `${proven - proven0} trees with proven class depths checked against zlib's lengths; ` +
        `target contract checked on ${targetCalls} calls (${targetEarly} early exits so far)`,
    );
    expect(targetEarly).toBeGreaterThan(1000);
    expect(proven - proven0).toBeGreaterThan(N / 2);
    expect(ov[0]).toBeGreaterThan(10);
    expect(ov[1]).toBeGreaterThan(10);
    expect(ov[2]).toBeGreaterThan(0);
  });

  const haveData = requireSharedData('ag_news/test.jsonl.gz', 'ag_news/train.first2000.jsonl.gz');
  it.skipIf(!haveData)('real AG News pairs tallied by the engine', () => {
    const xs = readTexts('ag_news/test.jsonl.gz', 60);
    const ys = readTexts('ag_news/train.first2000.jsonl.gz', 100);
    const engine = new DeflateLengthEngine();
    const tallies: Tally[] = [];
    hook.capture = (s) => tallies.push(tallyOf(s as TreesState));
    try {
      for (const x of xs) for (const y of ys) engine.gzipLength(pairBytes(x, y));
      for (const y of ys.slice(0, 40)) engine.gzipLength(pairBytes(y, ''));
    } finally {
      hook.capture = null;
    }
    expect(tallies.length).toBeGreaterThanOrEqual(6000);
    let sum = 0;
    let max = 0;
    let exact = 0;
    const gaps: number[] = [];
    tallies.forEach((t, i) => {
      const { bound, opt } = check(t, `AG News block ${i}`);
      const g = opt - bound;
      gaps.push(g);
      sum += g;
      if (g > max) max = g;
      if (g === 0) exact++;
    });
    gaps.sort((a, b) => a - b);
    console.log(
      `bound.test: ${tallies.length} AG News blocks: gap opt_len - bound mean ${(sum / tallies.length).toFixed(2)} bits, ` +
        `p50 ${gaps[gaps.length >> 1]}, p90 ${gaps[Math.floor(gaps.length * 0.9)]}, max ${max}; exact on ${exact}`,
    );
  });
});
