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
 *   opt_len_quick_bound(s) <= s.opt_len: looser (no class analysis), cheaper.
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
 *     items over codes 1..16: W(blf) >= min over c in 1..16 of W(L + M e_c). That minimum is at
 *     the c of largest L[c]: for v1 = L[c1] <= v2 = L[c2], B = L + M e_c2 costs no more than
 *     A = L + M e_c1 (A and B differ only in {v1 + M, v2} vs {v1, v2 + M}; give v2 + M the
 *     shorter and v1 the longer of the two lengths an optimal code of A gives v1 + M and v2: the
 *     cost changes by (v1 - v2)(l_long - l_short) <= 0 or M (l_v2 - l_v1+M) <= 0; a zero entry
 *     just drops out). Extra bits of the
 *     17 / 18 codes and of exactly known 16 codes are counted; those of pooled items dropped (>= 0).
 *     Every code with blf > 0 gets a non-zero bit length, so max_blindex >= the largest bl_order
 *     index of a code with L > 0 (and >= 3); 3 * (max_blindex + 1) + 14 follows.
 *
 * When no tree is ambiguous, no REP is possible around uncertain symbols and no tree overflows,
 * the bound is exact (blf is then known exactly and W(blf) is zlib's bit-length-tree cost unless
 * that tree overflows 7 bits).
 *
 * ## Implementation (what the code does for (D), (P), (H))
 *
 * - One pass over the used-code bitmap per tree collects the codes, the extra bits, a count per
 *   frequency, and (branch-free, from tables) the exact zero-run items and the fewest items of
 *   the used runs (MIN_ITEMS summed code by code as differences).
 * - (D)/(P) The two-queue merge is run a key class ("group") at a time: the least key K with
 *   r >= 2 nodes left pairs them up at once (floor(r / 2) nodes of key (2w, h + 1), all with both
 *   sons in K: zlib's next floor(r / 2) steps, as 2w > w keeps K least), r = 1 pairs with a node of
 *   the next least key. Groups are the key classes of (P); a group's creation events are
 *   consecutive. Depths are not stored per node: within a group, nodes are consumed first-in
 *   first-out, and depth is nonincreasing in consumption order (a node consumed earlier has a
 *   father created no later, and by induction from the root an earlier-created internal node is
 *   at least as deep), and a group spans at most 2 depths (the swap argument of (P) holds for any
 *   two nodes of equal weight), so a group's depths are "the first g_nhi at g_lo + 1, the last
 *   g_nlo at g_lo", filled from the root down, last consumed node first. A violation of either
 *   (never seen) makes the tree unproven. "Every node of F has the same number of sons in K" is
 *   read off F's creation events (each gives all its nodes the same sons' groups).
 * - (H) One pass places every used code as its own item, exact unless 4 consecutive codes of a
 *   run can share a length (AND of bitmasks of possible lengths); those runs are redone.
 *
 * ## opt_len_lower_bound(s, target)
 *
 * The caller asks whether the bound reaches target. With target < Infinity the function first
 * tries two partial bounds, each <= opt_len, and returns the first that is >= target: the data
 * bits + the header's fixed part (HLIT, HDIST, HCLEN, >= 4 bl lengths) + the zero runs' extra bits;
 * then the header with every used run pooled (no class analysis). Otherwise it returns the full
 * bound. So: result < target => result is the full bound (the value with target = Infinity);
 * result >= target <=> the full bound >= target; result <= opt_len always.
 */
import * as C from './constants.js';
import * as T from './trees.js';
import type { TreesState } from './trees.js';

/* Imported bindings copied to module constants once (under some loaders an imported binding is a
 * getter call on every use). */
const BL_CODES = C.BL_CODES;
const L_CODES = C.L_CODES;
const D_CODES = C.D_CODES;
const MAX_BITS = C.MAX_BITS;
const REP_3_6 = C.REP_3_6;
const REPZ_3_10 = C.REPZ_3_10;
const REPZ_11_138 = C.REPZ_11_138;
const DMAP_WORD = T.DMAP_WORD;
const LMAP_WORDS = T.LMAP_WORDS;

/** Extra bits of the header are kept in slot HX of the bl frequency arrays. */
const HX = BL_CODES;

/**
 * Diagnostics (never read here): [0] calls, [1] trees whose class depths were not proven
 * (ambiguous tie or depth > 15), [2] used runs pooled (REP possible around uncertain lengths),
 * [3] items pooled, [4] class members left out of the exact counts (in pooled runs),
 * [5] calls that returned early (partial bound >= target).
 */
export const bound_stats = new Float64Array(6);

/** Index of each bl code in bl_order. */
const bl_rank = new Int32Array(BL_CODES);
for (let i = 0; i < BL_CODES; i++) bl_rank[C.bl_order[i]] = i;

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
const RUN_ITEMS = new Int32Array(L_CODES + 1);
for (let k = 0; k <= L_CODES; k++) RUN_ITEMS[k] = run_items(k);
/** Fewest items of a run of r used codes whatever their lengths (min over partitions). */
const MIN_ITEMS = new Int32Array(L_CODES + 1);
for (let i = 1; i <= L_CODES; i++) {
  let best = 1 << 30;
  for (let j = 0; j < i; j++) best = Math.min(best, MIN_ITEMS[j] + RUN_ITEMS[i - j]);
  MIN_ITEMS[i] = best;
}

/** DMI[L] = MIN_ITEMS[L] - MIN_ITEMS[L - 1]: summed over a run's codes, its fewest items. */
const DMI = new Int32Array(L_CODES + 1);
for (let i = 1; i <= L_CODES; i++) DMI[i] = MIN_ITEMS[i] - MIN_ITEMS[i - 1];

/** Exact bl items (and extra bits, in hz[HX]) of a maximal run of r zero lengths (scan_run_zero). */
function zero_run(hz: Int32Array, r: number): void {
  if (r >= 138) {
    const q = (r / 138) | 0;
    hz[REPZ_11_138] += q;
    hz[HX] += 7 * q;
    r -= q * 138;
  }
  if (r < 3) hz[0] += r;
  else if (r <= 10) {
    hz[REPZ_3_10]++;
    hz[HX] += 3;
  } else {
    hz[REPZ_11_138]++;
    hz[HX] += 7;
  }
}

/** ZR[4r .. 4r + 3] = items 0, 17, 18 and extra bits of a maximal run of r zeros (0 for r = 0). */
const ZR = new Int32Array(4 * (L_CODES + 1));
{
  const hz = new Int32Array(BL_CODES + 1);
  for (let r = 1; r <= L_CODES; r++) {
    hz.fill(0);
    zero_run(hz, r);
    ZR[4 * r] = hz[0];
    ZR[4 * r + 1] = hz[REPZ_3_10];
    ZR[4 * r + 2] = hz[REPZ_11_138];
    ZR[4 * r + 3] = hz[HX];
  }
}

/** Exact bl items (and extra bits) of a maximal run of r equal lengths v != 0 (scan_run_len). */
function len_run(hz: Int32Array, v: number, r: number): void {
  if (r < 4) {
    hz[v] += r;
    return;
  }
  hz[v]++;
  hz[REP_3_6]++;
  hz[HX] += 2;
  if (r <= 7) return;
  r -= 7;
  if (r >= 6) {
    const q = (r / 6) | 0;
    hz[REP_3_6] += q;
    hz[HX] += 2 * q;
    r -= q * 6;
  }
  if (r < 3) hz[v] += r;
  else {
    hz[REP_3_6]++;
    hz[HX] += 2;
  }
}

const BUCKETS = 1024;
/** Counts per frequency during build(), then class ids; all zero between calls. */
const bucket = new Int32Array(BUCKETS);
/** Bitset of the frequencies counted in bucket; all zero between calls. */
const fbits = new Int32Array(BUCKETS >> 5);

/**
 * Scratch of one tree (allocated once per tree kind). k indexes the used codes in code order.
 * The Huffman tree is built on key classes ("groups": all nodes of one key (weight, height)):
 * groups 0..nl-1 are the frequency classes of the leaves (increasing frequency), groups nl..ng-1
 * the classes of internal nodes in creation order. An event creates m nodes of one group, each
 * with one son in group a and one in group b (a == b: both sons in a).
 */
class TreeScratch {
  readonly sym: Int32Array; /* k -> code */
  readonly freq: Int32Array; /* k -> frequency */
  readonly cls: Int32Array; /* k -> frequency class (leaf group) */
  readonly tmp: Int32Array; /* sort scratch (frequencies >= BUCKETS) */
  readonly g_key: Int32Array; /* group -> weight << 5 | height */
  readonly g_cnt: Int32Array; /* nodes */
  readonly g_rem: Int32Array; /* nodes not consumed yet (during the merge) */
  readonly g_e0: Int32Array; /* internal group -> its creation events [e0, e1] */
  readonly g_e1: Int32Array;
  readonly g_lo: Int32Array; /* depths: the first g_nhi nodes (in creation = consumption */
  readonly g_nlo: Int32Array; /* order) at g_lo + 1, the last g_nlo at g_lo */
  readonly g_nhi: Int32Array;
  readonly g_inv: Uint8Array; /* the group's depth multiset is the same in every tie resolution */
  readonly g_pin: Uint8Array; /* ... and all its depths are equal */
  readonly e_f: Int32Array; /* event -> group created into, offset of its first node there, */
  readonly e_fo: Int32Array; /* nodes created, son groups */
  readonly e_m: Int32Array;
  readonly e_a: Int32Array;
  readonly e_b: Int32Array;
  readonly c_lo: Int32Array; /* leaf group -> its depth range (after classes()) */
  readonly c_hi: Int32Array;
  readonly c_placed: Int32Array; /* leaf group -> members placed individually (used_runs) */
  /** bl items of the zero runs (exact), extra bits in [HX]. */
  readonly hz = new Int32Array(BL_CODES + 1);
  n = 0;
  /** leaf groups (frequency classes), all groups */
  nl = 0;
  ng = 0;
  /** Fewest items of the runs of used codes (whatever the lengths). */
  min_items = 0;

  constructor(elems: number) {
    this.sym = new Int32Array(elems);
    this.freq = new Int32Array(elems);
    this.cls = new Int32Array(elems);
    this.tmp = new Int32Array(elems);
    this.g_key = new Int32Array(2 * elems);
    this.g_cnt = new Int32Array(2 * elems);
    this.g_rem = new Int32Array(2 * elems);
    this.g_e0 = new Int32Array(2 * elems);
    this.g_e1 = new Int32Array(2 * elems);
    this.g_lo = new Int32Array(2 * elems);
    this.g_nlo = new Int32Array(2 * elems);
    this.g_nhi = new Int32Array(2 * elems);
    this.g_inv = new Uint8Array(2 * elems);
    this.g_pin = new Uint8Array(2 * elems);
    this.e_f = new Int32Array(elems);
    this.e_fo = new Int32Array(elems);
    this.e_m = new Int32Array(elems);
    this.e_a = new Int32Array(elems);
    this.e_b = new Int32Array(elems);
    this.c_lo = new Int32Array(elems);
    this.c_hi = new Int32Array(elems);
    this.c_placed = new Int32Array(elems);
  }
}
const TL = new TreeScratch(L_CODES);
const TD = new TreeScratch(D_CODES);

/**
 * Optimal prefix-code cost W (sum of the internal node weights) of the n positive weights w,
 * sorted ascending: the two-queue Huffman merge (q: scratch of at least n entries).
 */
function huffman_cost(w: Int32Array, q: Int32Array, n: number): number {
  let li = 0;
  let qi = 0;
  let qe = 0;
  let W = 0;
  for (let step = 1; step < n; step++) {
    let a: number;
    if (li < n && (qi === qe || w[li] <= q[qi])) a = w[li++];
    else a = q[qi++];
    let b: number;
    if (li < n && (qi === qe || w[li] <= q[qi])) b = w[li++];
    else b = q[qi++];
    W += a + b;
    q[qe++] = a + b;
  }
  return W;
}

/**
 * Phase 1 of a tree: collect the used codes of bitmap words [w0, w1) (adding zlib's forced codes
 * when fewer than 2), the exact zero-run items of the header, the fewest items of the used runs,
 * the frequency classes, and the Huffman tree by a two-queue merge done a key class at a time.
 * Returns the data bound W(f) + extra bits (exact for < 2 used codes). t.n = 0 marks a tree with
 * < 2 real codes (then every length is known: 1).
 */
function build(t: TreeScratch, used: Int32Array, w0: number, w1: number, freq: Int32Array, xbits: Uint8Array, quick: boolean): number {
  const sym = t.sym;
  const fr = t.freq;
  const hz = t.hz;
  const bk = bucket;
  const fb = fbits;
  let n = 0;
  let x = 0;
  let maxf = 0; /* OR of the frequencies: >= the largest, < twice it */
  let mi = 0;
  let next = 0; /* first code after the last used one */
  let run = 0; /* used codes in the current run */
  /* items of the zero runs (exact, as scan_run_zero): 0, 17, 18, extra bits */
  let z0 = 0;
  let z17 = 0;
  let z18 = 0;
  let zx = 0;
  const ZR_ = ZR;
  const DMI_ = DMI;
  for (let w = w0; w < w1; w++) {
    let bits = used[w];
    const base = (w - w0) << 5;
    while (bits !== 0) {
      const b = bits & -bits;
      bits ^= b;
      const c = base + 31 - Math.clz32(b);
      const f = freq[c];
      sym[n] = c;
      fr[n] = f;
      n++;
      x += f * xbits[c];
      if (f < BUCKETS) {
        bk[f]++;
        fb[f >> 5] |= 1 << (f & 31);
      }
      maxf |= f;
      /* the zero run before c (r = 0: none) and the run of used codes (branch-free) */
      const r = c - next;
      const o = r << 2;
      z0 += ZR_[o];
      z17 += ZR_[o + 1];
      z18 += ZR_[o + 2];
      zx += ZR_[o + 3];
      run = (run & ~((r | -r) >> 31)) + 1;
      mi += DMI_[run];
      next = c + 1;
    }
  }
  for (let v = 1; v < HX; v++) hz[v] = 0;
  hz[0] = z0;
  hz[REPZ_3_10] = z17;
  hz[REPZ_11_138] = z18;
  hz[HX] = zx;
  if (n < 2) {
    /* zlib forces codes up to two of frequency 1 (build_tree); every leaf gets length 1 and a
     * forced one costs nothing (opt_len--). The header: the two codes, lengths 1, exact. */
    let data = 0;
    let a = 0;
    let max_code = 0; /* n = 0: the first forced node is 0 (max_code -1 -> 0) */
    if (n === 1) {
      const f = fr[0];
      if (f < BUCKETS) {
        bk[f] = 0;
        fb[f >> 5] = 0;
      }
      data = f + x;
      a = max_code = sym[0];
    }
    let b = max_code < 2 ? max_code + 1 : 0;
    if (a > b) {
      const tt = a;
      a = b;
      b = tt;
    }
    hz.fill(0);
    zero_run(hz, a);
    zero_run(hz, b - a - 1);
    hz[1] += 2;
    t.n = 0;
    t.min_items = 0;
    return data;
  }
  t.min_items = mi;
  t.n = n;

  /* frequency classes = leaf groups, in increasing frequency; cls[k] */
  const g_key = t.g_key;
  const g_cnt = t.g_cnt;
  const g_rem = t.g_rem;
  const cls = t.cls;
  let nl = 0;
  if (maxf < BUCKETS) {
    /* the distinct frequencies, from their bitset (cleared as read) */
    for (let wd = 0, we = maxf >> 5; wd <= we; wd++) {
      let bits = fb[wd];
      if (bits === 0) continue;
      fb[wd] = 0;
      const base = wd << 5;
      while (bits !== 0) {
        const b = bits & -bits;
        bits ^= b;
        const f = base + 31 - Math.clz32(b);
        const c = bk[f];
        g_key[nl] = f << 5;
        g_cnt[nl] = c;
        g_rem[nl] = c;
        bk[f] = nl++;
      }
    }
    if (!quick) for (let k = 0; k < n; k++) cls[k] = bk[fr[k]];
    for (let g = 0; g < nl; g++) bk[g_key[g] >> 5] = 0;
  } else {
    /* rare (long blocks): sort (frequency << 9 | k) */
    const tmp = t.tmp;
    for (let k = 0; k < n; k++) {
      const f = fr[k];
      if (f < BUCKETS) {
        bk[f] = 0;
        fb[f >> 5] = 0;
      }
      tmp[k] = (f << 9) | k;
    }
    const srt = tmp.subarray(0, n).sort();
    let prev = -1;
    for (let i = 0; i < n; i++) {
      const f = srt[i] >>> 9;
      if (f !== prev) {
        g_key[nl] = f << 5;
        g_cnt[nl] = 0;
        nl++;
        prev = f;
      }
      g_cnt[nl - 1]++;
      g_rem[nl - 1]++;
      cls[srt[i] & 511] = nl - 1;
    }
    for (let g = 0; g < nl; g++) g_rem[g] = g_cnt[g];
  }
  t.nl = nl;
  if (quick) {
    /* the Huffman cost only: leaves in frequency order, then the two-queue merge on weights */
    const lw = t.tmp;
    const q = t.g_rem; /* (not needed in quick mode) */
    let k = 0;
    for (let g = 0; g < nl; g++) {
      const w = g_key[g] >> 5;
      for (let c = g_cnt[g]; c > 0; c--) lw[k++] = w;
    }
    return huffman_cost(lw, q, n) + x;
  }

  /* Two-queue merge, a key class at a time: leaf groups [li, nl), internal groups [qi, ng). The
   * least key K is taken: with r >= 2 nodes left, its nodes pair up (floor(r / 2) nodes of key
   * (2w, h + 1) each with both sons in K: exactly what zlib's steps do, as 2w > w); with r = 1,
   * it pairs with a node of the next least key. A leaf wins a weight tie (height 0). New nodes
   * join the last internal group if of its key (keys are created in nondecreasing order). */
  const g_e0 = t.g_e0;
  const g_e1 = t.g_e1;
  const e_f = t.e_f;
  const e_fo = t.e_fo;
  const e_m = t.e_m;
  const e_a = t.e_a;
  const e_b = t.e_b;
  let li = 0;
  let qi = nl;
  let ng = nl;
  let ne = 0;
  let W = 0;
  let total = n;
  while (total > 1) {
    const K = li < nl && (qi === ng || g_key[li] < g_key[qi]) ? li : qi;
    const kk = g_key[K];
    const r = g_rem[K];
    let nk: number;
    let m: number;
    let b: number;
    if (r >= 2) {
      m = r >> 1;
      const left = r - 2 * m;
      g_rem[K] = left;
      if (left === 0) {
        if (K < nl) li++;
        else qi++;
      }
      const w2 = (kk >> 5) << 1;
      nk = (w2 << 5) | ((kk & 31) + 1);
      W += m * w2;
      b = K;
    } else {
      g_rem[K] = 0;
      if (K < nl) li++;
      else qi++;
      b = li < nl && (qi === ng || g_key[li] < g_key[qi]) ? li : qi;
      const kb = g_key[b];
      if (--g_rem[b] === 0) {
        if (b < nl) li++;
        else qi++;
      }
      const ws = (kk >> 5) + (kb >> 5);
      const ha = kk & 31;
      const hb = kb & 31;
      nk = (ws << 5) | ((ha > hb ? ha : hb) + 1);
      W += ws;
      m = 1;
    }
    total -= m;
    let F = ng - 1;
    if (ng > nl && g_key[F] === nk) {
      e_fo[ne] = g_cnt[F];
      g_cnt[F] += m;
      g_rem[F] += m;
      g_e1[F] = ne;
    } else {
      F = ng++;
      g_key[F] = nk;
      g_cnt[F] = m;
      g_rem[F] = m;
      g_e0[F] = ne;
      g_e1[F] = ne;
      e_fo[ne] = 0;
    }
    e_f[ne] = F;
    e_m[ne] = m;
    e_a[ne] = K;
    e_b[ne] = b;
    ne++;
  }
  t.ng = ng;
  return W + x;
}

/**
 * Phase 2: the class analysis (P) of a tree built by build() with n >= 2. Returns true if every
 * frequency class's multiset of depths is proven to be zlib's and no depth exceeds max_length;
 * the leaf groups' g_lo / g_nlo / g_nhi then hold their depths. Groups are walked from the root
 * down (reverse creation order), each group's creation events in reverse, so a group's depths
 * and flags are final before its events pass depths to the sons' groups (built from the last
 * consumed node backwards: depths are nonincreasing in consumption order, since a node consumed
 * earlier has a father created no later, and an earlier-created node is at least as deep, by
 * induction from the root; and a group's depths span at most 2 values in an optimal tree: see
 * (P). Both are checked: a violation makes the tree unproven).
 * A group K is invariant iff for each group F holding fathers of K's nodes: F pinned, or F
 * invariant and every node of F has the same number of sons in K (every creation event of F
 * gives the same number: a group's creation events are consecutive).
 */
function classes(t: TreeScratch, max_length: number): boolean {
  const g_key = t.g_key;
  const root = t.ng - 1;
  /* the root's height is the largest depth */
  if ((g_key[root] & 31) > max_length) return false;
  const nl = t.nl;
  const g_e0 = t.g_e0;
  const g_e1 = t.g_e1;
  const g_lo = t.g_lo;
  const g_nlo = t.g_nlo;
  const g_nhi = t.g_nhi;
  const g_inv = t.g_inv;
  const g_pin = t.g_pin;
  const e_fo = t.e_fo;
  const e_m = t.e_m;
  const e_a = t.e_a;
  const e_b = t.e_b;
  for (let g = 0; g < root; g++) {
    g_nlo[g] = 0;
    g_nhi[g] = 0;
    g_inv[g] = 1;
  }
  g_lo[root] = 0;
  g_nlo[root] = 1;
  g_nhi[root] = 0;
  g_inv[root] = 1;
  for (let F = root; F >= nl; F--) {
    const nlo = g_nlo[F];
    if (nlo === 0) return false; /* unreachable: every non-root node has a father */
    const lo = g_lo[F];
    const nh = g_nhi[F];
    const inv = g_inv[F];
    const pin = inv === 1 && nh === 0 ? 1 : 0;
    g_pin[F] = pin;
    const e0 = g_e0[F];
    for (let e = g_e1[F]; e >= e0; e--) {
      const fo = e_fo[e];
      const m = e_m[e];
      const a = e_a[e];
      const b = e_b[e];
      if (pin === 0) {
        /* F's nodes must have the same number of sons in a (and in b) in every event of F */
        if (inv === 0) {
          g_inv[a] = 0;
          g_inv[b] = 0;
        } else if (e0 !== g_e1[F]) {
          /* sons in group K of each node of event e2: (e_a[e2] === K) + (e_b[e2] === K) */
          const ca = a === b ? 2 : 1;
          for (let e2 = e0, e1 = g_e1[F]; e2 <= e1; e2++) {
            const a2 = e_a[e2];
            const b2 = e_b[e2];
            if ((a2 === a ? 1 : 0) + (b2 === a ? 1 : 0) !== ca) g_inv[a] = 0;
            if ((a2 === b ? 1 : 0) + (b2 === b ? 1 : 0) !== ca) g_inv[b] = 0;
          }
        }
      }
      /* fathers [fo, fo + m): the first nh of F are at lo + 1, the rest at lo */
      let deep = (fo + m < nh ? fo + m : nh) - fo;
      if (deep < 0) deep = 0;
      const shallow = m - deep;
      /* Sons, last consumed first: the shallow fathers' then the deep ones'. Each piece (depth
       * dd, count cc) goes before the nodes of its group placed so far: the group's depths are
       * g_lo (the last g_nlo nodes) and g_lo + 1 (the first g_nhi); anything else: not proven. */
      for (let piece = 0; piece < 4; piece++) {
        let K: number;
        let dd: number;
        let cc: number;
        if (a === b) {
          if (piece >= 2) break;
          K = a;
          dd = lo + 1 + piece;
          cc = piece === 0 ? 2 * shallow : 2 * deep;
          if (cc === 0) continue;
        } else {
          if (piece >= 2) break;
          K = piece === 0 ? b : a;
          dd = deep > 0 ? lo + 2 : lo + 1;
          cc = 1;
        }
        const klo = g_lo[K];
        if (g_nlo[K] === 0) {
          g_lo[K] = dd;
          g_nlo[K] = cc;
        } else if (dd === klo && g_nhi[K] === 0) g_nlo[K] += cc;
        else if (dd === klo + 1) g_nhi[K] += cc;
        else return false;
      }
    }
  }
  const c_lo = t.c_lo;
  const c_hi = t.c_hi;
  const c_placed = t.c_placed;
  for (let K = 0; K < nl; K++) {
    if (g_inv[K] === 0 || g_nlo[K] === 0) return false;
    const lo = g_lo[K];
    c_lo[K] = lo;
    c_hi[K] = g_nhi[K] === 0 ? lo : lo + 1;
    c_placed[K] = 0;
  }
  return true;
}

/** Lower bound on the items of used run k0..k1 (code order) when lengths lie in class ranges. */
const dp = new Int32Array(L_CODES + 1);
function run_min_items(t: TreeScratch, k0: number, k1: number): number {
  const cls = t.cls;
  const c_lo = t.c_lo;
  const c_hi = t.c_hi;
  const dp_ = dp;
  const RUN_ITEMS_ = RUN_ITEMS;
  const r = k1 - k0;
  dp_[0] = 0;
  for (let i = 1; i <= r; i++) {
    let best = 1 << 30;
    let lo = 0;
    let hi = 99;
    for (let j = i - 1; j >= 0; j--) {
      const c = cls[k0 + j];
      if (c_lo[c] > lo) lo = c_lo[c];
      if (c_hi[c] < hi) hi = c_hi[c];
      if (lo > hi) break;
      const v = dp_[j] + RUN_ITEMS_[i - j];
      if (v < best) best = v;
    }
    dp_[i] = best;
  }
  return dp_[r];
}

/** Starts (k) of the used runs where a REP_3_6 is possible. */
const rep_starts = new Int32Array(L_CODES);

/**
 * Phase 3 (proven trees): the header items of the runs of used codes, into t.hz (exact items) and
 * the return value (pooled items of unknown codes), see (H). One pass places every code as its
 * own item (known length: exact; uncertain: counted for its class), which is exact in every run
 * where no 4 consecutive codes can share a length (then no REP_3_6: sub-runs of equal lengths
 * are < 4). Such windows are found with bitmasks of the possible lengths (AND of 4 consecutive
 * codes != 0); their runs are redone: exactly if every length is known, else pooled.
 */
function used_runs(t: TreeScratch): number {
  const n = t.n;
  const sym = t.sym;
  const cls = t.cls;
  const c_lo = t.c_lo;
  const c_hi = t.c_hi;
  const c_placed = t.c_placed;
  const hz = t.hz;
  const reps = rep_starts;
  let nrep = 0;
  let prev = -2;
  let runStart = 0;
  let a1 = 0; /* AND of the masks of the last 1, 2, 3 codes of the current run */
  let a2 = 0;
  let a3 = 0;
  for (let k = 0; k < n; k++) {
    const c = cls[k];
    const lo = c_lo[c];
    const u = c_hi[c] - lo; /* 0: known, 1: uncertain */
    hz[lo] += 1 - u;
    c_placed[c] += u;
    const sk = sym[k];
    const d = sk - prev - 1;
    const cont = ~((d | -d) >> 31); /* -1: continues the run, 0: a new run */
    prev = sk;
    runStart = k + ((runStart - k) & cont);
    const mk = (1 << lo) | (1 << (lo + u));
    const w4 = a3 & cont & mk;
    a3 = a2 & cont & mk;
    a2 = a1 & cont & mk;
    a1 = mk;
    if (w4 !== 0 && (nrep === 0 || reps[nrep - 1] !== runStart)) reps[nrep++] = runStart;
  }
  let pooled = 0;
  for (let q = 0; q < nrep; q++) {
    const i = reps[q];
    let j = i + 1;
    while (j < n && sym[j] === sym[j - 1] + 1) j++;
    let known = true;
    for (let k = i; k < j; k++) {
      const c = cls[k];
      const lo = c_lo[c];
      const u = c_hi[c] - lo;
      hz[lo] -= 1 - u;
      c_placed[c] -= u;
      if (u !== 0) known = false;
    }
    if (known) {
      let k = i;
      while (k < j) {
        const v = c_lo[cls[k]];
        let e = k + 1;
        while (e < j && c_lo[cls[e]] === v) e++;
        len_run(hz, v, e - k);
        k = e;
      }
    } else {
      const m = run_min_items(t, i, j);
      pooled += m;
      bound_stats[2]++;
      bound_stats[3] += m;
    }
  }
  /* uncertain classes: the members placed individually have at least cnt - (unplaced) of each
   * depth */
  const stats = bound_stats;
  const c_cntlo = t.g_nlo;
  const c_size = t.g_cnt;
  for (let c = 0, e = t.nl; c < e; c++) {
    const lo = c_lo[c];
    const hi = c_hi[c];
    if (lo === hi) continue;
    const p = c_size[c] - c_placed[c];
    stats[4] += p;
    const lo_n = c_cntlo[c] - p;
    const hi_n = c_size[c] - c_cntlo[c] - p;
    if (lo_n > 0) hz[lo] += lo_n;
    if (hi_n > 0) hz[hi] += hi_n;
  }
  return pooled;
}

/* bit-length tree scratch */
const blf = new Int32Array(BL_CODES);
const bl_w = new Int32Array(BL_CODES);
const bl_q = new Int32Array(BL_CODES);

/**
 * The header part of the bound: W(L + M e_c) for the c in 1..16 with the largest L[c] (see (H):
 * that c gives the minimum over c), + extra bits + 3 * (max_blindex + 1) + 14, where L = hl + hd
 * (exact items) and M = pooled.
 */
function header_bound(hl: Int32Array, hd: Int32Array, pooled: number): number {
  const L = blf;
  const rank = bl_rank;
  let max_blindex = 3;
  let cmax = 1;
  let vmax = -1;
  for (let c = 0; c < BL_CODES; c++) {
    const v = hl[c] + hd[c];
    L[c] = v;
    if (v > 0 && rank[c] > max_blindex) max_blindex = rank[c];
    if (c >= 1 && c <= REP_3_6 && v > vmax) {
      vmax = v;
      cmax = c;
    }
  }
  L[cmax] += pooled;
  /* positive entries, insertion-sorted, then the two-queue Huffman cost */
  const w = bl_w;
  let nw = 0;
  for (let c = 0; c < BL_CODES; c++) {
    const v = L[c];
    if (v === 0) continue;
    let j = nw - 1;
    while (j >= 0 && w[j] > v) {
      w[j + 1] = w[j];
      j--;
    }
    w[j + 1] = v;
    nw++;
  }
  const q = bl_q;
  return huffman_cost(w, q, nw) + hl[HX] + hd[HX] + 3 * (max_blindex + 1) + 5 + 5 + 4;
}

/**
 * Lower bound on s.opt_len after build_bl_tree() for the current block's tallies.
 *
 * target (default Infinity): the caller only asks whether the bound reaches target. The function
 * may return a partial bound (still <= opt_len) as soon as it is >= target; a result < target is
 * always the full bound (the value returned with target = Infinity). So "result >= target" is
 * exactly "the full bound >= target".
 */
export function opt_len_lower_bound(s: TreesState, target = Infinity): number {
  const stats = bound_stats;
  stats[0]++;
  const tl = TL;
  const td = TD;
  const used = s.used;
  const l_desc = s.l_desc;
  const d_desc = s.d_desc;
  const data = build(tl, used, 0, LMAP_WORDS, l_desc.freq, l_desc.xbits, false) + build(td, used, DMAP_WORD, DMAP_WORD + 1, d_desc.freq, d_desc.xbits, false);
  /* the header has at least 4 bl lengths (3 bits each), HLIT, HDIST, HCLEN, and the zero runs'
   * extra bits */
  if (target !== Infinity) {
    /* Partial bounds, each <= the full one's header part is not claimed, but each <= opt_len:
     * (1) the header's fixed part (>= 4 bl lengths of 3 bits, HLIT, HDIST, HCLEN) and the exact
     * extra bits of the zero runs; (2) the header with the zero runs exact and every run of used
     * codes pooled with its fewest items (the class analysis skipped: (H) with "ambiguous"). */
    const p1 = data + tl.hz[HX] + td.hz[HX] + 3 * 4 + 5 + 5 + 4;
    if (p1 >= target) {
      stats[5]++;
      return p1;
    }
    const p2 = data + header_bound(tl.hz, td.hz, tl.min_items + td.min_items);
    if (p2 >= target) {
      stats[5]++;
      return p2;
    }
  }
  let pooled = 0;
  if (tl.n !== 0) {
    if (classes(tl, MAX_BITS)) pooled += used_runs(tl);
    else {
      stats[1]++;
      pooled += tl.min_items;
    }
  }
  if (td.n !== 0) {
    if (classes(td, MAX_BITS)) pooled += used_runs(td);
    else {
      stats[1]++;
      pooled += td.min_items;
    }
  }
  return data + header_bound(tl.hz, td.hz, pooled);
}

/**
 * A looser lower bound on the same s.opt_len, cheaper: no class analysis (P): the data bound
 * W(f), the exact zero runs, and every run of used codes pooled with its fewest items ((H) as for
 * an ambiguous tree). Not claimed <= opt_len_lower_bound(s); both are <= s.opt_len.
 */
export function opt_len_quick_bound(s: TreesState): number {
  const tl = TL;
  const td = TD;
  const used = s.used;
  const l_desc = s.l_desc;
  const d_desc = s.d_desc;
  const data = build(tl, used, 0, LMAP_WORDS, l_desc.freq, l_desc.xbits, true) + build(td, used, DMAP_WORD, DMAP_WORD + 1, d_desc.freq, d_desc.xbits, true);
  return data + header_bound(tl.hz, td.hz, tl.min_items + td.min_items);
}

/** s.static_len as _tr_flush_block() computes it (forced codes cost 0 net: see build_tree). */
export function static_len_exact(s: TreesState): number {
  const used = s.used;
  let sum = 0;
  let scost = s.l_desc.scost;
  let freq = s.l_desc.freq;
  for (let w = 0; w < LMAP_WORDS; w++) {
    let bits = used[w];
    const base = w << 5;
    while (bits !== 0) {
      const t = bits & -bits;
      const n = base + 31 - Math.clz32(t);
      sum += freq[n] * scost[n];
      bits ^= t;
    }
  }
  scost = s.d_desc.scost;
  freq = s.d_desc.freq;
  let bits = used[DMAP_WORD];
  while (bits !== 0) {
    const t = bits & -bits;
    const n = 31 - Math.clz32(t);
    sum += freq[n] * scost[n];
    bits ^= t;
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
  const t = tree === 0 ? TL : TD;
  if (tree === 0) build(t, s.used, 0, LMAP_WORDS, s.l_desc.freq, s.l_desc.xbits, false);
  else build(t, s.used, DMAP_WORD, DMAP_WORD + 1, s.d_desc.freq, s.d_desc.xbits, false);
  if (t.n === 0 || !classes(t, MAX_BITS)) return false;
  for (let k = 0; k < t.n; k++) {
    const c = t.cls[k];
    const code = t.sym[k];
    cls[code] = c;
    lo[code] = t.c_lo[c];
    hi[code] = t.c_hi[c];
    cntlo[c] = t.g_nlo[c];
  }
  return true;
}

/* ---- From a bound on opt_len to a bound on the bytes of a one-block stream ---- */

/**
 * The bytes _tr_flush_block(s, stored_len, true, true) makes of a stream that is this one block
 * (s.bits === 0): 3 header bits plus the block, padded to a byte, for the block's opt_len,
 * static_len and stored_len. Non-decreasing in opt_len, so a lower bound on opt_len gives a lower
 * bound on the bytes.
 */
export function last_block_bytes(opt_len: number, static_len: number, stored_len: number): number {
  let opt_lenb = (opt_len + 3 + 7) >>> 3;
  const static_lenb = (static_len + 3 + 7) >>> 3;
  if (static_lenb <= opt_lenb) opt_lenb = static_lenb;
  /* stored: 3 bits padded to a byte, LEN and NLEN, the bytes; fixed or dynamic: opt_lenb */
  return stored_len + 4 <= opt_lenb ? stored_len + 5 : opt_lenb;
}

/**
 * The smallest opt_len for which last_block_bytes(opt_len, static_len, stored_len) >= bytes, or
 * Infinity when no opt_len reaches it (the fixed or stored block caps the size below it).
 */
export function opt_len_needed(bytes: number, static_len: number, stored_len: number): number {
  /* last_block_bytes = g(min(opt_lenb, static_lenb)) with g(v) = v below stored_len + 4 and
   * stored_len + 5 from there: the smallest v with g(v) >= bytes, then opt_lenb >= v. */
  let v: number;
  if (bytes <= stored_len + 3) v = bytes;
  else if (bytes <= stored_len + 5) v = stored_len + 4;
  else return Infinity;
  if ((static_len + 3 + 7) >>> 3 < v) return Infinity;
  const need = 8 * v - 10; /* (opt_len + 10) >>> 3 >= v  <=>  opt_len >= 8v - 10 */
  return need > 0 ? need : 0;
}
