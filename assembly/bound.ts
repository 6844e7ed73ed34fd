/*
 * This file is part of a length-only port of zlib's trees.c (zlib 1.2.x, as ported by pako 2.1.0
 * in lib/zlib/trees.js) to AssemblyScript for the npc project: from a block's symbol tallies it
 * derives the cost that zlib's build_tree / gen_bitlen / scan_tree / build_bl_tree compute, or a
 * lower bound on it, without zlib's heap. It is an altered version of that software (the
 * quantities and their names are zlib's), not the original.
 *
 * zlib: Copyright (C) 1995-2022 Jean-loup Gailly and Mark Adler
 *
 * This software is provided 'as-is', without any express or implied warranty. In no event will
 * the authors be held liable for any damages arising from the use of this software.
 *
 * Permission is granted to anyone to use this software for any purpose, including commercial
 * applications, and to alter it and redistribute it freely, subject to the following restrictions:
 *
 * 1. The origin of this software must not be misrepresented; you must not claim that you wrote the
 *    original software. If you use this software in a product, an acknowledgment in the product
 *    documentation would be appreciated but is not required.
 * 2. Altered source versions must be plainly marked as such, and must not be misrepresented as
 *    being the original software.
 * 3. This notice may not be removed or altered from any source distribution.
 */

/*
 * opt_len_bound(): a rigorous lower bound on the opt_len that _tr_flush_block() has after
 * build_bl_tree() (data bits incl. extra bits + tree header; not the 3 block-type bits), with a
 * proof, often, that the bound IS zlib's opt_len (B.exact = 1); and zlib's static_len, exactly.
 * It reads the current block's tallies (LFREQ, DFREQ, USED) and writes only its own scratch.
 * (The TypeScript bound.ts of commit c87a546 did the same analysis on groups of equal keys; this
 * one works on nodes, is cheaper, and keeps the classes that are proven when others are not.)
 *
 * What zlib computes (trees.ts):
 *   opt_len = sum over used symbols f * (len + xbits)          (a forced node, added when a tree
 *           + sum over bl codes blf[c] * (bllen[c] + xbl[c])      has < 2 used symbols, gets freq 1
 *           + 3 * (max_blindex + 1) + 5 + 5 + 4                   and opt_len--: net 0)
 *
 * (K) Keys. zlib's heap orders nodes by key (freq, depth), depth being the height of the node's
 *     subtree (smaller(): freq, then depth). Each step removes a node of least key, then another of
 *     least key, and adds (sum of freqs, larger depth + 1). So the sequence of keys removed and
 *     created is the same whatever the heap's layout; only WHICH node of several with equal keys
 *     is taken depends on the layout, which we do not simulate. Created keys are nondecreasing
 *     (two consecutive equal weights need four removed nodes of equal weight, whose heights are
 *     nondecreasing), so a two-queue merge (leaves sorted by frequency, internal nodes first in
 *     first out; a leaf wins a weight tie, its height being 0) takes the same keys in the same
 *     order: it builds one of zlib's possible trees, "ours". The sets of nodes of equal key are the
 *     classes; a leaf class is the set of symbols of one frequency.
 * (D) Data. If no depth exceeds 15, zlib's lengths are its tree's depths: cost W = the sum of the
 *     internal nodes' weights, the same for every tree of (K). (The height is the root's key: the
 *     same too.) With fewer than 2 used symbols both codes get length 1 (exact). If some depth
 *     exceeds 15, zlib's lengths are still a prefix code: cost >= W (optimality).
 * (P) Which lengths. Every tree of (K) is ours with the nodes of each class permuted among the
 *     class's places (a node's sons' classes are fixed by the step that created it; which nodes of
 *     those classes fill its son places varies). So the multiset of depths of the places of a class
 *     K is the same in every tree ("K is invariant") if every class F having nodes with sons in K
 *     is invariant and either all F's places are at one depth, or all F's nodes have the same
 *     number of sons in K (then K's multiset is that many copies of F's, plus one). Top-down from
 *     the root, conservatively: if F fails, both son classes of each of its nodes are marked not
 *     invariant. A leaf class that is invariant has zlib's multiset of lengths = ours; only which
 *     symbol has which length is unknown, and in an optimal tree the depths of nodes of equal
 *     weight span at most 2 consecutive values (two of weight w with d_a >= d_b + 2: swapping a's
 *     father, of weight w + s with s > 0, and b saves s (d_a - 1 - d_b) > 0). For a class that is
 *     not invariant, its depths lie in the union over its fathers' classes of their ranges + 1
 *     (ranges propagated top-down; an invariant class's range is its own depths).
 * (H) Header. scan_tree() codes every maximal run of equal lengths of codes 0..max_code.
 *     - Zero runs (unused codes; zlib's forced codes count as used) are known from the bitmap:
 *       their items (0, 17, 18) and extra bits are exact (table ZR).
 *     - If no 4 consecutive used codes can share a length (from their classes' possible lengths),
 *       no REP_3_6 (16) covers them: each is one item coded by its own length. For a symbol of a
 *       class with one depth that item is known; for an invariant class with two depths the items
 *       of its members add up to its known counts (those of its members counted here: at least the
 *       counts minus the members left out); for a class that is not invariant, each member is one
 *       item of unknown code within its range ("pooled").
 *     - A run of used codes where 4 consecutive codes can share a length: if every length in it is
 *       known, scan_run_len on them is exact; otherwise its items are at least the minimum over the
 *       partitions of the run into segments whose ranges share a value of the items of each
 *       segment (the true sub-runs are such a partition): pooled, codes unknown (their lengths or
 *       16).
 *     The bit-length tree costs >= W(blf) (a prefix code, also after the 7-bit fix-up). W is
 *     nondecreasing in each frequency and concave (a minimum of linear functions). The pooled
 *     items' vector is a convex combination of (P items on one code c) over codes c of the union
 *     U of their possible codes, so W(blf) >= min over c in U of W(L + P e_c), L = the items
 *     known; and that minimum is at the c of U with the largest L[c] (for L[c1] <= L[c2], moving
 *     the P items from c1 to c2 does not raise the optimum: exchange argument). Extra bits of
 *     17 / 18 and of exactly known 16 are counted, those of pooled items dropped (>= 0). Every
 *     code with blf > 0 gets a nonzero bit length, so max_blindex >= the largest bl_order rank of
 *     a code with L > 0 (and >= 3).
 * B.exact: no depth over 15, nothing pooled, and the bit-length tree has >= 2 codes and height
 * <= 7 (no fix-up: zlib's cost is W(blf), and max_blindex is exact). Then the bound is zlib's
 * opt_len.
 *
 * With a limit (a pair that only needs to be proven long enough), a first partial bound is tried
 * before the merge: the entropy of each tree (N log2 N - sum f log2 f, from tables; Shannon: no
 * prefix code costs less) plus the header with every used run pooled with its fewest items (H).
 *
 * Every frequency of a block fits the counting sort (a block has at most 16,383 symbols). All
 * scratch is in fixed linear memory and nothing is allocated; the tables indexed by frequency are
 * left zero after every call.
 */
import {
  BL_CODES,
  D_CODES,
  LITERALS,
  L_CODES,
  MAX_BITS,
  MAX_BL_BITS,
  REP_3_6,
  REPZ_11_138,
  REPZ_3_10,
  STATIC_DTREE_LEN,
  bl_order,
  extra_dbits,
  extra_lbits,
  static_ltree_len,
  byte,
  ld,
  st,
} from './constants';
import { DFREQ, DMAP_WORD, LFREQ, LMAP_WORDS, USED } from './trees';

/** Slot of the extra bits in the item arrays (after the 19 bl codes). */
const HX: i32 = BL_CODES;
const ITEMS: i32 = BL_CODES + 1;

// @ts-ignore: decorator
@inline function add(a: usize, i: i32, v: i32): void {
  const p = a + ((<usize>i) << 2);
  store<i32>(p, load<i32>(p) + v);
}

/* ---- tables (bound_setup) ------------------------------------------------------------------ */

/** RUN_ITEMS[k]: items scan_run_len() sends for a maximal run of k equal non-zero lengths. */
const RUN_ITEMS: usize = memory.data((L_CODES + 1) * 4, 16);
/** MIN_ITEMS[r]: fewest items of a run of r used codes whatever their lengths (min over partitions). */
const MIN_ITEMS: usize = memory.data((L_CODES + 1) * 4, 16);
/** DMI[r] = MIN_ITEMS[r] - MIN_ITEMS[r - 1]: summed code by code over a run, its fewest items. */
const DMI: usize = memory.data((L_CODES + 1) * 4, 16);
/**
 * Entropy, fixed point (2^-16 bits): FLOGF[f] >= f log2 f for f < FLOGF_MAX (rounded up), NLOGN[N]
 * <= N log2 N for N < NLOGN_MAX (rounded down); beyond, f (32 - clz f) >= f log2 f and
 * N (31 - clz N) <= N log2 N. N log2 N - sum f log2 f <= the optimal code's cost (Shannon).
 */
const FLOGF_MAX: i32 = 1024;
const FLOGF: usize = memory.data(FLOGF_MAX * 4, 16);
const NLOGN_MAX: i32 = 2048;
const NLOGN: usize = memory.data(NLOGN_MAX * 4, 16);
/**
 * ZR[r] (i64): items 0, 17, 18 and extra bits of a maximal run of r zero lengths, 16 bits each
 * (sums over a tree's runs stay below 2^16: at most 2, 1, 3 and 21 per run, 286 runs).
 */
const ZR: usize = memory.data((L_CODES + 1) * 8, 16);
/** Rank of each bl code in bl_order. */
const BL_RANK: usize = memory.data(BL_CODES * 4, 16);

/**
 * Counting sort by frequency, one table per tree, all zero between calls. A block has at most
 * 16,383 symbols (SYM_LIMIT) and END_BLOCK, so every frequency is below BUCKETS; the table is
 * large but only the entries of the frequencies present are touched.
 */
const BUCKETS: i32 = 16384;
/** Bitset of the frequencies present, one per tree. All zero between calls. */
const FBITS_WORDS: i32 = BUCKETS >> 5;
/** A key above every real one (weights < 2^16, heights < 32). */
const INF: i32 = 0x7fffffff;

function run_items(k: i32): i32 {
  if (k < 4) return k;
  if (k <= 7) return 2;
  let r = k - 7;
  const q = r / 6;
  r -= q * 6;
  return 2 + q + (r < 3 ? r : 1);
}

/** Exact items of a maximal run of r zero lengths (scan_run_zero), added to items[]. */
function zero_run(items: usize, r: i32): void {
  if (r >= 138) {
    const q = r / 138;
    add(items, REPZ_11_138, q);
    add(items, HX, 7 * q);
    r -= q * 138;
  }
  if (r < 3) add(items, 0, r);
  else if (r <= 10) {
    add(items, REPZ_3_10, 1);
    add(items, HX, 3);
  } else {
    add(items, REPZ_11_138, 1);
    add(items, HX, 7);
  }
}

/** Exact items of a maximal run of r equal lengths v != 0 (scan_run_len), added to items[]. */
function len_run(items: usize, v: i32, r: i32): void {
  if (r < 4) {
    add(items, v, r);
    return;
  }
  add(items, v, 1);
  let reps = 1;
  if (r > 7) {
    r -= 7;
    const q = r / 6;
    reps += q;
    r -= q * 6;
    if (r < 3) add(items, v, r);
    else reps++;
  }
  add(items, REP_3_6, reps);
  add(items, HX, 2 * reps);
}

const ZTMP: usize = memory.data(ITEMS * 4, 16);

function bound_tables(): void {
  for (let k = 0; k <= L_CODES; k++) st(RUN_ITEMS, k, run_items(k));
  st(MIN_ITEMS, 0, 0);
  for (let i = 1; i <= L_CODES; i++) {
    let best = 1 << 30;
    for (let j = 0; j < i; j++) {
      const v = ld(MIN_ITEMS, j) + ld(RUN_ITEMS, i - j);
      if (v < best) best = v;
    }
    st(MIN_ITEMS, i, best);
    st(DMI, i, best - ld(MIN_ITEMS, i - 1));
  }
  /* (Math.log2 is accurate to well under 2^-16 relative here; two units of margin each way) */
  st(FLOGF, 0, 0);
  for (let f = 1; f < FLOGF_MAX; f++) st(FLOGF, f, <i32>Math.floor(<f64>f * Math.log2(<f64>f) * 65536.0) + 2);
  st(NLOGN, 0, 0);
  for (let m = 1; m < NLOGN_MAX; m++) st(NLOGN, m, <i32>Math.floor(<f64>m * Math.log2(<f64>m) * 65536.0) - 2);
  for (let r = 0; r <= L_CODES; r++) {
    memory.fill(ZTMP, 0, ITEMS * 4);
    zero_run(ZTMP, r);
    const v = (<u64>ld(ZTMP, 0)) | ((<u64>ld(ZTMP, REPZ_3_10)) << 16) | ((<u64>ld(ZTMP, REPZ_11_138)) << 32) | ((<u64>ld(ZTMP, HX)) << 48);
    store<u64>(ZR + ((<usize>r) << 3), v);
  }
  for (let i = 0; i < BL_CODES; i++) st(BL_RANK, byte(bl_order, i), i);
  /* extra bits | static cost (code length + extra bits) << 8 of every code */
  for (let c = 0; c < L_CODES; c++) {
    const x = c > LITERALS ? byte(extra_lbits, c - LITERALS - 1) : 0;
    store<u16>(XS_L + ((<usize>c) << 1), <u16>(x | ((byte(static_ltree_len, c) + x) << 8)));
  }
  for (let c = 0; c < D_CODES; c++) {
    const x = byte(extra_dbits, c);
    store<u16>(XS_D + ((<usize>c) << 1), <u16>(x | ((STATIC_DTREE_LEN + x) << 8)));
  }
}

/** u16 per code: extra bits | static cost << 8 (literal/length codes, distance codes). */
const XS_L: usize = memory.data(L_CODES * 2, 16);
const XS_D: usize = memory.data(D_CODES * 2, 16);

/** Add packed zero-run items (a sum of ZR entries) to HZ. */
function add_zero_items(z: u64): void {
  add(HZ, 0, <i32>(z & 0xffff));
  add(HZ, REPZ_3_10, <i32>((z >> 16) & 0xffff));
  add(HZ, REPZ_11_138, <i32>((z >> 32) & 0xffff));
  add(HZ, HX, <i32>(z >> 48));
}

/* ---- per-tree scratch ---------------------------------------------------------------------- */

/**
 * Scratch of one tree. The leaves are handled by class (the symbols of one frequency, classes
 * 0..nl-1 in increasing frequency): the merge takes "a leaf of class c" and never needs to know
 * which one. Internal nodes 0..n-2 are numbered in creation order; a son is an internal node
 * (>= 0) or a leaf of class c (-1 - c). Internal classes (nodes of equal keys, consecutive) are
 * numbered nl..nc-1.
 */
@unmanaged
class Tree {
  /* The arrays (getters: their addresses are constants of each tree, so a function specialised to
   * one tree (the _L / _D wrappers below) keeps none of them in a register). */
  /** i32[elems]: the used codes in code order, and their frequencies. */
  // @ts-ignore: decorator
  @inline get sym(): usize {
    return tree_array(this, 0);
  }
  // @ts-ignore: decorator
  @inline get fr(): usize {
    return tree_array(this, 1);
  }
  /** i32[elems + 1] per leaf class: key (frequency << 5; INF after the last), size, first leaf in consumption order. */
  // @ts-ignore: decorator
  @inline get lkey(): usize {
    return tree_array(this, 2);
  }
  // @ts-ignore: decorator
  @inline get lcnt(): usize {
    return tree_array(this, 3);
  }
  // @ts-ignore: decorator
  @inline get lstart(): usize {
    return tree_array(this, 4);
  }
  /** i32[elems] per leaf class: the internal node made when its last leaf was taken; nodes at the larger depth; members in REP-possible runs. */
  // @ts-ignore: decorator
  @inline get llast(): usize {
    return tree_array(this, 5);
  }
  // @ts-ignore: decorator
  @inline get lnhi(): usize {
    return tree_array(this, 6);
  }
  // @ts-ignore: decorator
  @inline get lout(): usize {
    return tree_array(this, 7);
  }
  /** i32[elems + 1] per internal node: key (INF while being made), sons, depth, leaves taken so far, class - nl. */
  // @ts-ignore: decorator
  @inline get key(): usize {
    return tree_array(this, 8);
  }
  // @ts-ignore: decorator
  @inline get son_a(): usize {
    return tree_array(this, 9);
  }
  // @ts-ignore: decorator
  @inline get son_b(): usize {
    return tree_array(this, 10);
  }
  // @ts-ignore: decorator
  @inline get depth(): usize {
    return tree_array(this, 11);
  }
  // @ts-ignore: decorator
  @inline get cum(): usize {
    return tree_array(this, 12);
  }
  // @ts-ignore: decorator
  @inline get icls(): usize {
    return tree_array(this, 13);
  }
  /** i32[elems + 1]: first internal node of internal class nl + i (and one past the last). */
  // @ts-ignore: decorator
  @inline get ifirst(): usize {
    return tree_array(this, 14);
  }
  /** i32[32]: first (smallest) internal node at each depth. */
  // @ts-ignore: decorator
  @inline get level(): usize {
    return tree_array(this, 17) + 2 * tree_g(this);
  }
  /** u8[2 elems]: class not invariant. */
  // @ts-ignore: decorator
  @inline get bad(): usize {
    return tree_array(this, 16);
  }
  /** i32[2 elems]: depth range lo | hi << 8 of each class (ranges(): trees with a class not invariant). */
  // @ts-ignore: decorator
  @inline get range(): usize {
    return tree_array(this, 17);
  }
  /** i32[elems]: starts (in code order) of the runs of >= 4 consecutive used codes. */
  // @ts-ignore: decorator
  @inline get runs(): usize {
    return tree_array(this, 15);
  }
  /** i32[BUCKETS]: counts by frequency, then the leaf classes (class | possible lengths << 16). */
  // @ts-ignore: decorator
  @inline get bucket(): usize {
    return tree_array(this, 17) + 2 * tree_g(this) + 32 * 4;
  }
  // @ts-ignore: decorator
  @inline get fbits(): usize {
    return tree_array(this, 17) + 2 * tree_g(this) + 32 * 4 + <usize>BUCKETS * 4;
  }
  n: i32;
  nl: i32;
  nc: i32;
  nruns: i32;
  /** OR of the frequencies (>= the largest, < twice it). */
  maxf: i32;
  any_bad: i32;
  /** Size of the per-code arrays minus one (a scratch slot at the end). */
  // @ts-ignore: decorator
  @inline get elems(): i32 {
    return is_l(this) ? L_CODES : D_CODES;
  }
  /** The largest frequency. */
  fmax: i32;
  /** Fewest items of the runs of used codes, whatever their lengths. */
  min_items: i32;
  /** Symbols of the tree (sum of the frequencies) and sum of FLOGF over them. */
  total: i32;
  flogf: i64;
}

const TL = changetype<Tree>(memory.data(offsetof<Tree>(), 16));
const TD = changetype<Tree>(memory.data(offsetof<Tree>(), 16));
/* per tree: 17 arrays of elems + 1 i32, 2 of 2 elems + 1, the levels, the bucket table and the bitset */
const TL_MEM: usize = memory.data((L_CODES + 1) * 4 * 17 + (2 * L_CODES + 1) * 4 * 2 + 32 * 4 + BUCKETS * 4 + FBITS_WORDS * 4 + 64, 16);
const TD_MEM: usize = memory.data((D_CODES + 1) * 4 * 17 + (2 * D_CODES + 1) * 4 * 2 + 32 * 4 + BUCKETS * 4 + FBITS_WORDS * 4 + 64, 16);

/** The literal/length tree's scratch (else the distance tree's). */
// @ts-ignore: decorator
@inline function is_l(t: Tree): bool {
  return changetype<usize>(t) == changetype<usize>(TL);
}

/** Bytes of one array of elems + 1 i32, and of 2 elems + 1. */
// @ts-ignore: decorator
@inline function tree_a(t: Tree): usize {
  return is_l(t) ? (L_CODES + 1) * 4 : (D_CODES + 1) * 4;
}
// @ts-ignore: decorator
@inline function tree_g(t: Tree): usize {
  return is_l(t) ? (2 * L_CODES + 1) * 4 : (2 * D_CODES + 1) * 4;
}

/** The k-th array of elems + 1 i32 of the tree's scratch (the range array follows the 17th). */
// @ts-ignore: decorator
@inline function tree_array(t: Tree, k: usize): usize {
  return (is_l(t) ? TL_MEM : TD_MEM) + k * tree_a(t);
}

function clear_tree(t: Tree): void {
  memory.fill(t.bucket, 0, BUCKETS * 4 + FBITS_WORDS * 4);
}

/** Items known exactly (zero runs, known used codes) of both trees, extra bits in [HX]. */
const HZ: usize = memory.data(ITEMS * 4, 16);

/** Results of the last opt_len_bound() call, and counters for the measurements. */
@unmanaged
class BoundState {
  /** 1 when the bound is zlib's opt_len. */
  exact: i32;
  /** zlib's static_len for the block (exact). */
  static_len: i32;
  /** Items pooled in the last call (unknown codes), and the union of their possible codes (bit c: code c). */
  pooled: i32;
  union: i32;
  /** Counters (cumulative): calls, calls ended by the first partial bound, trees over 15 bits, trees with a leaf class not invariant, calls with pooled items. */
  calls: i32;
  early: i32;
  overflow: i32;
  not_invariant: i32;
  with_pooled: i32;
  early2: i32;
}
export const B = changetype<BoundState>(memory.data(offsetof<BoundState>(), 16));

export function bound_setup(): void {
  clear_tree(TL);
  clear_tree(TD);
  bound_tables();
}

/* ---- collect --------------------------------------------------------------------------------- */

/**
 * Collect the used codes of bitmap words [w0, w1) with their frequencies; their extra bits (the
 * return value) and static cost (into B.static_len); the exact zero-run items (into HZ); the
 * fewest items of the used runs and the runs of >= 4 used codes; the counts per frequency; the
 * entropy terms. Returns -1 (never seen: see BUCKETS) if a frequency is >= BUCKETS (the counts are
 * then undone).
 */
// @ts-ignore: decorator
@inline function collect_t(t: Tree, w0: i32, w1: i32, freq: usize, xs: usize): i32 {
  const sym = t.sym;
  const fr = t.fr;
  const bk = t.bucket;
  const fb = t.fbits;
  const runs = t.runs;
  let n = 0;
  let x = 0;
  let stat = 0;
  let maxf = 0;
  let fmax = 0;
  let total = 0;
  let flogf: i64 = 0;
  let mi = 0;
  let nruns = 0;
  let next = 0; /* first code after the last used one */
  let run = 0; /* used codes in the current run */
  let z: u64 = 0;
  for (let w = w0; w < w1; w++) {
    let bits = ld(USED, w);
    const base = (w - w0) << 5;
    while (bits != 0) {
      const c = base + ctz(bits);
      bits &= bits - 1;
      const f = ld(freq, c);
      st(sym, n, c);
      st(fr, n, f);
      const v = <i32>load<u16>(xs + ((<usize>c) << 1));
      x += f * (v & 255);
      stat += f * (v >> 8);
      maxf |= f;
      fmax = select(f, fmax, f > fmax);
      total += f;
      /* (a frequency >= BUCKETS wraps harmlessly: undone below) */
      const fi = f & (BUCKETS - 1);
      flogf += f < FLOGF_MAX ? <i64>ld(FLOGF, f) : (<i64>(f * (32 - clz(f)))) << 16;
      add(bk, fi, 1);
      st(fb, fi >> 5, ld(fb, fi >> 5) | (1 << (fi & 31)));
      /* the zero run before c (r = 0: none), and the runs of used codes, branch-free */
      const r = c - next;
      z += load<u64>(ZR + ((<usize>r) << 3));
      run = (run & ~((r | -r) >> 31)) + 1;
      mi += ld(DMI, run);
      if (run == 4) st(runs, nruns++, n - 3);
      next = c + 1;
      n++;
    }
  }
  B.static_len += stat;
  t.n = n;
  t.maxf = maxf;
  t.fmax = fmax;
  t.nruns = nruns;
  t.total = total;
  t.flogf = flogf;
  t.min_items = mi;
  if (maxf >= BUCKETS) {
    clear_counts(t);
    return -1;
  }
  add_zero_items(z);
  return x;
}

/** Leave the tree's frequency tables zero (after collect, before merge). */
// @ts-ignore: decorator
@inline function clear_counts_t(t: Tree): void {
  const bk = t.bucket;
  const fr = t.fr;
  for (let k = 0, n = t.n; k < n; k++) st(bk, ld(fr, k) & (BUCKETS - 1), 0);
  /* the bitset's words up to the largest frequency's (all of them if a frequency wrapped) */
  const maxf = t.maxf;
  memory.fill(t.fbits, 0, maxf < BUCKETS ? ((maxf >> 5) + 1) * 4 : FBITS_WORDS * 4);
}

/**
 * The trees with fewer than 2 used codes: zlib forces codes up to two of frequency 1
 * (build_tree); both get length 1 and a forced one costs nothing (opt_len--). Adds the header
 * items (the two codes and the zero runs around them) to HZ, replacing what collect() added, and
 * returns the data bits without the extra bits (exact). The caller then treats the tree as done.
 */
function small_tree(t: Tree): i32 {
  const hz = HZ;
  let data = 0;
  let a = 0;
  let max_code = 0; /* n = 0: the first forced node is 0 (max_code -1 -> 0) */
  if (t.n == 1) {
    /* undo the zero run before the code (collect added it) */
    const c = ld(t.sym, 0);
    const z = load<u64>(ZR + ((<usize>c) << 3));
    add(hz, 0, -(<i32>(z & 0xffff)));
    add(hz, REPZ_3_10, -(<i32>((z >> 16) & 0xffff)));
    add(hz, REPZ_11_138, -(<i32>((z >> 32) & 0xffff)));
    add(hz, HX, -(<i32>(z >> 48)));
    data = ld(t.fr, 0);
    a = max_code = c;
  }
  let b = max_code < 2 ? max_code + 1 : 0;
  if (a > b) {
    const tt = a;
    a = b;
    b = tt;
  }
  zero_run(hz, a);
  zero_run(hz, b - a - 1);
  add(hz, 1, 2);
  clear_counts(t);
  return data;
}

/**
 * Lower bound on the data bits (without extra bits) of a tree with n >= 2: the entropy
 * N log2 N - sum f log2 f (Shannon: no prefix code does better), rounded up.
 */
function entropy_bits(t: Tree): i32 {
  const N = t.total;
  const nlogn = N < NLOGN_MAX ? <i64>ld(NLOGN, N) : (<i64>(N * (31 - clz(N)))) << 16;
  const e = nlogn - t.flogf;
  return e <= 0 ? 0 : <i32>((e + 65535) >> 16);
}

/* ---- (K), (D): the merge --------------------------------------------------------------------- */

/**
 * The leaf classes (distinct frequencies in increasing order, from the bitset, which is cleared)
 * and the two-queue merge of (K): internal nodes' keys, sons and classes; for each leaf class the
 * node made when its last leaf was taken; leaves taken so far at each node. Returns W (the sum of
 * the internal nodes' weights). n >= 2.
 */
// @ts-ignore: decorator
@inline function merge_t(t: Tree): i32 {
  const n = t.n;
  const bk = t.bucket;
  const fb = t.fbits;
  const lkey = t.lkey;
  const lcnt = t.lcnt;
  const lstart = t.lstart;
  let nl = 0;
  let pos = 0;
  for (let wd = 0, we = t.maxf >> 5; wd <= we; wd++) {
    let bits = ld(fb, wd);
    if (bits == 0) continue;
    st(fb, wd, 0);
    const base = wd << 5;
    while (bits != 0) {
      const f = base + ctz(bits);
      bits &= bits - 1;
      const c = ld(bk, f);
      st(lkey, nl, f << 5);
      st(lcnt, nl, c);
      st(lstart, nl, pos);
      pos += c;
      nl++;
    }
  }
  st(lkey, nl, INF);
  st(lcnt, nl, 1);
  t.nl = nl;
  /* Two-queue merge, branch-free: the leaf queue is class ci with rem leaves left (key kl; INF,
   * and a count of 1, past the last class); internal nodes [qi, j) (key[j] = INF while node j is
   * made). A leaf wins a weight tie (height 0 < 1). llast[ci] takes the node made each time a leaf
   * of class ci is taken (the last one stays); the slot `elems` takes the others. */
  const key = t.key;
  const son_a = t.son_a;
  const son_b = t.son_b;
  const ifirst = t.ifirst;
  const icls = t.icls;
  const cum = t.cum;
  const llast = t.llast;
  const dummy = t.elems;
  let ci = 0;
  let rem = ld(lcnt, 0);
  let kl = ld(lkey, 0);
  let qi = 0;
  let taken = 0;
  let W = 0;
  let ni = 0; /* internal classes */
  let prev = -1;
  const last = n - 1;
  for (let j = 0; j < last; j++) {
    st(key, j, INF);
    let kq = ld(key, qi);
    let tl = <i32>(kl < kq);
    const a = select(-1 - ci, qi, tl);
    const ka = select(kl, kq, tl);
    qi += tl ^ 1;
    taken += tl;
    rem -= tl;
    st(llast, select(ci, dummy, tl), j);
    let adv = tl & (<i32>(rem == 0));
    ci += adv;
    rem = select(ld(lcnt, ci), rem, adv);
    kl = ld(lkey, ci);
    kq = ld(key, qi);
    tl = <i32>(kl < kq);
    const b = select(-1 - ci, qi, tl);
    const kb = select(kl, kq, tl);
    qi += tl ^ 1;
    taken += tl;
    rem -= tl;
    st(llast, select(ci, dummy, tl), j);
    adv = tl & (<i32>(rem == 0));
    ci += adv;
    rem = select(ld(lcnt, ci), rem, adv);
    kl = ld(lkey, ci);
    const w = (ka >> 5) + (kb >> 5);
    const ha = ka & 31;
    const hb = kb & 31;
    const k = (w << 5) | (select(ha, hb, ha > hb) + 1);
    st(key, j, k);
    st(son_a, j, a);
    st(son_b, j, b);
    W += w;
    st(cum, j, taken);
    /* a new class when the key changes (keys come out nondecreasing) */
    st(ifirst, ni, j);
    ni += <i32>(k != prev);
    st(icls, j, ni - 1);
    prev = k;
  }
  st(ifirst, ni, last);
  t.nc = nl + ni;
  return W;
}

/* ---- (P): depths and classes ----------------------------------------------------------------- */

/** Class of son s: a leaf of class -1 - s, or internal node s. */
// @ts-ignore: decorator
@inline function son_class(nl: i32, icls: usize, s: i32): i32 {
  return s < 0 ? -1 - s : nl + ld(icls, s);
}

/**
 * Depths (top-down), the first node of each depth, and (P): which classes are not invariant
 * (bad), conservatively. Depths are nonincreasing in consumption order (a node consumed earlier
 * has a father created no later, first in first out, and by induction from the root an earlier-
 * created node is at least as deep), so a class's depths are those of its last node (the
 * smaller) and its first. Returns false if a depth exceeds 15.
 */
// @ts-ignore: decorator
@inline function classes_t(t: Tree): bool {
  const n = t.n;
  const nl = t.nl;
  const nc = t.nc;
  const key = t.key;
  const depth = t.depth;
  const son_a = t.son_a;
  const son_b = t.son_b;
  const ifirst = t.ifirst;
  const icls = t.icls;
  const level = t.level;
  const bad = t.bad;
  const root = n - 2;
  if ((ld(key, root) & 31) > MAX_BITS) return false;
  memory.fill(bad, 0, <usize>nc);
  /* depth[n - 1] is a dummy slot for the leaves */
  const dummy = n - 1;
  st(depth, root, 0);
  let any_bad = 0;
  for (let F = nc - nl - 1; F >= 0; F--) {
    const s = ld(ifirst, F);
    const e = ld(ifirst, F + 1);
    let ok = byte(bad, nl + F) == 0;
    /* invariant with two depths: every node of F must have the same pair of sons' classes */
    if (ok && ld(depth, s) != ld(depth, e - 1)) {
      const a0 = son_class(nl, icls, ld(son_a, s));
      const b0 = son_class(nl, icls, ld(son_b, s));
      for (let j = s + 1; j < e; j++) {
        const a1 = son_class(nl, icls, ld(son_a, j));
        const b1 = son_class(nl, icls, ld(son_b, j));
        if (!((a1 == a0 && b1 == b0) || (a1 == b0 && b1 == a0))) ok = false;
      }
    }
    for (let j = e - 1; j >= s; j--) {
      const dj = ld(depth, j);
      st(level, dj, j);
      const a = ld(son_a, j);
      const b = ld(son_b, j);
      st(depth, select(a, dummy, a >= 0), dj + 1);
      st(depth, select(b, dummy, b >= 0), dj + 1);
    }
    if (!ok) {
      any_bad = 1;
      for (let j = s; j < e; j++) {
        store<u8>(bad + <usize>son_class(nl, icls, ld(son_a, j)), 1);
        store<u8>(bad + <usize>son_class(nl, icls, ld(son_b, j)), 1);
      }
    }
  }
  t.any_bad = any_bad;
  return true;
}

/**
 * For trees with a class that is not invariant: every class's depth range in any tree of (K)
 * (range: lo | hi << 8): an invariant class's own depths, otherwise the union of its fathers'
 * classes' ranges + 1. Top-down.
 */
// @ts-ignore: decorator
@inline function ranges_t(t: Tree): void {
  const nl = t.nl;
  const nc = t.nc;
  const depth = t.depth;
  const son_a = t.son_a;
  const son_b = t.son_b;
  const ifirst = t.ifirst;
  const icls = t.icls;
  const bad = t.bad;
  const range = t.range;
  for (let c = 0; c < nc; c++) st(range, c, 31); /* empty: lo 31, hi 0 */
  for (let F = nc - nl - 1; F >= 0; F--) {
    const s = ld(ifirst, F);
    const e = ld(ifirst, F + 1);
    let r = ld(range, nl + F);
    if (byte(bad, nl + F) == 0) {
      r = ld(depth, e - 1) | (ld(depth, s) << 8);
      st(range, nl + F, r);
    }
    const lo1 = (r & 255) + 1;
    const hi1 = (r >> 8) + 1;
    for (let j = s; j < e; j++) {
      const A = son_class(nl, icls, ld(son_a, j));
      const Bc = son_class(nl, icls, ld(son_b, j));
      st(range, A, widen(ld(range, A), lo1, hi1));
      st(range, Bc, widen(ld(range, Bc), lo1, hi1));
    }
  }
}

/** Range lo | hi << 8 widened to include [lo, hi]. */
// @ts-ignore: decorator
@inline function widen(r: i32, lo: i32, hi: i32): i32 {
  const rl = r & 255;
  const rh = r >> 8;
  return select(lo, rl, lo < rl) | (select(hi, rh, hi > rh) << 8);
}

/**
 * Each leaf class's depths: its last leaf (taken when node llast was made) is at the smaller one,
 * lo; its leaves at lo are those taken at nodes of depth lo - 1, i.e. from the first node of that
 * depth on (depths are nonincreasing in creation order); the others are at lo + 1 (a class spans
 * at most 2 depths). Writes the possible lengths into bucket[f] (class | lengths << 16, bit v:
 * length v) and lnhi (nodes at lo + 1).
 */
// @ts-ignore: decorator
@inline function leaf_classes_t(t: Tree): void {
  const nl = t.nl;
  const lkey = t.lkey;
  const lcnt = t.lcnt;
  const lstart = t.lstart;
  const llast = t.llast;
  const lnhi = t.lnhi;
  const lout = t.lout;
  const depth = t.depth;
  const cum = t.cum;
  const level = t.level;
  const bad = t.bad;
  const range = t.range;
  const bk = t.bucket;
  const any_bad = t.any_bad;
  let bad_leaves = 0;
  for (let c = 0; c < nl; c++) {
    let lo: i32;
    let hi: i32;
    if (any_bad != 0 && byte(bad, c) != 0) {
      const r = ld(range, c);
      lo = r & 255;
      hi = r >> 8;
      bad_leaves = 1;
    } else {
      const d = ld(depth, ld(llast, c)); /* = lo - 1 */
      const jb = ld(level, d); /* first node at depth d */
      const before = jb > 0 ? ld(cum, jb - 1) : 0; /* leaves taken before it */
      const start = ld(lstart, c);
      const size = ld(lcnt, c);
      const nlo = start + size - (before > start ? before : start);
      lo = d + 1;
      hi = lo + <i32>(nlo < size);
      st(lnhi, c, size - nlo);
    }
    st(lout, c, 0);
    st(bk, ld(lkey, c) >> 5, c | (((2 << hi) - (1 << lo)) << 16));
  }
  B.not_invariant += bad_leaves;
}

/* ---- (H): the header items of the used codes ------------------------------------------------- */

const DP: usize = memory.data((L_CODES + 1) * 4, 16);

/** Lower bound on the items of the used run k0..k1 (code order) when lengths lie in class ranges. */
// @ts-ignore: decorator
@inline function run_min_items_t(t: Tree, k0: i32, k1: i32): i32 {
  const fr = t.fr;
  const bk = t.bucket;
  const r = k1 - k0;
  st(DP, 0, 0);
  for (let i = 1; i <= r; i++) {
    let best = 1 << 30;
    let m = -1;
    for (let j = i - 1; j >= 0; j--) {
      m &= ld(bk, ld(fr, k0 + j)) >>> 16;
      if (m == 0) break;
      const v = ld(DP, j) + ld(RUN_ITEMS, i - j);
      if (v < best) best = v;
    }
    st(DP, i, best);
  }
  return ld(DP, r);
}

/**
 * The runs of >= 4 used codes where 4 consecutive codes can share a length (bit masks of their
 * classes' possible lengths): their items, exact if every length in the run is known, else pooled
 * (fewest items, codes among their lengths and 16); their members are counted in lout.
 */
// @ts-ignore: decorator
@inline function rep_runs_t(t: Tree): void {
  const n = t.n;
  const sym = t.sym;
  const fr = t.fr;
  const bk = t.bucket;
  const lout = t.lout;
  const runs = t.runs;
  const hz = HZ;
  for (let q = 0, nr = t.nruns; q < nr; q++) {
    const i = ld(runs, q);
    let j = i + 1;
    while (j < n && ld(sym, j) == ld(sym, j - 1) + 1) j++;
    /* a window of 4 codes with a common possible length? */
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let window = 0;
    let runmask = 0;
    let unknown = 0;
    for (let k = i; k < j; k++) {
      const mk = ld(bk, ld(fr, k)) >>> 16;
      runmask |= mk;
      unknown |= mk & (mk - 1); /* two possible lengths or more */
      window |= a3 & mk;
      a3 = a2 & mk;
      a2 = a1 & mk;
      a1 = mk;
    }
    if (window == 0) continue;
    for (let k = i; k < j; k++) add(lout, ld(bk, ld(fr, k)) & 0xffff, 1);
    if (unknown == 0) {
      let k = i;
      while (k < j) {
        const v = ld(bk, ld(fr, k)) >>> 16;
        let e = k + 1;
        while (e < j && ld(bk, ld(fr, e)) >>> 16 == v) e++;
        len_run(hz, ctz(v), e - k);
        k = e;
      }
    } else {
      B.pooled += run_min_items(t, i, j);
      B.union |= runmask | (1 << REP_3_6);
    }
  }
}

/**
 * The items of the used codes outside those runs, class by class: one per code, at its length:
 * exact for a class with one possible length; for an invariant class with two depths at least
 * (count at each depth - members left out); pooled for a class that is not invariant.
 */
// @ts-ignore: decorator
@inline function class_items_t(t: Tree): void {
  const nl = t.nl;
  const lkey = t.lkey;
  const lcnt = t.lcnt;
  const lnhi = t.lnhi;
  const lout = t.lout;
  const bad = t.bad;
  const bk = t.bucket;
  const any_bad = t.any_bad;
  const hz = HZ;
  let pooled = 0;
  let union = 0;
  for (let c = 0; c < nl; c++) {
    const mk = ld(bk, ld(lkey, c) >> 5) >>> 16;
    const lo = ctz(mk);
    const out = ld(lout, c);
    const size = ld(lcnt, c);
    if ((mk & (mk - 1)) == 0) {
      add(hz, lo, size - out);
    } else if (any_bad != 0 && byte(bad, c) != 0) {
      pooled += size - out;
      if (size > out) union |= mk;
    } else {
      const nhi = ld(lnhi, c);
      const lo_n = size - nhi - out;
      const hi_n = nhi - out;
      if (lo_n > 0) add(hz, lo, lo_n);
      if (hi_n > 0) add(hz, lo + 1, hi_n);
    }
  }
  B.pooled += pooled;
  B.union |= union;
}

/* ---- the bit-length tree --------------------------------------------------------------------- */

const BLW: usize = memory.data((BL_CODES + 1) * 4, 16);
const BLQ: usize = memory.data((BL_CODES + 1) * 4, 16);
/** Set by bl_cost(): the height of the bit-length tree and its number of codes. */
let bl_height: i32 = 0;
let bl_codes: i32 = 0;

/**
 * W (optimal prefix-code cost) of the bit-length code frequencies L[0..BL_CODES) (zeros skipped),
 * by the two-queue merge on keys weight << 5 | height; sets bl_height and bl_codes.
 */
function bl_cost(L: usize): i32 {
  const w = BLW;
  let nw = 0;
  for (let c = 0; c < BL_CODES; c++) {
    const v = ld(L, c);
    if (v == 0) continue;
    const k = v << 5;
    let j = nw - 1;
    while (j >= 0 && ld(w, j) > k) {
      st(w, j + 1, ld(w, j));
      j--;
    }
    st(w, j + 1, k);
    nw++;
  }
  st(w, nw, INF);
  const q = BLQ;
  let li = 0;
  let qi = 0;
  let W = 0;
  let key = 0;
  let kl = ld(w, 0);
  for (let s = 1; s < nw; s++) {
    st(q, s - 1, INF);
    let kq = ld(q, qi);
    let tl = <i32>(kl < kq);
    const a = select(kl, kq, tl);
    li += tl;
    qi += tl ^ 1;
    kl = ld(w, li);
    kq = ld(q, qi);
    tl = <i32>(kl < kq);
    const b = select(kl, kq, tl);
    li += tl;
    qi += tl ^ 1;
    kl = ld(w, li);
    const ha = a & 31;
    const hb = b & 31;
    const ws = (a >> 5) + (b >> 5);
    W += ws;
    key = (ws << 5) | (select(ha, hb, ha > hb) + 1);
    st(q, s - 1, key);
  }
  bl_height = key & 31;
  bl_codes = nw;
  return W;
}

/** Shannon's lower bound on bl_cost(L): B log2 B - sum L[c] log2 L[c], B = sum L[c] (rounded up). */
function bl_entropy(L: usize): i32 {
  let total = 0;
  let flogf: i64 = 0;
  for (let c = 0; c < BL_CODES; c++) {
    const f = ld(L, c);
    total += f;
    flogf += f < FLOGF_MAX ? <i64>ld(FLOGF, f) : (<i64>(f * (32 - clz(f)))) << 16;
  }
  const nlogn = total < NLOGN_MAX ? <i64>ld(NLOGN, total) : (<i64>(total * (31 - clz(total)))) << 16;
  const e = nlogn - flogf;
  return e <= 0 ? 0 : <i32>((e + 65535) >> 16);
}

/** 3 * (max_blindex + 1) + 5 + 5 + 4 for the codes with L[c] > 0 (at least 4 codes are sent). */
function header_fixed(L: usize, min_index: i32): i32 {
  let max_blindex = BL_CODES - 1;
  while (max_blindex > min_index && ld(L, byte(bl_order, max_blindex)) == 0) max_blindex--;
  return 3 * (max_blindex + 1) + 5 + 5 + 4;
}

/**
 * A bl_order index that max_blindex reaches for sure, from a tree with n >= 2 alone: its shortest
 * code length is at most D, the largest d with fmax F(d + 1) <= N (Fibonacci numbers F(1) = F(2)
 * = 1): the ancestors of a leaf of weight f weigh at least f F(k + 1) k levels up (a node's uncle
 * weighs at least as much as the node: both were among the least keys when the node's father was
 * made, or the uncle was made later, keys coming out nondecreasing), and the root weighs N. That
 * shortest length is sent as itself at least once (a run of equal lengths starts with one), and
 * the ranks of lengths 1..8 in bl_order decrease: max_blindex >= rank(min(D, 8)).
 */
function shortest_index(t: Tree): i32 {
  const N = t.total;
  const f = t.fmax;
  let a = 1; /* F(d + 1) */
  let b = 1; /* F(d + 2) */
  let d = 0;
  while (d < 8 && <i64>f * <i64>b <= <i64>N) {
    const c = a + b;
    a = b;
    b = c;
    d++;
  }
  /* here f F(d + 1) <= N < f F(d + 2), or d = 8 */
  return ld(BL_RANK, d < 1 ? 1 : d);
}

/** Item counts + pooled items (scratch of the partial bound). */
const HP: usize = memory.data(ITEMS * 4, 16);

/**
 * The header part: W(L + P e_c) for the c of `union` with the largest L[c] (L = items, P =
 * pooled; see (H)), + extra bits + 3 * (max_blindex + 1) + 14 (ranks from L alone: the pooled
 * items' codes are unknown). L is not changed.
 */
function header_bound(items: usize, pooled: i32, union: i32, min_index: i32, partial: bool): i32 {
  const fixed = header_fixed(items, min_index);
  if (pooled == 0) return (partial ? bl_entropy(items) : bl_cost(items)) + ld(items, HX) + fixed;
  memory.copy(HP, items, ITEMS * 4);
  let cmax = -1;
  let vmax = -1;
  for (let c = 0; c < BL_CODES; c++) {
    const v = ld(HP, c);
    if (((union >>> c) & 1) != 0 && v > vmax) {
      vmax = v;
      cmax = c;
    }
  }
  add(HP, cmax, pooled);
  return (partial ? bl_entropy(HP) : bl_cost(HP)) + ld(HP, HX) + fixed;
}

/* ---- the bound ------------------------------------------------------------------------------- */

/** Data bits (without extra bits) of one tree with n >= 2, and its header items (HZ, B.pooled, B.union). */
// @ts-ignore: decorator
@inline function tree_part_t(t: Tree): i32 {
  const W = merge(t);
  if (classes(t)) {
    if (t.any_bad != 0) ranges(t);
    leaf_classes(t);
    if (t.nruns != 0) rep_runs(t);
    class_items(t);
  } else {
    /* zlib's fix-up changes the lengths: every used run pooled with its fewest items */
    B.overflow++;
    B.pooled += t.min_items;
    B.union |= 0x1fffe; /* codes 1..16 */
  }
  /* leave the bucket table zero */
  const bk = t.bucket;
  const lkey = t.lkey;
  for (let c = 0, nl = t.nl; c < nl; c++) st(bk, ld(lkey, c) >> 5, 0);
  return W;
}

/**
 * Lower bound on zlib's opt_len (after build_bl_tree) for the current block's tallies, and
 * B.static_len = zlib's static_len. limit > 0: the block is the last and only one of its stream
 * (stored_len, buf_ok as in _tr_flush_block) and the caller only needs to know whether the
 * stream's deflate bytes reach limit; the function may then return early a partial bound (<=
 * opt_len) that proves it (opt_len_target). Otherwise (or if that fails) it returns the full bound,
 * with B.exact = 1 when it is zlib's opt_len. Returns -1 (never seen: see BUCKETS) when a frequency
 * is too large for the counting sort: the caller builds the trees.
 */
export function opt_len_bound(limit: i32, stored_len: i32, buf_ok: bool): i32 {
  memory.fill(HZ, 0, ITEMS * 4);
  B.calls++;
  B.static_len = 0;
  B.exact = 0;
  B.pooled = 0;
  B.union = 0;
  const xl = collect(TL, 0, LMAP_WORDS, LFREQ, XS_L);
  if (xl < 0) return -1;
  const xd = collect(TD, DMAP_WORD, DMAP_WORD + 1, DFREQ, XS_D);
  if (xd < 0) {
    clear_counts(TL);
    return -1;
  }
  const target = limit > 0 ? opt_len_target(limit, B.static_len, stored_len, buf_ok) : INF;
  let dl = 0;
  let dd = 0;
  if (TL.n < 2) dl = small_tree(TL);
  if (TD.n < 2) dd = small_tree(TD);
  if (target != INF) {
    /* first partial bound: the entropy of each tree, every used run pooled with its fewest items */
    const el = TL.n >= 2 ? entropy_bits(TL) : dl;
    const ed = TD.n >= 2 ? entropy_bits(TD) : dd;
    const pooled = (TL.n >= 2 ? TL.min_items : 0) + (TD.n >= 2 ? TD.min_items : 0);
    let mi = 3;
    if (TL.n >= 2) mi = shortest_index(TL);
    if (TD.n >= 2) {
      const m2 = shortest_index(TD);
      mi = m2 > mi ? m2 : mi;
    }
    const p0 = el + ed + xl + xd + header_bound(HZ, pooled, 0x1fffe, mi, true);
    if (p0 >= target) {
      B.early++;
      if (TL.n >= 2) clear_counts(TL);
      if (TD.n >= 2) clear_counts(TD);
      return p0;
    }
  }
  if (TL.n >= 2) dl = tree_part(TL);
  if (TD.n >= 2) {
    if (target != INF) {
      /* second partial bound: the literal/length tree in full, the distance tree as in the first */
      const p1 = dl + entropy_bits(TD) + xl + xd + header_bound(HZ, B.pooled + TD.min_items, B.union | 0x1fffe, shortest_index(TD), true);
      if (p1 >= target) {
        B.early2++;
        clear_counts(TD);
        return p1;
      }
    }
    dd = tree_part(TD);
  }
  const pooled = B.pooled;
  if (pooled != 0) B.with_pooled++;
  const bound = dl + dd + xl + xd + header_bound(HZ, pooled, B.union, 3, false);
  B.exact = <i32>(pooled == 0 && bl_codes >= 2 && bl_height <= MAX_BL_BITS);
  return bound;
}

/**
 * The smallest opt_len for which the one-block stream's bytes (one_block_bytes in trees.ts) reach
 * `limit`, or INF when none does (the fixed or stored block caps them below it).
 * bytes = g(min(opt_lenb, static_lenb)), g(v) = stored_len + 5 if buf_ok and v >= stored_len + 4,
 * else v; opt_lenb = (opt_len + 10) >> 3.
 */
function opt_len_target(limit: i32, static_len: i32, stored_len: i32, buf_ok: bool): i32 {
  let v: i32;
  if (!buf_ok || limit <= stored_len + 3) v = limit;
  else if (limit <= stored_len + 5) v = stored_len + 4;
  else return INF;
  if ((static_len + 10) >> 3 < v) return INF;
  const need = 8 * v - 10;
  return need > 0 ? need : 0;
}

/**
 * Zero the current block's frequencies from the used codes opt_len_bound() collected (cheaper than
 * the bitmap): call only after opt_len_bound() returned >= 0 for this block.
 */
export function clear_bound_freqs(): void {
  let sym = TL.sym;
  for (let k = 0, n = TL.n; k < n; k++) st(LFREQ, ld(sym, k), 0);
  sym = TD.sym;
  for (let k = 0, n = TD.n; k < n; k++) st(DFREQ, ld(sym, k), 0);
}

/* ---- each tree's own copy of the functions above (constant addresses) ------------------------ */

function collect_L(w0: i32, w1: i32, freq: usize, xs: usize): i32 {
  return collect_t(TL, w0, w1, freq, xs);
}
function collect_D(w0: i32, w1: i32, freq: usize, xs: usize): i32 {
  return collect_t(TD, w0, w1, freq, xs);
}
// @ts-ignore: decorator
@inline function collect(t: Tree, w0: i32, w1: i32, freq: usize, xs: usize): i32 {
  return is_l(t) ? collect_L(w0, w1, freq, xs) : collect_D(w0, w1, freq, xs);
}

function clear_counts_L(): void {
  clear_counts_t(TL);
}
function clear_counts_D(): void {
  clear_counts_t(TD);
}
// @ts-ignore: decorator
@inline function clear_counts(t: Tree): void {
  if (is_l(t)) clear_counts_L();
  else clear_counts_D();
}

function merge_L(): i32 {
  return merge_t(TL);
}
function merge_D(): i32 {
  return merge_t(TD);
}
// @ts-ignore: decorator
@inline function merge(t: Tree): i32 {
  return is_l(t) ? merge_L() : merge_D();
}

function classes_L(): bool {
  return classes_t(TL);
}
function classes_D(): bool {
  return classes_t(TD);
}
// @ts-ignore: decorator
@inline function classes(t: Tree): bool {
  return is_l(t) ? classes_L() : classes_D();
}

function ranges_L(): void {
  ranges_t(TL);
}
function ranges_D(): void {
  ranges_t(TD);
}
// @ts-ignore: decorator
@inline function ranges(t: Tree): void {
  if (is_l(t)) ranges_L();
  else ranges_D();
}

function leaf_classes_L(): void {
  leaf_classes_t(TL);
}
function leaf_classes_D(): void {
  leaf_classes_t(TD);
}
// @ts-ignore: decorator
@inline function leaf_classes(t: Tree): void {
  if (is_l(t)) leaf_classes_L();
  else leaf_classes_D();
}

function rep_runs_L(): void {
  rep_runs_t(TL);
}
function rep_runs_D(): void {
  rep_runs_t(TD);
}
// @ts-ignore: decorator
@inline function rep_runs(t: Tree): void {
  if (is_l(t)) rep_runs_L();
  else rep_runs_D();
}

function class_items_L(): void {
  class_items_t(TL);
}
function class_items_D(): void {
  class_items_t(TD);
}
// @ts-ignore: decorator
@inline function class_items(t: Tree): void {
  if (is_l(t)) class_items_L();
  else class_items_D();
}

function tree_part_L(): i32 {
  return tree_part_t(TL);
}
function tree_part_D(): i32 {
  return tree_part_t(TD);
}
// @ts-ignore: decorator
@inline function tree_part(t: Tree): i32 {
  return is_l(t) ? tree_part_L() : tree_part_D();
}

function run_min_items_L(k0: i32, k1: i32): i32 {
  return run_min_items_t(TL, k0, k1);
}
function run_min_items_D(k0: i32, k1: i32): i32 {
  return run_min_items_t(TD, k0, k1);
}
// @ts-ignore: decorator
@inline function run_min_items(t: Tree, k0: i32, k1: i32): i32 {
  return is_l(t) ? run_min_items_L(k0, k1) : run_min_items_D(k0, k1);
}
