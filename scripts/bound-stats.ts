/**
 * How tight and how useful src/deflate/bound.ts is on AG News pairs.
 *
 *   npx tsx scripts/bound-stats.ts [--queries Q] [--train N] [--k K]
 *
 * For Q test texts x (UTF-8) and the first N train texts y, each pair x + " " + y (one block: all
 * are < 16,383 symbols, checked) gets:
 *  - its exact gzip length Cxy (gzipLength of src/deflate/index.ts);
 *  - the tallies of its block. The engine has no hook, so they are taken from pako 2.1.0 (same
 *    zlib, the engine is tested equal to it): pako's trees.js is loaded first and its
 *    _tr_flush_block wrapped before pako's deflate.js destructures it; the wrapper copies the
 *    frequencies (dyn_ltree / dyn_dtree) into a TreesState. The block's stored_len is kept too;
 *  - the lower bound on Cxy from the bound (see lowerBytes below), checked <= Cxy.
 * Then: distribution of Cxy - bound (bytes), and the prune rate: for each x the K-th smallest NCD
 * over its N pairs, and the fraction of pairs whose bound-NCD (the bound in place of Cxy) is
 * already >= that threshold (they could skip the exact trees: their NCD is >= the K-th). And the
 * cost: µs per opt_len_lower_bound() call (replayed tallies) and per exact pair length
 * (PairLengthEngine.pairLength, and gzipLength).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { D_CODES, END_BLOCK, L_CODES, SYM_LIMIT } from '../src/deflate/constants.js';
import { bound_stats, opt_len_lower_bound, static_len_exact } from '../src/deflate/bound.js';
import { gzipLength } from '../src/deflate/index.js';
import { type BlockTally, pakoTallies } from './pako-tallies.js';
import { PairLengthEngine } from '../src/deflate/pair.js';
import { DMAP_WORD, TreesState, _tr_flush_block, init_block } from '../src/deflate/trees.js';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '20' },
    train: { type: 'string', default: '2000' },
    k: { type: 'string', default: '12' },
  },
});
const Q = Number(values.queries);
const NT = Number(values.train);
const K = Number(values.k);

type Captured = BlockTally;

function pakoTally(bytes: Uint8Array): Captured[] {
  const { blocks, length } = pakoTallies(bytes);
  if (length !== gzipLength(bytes)) throw new Error('pako and engine disagree');
  return blocks;
}

const dataDir = fileURLToPath(new URL('../../shared/data/ag_news/', import.meta.url));
function texts(file: string, limit: number): string[] {
  return gunzipSync(readFileSync(dataDir + file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, limit)
    .map((l) => (JSON.parse(l) as { text: string }).text);
}
const utf8 = new TextEncoder();
const xs = texts('test.jsonl.gz', Q).map((t) => utf8.encode(t));
const ys = texts('train.first2000.jsonl.gz', NT).map((t) => utf8.encode(t));

function load(s: TreesState, c: Captured): void {
  init_block(s);
  for (let n = 0; n < L_CODES; n++) {
    if (n === END_BLOCK || c.l[n] === 0) continue;
    s.l_desc.freq[n] = c.l[n];
    s.used[n >> 5] |= 1 << (n & 31);
  }
  for (let n = 0; n < D_CODES; n++) {
    if (c.d[n] === 0) continue;
    s.d_desc.freq[n] = c.d[n];
    s.used[DMAP_WORD] |= 1 << n;
  }
}

/**
 * Lower bound on the gzip length of a one-block stream from the bound (see _tr_flush_block):
 * opt_lenb = (opt_len + 3 + 7) >> 3 is nondecreasing in opt_len, so with L <= opt_len:
 * min(opt_lenb, static_lenb) >= m = min((L + 10) >> 3, static_lenb). The block is stored iff
 * stored_len + 4 <= that min (buf_ok: one block, start in the window), costing 3 bits, a pad to the
 * byte, 4 bytes, stored_len bytes = stored_len + 5 bytes; otherwise fixed (3 + static_len bits) or
 * dynamic (3 + opt_len bits), padded to a byte by the final bi_windup: (3 + bits + 7) >> 3 =
 * exactly the corresponding *_lenb, i.e. >= m. So the deflate stream is
 * >= min(m, stored_len + 5) bytes whatever is chosen (stored only when stored_len + 4 <= true min,
 * and a stored block has stored_len + 5 >= ... either way the output is >= min(m, stored_len + 5)).
 * Plus 18 bytes of gzip wrapper.
 */
function lowerBytes(L: number, stat: number, stored: number): number {
  const optb = (L + 3 + 7) >> 3;
  const statb = (stat + 3 + 7) >> 3;
  const m = optb < statb ? optb : statb;
  return 18 + Math.min(m, stored + 5);
}

const s = new TreesState();
const cx = xs.map((x) => gzipLength(x));
const cy = ys.map((y) => gzipLength(y));
const gaps: number[] = [];
let gapBits = 0;
let pruned = 0;
let total = 0;
const allTallies: Captured[] = [];
const t0 = performance.now();
for (let qi = 0; qi < Q; qi++) {
  const x = xs[qi];
  const exact: number[] = [];
  const bound: number[] = [];
  for (let yi = 0; yi < NT; yi++) {
    const y = ys[yi];
    const pair = new Uint8Array(x.length + 1 + y.length);
    pair.set(x);
    pair[x.length] = 0x20;
    pair.set(y, x.length + 1);
    const blocks = pakoTally(pair);
    if (blocks.length !== 1 || blocks[0].syms >= SYM_LIMIT) throw new Error('pair is not one block');
    const c = blocks[0];
    allTallies.push(c);
    load(s, c);
    const L = opt_len_lower_bound(s);
    const st = static_len_exact(s);
    s.static_len = 2 ** 30; // exact opt_len: dynamic forced (see test/deflate/bound.test.ts)
    s.bits = 0;
    _tr_flush_block(s, 0, false, false);
    const opt = s.bits - 3;
    if (L > opt) throw new Error(`bound ${L} > opt_len ${opt}`);
    gapBits += opt - L;
    const lb = lowerBytes(L, st, c.stored);
    const cxy = gzipLength(pair);
    if (lb > cxy) throw new Error(`byte bound ${lb} > ${cxy}`);
    exact.push(cxy);
    bound.push(lb);
    gaps.push(cxy - lb);
  }
  const ncd = (c: number, yi: number): number => (c - Math.min(cx[qi], cy[yi])) / Math.max(cx[qi], cy[yi]);
  const ncds = exact.map((c, yi) => ncd(c, yi)).sort((a, b) => a - b);
  const thr = ncds[K - 1];
  for (let yi = 0; yi < NT; yi++) {
    total++;
    if (ncd(bound[yi], yi) >= thr) pruned++;
  }
}
const t1 = performance.now();
gaps.sort((a, b) => a - b);
const pct = (p: number): number => gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * p))];
const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
console.log(`pairs: ${gaps.length} (${Q} queries x ${NT} train texts), collected in ${((t1 - t0) / 1000).toFixed(1)} s`);
console.log(`opt_len - bound: mean ${(gapBits / gaps.length).toFixed(2)} bits`);
console.log(
  `Cxy - bound (bytes): mean ${mean.toFixed(2)}, p50 ${pct(0.5)}, p90 ${pct(0.9)}, max ${gaps[gaps.length - 1]}, ` +
    `zero ${gaps.filter((g) => g === 0).length}`,
);
console.log(`prune rate (bound-NCD >= ${K}-th smallest NCD of its query): ${pruned}/${total} = ${((100 * pruned) / total).toFixed(1)}%`);
const bs = bound_stats;
console.log(
  `diagnostics per call: trees not proven ${(bs[1] / bs[0]).toFixed(3)}, pooled runs ${(bs[2] / bs[0]).toFixed(3)}, ` +
    `pooled items ${(bs[3] / bs[0]).toFixed(2)}, class members in pooled runs ${(bs[4] / bs[0]).toFixed(2)}`,
);

/* ---- timing ---- */
const sample = allTallies.slice(0, 4000);
/** µs per call: the tallies are loaded into one state (load time measured alone and subtracted),
 * the same way as for the exact trees below. */
function timeBound(): number {
  const t = new TreesState();
  let a = performance.now();
  for (let r = 0; r < 5; r++) for (const c of sample) load(t, c);
  const loadUs = ((performance.now() - a) * 1000) / (5 * sample.length);
  let acc = 0;
  a = performance.now();
  for (let r = 0; r < 5; r++)
    for (const c of sample) {
      load(t, c);
      acc += opt_len_lower_bound(t);
    }
  if (acc === 0) console.log('');
  return ((performance.now() - a) * 1000) / (5 * sample.length) - loadUs;
}
function timeFlush(): number {
  /* the exact trees: _tr_flush_block on the same tallies (reloaded each time; the reload is
   * timed separately and subtracted) */
  const t = new TreesState();
  let a = performance.now();
  for (let r = 0; r < 5; r++) for (const c of sample) load(t, c);
  const loadUs = ((performance.now() - a) * 1000) / (5 * 4000);
  a = performance.now();
  for (let r = 0; r < 5; r++)
    for (const c of sample) {
      load(t, c);
      _tr_flush_block(t, 0, false, false);
    }
  return ((performance.now() - a) * 1000) / (5 * 4000) - loadUs;
}
function timePairs(): { pair: number; gz: number } {
  const eng = new PairLengthEngine();
  let acc = 0;
  let a = performance.now();
  const nq = Math.min(Q, 5);
  for (let qi = 0; qi < nq; qi++) {
    eng.setQuery(xs[qi]);
    for (const y of ys) acc += eng.pairLength(y);
  }
  const pair = ((performance.now() - a) * 1000) / (nq * ys.length);
  a = performance.now();
  for (let qi = 0; qi < nq; qi++) {
    for (const y of ys) {
      const p = new Uint8Array(xs[qi].length + 1 + y.length);
      p.set(xs[qi]);
      p[xs[qi].length] = 0x20;
      p.set(y, xs[qi].length + 1);
      acc += gzipLength(p);
    }
  }
  const gz = ((performance.now() - a) * 1000) / (nq * ys.length);
  if (acc === 0) console.log('');
  return { pair, gz };
}
const tb: number[] = [];
const tf: number[] = [];
const tp: number[] = [];
const tg: number[] = [];
for (let r = 0; r < 5; r++) {
  tb.push(timeBound());
  tf.push(timeFlush());
  const p = timePairs();
  tp.push(p.pair);
  tg.push(p.gz);
}
const med = (v: number[]): string => [...v].sort((a, b) => a - b)[v.length >> 1].toFixed(2);
console.log(
  `µs per call (median of 5): opt_len_lower_bound ${med(tb)}, exact trees (_tr_flush_block) ${med(tf)}, ` +
    `PairLengthEngine.pairLength ${med(tp)}, gzipLength(pair) ${med(tg)}`,
);
