/**
 * A cheap, rigorous lower bound on the dynamic-block cost that trees.ts computes exactly, so that
 * a search can skip the exact tree construction for pairs that provably can't be near neighbours.
 *
 *   opt_len_lower_bound(s) <= s.opt_len as _tr_flush_block() has it after build_bl_tree()
 *                             (data bits incl. extra bits + tree header; not the 3 block-type bits)
 *   static_len_exact(s)    === s.static_len as _tr_flush_block() computes it
 *
 * Both only read the tallies of the current block (l_desc.freq, d_desc.freq, s.used) and write
 * nothing in s (module-level scratch, allocated once; the hot path allocates nothing).
 *
 * ## What zlib computes (trees.ts)
 *
 * opt_len = sum over real used symbols f * (len + xbits)           (data; a forced node, added when
 *           + sum_bl blf[c] * (bllen[c] + extra_blbits[c])          a tree has < 2 used symbols, gets
 *           + 3 * (max_blindex + 1) + 5 + 5 + 4                     freq 1 and opt_len-- : net 0)
 *
 * ## Proof sketch of each part
 *
 * (D) Data. zlib builds a Huffman tree by repeatedly removing the two nodes of least key
 *     (freq, height) from its heap (ties between equal keys resolved by the heap layout), and if
 *     no depth exceeds 15 its lengths are the depths of that tree: an optimal prefix code, cost
 *     W(f) = sum of the internal node weights, which any Huffman construction (our two-queue merge
 *     after a counting sort) computes. If some depth exceeds 15 zlib's lengths are still a prefix
 *     code (Kraft <= 1), whose cost is >= W(f) by optimality. Trees with < 2 used symbols: the
 *     two leaves get length 1, cost = sum of the real frequencies (exact). Extra bits: exact.
 *
 * (P) Which lengths zlib's trees can have. zlib = "remove two nodes of least key (freq, height)
 *     from the heap, ties resolved by the heap layout, which we do not simulate". Keys alone
 *     evolve deterministically: the two least keys of the multiset of keys are removed and their
 *     combination (w1 + w2, max(h1, h2) + 1) added, so every tie resolution creates the same key
 *     at each step and consumes the same keys at each step; only WHICH node of an equal-key class
 *     fills which slot differs. We run one resolution with two queues (leaves sorted by
 *     frequency; internal nodes are created in nondecreasing key order: weights are
 *     nondecreasing, and two consecutive equal weights come from four removed nodes of equal
 *     weight, whose heights are nondecreasing), so a key class of internal nodes is a contiguous
 *     block. The depth of a node = 1 + depth of the node created at the step that consumed it.
 *     Top-down over the blocks: a class K's multiset of depths is the same in every resolution
 *     ("invariant") if, for each class K' of the fathers of K's nodes, either K' is "pinned"
 *     (all its nodes have one depth, the same in every resolution), or K' is invariant and every
 *     node of K' has the same number of sons of key K (then K's multiset = that number x
 *     (K' multiset + 1)). K is pinned if invariant with all depths equal. The root is pinned. A
 *     frequency class is the key class (f, 0) of its leaves, so when it is invariant zlib's
 *     multiset of lengths for that class equals ours: only which of its symbols get which of its
 *     depths is unknown. The tree is "proven" if every frequency class is invariant and no depth
 *     exceeds 15 (else zlib rewrites lengths; nothing is then assumed). A class's depths span at
 *     most 2 consecutive values in any optimal tree (leaves a, b of equal weight with
 *     d_a >= d_b + 2: swapping a's father, of weight f + s with s > 0, and b saves
 *     s * (d_a - 1 - d_b) > 0); checked as a guard anyway. The test checks, on every proven tree,
 *     zlib's real lengths against the claimed class ranges and counts.
 * (H) Header. scan_tree() codes each maximal run of equal lengths over codes 0..max_code.
 *     - Zero runs (unused codes between / before used ones, including zlib's forced codes as
 *       used) are known from the bitmap: their items 0 / 17 / 18 and extra bits are exact.
 *     - A maximal run of consecutive used codes in a non-ambiguous tree: every symbol's length
 *       lies in its class's depth range [lo, hi]. If all are known (lo == hi), scan_run_len on the
 *       known values is exact (items and REP_3_6 extra bits). Otherwise, if no 4 consecutive
 *       symbols can have a common length (intervals disjoint), no REP_3_6 can occur: every symbol
 *       is one item coded by its own length. Known symbols add to their length exactly; for a
 *       class with p members in other runs, among its members here at least cnt_v - p have each
 *       of its depths v (cnt_v from (P)).
 *     - Remaining used runs (REP possible, or any run of an ambiguous tree): their item count is
 *       at least the minimum over all partitions of the run into segments whose intervals share a
 *       value of sum items(segment) (the true maximal sub-runs are such a partition; in ambiguous
 *       trees every interval is [1, 15]). Those M items have unknown codes: pooled below.
 *     The bit-length tree is a prefix code (also after zlib's 7-bit fix-up) so its cost is
 *     >= W(blf) (optimal cost, 0 for < 2 symbols). W is nondecreasing in each frequency, and concave
 *     (a minimum of linear functions), so with blf >= L (per code) + some distribution of >= M
 *     items over codes 1..16: W(blf) >= min over c in 1..16 of W(L + M e_c). Extra bits of the
 *     17 / 18 codes and of exactly known 16 codes are counted; those of pooled items dropped (>= 0).
 *     Every code with blf > 0 gets a non-zero bit length, so max_blindex >= the largest bl_order
 *     index of a code with L > 0 (and >= 3); 3 * (max_blindex + 1) + 14 follows.
 *
 * When no tree is ambiguous, no REP is possible around uncertain symbols and no tree overflows,
 * the bound is exact (blf is then known exactly and W(blf) is zlib's bit-length-tree cost unless
 * that tree overflows 7 bits).
 */
import * as C from './constants.js';
import * as T from './trees.js';
import type { TreeDesc, TreesState } from './trees.js';

/* Imported bindings copied to module constants once (under some loaders an imported binding is a
 * getter call on every use). */
const BL_CODES = C.BL_CODES;
const L_CODES = C.L_CODES;
const REP_3_6 = C.REP_3_6;
const REPZ_3_10 = C.REPZ_3_10;
const REPZ_11_138 = C.REPZ_11_138;
const bl_order = C.bl_order;
const DMAP_WORD = T.DMAP_WORD;
const LMAP_WORDS = T.LMAP_WORDS;

const MAXN = L_CODES; // largest tree (286 leaves)

/* ---- scratch, allocated once --------------------------------------------------------------- */
const t_sym = new Int32Array(MAXN); /* used codes of the tree (incl. forced), increasing */
const t_freq = new Int32Array(MAXN); /* their frequencies (forced: 1) */
const t_cls = new Int32Array(MAXN); /* frequency class of each */
const srt = new Int32Array(MAXN); /* indices into t_sym sorted by frequency */
const srt_tmp = new Int32Array(MAXN);
const bucket = new Int32Array(512);
/* nodes: leaves 0..n-1 in frequency order, internal nodes n..2n-2 in creation order */
const n_w = new Int32Array(2 * MAXN);
const n_h = new Int32Array(2 * MAXN);
const n_dad = new Int32Array(2 * MAXN);
const n_depth = new Int32Array(2 * MAXN);
/* frequency classes */
const c_lo = new Int32Array(MAXN);
const c_hi = new Int32Array(MAXN);
const c_cntlo = new Int32Array(MAXN);
const c_size = new Int32Array(MAXN);
const c_placed = new Int32Array(MAXN);
/* per internal node: sons, its key block [n_blo, n_bhi], and the block's flags: n_inv (the
 * block's depth multiset is the same in any tie resolution), n_pin (and all its depths equal) */
const n_s0 = new Int32Array(2 * MAXN);
const n_s1 = new Int32Array(2 * MAXN);
const n_blo = new Int32Array(2 * MAXN);
const n_bhi = new Int32Array(2 * MAXN);
const n_inv = new Uint8Array(2 * MAXN);
const n_pin = new Uint8Array(2 * MAXN);
/* bit-length tree lower bounds */
const blf_lb = new Int32Array(BL_CODES);
const w_tmp = new Int32Array(BL_CODES + 1);
const bl_sorted = new Int32Array(BL_CODES);
const w_q = new Int32Array(BL_CODES + 1);
const dp = new Int32Array(MAXN + 1);
/**
 * Diagnostics (never read here): [0] calls, [1] trees whose class depths were not proven
 * (ambiguous tie or depth > 15), [2] used runs pooled (REP possible around uncertain lengths),
 * [3] items pooled, [4] class members left out of the exact counts (in pooled runs).
 */
export const bound_stats = new Float64Array(5);
/** Index of each bl code in bl_order. */
const bl_rank = new Int32Array(BL_CODES);
for (let i = 0; i < BL_CODES; i++) bl_rank[bl_order[i]] = i;

/** Items scan_run_len() emits for a maximal run of k equal non-zero lengths. */
function run_items(k: number): number {
  if (k < 4) return k;
  if (k <= 7) return 2;
  let r = k - 7;
  let items = 2;
  const q = (r / 6) | 0;
  items += q;
  r -= q * 6;
  return items + (r < 3 ? r : 1);
}
const RUN_ITEMS = new Int32Array(MAXN + 1);
for (let k = 0; k <= MAXN; k++) RUN_ITEMS[k] = run_items(k);
/** Fewest items of a run of r used codes whatever their lengths (min over partitions). */
const MIN_ITEMS = new Int32Array(MAXN + 1);
for (let i = 1; i <= MAXN; i++) {
  let best = 1 << 30;
  for (let j = 0; j < i; j++) best = Math.min(best, MIN_ITEMS[j] + RUN_ITEMS[i - j]);
  MIN_ITEMS[i] = best;
}

/* per tree results */
let tree_W = 0; /* data bits (lengths only) lower bound */
let tree_x = 0; /* extra bits of the data */
let hdr_x = 0; /* exact extra bits of bl codes */
let pooled = 0; /* M: items of unknown codes */

/** Collect used codes of bitmap words [w0, w1) with their frequencies; returns the count. */
function collect(s: TreesState, desc: TreeDesc, w0: number, w1: number): number {
  const t_sym_ = t_sym;
  const t_freq_ = t_freq;
  const used = s.used;
  const freq = desc.freq;
  const xbits = desc.xbits;
  let k = 0;
  let x = 0;
  for (let w = w0; w < w1; w++) {
    let bits = used[w];
    const base = (w - w0) << 5;
    while (bits !== 0) {
      const t = bits & -bits;
      const n = base + 31 - Math.clz32(t);
      const f = freq[n];
      t_sym_[k] = n;
      t_freq_[k] = f;
      x += f * xbits[n];
      k++;
      bits ^= t;
    }
  }
  tree_x = x;
  return k;
}

/** Sort indices 0..n-1 by t_freq ascending into srt (counting sort / 2-pass radix). */
function sort_by_freq(n: number): void {
  const t_freq_ = t_freq;
  const srt_ = srt;
  const srt_tmp_ = srt_tmp;
  const bucket_ = bucket;
  let maxf = 0;
  for (let i = 0; i < n; i++) if (t_freq_[i] > maxf) maxf = t_freq_[i];
  if (maxf < 512) {
    bucket_.fill(0, 0, maxf + 1);
    for (let i = 0; i < n; i++) bucket_[t_freq_[i]]++;
    let acc = 0;
    for (let v = 0; v <= maxf; v++) {
      const c = bucket_[v];
      bucket_[v] = acc;
      acc += c;
    }
    for (let i = 0; i < n; i++) srt_[bucket_[t_freq_[i]]++] = i;
    return;
  }
  /* frequencies < 2^16 (a block has < 16384 symbols): two passes of 8 bits */
  bucket_.fill(0, 0, 256);
  for (let i = 0; i < n; i++) bucket_[t_freq_[i] & 255]++;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    const c = bucket_[v];
    bucket_[v] = acc;
    acc += c;
  }
  for (let i = 0; i < n; i++) srt_tmp_[bucket_[t_freq_[i] & 255]++] = i;
  bucket_.fill(0, 0, 256);
  for (let i = 0; i < n; i++) bucket_[(t_freq_[i] >>> 8) & 255]++;
  acc = 0;
  for (let v = 0; v < 256; v++) {
    const c = bucket_[v];
    bucket_[v] = acc;
    acc += c;
  }
  for (let k = 0; k < n; k++) {
    const i = srt_tmp_[k];
    srt_[bucket_[(t_freq_[i] >>> 8) & 255]++] = i;
  }
}

/**
 * Build the Huffman tree of t_freq[0..n) (n >= 2) with (freq, height) keys; set tree_W and the
 * class depth ranges, and return true if every frequency class's multiset of depths is proven to
 * be zlib's (see (P)), with no depth over max_length.
 */
function huffman_classes(n: number, max_length: number): boolean {
  const t_freq_ = t_freq;
  const t_cls_ = t_cls;
  const srt_ = srt;
  const n_w_ = n_w;
  const n_h_ = n_h;
  const n_dad_ = n_dad;
  const n_depth_ = n_depth;
  const n_s0_ = n_s0;
  const n_s1_ = n_s1;
  const n_blo_ = n_blo;
  const n_bhi_ = n_bhi;
  const n_inv_ = n_inv;
  const n_pin_ = n_pin;
  const c_lo_ = c_lo;
  const c_hi_ = c_hi;
  const c_cntlo_ = c_cntlo;
  const c_size_ = c_size;
  const c_placed_ = c_placed;
  sort_by_freq(n);
  /* leaves in frequency order; frequency classes are runs of equal weight */
  let ncls = -1;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const k = srt_[i];
    const f = t_freq_[k];
    if (f !== prev) {
      ncls++;
      prev = f;
      c_size_[ncls] = 0;
      c_placed_[ncls] = 0;
    }
    c_size_[ncls]++;
    t_cls_[k] = ncls;
    n_w_[i] = f;
    n_h_[i] = 0;
  }
  ncls++;
  /* two-queue merge: leaves [li, n), internal nodes [qi, qe); a leaf wins a weight tie (its
   * height 0 is smaller). Any choice among equal keys is one of zlib's possible choices. */
  let li = 0;
  let qi = n;
  let qe = n;
  let W = 0;
  for (let step = 1; step < n; step++) {
    let a: number;
    let b: number;
    if (li < n && (qi === qe || n_w_[li] <= n_w_[qi])) a = li++;
    else a = qi++;
    if (li < n && (qi === qe || n_w_[li] <= n_w_[qi])) b = li++;
    else b = qi++;
    const w = n_w_[a] + n_w_[b];
    W += w;
    n_w_[qe] = w;
    const ha = n_h_[a];
    const hb = n_h_[b];
    n_h_[qe] = (ha > hb ? ha : hb) + 1;
    n_dad_[a] = qe;
    n_dad_[b] = qe;
    n_s0_[qe] = a;
    n_s1_[qe] = b;
    qe++;
  }
  tree_W = W;
  /* Depths from the root down (a father is created after its sons), and which depth multisets
   * are tie-independent (see (P)): internal nodes are created in nondecreasing key order, so a
   * key class is a contiguous block; walk the blocks from the root down. */
  const root = qe - 1;
  n_depth_[root] = 0;
  n_pin_[root] = 1;
  n_inv_[root] = 1;
  n_blo_[root] = root;
  n_bhi_[root] = root;
  let maxd = 0;
  let x = root - 1;
  while (x >= n) {
    const w = n_w_[x];
    const h = n_h_[x];
    let e = x;
    while (e >= n && n_w_[e] === w && n_h_[e] === h) e--;
    /* block (e, x] */
    const d0 = n_depth_[n_dad_[x]] + 1;
    let inv = 1;
    let same = 1;
    let checked = -1; /* last father block found uniform */
    for (let y = x; y > e; y--) {
      const dad = n_dad_[y];
      const d = n_depth_[dad] + 1;
      n_depth_[y] = d;
      n_blo_[y] = e + 1;
      n_bhi_[y] = x;
      if (d !== d0) same = 0;
      if (inv === 1 && n_pin_[dad] === 0 && n_blo_[dad] !== checked) {
        if (n_inv_[dad] === 0 || !uniform_sons(dad, w, h)) inv = 0;
        else checked = n_blo_[dad];
      }
    }
    const pin = inv & same;
    for (let y = x; y > e; y--) {
      n_inv_[y] = inv;
      n_pin_[y] = pin;
    }
    if (d0 > maxd) maxd = d0;
    x = e;
  }
  let proven = true;
  let i = 0;
  for (let c = 0; c < ncls; c++) {
    const end = i + c_size_[c];
    const w = n_w_[i];
    let lo = 99;
    let hi = 0;
    let cl = 0;
    let checked = -1;
    for (let j = i; j < end; j++) {
      const dad = n_dad_[j];
      const d = n_depth_[dad] + 1;
      n_depth_[j] = d;
      if (proven && n_pin_[dad] === 0 && n_blo_[dad] !== checked) {
        if (n_inv_[dad] === 0 || !uniform_sons(dad, w, 0)) proven = false;
        else checked = n_blo_[dad];
      }
      if (d < lo) {
        lo = d;
        cl = 0;
      }
      if (d === lo) cl++;
      if (d > hi) hi = d;
    }
    if (hi > maxd) maxd = hi;
    if (hi - lo > 1) proven = false; /* impossible in an optimal tree (see (P)); guard */
    c_lo_[c] = lo;
    c_hi_[c] = hi;
    c_cntlo_[c] = cl;
    i = end;
  }
  return proven && maxd <= max_length;
}

/** Does every node of dad's key block have the same number of sons of key (w, h)? */
function uniform_sons(dad: number, w: number, h: number): boolean {
  const n_w_ = n_w;
  const n_h_ = n_h;
  const n_s0_ = n_s0;
  const n_s1_ = n_s1;
  const n_blo_ = n_blo;
  const n_bhi_ = n_bhi;
  let want = -1;
  for (let y = n_blo_[dad], e = n_bhi_[dad]; y <= e; y++) {
    const a = n_s0_[y];
    const b = n_s1_[y];
    const k = (n_w_[a] === w && n_h_[a] === h ? 1 : 0) + (n_w_[b] === w && n_h_[b] === h ? 1 : 0);
    if (want < 0) want = k;
    else if (k !== want) return false;
  }
  return true;
}

/** Exact bl items of a zero run of length r (scan_run_zero). */
function zero_run(r: number): void {
  const blf_lb_ = blf_lb;
  if (r >= 138) {
    const q = (r / 138) | 0;
    blf_lb_[REPZ_11_138] += q;
    hdr_x += 7 * q;
    r -= q * 138;
  }
  if (r < 3) blf_lb_[0] += r;
  else if (r <= 10) {
    blf_lb_[REPZ_3_10]++;
    hdr_x += 3;
  } else {
    blf_lb_[REPZ_11_138]++;
    hdr_x += 7;
  }
}

/** Exact bl items of a maximal run of r equal lengths v (scan_run_len). */
function len_run(v: number, r: number): void {
  const blf_lb_ = blf_lb;
  if (r < 4) {
    blf_lb_[v] += r;
    return;
  }
  blf_lb_[v]++;
  blf_lb_[REP_3_6]++;
  hdr_x += 2;
  if (r <= 7) return;
  r -= 7;
  if (r >= 6) {
    const q = (r / 6) | 0;
    blf_lb_[REP_3_6] += q;
    hdr_x += 2 * q;
    r -= q * 6;
  }
  if (r < 3) blf_lb_[v] += r;
  else {
    blf_lb_[REP_3_6]++;
    hdr_x += 2;
  }
}

/** Lower bound on the items of used run t_sym[k0..k1) when symbols have lengths in [lo, hi]. */
function run_min_items(k0: number, k1: number, known: boolean): number {
  const t_cls_ = t_cls;
  const c_lo_ = c_lo;
  const c_hi_ = c_hi;
  const dp_ = dp;
  const RUN_ITEMS_ = RUN_ITEMS;
  const MIN_ITEMS_ = MIN_ITEMS;
  const r = k1 - k0;
  if (!known) return MIN_ITEMS_[r];
  dp_[0] = 0;
  for (let i = 1; i <= r; i++) {
    let best = 1 << 30;
    let lo = 0;
    let hi = 99;
    for (let j = i - 1; j >= 0; j--) {
      const c = t_cls_[k0 + j];
      if (c_lo_[c] > lo) lo = c_lo_[c];
      if (c_hi_[c] < hi) hi = c_hi_[c];
      if (lo > hi) break;
      const v = dp_[j] + RUN_ITEMS_[i - j];
      if (v < best) best = v;
    }
    dp_[i] = best;
  }
  return dp_[r];
}

/** Process one tree (l: words 0..8, d: word 9): data bound and header items. */
function do_tree(s: TreesState, desc: TreeDesc, w0: number, w1: number): number {
  const t_sym_ = t_sym;
  const t_freq_ = t_freq;
  const t_cls_ = t_cls;
  const c_lo_ = c_lo;
  const c_hi_ = c_hi;
  const c_cntlo_ = c_cntlo;
  const c_size_ = c_size;
  const c_placed_ = c_placed;
  const blf_lb_ = blf_lb;
  const MIN_ITEMS_ = MIN_ITEMS;
  const bound_stats_ = bound_stats;
  let n = collect(s, desc, w0, w1);
  let data: number;
  let classes_ok: boolean;
  if (n < 2) {
    /* zlib forces a second (and first) code of frequency 1; every leaf gets length 1 and the
     * forced ones cost nothing (opt_len--). */
    data = 0;
    for (let i = 0; i < n; i++) data += t_freq_[i];
    let max_code = n === 0 ? -1 : t_sym_[0];
    while (n < 2) {
      const node = max_code < 2 ? ++max_code : 0;
      t_sym_[n] = node;
      t_freq_[n] = 1;
      n++;
      if (n === 2 && t_sym_[0] > t_sym_[1]) {
        const t = t_sym_[0];
        t_sym_[0] = t_sym_[1];
        t_sym_[1] = t;
      }
    }
    /* one class of two known lengths 1 */
    t_cls_[0] = 0;
    t_cls_[1] = 0;
    c_lo_[0] = 1;
    c_hi_[0] = 1;
    c_size_[0] = 2;
    c_cntlo_[0] = 2;
    c_placed_[0] = 0;
    classes_ok = true;
  } else {
    classes_ok = huffman_classes(n, desc.max_length);
    data = tree_W;
    if (!classes_ok) bound_stats_[1]++;
  }

  /* header items: runs over codes 0..max_code */
  let next = 0;
  let i = 0;
  while (i < n) {
    const n0 = t_sym_[i];
    if (n0 > next) zero_run(n0 - next);
    let j = i + 1;
    while (j < n && t_sym_[j] === t_sym_[j - 1] + 1) j++;
    /* used run t_sym_[i..j) */
    if (!classes_ok) {
      pooled += MIN_ITEMS_[j - i];
    } else {
      let all_known = true;
      for (let k = i; k < j; k++) {
        const c = t_cls_[k];
        if (c_lo_[c] !== c_hi_[c]) {
          all_known = false;
          break;
        }
      }
      if (all_known) {
        let k = i;
        while (k < j) {
          const v = c_lo_[t_cls_[k]];
          let e = k + 1;
          while (e < j && c_lo_[t_cls_[e]] === v) e++;
          len_run(v, e - k);
          k = e;
        }
      } else {
        let rep = false;
        for (let k = i; k + 4 <= j; k++) {
          let lo = 0;
          let hi = 99;
          for (let m = k; m < k + 4; m++) {
            const c = t_cls_[m];
            if (c_lo_[c] > lo) lo = c_lo_[c];
            if (c_hi_[c] < hi) hi = c_hi_[c];
          }
          if (lo <= hi) {
            rep = true;
            break;
          }
        }
        if (rep) {
          const m = run_min_items(i, j, true);
          pooled += m;
          bound_stats_[2]++;
          bound_stats_[3] += m;
        } else {
          for (let k = i; k < j; k++) {
            const c = t_cls_[k];
            if (c_lo_[c] === c_hi_[c]) blf_lb_[c_lo_[c]]++;
            else c_placed_[c]++;
          }
        }
      }
    }
    next = t_sym_[j - 1] + 1;
    i = j;
  }
  if (classes_ok) {
    /* uncertain classes: members placed individually have at least cnt - (unplaced) of each depth */
    for (let k = 0; k < n; k++) {
      const c = t_cls_[k];
      if (c_lo_[c] !== c_hi_[c] && c_placed_[c] >= 0) {
        const p = c_size_[c] - c_placed_[c];
        bound_stats_[4] += p;
        const lo_n = c_cntlo_[c] - p;
        const hi_n = c_size_[c] - c_cntlo_[c] - p;
        if (lo_n > 0) blf_lb_[c_lo_[c]] += lo_n;
        if (hi_n > 0) blf_lb_[c_hi_[c]] += hi_n;
        c_placed_[c] = -1; /* done */
      }
    }
  }
  return data + tree_x;
}

/** Optimal prefix-code cost (sum of internal weights) of the sorted positive w_tmp[0..n). */
function huffman_cost_sorted(n: number): number {
  const w_tmp_ = w_tmp;
  const w_q_ = w_q;
  let li = 0;
  let qi = 0;
  let qe = 0;
  let W = 0;
  for (let step = 1; step < n; step++) {
    let a: number;
    if (li < n && (qi === qe || w_tmp_[li] <= w_q_[qi])) a = w_tmp_[li++];
    else a = w_q_[qi++];
    let b: number;
    if (li < n && (qi === qe || w_tmp_[li] <= w_q_[qi])) b = w_tmp_[li++];
    else b = w_q_[qi++];
    W += a + b;
    w_q_[qe++] = a + b;
  }
  return W;
}

/** blf_lb's positive entries, sorted, into bl_sorted[0..return). */
function sort_blf(): number {
  const blf_lb_ = blf_lb;
  const bl_sorted_ = bl_sorted;
  let n = 0;
  for (let k = 0; k < BL_CODES; k++) {
    const v = blf_lb_[k];
    if (v === 0) continue;
    let j = n - 1;
    while (j >= 0 && bl_sorted_[j] > v) {
      bl_sorted_[j + 1] = bl_sorted_[j];
      j--;
    }
    bl_sorted_[j + 1] = v;
    n++;
  }
  return n;
}

/** W of the sorted multiset bl_sorted[0..n) with one entry of value v (0: none) raised by m. */
function cost_raised(n: number, v: number, m: number): number {
  const w_tmp_ = w_tmp;
  const bl_sorted_ = bl_sorted;
  const nv = v + m;
  let k = 0;
  let skipped = v === 0;
  let put = false;
  for (let i = 0; i < n; i++) {
    const x = bl_sorted_[i];
    if (!skipped && x === v) {
      skipped = true;
      continue;
    }
    if (!put && nv <= x) {
      w_tmp_[k++] = nv;
      put = true;
    }
    w_tmp_[k++] = x;
  }
  if (!put) w_tmp_[k++] = nv;
  return huffman_cost_sorted(k);
}

/** Lower bound on s.opt_len after build_bl_tree() for the current block's tallies. */
export function opt_len_lower_bound(s: TreesState): number {
  const blf_lb_ = blf_lb;
  const w_tmp_ = w_tmp;
  const bl_sorted_ = bl_sorted;
  const bl_rank_ = bl_rank;
  const bound_stats_ = bound_stats;
  bound_stats_[0]++;
  blf_lb_.fill(0);
  hdr_x = 0;
  pooled = 0;
  let bits = do_tree(s, s.l_desc, 0, LMAP_WORDS);
  bits += do_tree(s, s.d_desc, DMAP_WORD, DMAP_WORD + 1);

  let max_blindex = 3;
  for (let k = 0; k < BL_CODES; k++) if (blf_lb_[k] > 0 && bl_rank_[k] > max_blindex) max_blindex = bl_rank_[k];

  /* W(L) or min over c = 1..16 of W(L + M e_c); that depends on c only through L[c]: try
   * each distinct value once. */
  const nb = sort_blf();
  let wbl: number;
  if (pooled === 0) {
    for (let k = 0; k < nb; k++) w_tmp_[k] = bl_sorted_[k];
    wbl = huffman_cost_sorted(nb);
  } else {
    wbl = 1 << 30;
    let tried_zero = false;
    for (let c = 1; c <= REP_3_6; c++) {
      const v = blf_lb_[c];
      if (v === 0) {
        if (tried_zero) continue;
        tried_zero = true;
      } else {
        let dup = false;
        for (let c2 = 1; c2 < c; c2++) if (blf_lb_[c2] === v) dup = true;
        if (dup) continue;
      }
      const cost = cost_raised(nb, v, pooled);
      if (cost < wbl) wbl = cost;
    }
  }
  return bits + wbl + hdr_x + 3 * (max_blindex + 1) + 5 + 5 + 4;
}

/** s.static_len as _tr_flush_block() computes it (forced codes cost 0 net: see build_tree). */
export function static_len_exact(s: TreesState): number {
  return static_tree(s, s.l_desc, 0, LMAP_WORDS) + static_tree(s, s.d_desc, DMAP_WORD, DMAP_WORD + 1);
}

function static_tree(s: TreesState, desc: TreeDesc, w0: number, w1: number): number {
  const used = s.used;
  const freq = desc.freq;
  const scost = desc.scost;
  let sum = 0;
  for (let w = w0; w < w1; w++) {
    let bits = used[w];
    const base = (w - w0) << 5;
    while (bits !== 0) {
      const t = bits & -bits;
      const n = base + 31 - Math.clz32(t);
      sum += freq[n] * scost[n];
      bits ^= t;
    }
  }
  return sum;
}

/**
 * For tests of (P): run the class analysis of one tree (0: literal/length, 1: distance) of the
 * current tallies. Returns false if the tree has < 2 used codes, or its class depths are not
 * proven. Otherwise, for each used code n: cls[n] = its frequency class, lo[n] / hi[n] = the
 * class's depth range, and cntlo[cls] = how many of the class's codes have depth lo.
 */
export function class_depths_for_test(
  s: TreesState,
  tree: 0 | 1,
  cls: Int32Array,
  lo: Int32Array,
  hi: Int32Array,
  cntlo: Int32Array,
): boolean {
  const desc = tree === 0 ? s.l_desc : s.d_desc;
  const n = tree === 0 ? collect(s, desc, 0, LMAP_WORDS) : collect(s, desc, DMAP_WORD, DMAP_WORD + 1);
  if (n < 2 || !huffman_classes(n, desc.max_length)) return false;
  for (let k = 0; k < n; k++) {
    const c = t_cls[k];
    const code = t_sym[k];
    cls[code] = c;
    lo[code] = c_lo[c];
    hi[code] = c_hi[c];
    cntlo[c] = c_cntlo[c];
  }
  return true;
}
