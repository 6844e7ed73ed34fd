/**
 * Speed of src/deflate/bound.ts against the exact trees, on real AG News pair blocks.
 *
 *   npx tsx scripts/bound-speed.ts [--queries Q] [--train N] [--runs R] [--k K] [--ref FILE]
 *
 * For Q test texts x and the first N train texts y, the one block of each pair x + " " + y is
 * tallied by pako 2.1.0 (same zlib as the engine; its _tr_flush_block is wrapped to copy the
 * frequencies, as in scripts/bound-stats.ts) and kept as a sparse list of (code, frequency). Then,
 * R times, interleaved, each function runs once over every block, the tallies loaded into a
 * TreesState before each call; the time of the loads alone is measured the same way and
 * subtracted. Printed: µs per call, median (and min) of the R runs, for
 *  - opt_len_lower_bound(s)             (target Infinity: the full bound)
 *  - opt_len_lower_bound(s, target)     (target: the opt_len that makes the pair's gzip length
 *                                        reach the K-th smallest exact NCD of its query, as the
 *                                        search's limit would; Infinity if no opt_len can)
 *  - opt_len_quick_bound(s)
 *  - static_len_exact(s)
 *  - _tr_flush_block(s, ...)             (the exact trees: what the bound is meant to avoid)
 * and, with --ref FILE (a module exporting opt_len_lower_bound, e.g. an older bound.ts copied
 * outside the tree with absolute imports), that function too, plus a check that both agree.
 * Also printed: how many blocks reach their target with the bound (the prune rate of the search's
 * test "bound >= target").
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { D_CODES, END_BLOCK, L_CODES, SYM_LIMIT } from '../src/deflate/constants.js';
import { bound_stats, opt_len_lower_bound, opt_len_quick_bound, static_len_exact } from '../src/deflate/bound.js';
import { gzipLength } from '../src/deflate/index.js';
import { DMAP_WORD, LMAP_WORDS, TreesState, _tr_flush_block } from '../src/deflate/trees.js';
import { pakoTallies } from './pako-tallies.js';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '4' },
    train: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '7' },
    k: { type: 'string', default: '12' },
    ref: { type: 'string' },
  },
});
const Q = Number(values.queries);
const NT = Number(values.train);
const RUNS = Number(values.runs);
const K = Number(values.k);

type BoundFn = (s: TreesState, target?: number) => number;
let refBound: BoundFn | null = null;
if (values.ref !== undefined) {
  const mod = (await import(pathToFileURL(values.ref).href)) as { opt_len_lower_bound: BoundFn };
  refBound = mod.opt_len_lower_bound;
}

/* ---- tallies from pako ---------------------------------------------------------------------- */
type Block = { codes: Int32Array; freqs: Int32Array; stored: number; syms: number };

/** The blocks of bytes, as the used codes (distance codes after L_CODES, END_BLOCK left out) and their frequencies. */
function pakoTally(bytes: Uint8Array): Block[] {
  return pakoTallies(bytes).blocks.map((b) => {
    const codes: number[] = [];
    const freqs: number[] = [];
    for (let n = 0; n < L_CODES; n++) if (b.l[n] !== 0 && n !== END_BLOCK) codes.push(n), freqs.push(b.l[n]);
    for (let n = 0; n < D_CODES; n++) if (b.d[n] !== 0) codes.push(L_CODES + n), freqs.push(b.d[n]);
    return { codes: Int32Array.from(codes), freqs: Int32Array.from(freqs), stored: b.stored, syms: b.syms };
  });
}

const dataDir = fileURLToPath(new URL('../../shared/data/ag_news/', import.meta.url));
function texts(file: string, limit: number): Uint8Array[] {
  const utf8 = new TextEncoder();
  return gunzipSync(readFileSync(dataDir + file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, limit)
    .map((l) => utf8.encode((JSON.parse(l) as { text: string }).text));
}
const xs = texts('test.jsonl.gz', Q);
const ys = texts('train.first2000.jsonl.gz', NT);

/** Load a block into s (after the previous call: the used bitmap is rebuilt; stale frequencies
 * of unused codes are never read). */
function load(s: TreesState, b: Block): void {
  const used = s.used;
  for (let w = 0; w <= LMAP_WORDS; w++) used[w] = 0;
  const lf = s.l_desc.freq;
  const df = s.d_desc.freq;
  lf[END_BLOCK] = 1;
  used[END_BLOCK >> 5] |= 1 << (END_BLOCK & 31);
  const codes = b.codes;
  const freqs = b.freqs;
  for (let i = 0; i < codes.length; i++) {
    const n = codes[i];
    if (n < L_CODES) {
      lf[n] = freqs[i];
      used[n >> 5] |= 1 << (n & 31);
    } else {
      df[n - L_CODES] = freqs[i];
      used[DMAP_WORD] |= 1 << (n - L_CODES);
    }
  }
  s.opt_len = 0;
  s.static_len = 0;
  s.bits = 0;
}

/** zlib's choice for a one-block stream: the smallest opt_len giving >= bytes (trees.ts'
 * opt_len_needed, repeated here). */
function optLenNeeded(bytes: number, static_len: number, stored_len: number): number {
  let v: number;
  if (bytes <= stored_len + 3) v = bytes;
  else if (bytes <= stored_len + 5) v = stored_len + 4;
  else return Infinity;
  if ((static_len + 3 + 7) >>> 3 < v) return Infinity;
  const need = 8 * v - 10;
  return need > 0 ? need : 0;
}

const t0 = performance.now();
const blocks: Block[] = [];
const targets: number[] = [];
const s = new TreesState();
for (const x of xs) {
  const cx = gzipLength(x);
  const mine: { b: Block; cxy: number; cy: number }[] = [];
  for (const y of ys) {
    const pair = new Uint8Array(x.length + 1 + y.length);
    pair.set(x);
    pair[x.length] = 0x20;
    pair.set(y, x.length + 1);
    const bl = pakoTally(pair);
    if (bl.length !== 1 || bl[0].syms >= SYM_LIMIT) throw new Error('pair is not one block');
    mine.push({ b: bl[0], cxy: gzipLength(pair), cy: gzipLength(y) });
  }
  const ncd = (c: number, cy: number): number => (c - Math.min(cx, cy)) / Math.max(cx, cy);
  const thr = mine.map((p) => ncd(p.cxy, p.cy)).sort((a, b) => a - b)[K - 1];
  for (const p of mine) {
    /* smallest gzip length C with ncd(C) >= thr (the search's limit), then the opt_len for it */
    let c = Math.min(cx, p.cy);
    while (ncd(c, p.cy) < thr) c++;
    load(s, p.b);
    blocks.push(p.b);
    targets.push(optLenNeeded(c - 18, static_len_exact(s), p.b.stored));
  }
}
console.log(`${blocks.length} AG News pair blocks (${Q} queries x ${NT} train texts) tallied in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

/* ---- checks: the bound against the exact trees, the target contract, the reference --------- */
let reached = 0;
let gap = 0;
const early0 = bound_stats[5];
let diffRef = 0;
for (let i = 0; i < blocks.length; i++) {
  load(s, blocks[i]);
  const full = opt_len_lower_bound(s);
  const early = opt_len_lower_bound(s, targets[i]);
  if (refBound !== null && refBound(s) !== full) diffRef++;
  _tr_flush_block(s, 0, false, false); /* stored impossible: bits = 3 + min(opt, static) */
  load(s, blocks[i]);
  s.static_len = 2 ** 30;
  _tr_flush_block(s, 0, false, false);
  const opt = s.bits - 3;
  if (full > opt) throw new Error(`block ${i}: bound ${full} > opt_len ${opt}`);
  if (early > opt) throw new Error(`block ${i}: bound with target ${early} > opt_len ${opt}`);
  if (early < targets[i] && early !== full) throw new Error(`block ${i}: early ${early} < target but != ${full}`);
  if ((full >= targets[i]) !== (early >= targets[i])) throw new Error(`block ${i}: target answer differs`);
  if (full >= targets[i]) reached++;
  gap += opt - full;
}
console.log(
  `bound >= target (prune, K = ${K}): ${reached}/${blocks.length} = ${((100 * reached) / blocks.length).toFixed(1)}%; ` +
    `mean opt_len - bound ${(gap / blocks.length).toFixed(2)} bits` +
    (refBound !== null ? `; blocks where the reference bound differs: ${diffRef}` : '') +
    `; early exits with target: ${bound_stats[5] - early0}`,
);

/* ---- timing ---------------------------------------------------------------------------------- */
let sink = 0;
const t = new TreesState();
function timeIt(f: (i: number) => void): number {
  const a = performance.now();
  for (let i = 0; i < blocks.length; i++) {
    load(t, blocks[i]);
    f(i);
  }
  return ((performance.now() - a) * 1000) / blocks.length;
}
const cases: [string, (i: number) => void][] = [
  ['load only (subtracted)', () => {}],
  ['opt_len_lower_bound(s)', () => (sink += opt_len_lower_bound(t))],
  ['opt_len_lower_bound(s, target)', (i) => (sink += opt_len_lower_bound(t, targets[i]))],
  ['opt_len_quick_bound(s)', () => (sink += opt_len_quick_bound(t))],
  ['static_len_exact(s)', () => (sink += static_len_exact(t))],
  ['_tr_flush_block (exact trees)', () => _tr_flush_block(t, 0, false, false)],
];
if (refBound !== null) {
  const f = refBound;
  cases.push([`reference ${values.ref}`, () => (sink += f(t))]);
}
const times: number[][] = cases.map(() => []);
for (let r = 0; r < RUNS + 1; r++) {
  cases.forEach(([, f], k) => {
    const us = timeIt(f);
    if (r > 0) times[k].push(us); /* run 0: warm-up */
  });
}
const med = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];
const loadUs = med(times[0]);
console.log(`\nµs per call, median (min) of ${RUNS} runs, load time (${loadUs.toFixed(3)} µs) subtracted:`);
const w = Math.max(...cases.map(([n]) => n.length));
cases.forEach(([name], k) => {
  if (k === 0) return;
  const m = med(times[k]) - loadUs;
  const mn = Math.min(...times[k]) - loadUs;
  console.log(`  ${name.padEnd(w)}  ${m.toFixed(3).padStart(7)}  (${mn.toFixed(3)})`);
});
if (sink === 0.5) console.log('');
