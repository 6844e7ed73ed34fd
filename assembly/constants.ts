/*
 * This file is an altered version of zlib's deflate.h, trees.h and trees.c (zlib 1.2.x): the
 * constants and static tables of a length-only level-9 deflate, in AssemblyScript, for the npc
 * project. It is not the original software.
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

/* ---- deflate.h / zutil.h -------------------------------------------------------------------- */

/** The minimum and maximum match lengths. */
export const MIN_MATCH: i32 = 3;
export const MAX_MATCH: i32 = 258;
/** Minimum amount of lookahead, except at the end of the input file. */
export const MIN_LOOKAHEAD: i32 = MAX_MATCH + MIN_MATCH + 1; // 262

/** windowBits 15 (gzip.compress / pako.gzip default). */
export const W_SIZE: i32 = 1 << 15; // 32768
/** zlib's s->window_size: the window buffer is 2 * w_size bytes. */
export const WINDOW_SIZE: i32 = 2 * W_SIZE;
/** MAX_DIST(s): matches farther than this are never searched. */
export const MAX_DIST: i32 = W_SIZE - MIN_LOOKAHEAD; // 32506

/** memLevel 8: hash_bits = memLevel + 7 = 15, hash_shift = 5. */
export const HASH_SIZE: i32 = 1 << 15;
export const HASH_MASK: i32 = HASH_SIZE - 1;

/**
 * zlib >= 1.2.12 and pako 2.1.0: lit_bufsize = 1 << (memLevel + 6) = 16384 and sym_end =
 * (lit_bufsize - 1) * 3, i.e. a block is flushed when its 16,383rd symbol has been tallied.
 */
export const SYM_LIMIT: i32 = 16383;

/** Matches of length 3 are discarded if their distance exceeds TOO_FAR (deflate_slow). */
export const TOO_FAR: i32 = 4096;

/** configuration_table[9] = { good_length 32, max_lazy 258, nice_length 258, max_chain 4096, deflate_slow }. */
export const GOOD_MATCH: i32 = 32;
export const MAX_LAZY_MATCH: i32 = 258;
export const NICE_MATCH: i32 = 258;
export const MAX_CHAIN: i32 = 4096;

/* ---- trees.c / deflate.h -------------------------------------------------------------------- */

export const LENGTH_CODES: i32 = 29;
export const LITERALS: i32 = 256;
export const L_CODES: i32 = LITERALS + 1 + LENGTH_CODES; // 286
export const D_CODES: i32 = 30;
export const BL_CODES: i32 = 19;
export const HEAP_SIZE: i32 = 2 * L_CODES + 1; // 573
export const MAX_BITS: i32 = 15;
export const MAX_BL_BITS: i32 = 7;
export const END_BLOCK: i32 = 256;
/** Repeat previous bit length 3-6 times (2 bits of repeat count). */
export const REP_3_6: i32 = 16;
/** Repeat a zero length 3-10 times (3 bits of repeat count). */
export const REPZ_3_10: i32 = 17;
/** Repeat a zero length 11-138 times (7 bits of repeat count). */
export const REPZ_11_138: i32 = 18;
/** The static distance tree uses 5 bits for every code. */
export const STATIC_DTREE_LEN: i32 = 5;

/** Extra bits for each length code (u8[29]). */
export const extra_lbits: usize = memory.data<u8>([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
/** Extra bits for each distance code (u8[30]). */
export const extra_dbits: usize = memory.data<u8>([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
/** Extra bits for each bit length code (u8[19]). */
export const extra_blbits: usize = memory.data<u8>([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7]);
/** The order in which the bit length code lengths are sent (u8[19]). */
export const bl_order: usize = memory.data<u8>([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

/** _length_code[]: length code (0..28) of each normalized match length 0..255 (u8[256]). */
export const _length_code: usize = memory.data(256, 16);
/**
 * _dist_code[] (u8[512]): the first 256 entries map distances 1..256 (dist-1 = 0..255), the last
 * 256 the top 8 bits of the 15-bit (dist-1).
 */
export const _dist_code: usize = memory.data(512, 16);
/** Static literal/length tree code lengths (u8[288]). */
export const static_ltree_len: usize = memory.data(288, 16);
/** Static distance tree code lengths (u8[30], all 5). */
export const static_dtree_len: usize = memory.data(32, 16);
/** Literal/length symbol of a match of normalized length lc: _length_code[lc] + LITERALS + 1 (u16[256]). */
export const LEN_SYMBOL: usize = memory.data(512, 16);

/** tr_static_init(), minus the codes themselves (a length-only engine never needs them). */
export function tr_static_init(): void {
  let length = 0;
  let code = 0;
  for (; code < LENGTH_CODES - 1; code++) {
    for (let n = 0; n < 1 << load<u8>(extra_lbits + <usize>code); n++, length++) store<u8>(_length_code + <usize>length, <u8>code);
  }
  /* Length 255 (match length 258) can be represented as code 284 + 5 bits or code 285; zlib
   * overwrites length_code[255] to use the best encoding. */
  store<u8>(_length_code + <usize>(length - 1), <u8>code);

  let dist = 0;
  for (code = 0; code < 16; code++) {
    for (let n = 0; n < 1 << load<u8>(extra_dbits + <usize>code); n++, dist++) store<u8>(_dist_code + <usize>dist, <u8>code);
  }
  dist >>= 7; /* from now on, all distances are divided by 128 */
  for (; code < D_CODES; code++) {
    const bits = load<u8>(extra_dbits + <usize>code) - 7;
    for (let n = 0; n < 1 << bits; n++, dist++) store<u8>(_dist_code + 256 + <usize>dist, <u8>code);
  }

  let n = 0;
  for (; n <= 143; n++) store<u8>(static_ltree_len + <usize>n, 8);
  for (; n <= 255; n++) store<u8>(static_ltree_len + <usize>n, 9);
  for (; n <= 279; n++) store<u8>(static_ltree_len + <usize>n, 7);
  for (; n <= 287; n++) store<u8>(static_ltree_len + <usize>n, 8);
  for (n = 0; n < D_CODES; n++) store<u8>(static_dtree_len + <usize>n, <u8>STATIC_DTREE_LEN);

  for (let lc = 0; lc <= MAX_MATCH - MIN_MATCH; lc++) {
    store<u16>(LEN_SYMBOL + ((<usize>lc) << 1), <u16>(load<u8>(_length_code + <usize>lc) + LITERALS + 1));
  }
}

/** d_code(dist - 1): the distance code of a match distance dist (1..32768), given dist - 1. */
// @ts-ignore: decorator
@inline export function d_code(dist: i32): i32 {
  return dist < 256 ? load<u8>(_dist_code + <usize>dist) : load<u8>(_dist_code + 256 + <usize>(dist >>> 7));
}

/** gzip wrapper: 10-byte header (no name, no extra, no comment) + 8-byte trailer (CRC-32, ISIZE). */
export const GZIP_WRAPPER_BYTES: i32 = 18;

/* Loads and stores in the engine's fixed memory: i32 arrays by index, bytes by offset. */
// @ts-ignore: decorator
@inline export function ld(a: usize, i: i32): i32 {
  return load<i32>(a + ((<usize>i) << 2));
}
// @ts-ignore: decorator
@inline export function st(a: usize, i: i32, v: i32): void {
  store<i32>(a + ((<usize>i) << 2), v);
}
// @ts-ignore: decorator
@inline export function byte(a: usize, i: i32): i32 {
  return <i32>load<u8>(a + <usize>i);
}
