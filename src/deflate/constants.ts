/**
 * Constants and static tables of zlib's deflate (zlib 1.2.x deflate.h / trees.c / trees.h),
 * restricted to what a length-only level-9 engine needs. Names follow zlib so the code can be
 * read side by side with deflate.c and trees.c. Every table is built once, at module load.
 */

/* ---- deflate.h / zutil.h -------------------------------------------------------------------- */

/** The minimum and maximum match lengths. */
export const MIN_MATCH = 3;
export const MAX_MATCH = 258;
/** Minimum amount of lookahead, except at the end of the input file. */
export const MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1; // 262

/** windowBits 15 (gzip.compress / pako.gzip default). */
export const W_BITS = 15;
export const W_SIZE = 1 << W_BITS; // 32768
export const W_MASK = W_SIZE - 1;
/** zlib's s->window_size: the window buffer is 2 * w_size bytes. */
export const WINDOW_SIZE = 2 * W_SIZE;
/** MAX_DIST(s): matches farther than this are never searched. */
export const MAX_DIST = W_SIZE - MIN_LOOKAHEAD; // 32506

/** memLevel 8 (DEF_MEM_LEVEL). */
export const MEM_LEVEL = 8;
export const HASH_BITS = MEM_LEVEL + 7; // 15
export const HASH_SIZE = 1 << HASH_BITS; // 32768
export const HASH_MASK = HASH_SIZE - 1;
/** ((HASH_BITS + MIN_MATCH - 1) / MIN_MATCH): 5. */
export const HASH_SHIFT = ((HASH_BITS + MIN_MATCH - 1) / MIN_MATCH) | 0;

/** lit_bufsize = 1 << (memLevel + 6) = 16384 symbols. */
export const LIT_BUFSIZE = 1 << (MEM_LEVEL + 6);
/**
 * zlib >= 1.2.12 and pako 2.1.0: sym_end = (lit_bufsize - 1) * 3, i.e. the block is flushed when
 * the 16383rd symbol has been tallied (`sym_next == sym_end`, pako `s.sym_next === s.sym_end`).
 */
export const SYM_LIMIT = LIT_BUFSIZE - 1; // 16383

/** Matches of length 3 are discarded if their distance exceeds TOO_FAR (deflate_slow). */
export const TOO_FAR = 4096;

/**
 * configuration_table[9] = { good_length 32, max_lazy 258, nice_length 258, max_chain 4096,
 * deflate_slow }.
 */
export const GOOD_MATCH = 32;
export const MAX_LAZY_MATCH = 258;
export const NICE_MATCH = 258;
export const MAX_CHAIN = 4096;

/* ---- trees.c / deflate.h -------------------------------------------------------------------- */

/** Number of length codes, not counting the special END_BLOCK code. */
export const LENGTH_CODES = 29;
/** Number of literal bytes 0..255. */
export const LITERALS = 256;
/** Number of literal or length codes, including the END_BLOCK code. */
export const L_CODES = LITERALS + 1 + LENGTH_CODES; // 286
/** Number of distance codes. */
export const D_CODES = 30;
/** Number of codes used to transfer the bit lengths. */
export const BL_CODES = 19;
/** Maximum heap size. */
export const HEAP_SIZE = 2 * L_CODES + 1; // 573
/** All codes must not exceed MAX_BITS bits. */
export const MAX_BITS = 15;
/** Bit length codes must not exceed MAX_BL_BITS bits. */
export const MAX_BL_BITS = 7;
/** End of block literal code. */
export const END_BLOCK = 256;
/** Repeat previous bit length 3-6 times (2 bits of repeat count). */
export const REP_3_6 = 16;
/** Repeat a zero length 3-10 times (3 bits of repeat count). */
export const REPZ_3_10 = 17;
/** Repeat a zero length 11-138 times (7 bits of repeat count). */
export const REPZ_11_138 = 18;

/** Extra bits for each length code. */
export const extra_lbits = Uint8Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
/** Extra bits for each distance code. */
export const extra_dbits = Uint8Array.from([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
/** Extra bits for each bit length code. */
export const extra_blbits = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7]);
/** The order in which the bit length code lengths are sent. */
export const bl_order = Uint8Array.from([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

/** _length_code[]: length code (0..28) for each normalized match length (0 == MIN_MATCH). */
export const _length_code = new Uint8Array(MAX_MATCH - MIN_MATCH + 1);
/**
 * _dist_code[]: the first 256 entries map distances 1..256 (dist-1 = 0..255), the last 256 the top
 * 8 bits of the 15-bit (dist-1).
 */
export const _dist_code = new Uint8Array(512);
/** Static literal/length tree code lengths (288 entries; 286 and 287 complete the code). */
export const static_ltree_len = new Uint8Array(L_CODES + 2);
/** The static distance tree uses 5 bits for every code. */
export const STATIC_DTREE_LEN = 5;

/**
 * For the tally: literal/length tree symbol of a match of normalized length lc (0..255),
 * i.e. _length_code[lc] + LITERALS + 1.
 */
export const LEN_SYMBOL = new Uint16Array(MAX_MATCH - MIN_MATCH + 1);

/* tr_static_init(), minus the codes themselves (a length-only engine never needs them). */
(function tr_static_init(): void {
  let length = 0;
  let code = 0;
  for (code = 0; code < LENGTH_CODES - 1; code++) {
    for (let n = 0; n < 1 << extra_lbits[code]; n++) _length_code[length++] = code;
  }
  /* Length 255 (match length 258) can be represented as code 284 + 5 bits or code 285; zlib
   * overwrites length_code[255] to use the best encoding. */
  _length_code[length - 1] = code;

  let dist = 0;
  for (code = 0; code < 16; code++) {
    for (let n = 0; n < 1 << extra_dbits[code]; n++) _dist_code[dist++] = code;
  }
  dist >>= 7; /* from now on, all distances are divided by 128 */
  for (; code < D_CODES; code++) {
    for (let n = 0; n < 1 << (extra_dbits[code] - 7); n++) _dist_code[256 + dist++] = code;
  }

  let n = 0;
  while (n <= 143) static_ltree_len[n++] = 8;
  while (n <= 255) static_ltree_len[n++] = 9;
  while (n <= 279) static_ltree_len[n++] = 7;
  while (n <= 287) static_ltree_len[n++] = 8;

  for (let lc = 0; lc <= MAX_MATCH - MIN_MATCH; lc++) LEN_SYMBOL[lc] = _length_code[lc] + LITERALS + 1;
})();

/** d_code(dist): distance code of (match distance - 1). */
export function d_code(dist: number): number {
  return dist < 256 ? _dist_code[dist] : _dist_code[256 + (dist >>> 7)];
}

/** gzip wrapper: 10-byte header (no name, no extra, no comment) + 8-byte trailer (CRC-32, ISIZE). */
export const GZIP_HEADER_BYTES = 10;
export const GZIP_TRAILER_BYTES = 8;
