/**
 * Length-only port of zlib's trees.c (zlib 1.2.x as ported by pako 2.1.0, lib/zlib/trees.js).
 *
 * zlib builds three Huffman trees per block (literal/length, distance, bit length), tallying in
 * s->opt_len the exact bit cost of a dynamic block and in s->static_len the cost with the fixed
 * trees, then _tr_flush_block() picks stored, fixed or dynamic. We do exactly the same tallies and
 * the same choice, but never generate codes nor write a bit: the result is a bit count.
 *
 * Differences of representation (not of result) from zlib:
 *  - ct_data {Freq|Code, Dad|Len} is split into separate typed arrays, and the heap holds packed
 *    entries (Freq << 15 | depth << 10 | node) instead of node numbers, so zlib's
 *    `smaller(n, m)` = Freq[n] < Freq[m] || (Freq[n] == Freq[m] && depth[n] <= depth[m]) is one
 *    comparison of (entry >>> 10) without indirection. Freq < 2^16 (a block has < 16384 symbols),
 *    depth < 32 (a Huffman tree of height h has total weight >= Fibonacci(h + 1); checked), node
 *    < 1024. The heap moves are zlib's, so equal keys are resolved exactly as zlib resolves them.
 *  - Used leaves are tracked in a bitmap during the tally, so build_tree() visits only symbols of
 *    non-zero frequency (in increasing symbol order, exactly zlib's heap insertion order), and
 *    init_block() clears only those.
 *  - scan_tree() walks runs of equal code lengths between used symbols instead of every symbol;
 *    it produces the same bl_tree frequencies (see scan_run_zero / scan_run_len).
 */
import {
  BL_CODES,
  D_CODES,
  END_BLOCK,
  HEAP_SIZE,
  LEN_SYMBOL,
  LITERALS,
  L_CODES,
  MAX_BITS,
  MAX_BL_BITS,
  REP_3_6,
  REPZ_11_138,
  REPZ_3_10,
  STATIC_DTREE_LEN,
  SYM_LIMIT,
  _dist_code,
  bl_order,
  extra_blbits,
  extra_dbits,
  extra_lbits,
  static_ltree_len,
} from './constants.js';

/** Words of the used-symbol bitmap: 9 for the literal/length tree (286 bits), 1 for distances. */
export const LMAP_WORDS = 9;
export const DMAP_WORD = 9;

/** Indices into TreesState.stats. */
export const STAT_STORED = 0;
export const STAT_FIXED = 1;
export const STAT_DYNAMIC = 2;
export const STAT_FIXED_TIE = 3;
export const STAT_OVERFLOW_L = 4;
export const STAT_OVERFLOW_D = 5;
export const STAT_OVERFLOW_BL = 6;

const static_dtree_len = new Uint8Array(D_CODES).fill(STATIC_DTREE_LEN);

/** zlib's static_tree_desc + tree_desc, plus the sorted list of leaves of non-zero frequency. */
export class TreeDesc {
  /** Freq of each leaf (the tally). Internal nodes keep their frequency in their heap entry. */
  readonly freq: Int32Array;
  /** Len of each node (leaves and internal nodes), valid for the leaves listed in syms. */
  readonly len: Int32Array;
  /** Leaves with non-zero frequency in increasing order (after build_tree: incl. forced ones). */
  readonly syms: Int32Array;
  nsyms = 0;
  /** Largest code with non-zero frequency. */
  max_code = 0;
  readonly static_len: Uint8Array | null;
  readonly extra_bits: Uint8Array;
  readonly extra_base: number;
  /** Extra bits of each symbol (extra_bits shifted by extra_base). */
  readonly xbits: Uint8Array;
  /** Cost of each symbol with the static tree, extra bits included (0 without a static tree). */
  readonly scost: Uint8Array;
  readonly elems: number;
  readonly max_length: number;

  constructor(
    nodes: number,
    static_len: Uint8Array | null,
    extra_bits: Uint8Array,
    extra_base: number,
    elems: number,
    max_length: number,
  ) {
    this.freq = new Int32Array(nodes);
    this.len = new Int32Array(nodes);
    this.syms = new Int32Array(elems);
    this.static_len = static_len;
    this.extra_bits = extra_bits;
    this.xbits = new Uint8Array(elems);
    this.scost = new Uint8Array(elems);
    for (let n = extra_base; n < elems; n++) this.xbits[n] = extra_bits[n - extra_base];
    if (static_len !== null) for (let n = 0; n < elems; n++) this.scost[n] = static_len[n] + this.xbits[n];
    this.extra_base = extra_base;
    this.elems = elems;
    this.max_length = max_length;
  }
}

/** The part of zlib's deflate_state that trees.c works on. */
export class TreesState {
  readonly l_desc = new TreeDesc(HEAP_SIZE, static_ltree_len, extra_lbits, LITERALS + 1, L_CODES, MAX_BITS);
  readonly d_desc = new TreeDesc(2 * D_CODES + 1, static_dtree_len, extra_dbits, 0, D_CODES, MAX_BITS);
  readonly bl_desc = new TreeDesc(2 * BL_CODES + 1, null, extra_blbits, 0, BL_CODES, MAX_BL_BITS);
  /** Used-leaf bitmap: words 0..8 literal/length codes, word 9 distance codes. */
  readonly used = new Int32Array(LMAP_WORDS + 1);
  /** heap[2*L_CODES+1] of packed entries Freq << 15 | depth << 10 | node, shared by the trees. */
  readonly heap = new Int32Array(HEAP_SIZE);
  /** zlib's heap[heap_max..HEAP_SIZE-1]: the nodes in the order they left the heap (node numbers). */
  readonly order = new Int32Array(HEAP_SIZE);
  /** Dad of every node (zlib overlays it with Len; kept apart here). */
  readonly dad = new Int32Array(HEAP_SIZE);
  readonly bl_count = new Int32Array(MAX_BITS + 1);
  heap_len = 0;
  heap_max = 0;
  /** Bit length of the current block with optimal trees / with static trees. */
  opt_len = 0;
  static_len = 0;
  /** Symbols tallied in the current block (zlib: sym_next / 3). */
  sym_count = 0;
  /** Bits of deflate stream produced so far (zlib: compressed_len / bits_sent). */
  bits = 0;
  /**
   * Diagnostics for the tests (updated once per block, never read by the engine): blocks emitted
   * as [stored, fixed, dynamic], fixed blocks chosen on a byte tie with dynamic (opt_lenb ==
   * static_lenb), and gen_bitlen overflow fix-ups for [literal/length, distance, bit length] trees.
   */
  readonly stats = new Float64Array(7);

  constructor() {
    init_block(this);
  }
}

/* =========================================================================================== */

/** init_block(): clear the frequencies of the symbols the last block used, and the tallies. */
export function init_block(s: TreesState): void {
  clear_freqs(s.l_desc);
  clear_freqs(s.d_desc);
  const blf = s.bl_desc.freq;
  for (let n = 0; n < BL_CODES; n++) blf[n] = 0;
  const used = s.used;
  for (let w = 0; w <= LMAP_WORDS; w++) used[w] = 0;
  s.l_desc.freq[END_BLOCK] = 1;
  used[END_BLOCK >> 5] = 1 << (END_BLOCK & 31);
  s.opt_len = 0;
  s.static_len = 0;
  s.sym_count = 0;
}

function clear_freqs(desc: TreeDesc): void {
  const freq = desc.freq;
  const syms = desc.syms;
  for (let i = 0, k = desc.nsyms; i < k; i++) freq[syms[i]] = 0;
  desc.nsyms = 0;
}

/**
 * _tr_tally_lit(): count literal c. Returns true when the block must be flushed (zlib:
 * sym_next == sym_end). deflate_slow() inlines the same statements.
 */
export function _tr_tally_lit(s: TreesState, c: number): boolean {
  if (s.l_desc.freq[c]++ === 0) s.used[c >> 5] |= 1 << (c & 31);
  return ++s.sym_count === SYM_LIMIT;
}

/** _tr_tally_dist(): count a match of distance dist (1..32768) and length lc + MIN_MATCH. */
export function _tr_tally_dist(s: TreesState, dist: number, lc: number): boolean {
  const sym = LEN_SYMBOL[lc];
  if (s.l_desc.freq[sym]++ === 0) s.used[sym >> 5] |= 1 << (sym & 31);
  dist--;
  const dc = dist < 256 ? _dist_code[dist] : _dist_code[256 + (dist >>> 7)];
  if (s.d_desc.freq[dc]++ === 0) s.used[DMAP_WORD] |= 1 << dc;
  return ++s.sym_count === SYM_LIMIT;
}

/** Full reset of every frequency (used after an aborted call, when the used lists are unknown). */
export function clear_all(s: TreesState): void {
  s.l_desc.freq.fill(0);
  s.d_desc.freq.fill(0);
  s.bl_desc.freq.fill(0);
  s.l_desc.nsyms = 0;
  s.d_desc.nsyms = 0;
  init_block(s);
  s.bits = 0;
}

/** Collect the used leaves of words [w0, w1) of the bitmap into desc.syms, in increasing order. */
function collect_used(s: TreesState, desc: TreeDesc, w0: number, w1: number): void {
  const used = s.used;
  const syms = desc.syms;
  let k = 0;
  for (let w = w0; w < w1; w++) {
    let bits = used[w];
    const base = (w - w0) << 5;
    while (bits !== 0) {
      const t = bits & -bits;
      syms[k++] = base + 31 - Math.clz32(t);
      bits ^= t;
    }
  }
  desc.nsyms = k;
}

/**
 * pqdownheap(): restore the heap property moving down from node k, using zlib's smaller()
 * (frequency, then depth as tie breaker) on the packed entries. The smaller son is selected
 * without a branch (same choice as zlib: the right son when it is not larger); heap[heap_len + 1]
 * holds a sentinel that is never selected. The heap has room for it: heap_len < HEAP_SIZE - 1.
 */
function pqdownheap(heap: Int32Array, heap_len: number, k: number): void {
  const v = heap[k];
  const kv = v >>> 10;
  heap[heap_len + 1] = 0x7fffffff;
  let j = k << 1; /* left son of k */
  while (j <= heap_len) {
    const hj = heap[j];
    const hj1 = heap[j + 1];
    /* m = -1 if smaller(heap[j + 1], heap[j]), else 0 */
    const m = ((hj1 >>> 10) - (hj >>> 10) - 1) >> 31;
    const h = hj ^ ((hj ^ hj1) & m);
    /* Exit if v is smaller than both sons */
    if (kv <= h >>> 10) break;
    /* Exchange v with the smallest son */
    heap[k] = h;
    k = j - m;
    j = k << 1;
  }
  heap[k] = v;
}

/**
 * gen_bitlen(): compute the optimal bit lengths for a tree (with zlib's overflow fix-up for
 * max_length) and add the block cost to opt_len (and static_len if the tree has a static twin).
 */
function gen_bitlen(s: TreesState, desc: TreeDesc): void {
  /* Fast path: the lengths of every node from its father's; if none exceeds max_length, the
   * costs are sums over the leaves (desc.syms). Otherwise the general version below redoes it. */
  const len = desc.len;
  const dad = s.dad;
  const order = s.order;
  const max_length = desc.max_length;
  let too_long = 0;
  len[order[s.heap_max]] = 0; /* root of the heap */
  for (let h = s.heap_max + 1; h < HEAP_SIZE; h++) {
    const n = order[h];
    const bits = len[dad[n]] + 1;
    too_long |= max_length - bits;
    len[n] = bits;
  }
  if (too_long < 0) {
    gen_bitlen_overflow(s, desc);
    return;
  }
  const freq = desc.freq;
  const syms = desc.syms;
  const xbits = desc.xbits;
  const scost = desc.scost;
  let opt_len = s.opt_len;
  let static_len = s.static_len;
  for (let i = 0, k = desc.nsyms; i < k; i++) {
    const n = syms[i];
    const f = freq[n];
    opt_len += f * (len[n] + xbits[n]);
    static_len += f * scost[n];
  }
  s.opt_len = opt_len;
  s.static_len = static_len;
}

/** gen_bitlen() as in zlib, for trees where some length exceeds max_length. */
function gen_bitlen_overflow(s: TreesState, desc: TreeDesc): void {
  const len = desc.len;
  const freq = desc.freq;
  const dad = s.dad;
  const order = s.order;
  const bl_count = s.bl_count;
  const max_code = desc.max_code;
  const stree = desc.static_len;
  const extra = desc.extra_bits;
  const base = desc.extra_base;
  const max_length = desc.max_length;
  let overflow = 0; /* number of elements with bit length too large */
  let opt_len = s.opt_len;
  let static_len = s.static_len;
  let h: number;
  let bits: number;

  for (bits = 0; bits <= MAX_BITS; bits++) bl_count[bits] = 0;

  /* In a first pass, compute the optimal bit lengths (which may overflow in the case of the bit
   * length tree). */
  len[order[s.heap_max]] = 0; /* root of the heap */

  for (h = s.heap_max + 1; h < HEAP_SIZE; h++) {
    const n = order[h];
    bits = len[dad[n]] + 1;
    if (bits > max_length) {
      bits = max_length;
      overflow++;
    }
    len[n] = bits;
    if (n > max_code) continue; /* not a leaf node */

    bl_count[bits]++;
    const xbits = n >= base ? extra[n - base] : 0;
    const f = freq[n];
    opt_len += f * (bits + xbits);
    if (stree !== null) static_len += f * (stree[n] + xbits);
  }
  s.static_len = static_len;
  if (overflow === 0) {
    s.opt_len = opt_len;
    return;
  }
  s.stats[desc.elems === L_CODES ? STAT_OVERFLOW_L : desc.elems === D_CODES ? STAT_OVERFLOW_D : STAT_OVERFLOW_BL]++;

  /* Find the first bit length which could increase: */
  do {
    bits = max_length - 1;
    while (bl_count[bits] === 0) bits--;
    bl_count[bits]--; /* move one leaf down the tree */
    bl_count[bits + 1] += 2; /* move one overflow item as its brother */
    bl_count[max_length]--;
    /* The brother of the overflow item also moves one step up, but this does not affect
     * bl_count[max_length]. */
    overflow -= 2;
  } while (overflow > 0);

  /* Now recompute all bit lengths, scanning in increasing frequency. h is still HEAP_SIZE. */
  for (bits = max_length; bits !== 0; bits--) {
    let n = bl_count[bits];
    while (n !== 0) {
      const m = order[--h];
      if (m > max_code) continue;
      if (len[m] !== bits) {
        opt_len += (bits - len[m]) * freq[m];
        len[m] = bits;
      }
      n--;
    }
  }
  s.opt_len = opt_len;
}

/**
 * build_tree(): construct one Huffman tree exactly as zlib does (same heap, same insertion order,
 * same tie-breaking), set desc.max_code and the leaves' Len, and update opt_len / static_len.
 * IN: desc.syms[0..nsyms) = leaves of non-zero frequency in increasing order.
 */
function build_tree(s: TreesState, desc: TreeDesc): void {
  const freq = desc.freq;
  const syms = desc.syms;
  const stree = desc.static_len;
  const elems = desc.elems;
  const heap = s.heap;
  const order = s.order;
  const dad = s.dad;
  let nsyms = desc.nsyms;
  let max_code = -1;
  let heap_len = 0;
  let node: number;

  for (let i = 0; i < nsyms; i++) {
    const n = syms[i];
    heap[++heap_len] = (freq[n] << 15) | n; /* depth[n] = 0 */
    max_code = n;
  }

  /* The pkzip format requires that at least one distance code exists, and that at least one bit
   * should be sent even if there is only one possible code. So to avoid special checks later on
   * we force at least two codes of non zero frequency. */
  while (heap_len < 2) {
    node = max_code < 2 ? ++max_code : 0;
    heap[++heap_len] = (1 << 15) | node;
    freq[node] = 1;
    s.opt_len--;
    if (stree !== null) s.static_len -= stree[node];
    /* node is 0 or 1 so it does not have extra bits. Keep syms sorted (at most 2 entries). */
    syms[nsyms++] = node;
    if (nsyms === 2 && syms[0] > syms[1]) {
      const t = syms[0];
      syms[0] = syms[1];
      syms[1] = t;
    }
  }
  desc.nsyms = nsyms;
  desc.max_code = max_code;

  /* The elements heap[heap_len/2+1 .. heap_len] are leaves of the tree, establish sub-heaps of
   * increasing lengths: */
  for (let n = heap_len >> 1; n >= 1; n--) pqdownheap(heap, heap_len, n);

  /* Construct the Huffman tree by repeatedly combining the least two frequent nodes. The two
   * pqdownheap(s, tree, SMALLEST) calls are inlined; heap[heap_len + 1] holds a sentinel. */
  node = elems; /* next internal node of the tree */
  let heap_max = HEAP_SIZE;
  do {
    /* pqremove: heap[1] = heap[heap_len--]; pqdownheap(1) */
    const n = heap[1];
    let v = heap[heap_len];
    heap[heap_len] = 0x7fffffff;
    heap_len--;
    let kv = v >>> 10;
    let k = 1;
    let j = 2;
    while (j <= heap_len) {
      const hj = heap[j];
      const hj1 = heap[j + 1];
      const mm = ((hj1 >>> 10) - (hj >>> 10) - 1) >> 31;
      const h = hj ^ ((hj ^ hj1) & mm);
      if (kv <= h >>> 10) break;
      heap[k] = h;
      k = j - mm;
      j = k << 1;
    }
    heap[k] = v;
    const m = heap[1]; /* m = node of next least frequency */

    order[--heap_max] = n & 1023; /* keep the nodes sorted by frequency */
    order[--heap_max] = m & 1023;

    /* Create a new node father of n and m */
    const dn = (n >>> 10) & 31;
    const dm = (m >>> 10) & 31;
    const depth = (dn >= dm ? dn : dm) + 1;
    if (depth > 31) throw new Error('deflate trees: depth overflow (unreachable)');
    dad[n & 1023] = dad[m & 1023] = node;

    /* and insert the new node in the heap: heap[1] = node; pqdownheap(1) */
    v = (((n >>> 15) + (m >>> 15)) << 15) | (depth << 10) | node;
    node++;
    kv = v >>> 10;
    k = 1;
    j = 2;
    while (j <= heap_len) {
      const hj = heap[j];
      const hj1 = heap[j + 1];
      const mm = ((hj1 >>> 10) - (hj >>> 10) - 1) >> 31;
      const h = hj ^ ((hj ^ hj1) & mm);
      if (kv <= h >>> 10) break;
      heap[k] = h;
      k = j - mm;
      j = k << 1;
    }
    heap[k] = v;
  } while (heap_len >= 2);

  order[--heap_max] = heap[1] & 1023;
  s.heap_len = heap_len;
  s.heap_max = heap_max;

  /* At this point, the fields freq and dad are set. We can now generate the bit lengths. */
  gen_bitlen(s, desc);
  /* gen_codes() is not needed: only the lengths matter. */
}

/**
 * scan_tree(): count, in bl_tree frequencies, the bit-length codes that send_tree() would emit
 * for lengths[0..max_code]. zlib scans every code; the same counts follow from the maximal runs
 * of equal lengths, because every maximal run starts with prevlen != its value and with
 * (max_count, min_count) = (138, 3) for zeros and (7, 4) otherwise.
 */
function scan_tree(s: TreesState, desc: TreeDesc): void {
  const syms = desc.syms;
  const len = desc.len;
  const blf = s.bl_desc.freq;
  const nsyms = desc.nsyms;
  let next = 0; /* first code not yet scanned */
  let i = 0;
  while (i < nsyms) {
    const n = syms[i];
    if (n > next) scan_run_zero(blf, n - next);
    const v = len[n];
    let r = 1;
    while (i + r < nsyms && syms[i + r] === n + r && len[n + r] === v) r++;
    scan_run_len(blf, v, r);
    next = n + r;
    i += r;
  }
}

/** A maximal run of r zero lengths: chunks of at most 138. */
function scan_run_zero(blf: Int32Array, r: number): void {
  if (r >= 138) {
    const q = (r / 138) | 0;
    blf[REPZ_11_138] += q;
    r -= q * 138;
  }
  if (r < 3) blf[0] += r;
  else if (r <= 10) blf[REPZ_3_10]++;
  else blf[REPZ_11_138]++;
}

/** A maximal run of r copies of length v != 0: first chunk of at most 7, then chunks of 6. */
function scan_run_len(blf: Int32Array, v: number, r: number): void {
  if (r < 4) {
    blf[v] += r;
    return;
  }
  blf[v]++;
  blf[REP_3_6]++;
  if (r <= 7) return;
  r -= 7;
  if (r >= 6) {
    const q = (r / 6) | 0;
    blf[REP_3_6] += q;
    r -= q * 6;
  }
  if (r < 3) blf[v] += r;
  else blf[REP_3_6]++;
}

/**
 * build_bl_tree(): scan both trees, build the bit length tree, and return the index in bl_order
 * of the last bit length code to send. Adds the tree representation to opt_len.
 */
function build_bl_tree(s: TreesState): number {
  scan_tree(s, s.l_desc);
  scan_tree(s, s.d_desc);

  const bl = s.bl_desc;
  const blf = bl.freq;
  const bll = bl.len;
  let k = 0;
  for (let n = 0; n < BL_CODES; n++) {
    if (blf[n] !== 0) bl.syms[k++] = n;
    else bll[n] = 0;
  }
  bl.nsyms = k;
  build_tree(s, bl);

  /* Determine the number of bit length codes to send (at least 4). */
  let max_blindex: number;
  for (max_blindex = BL_CODES - 1; max_blindex >= 3; max_blindex--) {
    if (bll[bl_order[max_blindex]] !== 0) break;
  }
  /* Update opt_len to include the bit length tree and counts */
  s.opt_len += 3 * (max_blindex + 1) + 5 + 5 + 4;
  return max_blindex;
}

/**
 * _tr_flush_block(): determine the best encoding for the current block (dynamic trees, static
 * trees or stored) exactly as zlib 1.2.x / pako 2.1.0 do, and add its bit length to s.bits.
 *
 * @param stored_len  bytes of input covered by the block (strstart - block_start)
 * @param buf_ok      zlib's `buf != NULL`: the block's input is still in the window
 *                    (block_start >= 0 in window coordinates)
 * @param last        last block of the stream (then the stream is padded to a byte: bi_windup)
 */
export function _tr_flush_block(s: TreesState, stored_len: number, buf_ok: boolean, last: boolean): void {
  /* Construct the literal and distance trees */
  collect_used(s, s.l_desc, 0, LMAP_WORDS);
  build_tree(s, s.l_desc);
  collect_used(s, s.d_desc, DMAP_WORD, DMAP_WORD + 1);
  build_tree(s, s.d_desc);
  /* Build the bit length tree and get the index in bl_order of the last code to send. */
  build_bl_tree(s);

  /* Determine the best encoding. Compute the block lengths in bytes. */
  let opt_lenb = (s.opt_len + 3 + 7) >>> 3;
  const static_lenb = (s.static_len + 3 + 7) >>> 3;
  if (static_lenb <= opt_lenb) opt_lenb = static_lenb;

  let bits = s.bits;
  if (stored_len + 4 <= opt_lenb && buf_ok) {
    /* _tr_stored_block(): 3 header bits, bi_windup() to a byte, LEN and NLEN, the bytes. */
    bits += 3;
    bits += (8 - (bits % 8)) % 8;
    bits += 32 + stored_len * 8;
    s.stats[STAT_STORED]++;
  } else if (static_lenb === opt_lenb) {
    /* (s->strategy == Z_FIXED is never true here) */
    bits += 3 + s.static_len;
    s.stats[STAT_FIXED]++;
    if (static_lenb === (s.opt_len + 3 + 7) >>> 3) s.stats[STAT_FIXED_TIE]++;
  } else {
    bits += 3 + s.opt_len;
    s.stats[STAT_DYNAMIC]++;
  }
  init_block(s);
  if (last) bits += (8 - (bits % 8)) % 8; /* bi_windup() */
  s.bits = bits;
}
