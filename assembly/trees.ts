/*
 * This file is an altered version of zlib's trees.c (zlib 1.2.x, as ported by pako 2.1.0 in
 * lib/zlib/trees.js): a length-only port to AssemblyScript for the npc project, which counts the
 * bits of each block and never writes them. It is not the original software.
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
 * zlib builds three Huffman trees per block (literal/length, distance, bit length), tallying in
 * opt_len the exact bit cost of a dynamic block and in static_len the cost with the fixed trees;
 * _tr_flush_block() then picks stored, fixed or dynamic. We do the same tallies and the same
 * choice, and add the chosen block's bits to T.bits; no code is generated, no bit written.
 *
 * Differences of representation (never of result) from zlib:
 *  - ct_data {Freq|Code, Dad|Len} is split into separate arrays, and the heap holds packed entries
 *    (Freq << 15 | depth << 10 | node) instead of node numbers, so zlib's smaller(n, m) =
 *    Freq[n] < Freq[m] || (Freq[n] == Freq[m] && depth[n] <= depth[m]) is one comparison of
 *    (entry >>> 10). Freq < 2^16 (a block has < 16384 symbols), depth < 32 (a Huffman tree of
 *    height h weighs >= Fibonacci(h + 1)), node < 1024. The heap moves are zlib's, so equal keys
 *    are resolved exactly as zlib resolves them.
 *  - Used leaves are tracked in a bitmap during the tally, so build_tree() visits only symbols of
 *    non-zero frequency (in increasing order: zlib's heap insertion order), and init_block()
 *    clears only those.
 *  - scan_tree() walks the runs of equal code lengths between used symbols instead of every
 *    symbol; the bl_tree frequencies are the same (see scan_run_zero / scan_run_len).
 *
 * All state lives in fixed linear memory (memory.data): nothing is allocated per call.
 */
import {
  BL_CODES,
  D_CODES,
  END_BLOCK,
  HEAP_SIZE,
  LITERALS,
  L_CODES,
  MAX_BITS,
  MAX_BL_BITS,
  REP_3_6,
  REPZ_11_138,
  REPZ_3_10,
  LEN_SYMBOL,
  SYM_LIMIT,
  bl_order,
  d_code,
  extra_blbits,
  extra_dbits,
  extra_lbits,
  static_dtree_len,
  static_ltree_len,
  byte,
  ld,
  st,
} from './constants';
import { B, clear_bound_freqs, opt_len_bound } from './bound';
import {
  BOUND_CHECK,
  BOUND_ON,
  STAT_DYNAMIC,
  STAT_FIXED,
  STAT_FIXED_TIE,
  STAT_OVERFLOW_BL,
  STAT_OVERFLOW_D,
  STAT_OVERFLOW_L,
  STAT_STORED,
} from './counters';

/** Words of the used-symbol bitmap: 0..8 for the literal/length tree (286 bits), 9 for distances. */
export const LMAP_WORDS: i32 = 9;
export const DMAP_WORD: i32 = 9;

/** Counters for the tests (updated once per block, never read by the engine): STAT_* of counters.ts. */
export const STATS: usize = memory.data(8 * 4, 16);

/** zlib's static_tree_desc + tree_desc, plus the sorted list of leaves of non-zero frequency. */
@unmanaged
export class TreeDesc {
  /** i32[nodes]: Freq of each leaf (the tally). Internal nodes keep theirs in their heap entry. */
  freq: usize;
  /** i32[nodes]: Len of each node, valid for the leaves listed in syms. */
  len: usize;
  /** i32[elems]: leaves of non-zero frequency in increasing order (after build_tree: incl. forced ones). */
  syms: usize;
  nsyms: i32;
  /** Largest code with non-zero frequency. */
  max_code: i32;
  /** u8[elems] static code lengths, or 0 for the bit length tree (no static twin). */
  stree: usize;
  /** u8[]: extra bits of each code from extra_base on. */
  extra_bits: usize;
  extra_base: i32;
  /** u8[elems]: extra bits of each symbol (extra_bits shifted by extra_base). */
  xbits: usize;
  /** u8[elems]: cost of each symbol with the static tree, extra bits included. */
  scost: usize;
  elems: i32;
  max_length: i32;
  /** Index in STATS counting gen_bitlen's overflow fix-ups for this tree. */
  overflow_stat: i32;
}

/** The scalars of the part of zlib's deflate_state that trees.c works on. */
@unmanaged
export class TreesState {
  heap_len: i32;
  heap_max: i32;
  /** Bit length of the current block with optimal trees / with static trees. */
  opt_len: i32;
  static_len: i32;
  /** Symbols tallied in the current block (zlib: sym_next / 3). */
  sym_count: i32;
  _pad: i32;
  /** Bits of deflate stream produced so far (zlib: bits_sent); may exceed 2^32. */
  bits: i64;
}

export const T = changetype<TreesState>(memory.data(offsetof<TreesState>(), 16));

const L_FREQ: usize = memory.data(HEAP_SIZE * 4, 16);
const L_LEN: usize = memory.data(HEAP_SIZE * 4, 16);
const L_SYMS: usize = memory.data(L_CODES * 4, 16);
const L_XBITS: usize = memory.data(L_CODES, 16);
const L_SCOST: usize = memory.data(L_CODES, 16);
const D_FREQ: usize = memory.data((2 * D_CODES + 1) * 4, 16);
const D_LEN: usize = memory.data((2 * D_CODES + 1) * 4, 16);
const D_SYMS: usize = memory.data(D_CODES * 4, 16);
const D_XBITS: usize = memory.data(D_CODES, 16);
const D_SCOST: usize = memory.data(D_CODES, 16);
const BL_FREQ: usize = memory.data((2 * BL_CODES + 1) * 4, 16);
const BL_LEN: usize = memory.data((2 * BL_CODES + 1) * 4, 16);
const BL_SYMS: usize = memory.data(BL_CODES * 4, 16);
const BL_XBITS: usize = memory.data(BL_CODES, 16);
const BL_SCOST: usize = memory.data(BL_CODES, 16);

export const l_desc = changetype<TreeDesc>(memory.data(offsetof<TreeDesc>(), 16));
export const d_desc = changetype<TreeDesc>(memory.data(offsetof<TreeDesc>(), 16));
export const bl_desc = changetype<TreeDesc>(memory.data(offsetof<TreeDesc>(), 16));

/** Frequencies and the used-leaf bitmap, for the tally loops of deflate.ts / pair.ts. */
export const LFREQ: usize = L_FREQ;
export const DFREQ: usize = D_FREQ;
/** i32[10]: used-leaf bitmap, words 0..8 literal/length codes, word 9 distance codes. */
export const USED: usize = memory.data(16 * 4, 16);

/** heap[2*L_CODES+1] of packed entries Freq << 15 | depth << 10 | node, shared by the trees. */
const HEAP: usize = memory.data(HEAP_SIZE * 4, 16);
/** zlib's heap[heap_max..HEAP_SIZE-1]: the nodes in the order they left the heap (node numbers). */
const ORDER: usize = memory.data(HEAP_SIZE * 4, 16);
/** Dad of every node (zlib overlays it with Len; kept apart here). */
const DAD: usize = memory.data(HEAP_SIZE * 4, 16);
const BL_COUNT: usize = memory.data((MAX_BITS + 1) * 4, 16);

function init_desc(
  desc: TreeDesc,
  freq: usize,
  len: usize,
  syms: usize,
  xbits: usize,
  scost: usize,
  stree: usize,
  extra_bits: usize,
  extra_base: i32,
  elems: i32,
  max_length: i32,
  overflow_stat: i32,
): void {
  desc.freq = freq;
  desc.len = len;
  desc.syms = syms;
  desc.nsyms = 0;
  desc.max_code = 0;
  desc.stree = stree;
  desc.extra_bits = extra_bits;
  desc.extra_base = extra_base;
  desc.xbits = xbits;
  desc.scost = scost;
  desc.elems = elems;
  desc.max_length = max_length;
  desc.overflow_stat = overflow_stat;
  for (let n = extra_base; n < elems; n++) store<u8>(xbits + <usize>n, load<u8>(extra_bits + <usize>(n - extra_base)));
  if (stree != 0) {
    for (let n = 0; n < elems; n++) store<u8>(scost + <usize>n, <u8>(byte(stree, n) + byte(xbits, n)));
  }
}

/** _tr_init() (the part a length-only engine needs): tree descriptors and an empty first block. */
export function _tr_init(): void {
  init_desc(
    l_desc,
    L_FREQ,
    L_LEN,
    L_SYMS,
    L_XBITS,
    L_SCOST,
    static_ltree_len,
    extra_lbits,
    LITERALS + 1,
    L_CODES,
    MAX_BITS,
    STAT_OVERFLOW_L,
  );
  init_desc(d_desc, D_FREQ, D_LEN, D_SYMS, D_XBITS, D_SCOST, static_dtree_len, extra_dbits, 0, D_CODES, MAX_BITS, STAT_OVERFLOW_D);
  init_desc(bl_desc, BL_FREQ, BL_LEN, BL_SYMS, BL_XBITS, BL_SCOST, 0, extra_blbits, 0, BL_CODES, MAX_BL_BITS, STAT_OVERFLOW_BL);
  clear_all();
  FL.mode = BOUND_ON;
  FL.limit = 0;
}

/** init_block(): clear the frequencies of the symbols the last block used, and the tallies. */
export function init_block(): void {
  clear_freqs(l_desc);
  clear_freqs(d_desc);
  memory.fill(BL_FREQ, 0, BL_CODES * 4);
  memory.fill(USED, 0, (LMAP_WORDS + 1) * 4);
  st(L_FREQ, END_BLOCK, 1);
  st(USED, END_BLOCK >> 5, 1 << (END_BLOCK & 31));
  T.opt_len = 0;
  T.static_len = 0;
  T.sym_count = 0;
}

function clear_freqs(desc: TreeDesc): void {
  const freq = desc.freq;
  const syms = desc.syms;
  for (let i = 0, k = desc.nsyms; i < k; i++) st(freq, ld(syms, i), 0);
  desc.nsyms = 0;
}

/** Full reset of every frequency (at start-up and after an interrupted call, when the used lists are unknown). */
export function clear_all(): void {
  memory.fill(L_FREQ, 0, HEAP_SIZE * 4);
  memory.fill(D_FREQ, 0, (2 * D_CODES + 1) * 4);
  memory.fill(BL_FREQ, 0, (2 * BL_CODES + 1) * 4);
  l_desc.nsyms = 0;
  d_desc.nsyms = 0;
  init_block();
  T.bits = 0;
}

/** Collect the used leaves of words [w0, w1) of the bitmap into desc.syms, in increasing order. */
function collect_used(desc: TreeDesc, w0: i32, w1: i32): void {
  const syms = desc.syms;
  let k = 0;
  for (let w = w0; w < w1; w++) {
    let bits = ld(USED, w);
    const base = (w - w0) << 5;
    while (bits != 0) {
      st(syms, k++, base + ctz(bits));
      bits &= bits - 1;
    }
  }
  desc.nsyms = k;
}

/**
 * pqdownheap(): restore the heap property moving down from node k, using zlib's smaller()
 * (frequency, then depth as tie breaker) on the packed entries. The smaller son is selected
 * without a branch (the same choice as zlib: the right son when it is not larger);
 * heap[heap_len + 1] holds a sentinel that is never selected (heap_len < HEAP_SIZE - 1).
 */
// @ts-ignore: decorator
@inline function pqdownheap(heap_len: i32, k: i32): void {
  st(HEAP, heap_len + 1, 0x7fffffff);
  sift_down(heap_len, k, ld(HEAP, k));
}

/**
 * pqdownheap's loop for a value v placed at k (heap[k] itself is not read): moves the smaller son up
 * while it is smaller than v, then stores v. heap[heap_len + 1] must hold the sentinel 0x7fffffff.
 */
// @ts-ignore: decorator
@inline function sift_down(heap_len: i32, k: i32, v: i32): void {
  const kv = (<u32>v) >>> 10;
  let j = k << 1; /* left son of k */
  while (j <= heap_len) {
    const hj = ld(HEAP, j);
    const hj1 = ld(HEAP, j + 1);
    /* m = -1 if smaller(heap[j + 1], heap[j]), else 0 */
    const m = (<i32>((<u32>hj1) >>> 10) - <i32>((<u32>hj) >>> 10) - 1) >> 31;
    const h = hj ^ ((hj ^ hj1) & m);
    /* Exit if v is smaller than both sons */
    if (kv <= (<u32>h) >>> 10) break;
    /* Exchange v with the smallest son */
    st(HEAP, k, h);
    k = j - m;
    j = k << 1;
  }
  st(HEAP, k, v);
}

/**
 * gen_bitlen(): compute the optimal bit lengths for a tree (with zlib's overflow fix-up for
 * max_length) and add the block cost to opt_len (and static_len if the tree has a static twin).
 */
function gen_bitlen(desc: TreeDesc): void {
  /* Fast path: the lengths of every node from its father's; if none exceeds max_length, the
   * costs are sums over the leaves (desc.syms). Otherwise the general version redoes it. */
  const len = desc.len;
  const max_length = desc.max_length;
  let too_long = 0;
  const heap_max = T.heap_max;
  st(len, ld(ORDER, heap_max), 0); /* root of the heap */
  for (let h = heap_max + 1; h < HEAP_SIZE; h++) {
    const n = ld(ORDER, h);
    const bits = ld(len, ld(DAD, n)) + 1;
    too_long |= max_length - bits;
    st(len, n, bits);
  }
  if (too_long < 0) {
    gen_bitlen_overflow(desc);
    return;
  }
  const freq = desc.freq;
  const syms = desc.syms;
  const xbits = desc.xbits;
  const scost = desc.scost;
  let opt_len = T.opt_len;
  let static_len = T.static_len;
  for (let i = 0, k = desc.nsyms; i < k; i++) {
    const n = ld(syms, i);
    const f = ld(freq, n);
    opt_len += f * (ld(len, n) + byte(xbits, n));
    static_len += f * byte(scost, n);
  }
  T.opt_len = opt_len;
  T.static_len = static_len;
}

/** gen_bitlen() as in zlib, for trees where some length exceeds max_length. */
function gen_bitlen_overflow(desc: TreeDesc): void {
  const len = desc.len;
  const freq = desc.freq;
  const max_code = desc.max_code;
  const stree = desc.stree;
  const extra = desc.extra_bits;
  const base = desc.extra_base;
  const max_length = desc.max_length;
  let overflow = 0; /* number of elements with bit length too large */
  let opt_len = T.opt_len;
  let static_len = T.static_len;
  let h: i32;
  let bits: i32;

  for (bits = 0; bits <= MAX_BITS; bits++) st(BL_COUNT, bits, 0);

  /* In a first pass, compute the optimal bit lengths (which may overflow in the case of the bit
   * length tree). */
  st(len, ld(ORDER, T.heap_max), 0); /* root of the heap */

  for (h = T.heap_max + 1; h < HEAP_SIZE; h++) {
    const n = ld(ORDER, h);
    bits = ld(len, ld(DAD, n)) + 1;
    if (bits > max_length) {
      bits = max_length;
      overflow++;
    }
    st(len, n, bits);
    if (n > max_code) continue; /* not a leaf node */

    st(BL_COUNT, bits, ld(BL_COUNT, bits) + 1);
    const xbits = n >= base ? byte(extra, n - base) : 0;
    const f = ld(freq, n);
    opt_len += f * (bits + xbits);
    if (stree != 0) static_len += f * (byte(stree, n) + xbits);
  }
  T.static_len = static_len;
  if (overflow == 0) {
    T.opt_len = opt_len;
    return;
  }
  st(STATS, desc.overflow_stat, ld(STATS, desc.overflow_stat) + 1);

  /* Find the first bit length which could increase: */
  do {
    bits = max_length - 1;
    while (ld(BL_COUNT, bits) == 0) bits--;
    st(BL_COUNT, bits, ld(BL_COUNT, bits) - 1); /* move one leaf down the tree */
    st(BL_COUNT, bits + 1, ld(BL_COUNT, bits + 1) + 2); /* move one overflow item as its brother */
    st(BL_COUNT, max_length, ld(BL_COUNT, max_length) - 1);
    /* The brother of the overflow item also moves one step up, but this does not affect
     * bl_count[max_length]. */
    overflow -= 2;
  } while (overflow > 0);

  /* Now recompute all bit lengths, scanning in increasing frequency. h is still HEAP_SIZE. */
  for (bits = max_length; bits != 0; bits--) {
    let n = ld(BL_COUNT, bits);
    while (n != 0) {
      const m = ld(ORDER, --h);
      if (m > max_code) continue;
      if (ld(len, m) != bits) {
        opt_len += (bits - ld(len, m)) * ld(freq, m);
        st(len, m, bits);
      }
      n--;
    }
  }
  T.opt_len = opt_len;
}

/**
 * build_tree(): construct one Huffman tree exactly as zlib does (same heap, same insertion order,
 * same tie-breaking), set desc.max_code and the leaves' Len, and update opt_len / static_len.
 * IN: desc.syms[0..nsyms) = leaves of non-zero frequency in increasing order.
 */
function build_tree(desc: TreeDesc): void {
  const freq = desc.freq;
  const syms = desc.syms;
  const stree = desc.stree;
  const elems = desc.elems;
  let nsyms = desc.nsyms;
  let max_code = -1;
  let heap_len = 0;
  let node: i32;

  for (let i = 0; i < nsyms; i++) {
    const n = ld(syms, i);
    st(HEAP, ++heap_len, (ld(freq, n) << 15) | n); /* depth[n] = 0 */
    max_code = n;
  }

  /* The pkzip format requires that at least one distance code exists, and that at least one bit
   * should be sent even if there is only one possible code. So to avoid special checks later on
   * we force at least two codes of non zero frequency. */
  while (heap_len < 2) {
    node = max_code < 2 ? ++max_code : 0;
    st(HEAP, ++heap_len, (1 << 15) | node);
    st(freq, node, 1);
    T.opt_len--;
    if (stree != 0) T.static_len -= byte(stree, node);
    /* node is 0 or 1 so it does not have extra bits. Keep syms sorted (at most 2 entries). */
    st(syms, nsyms++, node);
    if (nsyms == 2 && ld(syms, 0) > ld(syms, 1)) {
      const t = ld(syms, 0);
      st(syms, 0, ld(syms, 1));
      st(syms, 1, t);
    }
  }
  desc.nsyms = nsyms;
  desc.max_code = max_code;

  /* The elements heap[heap_len/2+1 .. heap_len] are leaves of the tree, establish sub-heaps of
   * increasing lengths: */
  for (let n = heap_len >> 1; n >= 1; n--) pqdownheap(heap_len, n);

  /* Construct the Huffman tree by repeatedly combining the least two frequent nodes. The two
   * pqdownheap(s, tree, SMALLEST) calls are sift_down() of the value to place; heap[heap_len + 1] holds a sentinel. */
  node = elems; /* next internal node of the tree */
  let heap_max = HEAP_SIZE;
  do {
    /* pqremove: heap[1] = heap[heap_len--]; pqdownheap(1) */
    const n = ld(HEAP, 1);
    const last = ld(HEAP, heap_len);
    st(HEAP, heap_len, 0x7fffffff);
    heap_len--;
    sift_down(heap_len, 1, last);
    const m = ld(HEAP, 1); /* m = node of next least frequency */

    st(ORDER, --heap_max, n & 1023); /* keep the nodes sorted by frequency */
    st(ORDER, --heap_max, m & 1023);

    /* Create a new node father of n and m */
    const dn = (n >>> 10) & 31;
    const dm = (m >>> 10) & 31;
    const depth = (dn >= dm ? dn : dm) + 1; /* < 32: see the top of this file */
    st(DAD, n & 1023, node);
    st(DAD, m & 1023, node);

    /* and insert the new node in the heap: heap[1] = node; pqdownheap(1) */
    sift_down(heap_len, 1, (((n >>> 15) + (m >>> 15)) << 15) | (depth << 10) | node);
    node++;
  } while (heap_len >= 2);

  st(ORDER, --heap_max, ld(HEAP, 1) & 1023);
  T.heap_len = heap_len;
  T.heap_max = heap_max;

  /* At this point, the fields freq and dad are set. We can now generate the bit lengths. */
  gen_bitlen(desc);
  /* gen_codes() is not needed: only the lengths matter. */
}

/**
 * scan_tree(): count, in bl_tree frequencies, the bit-length codes that send_tree() would emit
 * for lengths[0..max_code]. zlib scans every code; the same counts follow from the maximal runs
 * of equal lengths, because every maximal run starts with prevlen != its value and with
 * (max_count, min_count) = (138, 3) for zeros and (7, 4) otherwise.
 */
function scan_tree(desc: TreeDesc): void {
  const syms = desc.syms;
  const len = desc.len;
  const nsyms = desc.nsyms;
  let next = 0; /* first code not yet scanned */
  let i = 0;
  while (i < nsyms) {
    const n = ld(syms, i);
    if (n > next) scan_run_zero(n - next);
    const v = ld(len, n);
    let r = 1;
    while (i + r < nsyms && ld(syms, i + r) == n + r && ld(len, n + r) == v) r++;
    scan_run_len(v, r);
    next = n + r;
    i += r;
  }
}

// @ts-ignore: decorator
@inline function blf_add(code: i32, k: i32): void {
  st(BL_FREQ, code, ld(BL_FREQ, code) + k);
}

/** A maximal run of r zero lengths: chunks of at most 138. */
function scan_run_zero(r: i32): void {
  if (r >= 138) {
    const q = r / 138;
    blf_add(REPZ_11_138, q);
    r -= q * 138;
  }
  if (r < 3) blf_add(0, r);
  else if (r <= 10) blf_add(REPZ_3_10, 1);
  else blf_add(REPZ_11_138, 1);
}

/** A maximal run of r copies of length v != 0: first chunk of at most 7, then chunks of 6. */
function scan_run_len(v: i32, r: i32): void {
  if (r < 4) {
    blf_add(v, r);
    return;
  }
  blf_add(v, 1);
  blf_add(REP_3_6, 1);
  if (r <= 7) return;
  r -= 7;
  if (r >= 6) {
    const q = r / 6;
    blf_add(REP_3_6, q);
    r -= q * 6;
  }
  if (r < 3) blf_add(v, r);
  else blf_add(REP_3_6, 1);
}

/**
 * build_bl_tree(): scan both trees, build the bit length tree, and return the index in bl_order
 * of the last bit length code to send. Adds the tree representation to opt_len.
 */
function build_bl_tree(): i32 {
  scan_tree(l_desc);
  scan_tree(d_desc);

  let k = 0;
  for (let n = 0; n < BL_CODES; n++) {
    if (ld(BL_FREQ, n) != 0) st(BL_SYMS, k++, n);
    else st(BL_LEN, n, 0);
  }
  bl_desc.nsyms = k;
  build_tree(bl_desc);

  /* Determine the number of bit length codes to send (at least 4). */
  let max_blindex: i32;
  for (max_blindex = BL_CODES - 1; max_blindex >= 3; max_blindex--) {
    if (ld(BL_LEN, byte(bl_order, max_blindex)) != 0) break;
  }
  /* Update opt_len to include the bit length tree and counts */
  T.opt_len += 3 * (max_blindex + 1) + 5 + 5 + 4;
  return max_blindex;
}

/* How _tr_flush_block() gets opt_len (see bound.ts): BOUND_OFF, BOUND_ON, BOUND_CHECK of counters.ts.
 * BOUND_ON: the bound first; when it is proven exact, no tree is built; in the last block of a
 * one-block stream, a bound that reaches flush_limit ends the block without trees (the stream's
 * length is then reported as that lower bound). BOUND_CHECK (tests): the bound, then the trees, and
 * both recorded (check_*). */
@unmanaged
class FlushState {
  mode: i32;
  /** Bytes of deflate stream (> 0): a one-block stream that provably reaches it need not be exact. */
  limit: i32;
  /** Set when the last flush stopped at the limit (T.bits then holds the lower bound). */
  skipped: i32;
  /** Blocks whose opt_len came from the bound (exact) / from the trees / stopped at the limit. */
  by_bound: i32;
  by_trees: i32;
  by_limit: i32;
  /** BOUND_CHECK: the bound, its exact flag, zlib's opt_len of the last block; failures seen. */
  check_bound: i32;
  check_exact: i32;
  check_opt: i32;
  check_fail: i32;
}
export const FL = changetype<FlushState>(memory.data(offsetof<FlushState>(), 16));

/**
 * The bytes _tr_flush_block(stored_len, buf_ok, true) makes of a stream that is this one block
 * (T.bits == 0): 3 header bits and the block padded to a byte. Nondecreasing in opt_len, so a lower
 * bound on opt_len gives one on the bytes.
 */
// @ts-ignore: decorator
@inline function one_block_bytes(opt_len: i32, static_len: i32, stored_len: i32, buf_ok: bool): i32 {
  let opt_lenb = <i32>((<u32>(opt_len + 3 + 7)) >>> 3);
  const static_lenb = <i32>((<u32>(static_len + 3 + 7)) >>> 3);
  if (static_lenb <= opt_lenb) opt_lenb = static_lenb;
  return stored_len + 4 <= opt_lenb && buf_ok ? stored_len + 5 : opt_lenb;
}

/**
 * _tr_flush_block(): determine the best encoding for the current block (dynamic trees, static
 * trees or stored) exactly as zlib 1.2.x / pako 2.1.0 do, and add its bit length to T.bits.
 *
 * stored_len: bytes of input covered by the block (strstart - block_start); buf_ok: zlib's
 * `buf != NULL` (the block's input is still in the window); last: the last block of the stream
 * (then the stream is padded to a byte: bi_windup).
 */
export function _tr_flush_block(stored_len: i32, buf_ok: bool, last: bool): void {
  FL.skipped = 0;
  let trees = true;
  const mode = FL.mode;
  if (mode == BOUND_CHECK) {
    /* the bound of every block, checked against the trees below */
    const lb = opt_len_bound(last && T.bits == 0 ? FL.limit : 0, stored_len, buf_ok);
    FL.check_bound = lb;
    FL.check_exact = lb >= 0 ? B.exact : 0;
  } else if (mode == BOUND_ON && FL.limit > 0 && last && T.bits == 0) {
    const lb = opt_len_bound(FL.limit, stored_len, buf_ok);
    if (lb >= 0) {
      const bytes = one_block_bytes(lb, B.static_len, stored_len, buf_ok);
      if (bytes >= FL.limit) {
        /* provably at least FL.limit bytes: report the lower bound, build no tree */
        clear_bound_freqs();
        l_desc.nsyms = 0;
        d_desc.nsyms = 0;
        init_block();
        T.bits = (<i64>bytes) << 3;
        FL.skipped = 1;
        FL.by_limit++;
        return;
      }
      if (B.exact != 0) {
        T.opt_len = lb;
        T.static_len = B.static_len;
        clear_bound_freqs();
        l_desc.nsyms = 0;
        d_desc.nsyms = 0;
        trees = false;
        FL.by_bound++;
      }
    }
  }
  if (trees) {
    /* Construct the literal and distance trees */
    collect_used(l_desc, 0, LMAP_WORDS);
    build_tree(l_desc);
    collect_used(d_desc, DMAP_WORD, DMAP_WORD + 1);
    build_tree(d_desc);
    /* Build the bit length tree and get the index in bl_order of the last code to send. */
    build_bl_tree();
    FL.by_trees++;
    if (mode == BOUND_CHECK) {
      FL.check_opt = T.opt_len;
      if (
        FL.check_bound >= 0 &&
        (FL.check_bound > T.opt_len || (FL.check_exact != 0 && FL.check_bound != T.opt_len) || B.static_len != T.static_len)
      ) {
        FL.check_fail++;
      }
    }
  }

  /* Determine the best encoding. Compute the block lengths in bytes. */
  let opt_lenb = (<u32>(T.opt_len + 3 + 7)) >>> 3;
  const static_lenb = (<u32>(T.static_len + 3 + 7)) >>> 3;
  if (static_lenb <= opt_lenb) opt_lenb = static_lenb;

  let bits = T.bits;
  if (<u32>(stored_len + 4) <= opt_lenb && buf_ok) {
    /* _tr_stored_block(): 3 header bits, bi_windup() to a byte, LEN and NLEN, the bytes. */
    bits += 3;
    bits += (8 - (bits & 7)) & 7;
    bits += 32 + ((<i64>stored_len) << 3);
    st(STATS, STAT_STORED, ld(STATS, STAT_STORED) + 1);
  } else if (static_lenb == opt_lenb) {
    /* (s->strategy == Z_FIXED is never true here) */
    bits += 3 + <i64>T.static_len;
    st(STATS, STAT_FIXED, ld(STATS, STAT_FIXED) + 1);
    if (static_lenb == (<u32>(T.opt_len + 3 + 7)) >>> 3) st(STATS, STAT_FIXED_TIE, ld(STATS, STAT_FIXED_TIE) + 1);
  } else {
    bits += 3 + <i64>T.opt_len;
    st(STATS, STAT_DYNAMIC, ld(STATS, STAT_DYNAMIC) + 1);
  }
  init_block();
  if (last) bits += (8 - (bits & 7)) & 7; /* bi_windup() */
  T.bits = bits;
}

/** _tr_tally_lit(): count literal c. Returns true when the block must be flushed (sym_next == sym_end). */
export function _tr_tally_lit(c: i32): bool {
  if (ld(L_FREQ, c) == 0) st(USED, c >> 5, ld(USED, c >> 5) | (1 << (c & 31)));
  st(L_FREQ, c, ld(L_FREQ, c) + 1);
  return ++T.sym_count == SYM_LIMIT;
}

/** _tr_tally_dist(): count a match of distance dist (1..32768) and length lc + MIN_MATCH. Returns true when the block must be flushed. */
export function _tr_tally_dist(dist: i32, lc: i32): bool {
  const sym = <i32>load<u16>(LEN_SYMBOL + ((<usize>lc) << 1));
  if (ld(L_FREQ, sym) == 0) st(USED, sym >> 5, ld(USED, sym >> 5) | (1 << (sym & 31)));
  st(L_FREQ, sym, ld(L_FREQ, sym) + 1);
  const dc = d_code(dist - 1);
  if (ld(D_FREQ, dc) == 0) st(USED, DMAP_WORD, ld(USED, DMAP_WORD) | (1 << dc));
  st(D_FREQ, dc, ld(D_FREQ, dc) + 1);
  return ++T.sym_count == SYM_LIMIT;
}
