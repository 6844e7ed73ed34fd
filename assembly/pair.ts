/*
 * This file is an altered version of zlib's deflate.c (zlib 1.2.x, as ported by pako 2.1.0 in
 * lib/zlib/deflate.js): deflate_slow and longest_match specialised to pairs x ++ " " ++ y, in
 * AssemblyScript, for the npc project. It is not the original software.
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
 * The pair engine: gzip level-9 length of x ++ [0x20] ++ y for one fixed x and many y, reusing the
 * work that depends on x only. Exact: pair_length() === the length of the concatenation.
 *
 * What is reused (P = x ++ " ", m = |P|, n = m + |y|):
 *  - the hash chains of every position p <= m - 3 (their strings lie inside P). They are built
 *    with zlib's own hash, which is exact for every n, and with the small-input hash, which is
 *    exact for n <= SMALL_INPUT (see deflate.ts); each pair extends the one it needs.
 *  - the lazy-evaluation loop of deflate_slow over the loop tops whose decisions can't see past P
 *    (deflate_slow_prefix: the chain head is inside P and longest_match read nothing at or after
 *    m), with the symbol tallies and any block already flushed. Each pair restores that snapshot
 *    and runs deflate_slow from there to the end, then the final block(s).
 * Pairs with n > NO_SLIDE_MAX (zlib would slide its window) are computed from scratch by the
 * caller (index.ts).
 *
 * Prepared rows (texts y of at most PREPARED_MAX bytes, many of them): what every pair's parse can
 * take from y alone. Text y prepared at slot `at` owns slots [at, at + |y| + 1) of four arrays:
 *
 *  - code[at + t], t <= |y| - 3: hash(y[t..t+2]) | ownLen << 12 | ownStart << 21: the longest
 *    match of y[t..] with an earlier position of y (clamped to min(MAX_MATCH, |y| - t); 0 if the
 *    trigram does not occur earlier in y), the latest of equally long ones.
 *  - the "own parse": deflate_slow's lazy evaluation over y with those matches only, as it runs
 *    inside a pair, entered at y's first byte with the pair's space pending as a literal.
 *    tops[at + t] is its loop-top state at t (match_available | match_length << 1 |
 *    match_start << 10 | symbols so far << 20 | TOP_SEARCH where a pair would search there), or
 *    -1 where it has no loop top; t = |y| is its end. syms[at + k] (i16) are the symbols it
 *    tallies (code | (distance code + 1) << 9), without the last pending literal.
 *  - sh[at + t] (u16): the small hash of y[t..t+2] at a loop top where a pair would search
 *    (TOP_SEARCH), SH_NONE elsewhere, SH_END at t = |y|: with the bitset XB of the hashes x's
 *    side has, the replay finds the next loop top where x's side has a candidate (or the end)
 *    testing one bit per position.
 *
 * Why ownLen/ownStart is exactly what zlib's longest_match finds among y's own positions, in any
 * pair x ++ " " ++ y of n <= SMALL_INPUT bytes: the chain of position m + t lists y's earlier
 * positions first, latest first, then the junction and P's positions; chain_length (>= 1024) can't
 * run out; strings with the same small hash but another trigram are always rejected; the lookahead
 * at m + t is |y| - t, the same as in y alone, and nice_match = min(MAX_MATCH, lookahead); a
 * candidate replaces the best only if strictly longer, and the walk stops at the first candidate
 * reaching nice_match. So among y's positions zlib keeps the latest of the longest (clamped)
 * matches; the pair then only has to search the junction and P's chain for something longer.
 *
 * Why the own parse can be replayed: at a loop top t where the chain of the junction and P is
 * empty (or no search is made), the pair's match search gives what the own parse's gave, so a
 * pair that reaches a loop top of the own parse in the same state follows it, symbol for symbol,
 * up to the next loop top where x's side has candidates (deflate_slow_coded).
 */
import { D_CODES, HASH_MASK, HASH_SIZE, L_CODES, MIN_MATCH, byte, ld, st } from './constants';
import {
  EPOCH_LIMIT,
  NO_SLIDE_MAX,
  S,
  SMALL_HASH_SIZE,
  SMALL_INPUT,
  WINDOW_SLACK,
  CODE_HASH_MASK,
  CODE_LEN_SHIFT,
  CODE_START_SHIFT,
  CODED,
  OWN,
  TOP_SEARCH,
  deflate_slow,
  deflate_slow_prefix,
  lazy_loop,
  lm_len,
  lm_start,
  longest_match,
  small_hash_w,
} from './deflate';
import { DFREQ, LFREQ, T, USED, _tr_flush_block, clear_all } from './trees';

const SPACE: i32 = 0x20;

/** Texts y of at most PREPARED_MAX bytes can be prepared (longer ones make pairs over SMALL_INPUT). */
export const PREPARED_MAX: i32 = SMALL_INPUT - 1;

/** Capacity of the pair window: every pair that takes the pair path has n <= NO_SLIDE_MAX. */
export const PAIR_WINDOW: i32 = NO_SLIDE_MAX + WINDOW_SLACK;

/** The pair window: P ++ y ++ slack. */
export const PWIN: usize = memory.data(PAIR_WINDOW + 16, 16);
/** Chains of the pair with zlib's hash and with the small-input hash (P's part kept across pairs). */
const LINKZ: usize = memory.data(PAIR_WINDOW * 4, 16);
const LINKS: usize = memory.data(PAIR_WINDOW * 4, 16);
/** Heads after inserting P's positions 0..m-3, absolute positions (<= 0: NIL). */
const HEAD_XZ: usize = memory.data(HASH_SIZE * 4, 16);
const HEAD_XS: usize = memory.data(SMALL_HASH_SIZE * 4, 16);
/** Heads of y's positions in the current pair: epoch + position. */
const HEAD_YZ: usize = memory.data(HASH_SIZE * 4, 16);
const HEAD_YS: usize = memory.data(SMALL_HASH_SIZE * 4, 16);
/**
 * XB: bit h set iff x's side has a candidate for small hash h (HEAD_XS[h] > 0, junction included
 * during a pair); bit SH_NONE (4096) is never set, bit SH_END (4097) always is. Prepared rows
 * carry, per position, the small hash of a loop top where a pair would search, or SH_NONE, and
 * SH_END at their end (sh[]), so the replay's scan for the next loop top where x's side has a
 * candidate tests one bit per position and stops at the end without a bounds test.
 */
const XB: usize = memory.data((SMALL_HASH_SIZE / 32 + 1) * 4, 16);
export const SH_NONE: i32 = SMALL_HASH_SIZE;
/** The end of a prepared row in sh[]: the replay's scan stops there without testing the position. */
export const SH_END: i32 = SMALL_HASH_SIZE + 1;

/** Scratch of own_matches: heads (-1 = empty between calls) and links of y's positions. */
const PREP_HEAD: usize = memory.data(SMALL_HASH_SIZE * 4, 16);
const PREP_LINK: usize = memory.data(SMALL_INPUT * 4, 16);

/** The snapshot after deflate_slow_prefix over P, and the pair engine's scalars. */
@unmanaged
class PairState {
  /** |P| = |x| + 1, or -1 before set_query. */
  m: i32;
  epoch: i32;
  busy: i32;
  strstart: i32;
  block_start: i32;
  match_start: i32;
  match_length: i32;
  match_available: i32;
  sym_count: i32;
  l_count: i32;
  d_count: i32;
  _pad: i32;
  bits: i64;
}
const Q = changetype<PairState>(memory.data(offsetof<PairState>(), 16));
const SNAP_LFREQ: usize = memory.data(L_CODES * 4, 16);
const SNAP_DFREQ: usize = memory.data(D_CODES * 4, 16);
const SNAP_USED: usize = memory.data(16 * 4, 16);
const SNAP_LSYMS: usize = memory.data(L_CODES * 4, 16);
const SNAP_DSYMS: usize = memory.data(D_CODES * 4, 16);

/** Start-up: scratch heads empty, no query. */
export function pair_init(): void {
  memory.fill(PREP_HEAD, 0xff, SMALL_HASH_SIZE * 4);
  Q.m = -1;
  Q.epoch = 1;
  Q.busy = 0;
}

/** |P|, or -1 before set_query. */
export function query_m(): i32 {
  return Q.m;
}

/** For the tests: pretend the previous pair call trapped / force the epoch of the y heads. */
export function pair_set_busy(): void {
  Q.busy = 1;
}
export function pair_set_epoch(e: i32): void {
  Q.epoch = e;
}

/** Forget the query (set_query will be called again). */
export function pair_forget(): void {
  Q.m = -1;
}

/**
 * Fix x = PWIN[0..m-1) (m <= NO_SLIDE_MAX): P = x ++ " ", its chains (both hashes), and the
 * snapshot of the loop tops that only depend on P.
 */
export function pair_set_query(m: i32): void {
  Q.m = -1;
  const win = PWIN;
  store<u8>(win + <usize>(m - 1), <u8>SPACE);
  /* Chains of P's positions 0..m-3, both hashes. */
  memory.fill(HEAD_XZ, 0, HASH_SIZE * 4);
  memory.fill(HEAD_XS, 0, SMALL_HASH_SIZE * 4);
  for (let p = 0; p + 2 < m; p++) {
    const h = ((byte(win, p) << 10) ^ (byte(win, p + 1) << 5) ^ byte(win, p + 2)) & HASH_MASK;
    st(LINKZ, p, ld(HEAD_XZ, h));
    st(HEAD_XZ, h, p);
    const g = small_hash_w((byte(win, p) << 16) | (byte(win, p + 1) << 8) | byte(win, p + 2));
    st(LINKS, p, ld(HEAD_XS, g));
    st(HEAD_XS, g, p);
  }
  memory.fill(XB, 0, (SMALL_HASH_SIZE / 32 + 1) * 4);
  for (let h = 0; h < SMALL_HASH_SIZE; h++) {
    if (ld(HEAD_XS, h) > 0) st(XB, h >> 5, ld(XB, h >> 5) | (1 << (h & 31)));
  }
  st(XB, SH_END >> 5, 1 << (SH_END & 31));
  /* The loop tops that only depend on P, with a clean tally. */
  clear_all();
  S.win = win;
  S.link = LINKZ;
  deflate_slow_prefix(m);
  Q.strstart = S.strstart;
  Q.block_start = S.block_start;
  Q.match_start = S.match_start;
  Q.match_length = S.match_length;
  Q.match_available = S.match_available;
  Q.sym_count = T.sym_count;
  Q.bits = T.bits;
  memory.copy(SNAP_USED, USED, 10 * 4);
  let k = 0;
  for (let c = 0; c < L_CODES; c++) {
    const f = ld(LFREQ, c);
    st(SNAP_LFREQ, c, f);
    if (f != 0) st(SNAP_LSYMS, k++, c);
  }
  Q.l_count = k;
  k = 0;
  for (let c = 0; c < D_CODES; c++) {
    const f = ld(DFREQ, c);
    st(SNAP_DFREQ, c, f);
    if (f != 0) st(SNAP_DSYMS, k++, c);
  }
  Q.d_count = k;
  /* Leave the trees clean: every frequency zero, tallies reset. */
  clear_all();
  Q.m = m;
}

/** Put the state after deflate_slow_prefix over P back (the frequencies are all zero). */
function restore_snapshot(): void {
  for (let i = 0, k = Q.l_count; i < k; i++) {
    const c = ld(SNAP_LSYMS, i);
    st(LFREQ, c, ld(SNAP_LFREQ, c));
  }
  for (let i = 0, k = Q.d_count; i < k; i++) {
    const c = ld(SNAP_DSYMS, i);
    st(DFREQ, c, ld(SNAP_DFREQ, c));
  }
  memory.copy(USED, SNAP_USED, 10 * 4);
  T.sym_count = Q.sym_count;
  T.bits = Q.bits;
  S.strstart = Q.strstart;
  S.block_start = Q.block_start;
  S.match_start = Q.match_start;
  S.match_length = Q.match_length;
  S.match_available = Q.match_available;
  S.base = 0;
  S.read_pos = 0;
}

/** Entry of a pair call: recover from an interrupted one. */
function enter(): void {
  if (Q.busy != 0) {
    clear_all();
    memory.fill(HEAD_YZ, 0, HASH_SIZE * 4);
    memory.fill(HEAD_YS, 0, SMALL_HASH_SIZE * 4);
    Q.epoch = 1;
  }
  Q.busy = 1;
}

/**
 * Deflate length (bytes, without the gzip wrapper) of P ++ y, y = PWIN[m..m+ylen) already in
 * place, m + ylen <= NO_SLIDE_MAX.
 */
export function pair_deflate_length(ylen: i32): i32 {
  const m = Q.m;
  const n = m + ylen;
  enter();
  if (Q.epoch > EPOCH_LIMIT - n - 1) {
    memory.fill(HEAD_YZ, 0, HASH_SIZE * 4);
    memory.fill(HEAD_YS, 0, SMALL_HASH_SIZE * 4);
    Q.epoch = 1;
  }
  const win = PWIN;
  /* Chains of positions m-2..n-3 (their strings reach into y). */
  const epoch = Q.epoch;
  const from = m - 2 > 0 ? m - 2 : 0;
  const stop = n - 2;
  if (n <= SMALL_INPUT) {
    const link = LINKS;
    let w = ((byte(win, from) << 8) | byte(win, from + 1)) & 0xffff;
    for (let p = from; p < stop; p++) {
      w = ((w << 8) | byte(win, p + 2)) & 0xffffff;
      const h = small_hash_w(w);
      /* link = y's own previous position if any (v > 0), else P's head; no branch */
      const v = ld(HEAD_YS, h) - epoch;
      const mask = -v >> 31;
      st(link, p, (v & mask) | (ld(HEAD_XS, h) & ~mask));
      st(HEAD_YS, h, epoch + p);
    }
    S.link = link;
  } else {
    const link = LINKZ;
    let h = ((byte(win, from) << 5) ^ byte(win, from + 1)) & HASH_MASK;
    for (let p = from; p < stop; p++) {
      h = ((h << 5) ^ byte(win, p + 2)) & HASH_MASK;
      const v = ld(HEAD_YZ, h) - epoch;
      const mask = -v >> 31;
      st(link, p, (v & mask) | (ld(HEAD_XZ, h) & ~mask));
      st(HEAD_YZ, h, epoch + p);
    }
    S.link = link;
  }
  Q.epoch = epoch + n + 1;
  S.win = win;
  restore_snapshot();
  deflate_slow(n);
  Q.busy = 0;
  return <i32>(T.bits >> 3);
}

/**
 * Deflate length (bytes, without the gzip wrapper) of P ++ y, y = PWIN[m..m+ylen) already in
 * place and prepared at slot `at` of code / tops / syms (prepare_row); m + ylen <= SMALL_INPUT.
 */
export function pair_deflate_length_coded(ylen: i32, code: usize, tops: usize, syms: usize, sh: usize, at: i32): i32 {
  const m = Q.m;
  const n = m + ylen;
  enter();
  const win = PWIN;
  const link = LINKS;
  const hx = HEAD_XS;
  /* The junction positions m-2, m-1 (strings spanning P and y): linked to P's heads, and made
   * the heads of their hashes while y is parsed (restored after). */
  const from = m - 2 > 0 ? m - 2 : 0;
  const jend = m < n - 2 ? m : n - 2;
  let h0 = -1;
  let h1 = -1;
  let old0 = 0;
  let old1 = 0;
  let xb0 = 0;
  let xb1 = 0;
  for (let p = from; p < jend; p++) {
    const h = small_hash_w((byte(win, p) << 16) | (byte(win, p + 1) << 8) | byte(win, p + 2));
    st(link, p, ld(hx, h));
    const xw = ld(XB, h >> 5);
    if (h0 < 0) {
      h0 = h;
      old0 = ld(hx, h);
      xb0 = xw;
    } else {
      h1 = h;
      old1 = ld(hx, h);
      xb1 = xw;
    }
    st(hx, h, p);
    st(XB, h >> 5, (xw & ~(1 << (h & 31))) | ((<i32>(p > 0)) << (h & 31)));
  }
  S.win = win;
  S.link = link;
  restore_snapshot();
  deflate_slow_coded(n, m, code, tops, syms, sh, at - m);
  if (h1 >= 0) {
    st(hx, h1, old1);
    st(XB, h1 >> 5, xb1);
  }
  if (h0 >= 0) {
    st(hx, h0, old0);
    st(XB, h0 >> 5, xb0);
  }
  Q.busy = 0;
  return <i32>(T.bits >> 3);
}

/**
 * deflate_slow() (mode CODED) from the restored snapshot to the end of a pair of n <= SMALL_INPUT
 * bytes whose y part (window[m..n)) is prepared: slot + p for y's position p (absolute, p >= m).
 * Positions before m (the end of P and the junction) search S.link's chains with longest_match;
 * y's positions take y's own best match from the code and then walk only the chain of the junction
 * and P (head HEAD_XS[hash], then the links; XB their bitset), exactly as longest_match would continue after y's own
 * candidates, or replay the own parse. n <= SMALL_INPUT also means: no window slide (base 0, limit
 * NIL), chain_length never runs out (a chain has fewer than 1024 entries), no TOO_FAR match
 * (distances < 4096), and fewer than SYM_LIMIT symbols (one block, flushed at the end).
 */
function deflate_slow_coded(n: i32, m: i32, codes: usize, tops: usize, syms: usize, sh: usize, slot: i32): void {
  lazy_loop(CODED, n, m, codes, tops, syms, sh, slot, HEAD_XS, XB, 0);
}

/** Prepare y = bytes at y (len <= PREPARED_MAX) into code / tops / syms at slot `at`. */
export function prepare_row(y: usize, len: i32, code: usize, tops: usize, syms: usize, sh: usize, at: i32): void {
  own_matches(y, len, code, at);
  own_parse(y, len, code, tops, syms, at);
  for (let t = 0; t < len; t++) {
    const top = ld(tops, at + t);
    store<u16>(sh + ((<usize>(at + t)) << 1), <u16>(top >= TOP_SEARCH ? ld(code, at + t) & CODE_HASH_MASK : SH_NONE));
  }
  store<u16>(sh + ((<usize>(at + len)) << 1), <u16>SH_END);
}

function own_matches(buf: usize, len: i32, out: usize, at: i32): void {
  if (len < MIN_MATCH) return;
  const head = PREP_HEAD;
  const link = PREP_LINK;
  let w = (byte(buf, 0) << 8) | byte(buf, 1);
  for (let t = 0; t + 2 < len; t++) {
    w = ((w << 8) | byte(buf, t + 2)) & 0xffffff;
    const h = small_hash_w(w);
    /* zlib's longest_match over y's earlier positions (chains end at -1; chain_length can't run
     * out; limit -1, as base): the latest of the longest, clamped to min(MAX_MATCH, len - t) */
    let best = 0;
    let bestStart = 0;
    const j = ld(head, h);
    if (j >= 0) {
      const r = longest_match(OWN, buf, link, j, t, 0, MIN_MATCH - 1, len - t, -1, 0);
      if (lm_len(r) >= MIN_MATCH) {
        best = lm_len(r);
        bestStart = lm_start(r);
      }
    }
    st(out, at + t, h | (best << CODE_LEN_SHIFT) | (bestStart << CODE_START_SHIFT));
    st(link, t, j);
    st(head, h, t);
  }
  /* reset the scratch heads */
  for (let t = 0; t + 2 < len; t++) st(head, ld(out, at + t) & CODE_HASH_MASK, -1);
}

/**
 * y's own parse (see the top of this file): deflate_slow's lazy evaluation over y alone (mode OWN)
 * with y's own matches from code, entered with the pair's space pending; its loop-top states go to
 * tops (-1 where it has none), its symbols to syms.
 */
function own_parse(buf: usize, len: i32, code: usize, tops: usize, syms: usize, at: i32): void {
  for (let t = 0; t <= len; t++) st(tops, at + t, -1);
  lazy_loop(OWN, len, 0, code, tops, syms, 0, at, 0, 0, buf);
}
