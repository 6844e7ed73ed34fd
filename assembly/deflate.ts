/*
 * This file is an altered version of zlib's deflate.c (zlib 1.2.x, as ported by pako 2.1.0 in
 * lib/zlib/deflate.js): a length-only port of level 9 (deflate_slow) to AssemblyScript for the npc
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

/*
 * deflate_slow (windowBits 15, memLevel 8, Z_DEFAULT_STRATEGY), one-shot with Z_FINISH, as zlib
 * 1.2.x / pako 2.1.0 / CPython's gzip.compress run it. Match finding, lazy evaluation, block
 * splitting and the block type choice are zlib's; nothing is written, the result is the bit length
 * of the deflate stream.
 *
 * How this differs from deflate.c in form (never in result):
 *
 * 1. Hash chains are built up front. With the whole input present and flush = Z_FINISH, zlib
 *    inserts every position p <= n - 3 exactly once, in increasing order, and searches from p
 *    right after inserting p (strings inside a match are inserted as strstart walks over them;
 *    max_insert only excludes p > n - 3). So the chain seen from p is always "all earlier
 *    positions with the same hash", and prev[] can be filled in one tight pass (link[p]) before
 *    the lazy-evaluation loop, which then skips over matches without per-byte work.
 *
 * 2. Absolute positions. zlib keeps a 64 KB window and slides it down by 32 KB (fill_window +
 *    slide_hash), storing window offsets in head[] / prev[] with 0 meaning NIL. Here positions are
 *    absolute and the slides are simulated (`base` = bytes slid so far, `read_pos` = bytes zlib
 *    has read into its window) because they decide what zlib sees:
 *     - a chain entry is NIL iff its position is <= base (slide_hash clamps offsets < w_size to
 *       0 and offset 0 is NIL, so window offset 0, i.e. absolute `base`, is NIL too);
 *     - longest_match's limit is max(base, strstart - MAX_DIST);
 *     - a block whose start has slid out of the window (block_start < 0) can't be stored.
 *    prev[p & w_mask] aliasing never matters: longest_match only follows links of positions
 *    > strstart - MAX_DIST, whose slots have not been reused.
 *
 * 3. Which hash. zlib's hash is ((b0 << 10) ^ (b1 << 5) ^ b2) & 0x7fff; a chain holds all
 *    positions with that hash, and colliding strings only matter by consuming chain_length
 *    (max_chain 4096, or 1024 once prev_length >= good_match): they are always rejected (b0, b1
 *    and the hash equal imply b2 equal). A chain has fewer entries than the input has positions, so
 *    for n <= SMALL_INPUT (1024) chain_length can never run out and any hash gives zlib's result:
 *    small inputs use a 4096-entry multiplicative hash that stays in L1 cache; larger ones use
 *    zlib's own 32768-entry hash. Like zlib's, the small hash never maps two strings with equal
 *    bytes 0 and 1 together (t * 0x9e3779b1 mod 2^32 is at least 2^20 away from 0 for t = 1..255; a
 *    test checks all 2^24 strings), so longest_match may skip byte 2 as zlib does.
 *
 * 4. No clearing between calls. head entries are `epoch + position`, with an epoch that grows by
 *    n + 1 per call, so entries of earlier calls read as negative positions, i.e. NIL.
 *
 * zlib's `lookahead` (bytes read but not yet processed) is >= MIN_LOOKAHEAD whenever input is
 * left unread (fill_window guarantees it), and all its uses (nice_match, the match length clamp,
 * max_insert, the MIN_MATCH test) only bind when it is < MIN_LOOKAHEAD; so `n - strstart` gives
 * the same decisions everywhere. Bytes past the end of the input are never part of a result:
 * longest_match clamps to the lookahead and stops at the first candidate reaching it.
 */
import {
  GOOD_MATCH,
  HASH_MASK,
  HASH_SIZE,
  LEN_SYMBOL,
  MAX_CHAIN,
  MAX_DIST,
  MAX_LAZY_MATCH,
  MAX_MATCH,
  MIN_LOOKAHEAD,
  MIN_MATCH,
  NICE_MATCH,
  SYM_LIMIT,
  TOO_FAR,
  WINDOW_SIZE,
  W_SIZE,
  d_code,
  byte,
  ld,
  st,
} from './constants';
import { DFREQ, DMAP_WORD, LFREQ, T, USED, _tr_flush_block, clear_all } from './trees';

/** Slack after the input: longest_match may read up to strstart + MAX_MATCH. */
export const WINDOW_SLACK: i32 = MAX_MATCH + 8;
/** Largest epoch + position kept in the int32 hash tables. */
export const EPOCH_LIMIT: i32 = 0x7fff0000;
/** Inputs up to this size can't exhaust chain_length (>= 1024), so any hash is exact. */
export const SMALL_INPUT: i32 = 1024;
export const SMALL_HASH_BITS: i32 = 12;
export const SMALL_HASH_SIZE: i32 = 1 << SMALL_HASH_BITS;
const SMALL_HASH_MUL: i32 = 0x9e3779b1;
/** Inputs above this size make zlib slide its window (strstart >= w_size + MAX_DIST). */
export const NO_SLIDE_MAX: i32 = W_SIZE + MAX_DIST;

/** The small-input hash of w = b0 << 16 | b1 << 8 | b2. */
// @ts-ignore: decorator
@inline export function small_hash_w(w: i32): i32 {
  return <i32>((<u32>(w * SMALL_HASH_MUL)) >>> (32 - SMALL_HASH_BITS));
}

/**
 * The LZ77 half of zlib's deflate_state: the window and chains deflate_slow() works on, and its
 * state at a loop top (zlib names, absolute positions): where a run starts (lm_init, or a snapshot
 * of PairLengthEngine) and where it stopped.
 */
@unmanaged
export class LZState {
  /** The input bytes (zlib: window), followed by WINDOW_SLACK bytes of don't-care. */
  win: usize;
  /** zlib's prev[], by absolute position (i32): link[p] = previous position with p's hash, <= 0: NIL. */
  link: usize;
  strstart: i32;
  block_start: i32;
  match_start: i32;
  match_length: i32;
  match_available: i32;
  /** Bytes zlib's window has slid so far (multiple of W_SIZE). */
  base: i32;
  /** Bytes zlib has read into its window so far (strstart + zlib's lookahead). */
  read_pos: i32;
  /** Offset added to positions stored in HEAD / SMALL_HEAD by the current deflate_length call. */
  epoch: i32;
  /** Set while deflate_length runs; if still set at the next call (a trap), everything is reset. */
  busy: i32;
}

export const S = changetype<LZState>(memory.data(offsetof<LZState>(), 16));

/** Heads of zlib's hash chains (inputs over SMALL_INPUT): epoch + position. */
const HEAD: usize = memory.data(HASH_SIZE * 4, 16);
/** Heads of the small-input hash chains: epoch + position. */
const SMALL_HEAD: usize = memory.data(SMALL_HASH_SIZE * 4, 16);

/**
 * Gzip level-9 deflate length (bytes) of win[0..n): runs deflate_slow to the end. win has n +
 * WINDOW_SLACK bytes, link room for n + WINDOW_SLACK i32.
 */
export function deflate_length(win: usize, link: usize, n: i32): i64 {
  if (S.busy != 0) {
    /* A previous call was interrupted (a trap): forget everything. */
    clear_all();
    memory.fill(HEAD, 0, HASH_SIZE * 4);
    memory.fill(SMALL_HEAD, 0, SMALL_HASH_SIZE * 4);
    S.epoch = 0;
  }
  S.busy = 1;
  if (S.epoch > EPOCH_LIMIT - n - 1) {
    memory.fill(HEAD, 0, HASH_SIZE * 4);
    memory.fill(SMALL_HEAD, 0, SMALL_HASH_SIZE * 4);
    S.epoch = 0;
  }
  T.bits = 0;
  S.win = win;
  S.link = link;
  insert_all(win, link, n);
  lm_init();
  deflate_slow(n);
  S.epoch += n + 1;
  S.busy = 0;
  return T.bits >> 3; /* a multiple of 8 after the last block (bi_windup) */
}

/** lm_init(): the LZ77 state of a new stream. */
export function lm_init(): void {
  S.strstart = 0;
  S.block_start = 0;
  S.match_start = 0;
  S.match_length = MIN_MATCH - 1;
  S.match_available = 0;
  S.base = 0;
  S.read_pos = 0;
}

/**
 * INSERT_STRING for every position p <= n - 3, in order: link[p] = the previous head of p's hash
 * chain, as an absolute position (<= 0 when NIL: empty, from an earlier call, or position 0).
 */
function insert_all(win: usize, link: usize, n: i32): void {
  const epoch = S.epoch;
  const end = n - 2;
  if (end <= 0) return;
  if (n <= SMALL_INPUT) {
    let w = (byte(win, 0) << 8) | byte(win, 1);
    for (let p = 0; p < end; p++) {
      w = ((w << 8) | byte(win, p + 2)) & 0xffffff;
      const h = small_hash_w(w);
      st(link, p, ld(SMALL_HEAD, h) - epoch);
      st(SMALL_HEAD, h, epoch + p);
    }
  } else {
    /* UPDATE_HASH: ins_h = ((ins_h << hash_shift) ^ c) & hash_mask, hash_shift = 5 */
    let h = ((byte(win, 0) << 5) ^ byte(win, 1)) & HASH_MASK;
    for (let p = 0; p < end; p++) {
      h = ((h << 5) ^ byte(win, p + 2)) & HASH_MASK;
      st(link, p, ld(HEAD, h) - epoch);
      st(HEAD, h, epoch + p);
    }
  }
}

/**
 * The length of the common prefix of win[scan..] and win[match..], given that their first 3 bytes
 * are equal, capped at limit (3 <= limit <= MAX_MATCH): compared 8 bytes at a time, so it may read
 * up to scan + limit + 7 (WINDOW_SLACK covers it).
 */
// @ts-ignore: decorator
@inline export function match_len(win: usize, scan: i32, match: i32, limit: i32): i32 {
  let k = MIN_MATCH;
  while (k < limit) {
    const x = load<u64>(win + <usize>(scan + k)) ^ load<u64>(win + <usize>(match + k));
    if (x != 0) {
      k += <i32>(ctz(x) >> 3);
      break;
    }
    k += 8;
  }
  return k < limit ? k : limit;
}

/*
 * deflate_slow() and longest_match() are written once, below, and specialised by the compiler: each
 * takes a compile-time `mode` (every call passes a constant; the functions are @inline, so each
 * caller gets its own copy with the other modes' branches folded away). The modes:
 *  - WHOLE: zlib's deflate_slow to the end of the input (deflate_slow), from lm_init or a snapshot;
 *  - PREFIX: only the loop tops whose decisions depend on window[0..m) alone, for the pair engine's
 *    snapshot of P (deflate_slow_prefix): the run stops before the first decision that could see a
 *    byte at or after m;
 *  - CODED: a pair of at most SMALL_INPUT bytes whose y part is a prepared row (deflate_slow_coded,
 *    pair.ts explains the prepared arrays): y's positions take y's own best match from the code and
 *    search only the chain of the junction and P, or replay y's own parse;
 *  - OWN: a prepared row y alone, as it runs inside a pair (own_parse, pair.ts): y's own matches only,
 *    entered with the pair's space pending as a literal; it records its loop-top states and its
 *    symbols instead of tallying them. longest_match in mode OWN finds y's own matches (own_matches):
 *    compares stop at nice_match (= the lookahead, at most MAX_MATCH), so nothing past y is read
 *    but up to 7 bytes of 8-byte loads.
 * Changing zlib's behaviour (the lazy evaluation, the match search, the block flushes) is one edit
 * here.
 */
/** longest_match's result: the match length (low 32 bits) and its start (high 32 bits); PREFIX: -1 to stop. */
// @ts-ignore: decorator
@inline export function lm_len(r: i64): i32 {
  return <i32>r;
}
// @ts-ignore: decorator
@inline export function lm_start(r: i64): i32 {
  return <i32>(r >>> 32);
}

export const WHOLE: i32 = 0;
export const PREFIX: i32 = 1;
export const CODED: i32 = 2;
export const OWN: i32 = 3;

/* What CODED reads of a prepared row (pair.ts writes it and explains it). Fields of code[]: */
export const CODE_HASH_MASK: i32 = SMALL_HASH_SIZE - 1; /* bits 0..11 */
export const CODE_LEN_SHIFT: i32 = 12; /* bits 12..20: best match inside y, 0 or 3..258 */
export const CODE_LEN_MASK: i32 = 511;
export const CODE_START_SHIFT: i32 = 21; /* bits 21..30: its start in y (< 1024) */
/* Fields of tops[]. */
export const TOP_LEN_SHIFT: i32 = 1;
export const TOP_START_SHIFT: i32 = 10;
export const TOP_SYMS_SHIFT: i32 = 20;
/** Set on the loop tops where a pair would search (t <= |y| - 3, match length < MAX_LAZY_MATCH). */
export const TOP_SEARCH: i32 = 1 << 30;
/** The bits of a tops[] word that a pair's state must match to replay (and the sign: -1 is no loop top). */
const TOP_STATE_MASK: i32 = ((1 << TOP_SYMS_SHIFT) - 1) | (1 << 31);
/* syms[]: code | (distance code + 1) << SYM_DIST_SHIFT. */
export const SYM_DIST_SHIFT: i32 = 9;
/** The pair's space, pending as a literal when OWN starts. */
const SPACE: i32 = 0x20;

/**
 * longest_match(): the start of the longest match starting at strstart (or match_start, the
 * previous one, if none is longer than prev_length) and its length (clamped to the lookahead),
 * packed in one i64 (lm_start, lm_len). Matches shorter or equal to prev_length are discarded.
 *
 * mode PREFIX (deflate_slow_prefix): nice_match = MAX_MATCH and no clamp, and -1 as soon as the
 * result could depend on a byte at or after m (a comparison reaching window[m..]). When it returns
 * >= 0, the real longest_match gives the same length and match_start for every input that starts
 * with window[0..m), whatever its length n >= m: every comparison stopped before m, so each
 * candidate's length is < m - strstart <= n - strstart (or is MAX_MATCH with strstart + MAX_MATCH <=
 * m), so neither nice_match nor the clamp binds.
 */
// @ts-ignore: decorator
@inline export function longest_match(
  mode: i32,
  win: usize,
  link: usize,
  cur_match: i32,
  strstart: i32,
  match_start: i32,
  prev_length: i32,
  lookahead: i32,
  base: i32,
  m: i32,
): i64 {
  let chain_length = MAX_CHAIN;
  let best_len = prev_length;
  let nice_match = NICE_MATCH;
  const scan = strstart;
  /* zlib: limit = strstart > MAX_DIST ? strstart - MAX_DIST : NIL, in window offsets. CODED: NIL
   * (a pair of n <= SMALL_INPUT bytes: no distance reaches MAX_DIST). */
  const limit = mode == CODED ? 0 : strstart - base > MAX_DIST ? strstart - MAX_DIST : base;
  if (mode == PREFIX && scan + best_len >= m) return -1 as i64;
  /* zlib's UNALIGNED_OK variant: scan_start holds scan[0..1] and scan_end the two bytes at
   * best_len - 1 (zlib's scan_end1 and scan_end), each compared in one 16-bit load */
  const scan_start = load<u16>(win + <usize>scan);
  let scan_end = load<u16>(win + <usize>(scan + best_len - 1));
  /* Do not waste too much time if we already have a good match: */
  if (prev_length >= GOOD_MATCH) chain_length >>= 2;
  /* Do not look for matches beyond the end of the input. */
  if (mode != PREFIX && nice_match > lookahead) nice_match = lookahead;
  /* PREFIX: compare no further than m (reaching it aborts); CODED and OWN: than nice_match, the
   * lookahead (the same result: NICE_MATCH is MAX_MATCH, the first candidate reaching nice_match
   * ends the walk, and the result is clamped to the lookahead). */
  const strend = mode == PREFIX && m - scan < MAX_MATCH ? m - scan : mode == CODED || mode == OWN ? nice_match : MAX_MATCH;

  do {
    const match = cur_match;
    /* Skip to next match if the match length cannot increase or if the match length is less
     * than 2. */
    if (load<u16>(win + <usize>(match + best_len - 1)) != scan_end || load<u16>(win + <usize>match) != scan_start) {
      continue;
    }
    /* It is not necessary to compare scan[2] and match[2] since they are always equal when the
     * other bytes match, given that the hash keys are equal (true of both hashes, see above).
     * zlib's loop gives len = the first offset >= 3 where the strings differ, or MAX_MATCH if
     * none below it; here 8 bytes at a time (the lowest differing byte of the XOR). It reads up
     * to scan + MAX_MATCH + 7, inside the slack. */
    const len = match_len(win, scan, match, strend);
    if (mode == PREFIX && scan + len >= m) return -1 as i64; /* the next comparison would read window[m..] */
    if (len > best_len) {
      match_start = match;
      best_len = len;
      if (len >= nice_match) break;
      scan_end = load<u16>(win + <usize>(scan + best_len - 1));
    }
    /* CODED and OWN: chain_length (>= 1024) can't run out, a chain has fewer entries */
  } while ((cur_match = ld(link, cur_match)) > limit && (mode == CODED || mode == OWN || --chain_length != 0));

  const len = mode == PREFIX || best_len <= lookahead ? best_len : lookahead;
  return ((<i64>match_start) << 32) | (<i64>(<u32>len));
}

/** longest_match in mode WHOLE, out of line (deflate_slow's and CODED's searches before m). */
function longest_match_whole(
  win: usize,
  link: usize,
  cur_match: i32,
  strstart: i32,
  match_start: i32,
  prev_length: i32,
  lookahead: i32,
  base: i32,
): i64 {
  return longest_match(WHOLE, win, link, cur_match, strstart, match_start, prev_length, lookahead, base, 0);
}

/** OWN: a loop-top state as tops[] holds it (without TOP_SEARCH). */
// @ts-ignore: decorator
@inline function top_word(match_available: bool, match_length: i32, match_start: i32, syms: i32): i32 {
  return (
    (match_available ? 1 : 0) |
    (match_length << TOP_LEN_SHIFT) |
    ((match_length >= MIN_MATCH ? match_start : 0) << TOP_START_SHIFT) |
    (syms << TOP_SYMS_SHIFT)
  );
}

// @ts-ignore: decorator
@inline function tally_lit(c: i32): void {
  st(LFREQ, c, ld(LFREQ, c) + 1);
  /* USED: the bit of every code whose frequency is not zero (set on every tally: no branch) */
  st(USED, c >> 5, ld(USED, c >> 5) | (1 << (c & 31)));
}

// @ts-ignore: decorator
@inline function tally_dcode(dc: i32): void {
  st(DFREQ, dc, ld(DFREQ, dc) + 1);
  st(USED, DMAP_WORD, ld(USED, DMAP_WORD) | (1 << dc));
}

// @ts-ignore: decorator
@inline function tally_dist(dist: i32, lc: i32): void {
  tally_lit(<i32>load<u16>(LEN_SYMBOL + ((<usize>lc) << 1)));
  tally_dcode(d_code(dist - 1));
}

/** CODED: whether x's side has a candidate at the prepared position slot k (a search loop top whose hash is in the bitset xb). */
// @ts-ignore: decorator
@inline function x_candidate(xb: usize, sh: usize, k: i32): bool {
  const h = <i32>load<u16>(sh + ((<usize>k) << 1));
  return ((ld(xb, h >> 5) >>> (h & 31)) & 1) != 0;
}

/**
 * deflate_slow() with flush = Z_FINISH over the whole input: lazy match evaluation, tallies,
 * block flushes when the symbol buffer is full, and the final block. Starts from the loop-top
 * state in S (lm_init, or a PairLengthEngine snapshot), with S.link filled for all p <= n - 3.
 * The modes (above): PREFIX stops before the first loop top that could depend on window[m..) and
 * leaves its state in S, without the final block; CODED takes y's positions (window[m..n)) from the
 * prepared arrays at slot + p, with hx the heads of x's side (junction included) by small hash and
 * xb their bitset.
 */
// @ts-ignore: decorator
@inline export function lazy_loop(
  mode: i32,
  n: i32,
  m: i32,
  codes: usize,
  tops: usize,
  syms: usize,
  sh: usize,
  slot: i32,
  hx: usize,
  xb: usize,
  buf: usize,
): void {
  const win = mode == OWN ? buf : S.win;
  const link = S.link;
  /* positions with a hash chain entry (PREFIX: those whose strings lie inside window[0..m)) */
  const last_insert = (mode == PREFIX ? m : n) - MIN_MATCH;
  const emulate_window = mode == WHOLE && n > NO_SLIDE_MAX;

  /* OWN starts at y's first byte with the pair's space pending (match_available), no match */
  let strstart = mode == OWN ? 0 : S.strstart;
  /* (CODED: one block, its start read at the end) */
  let block_start = mode == OWN || mode == CODED ? 0 : S.block_start;
  let base = mode == WHOLE ? S.base : 0;
  let read_pos = emulate_window ? S.read_pos : n;
  let match_length = mode == OWN ? MIN_MATCH - 1 : S.match_length;
  let prev_length: i32; /* set at each loop top */
  let match_available = mode == OWN ? true : S.match_available != 0;
  let match_start = mode == OWN ? 0 : S.match_start;
  let prev_match: i32;
  /* OWN: the symbols recorded so far */
  let sym_count = mode == OWN ? 0 : T.sym_count;

  for (;;) {
    if (mode == PREFIX) {
      if (strstart > last_insert) break; /* the chain head would not be known */
    } else if (emulate_window) {
      /* Make sure that we always have enough lookahead, except at the end of the input file. */
      if (read_pos - strstart < MIN_LOOKAHEAD) {
        /* fill_window(): slide when strstart >= w_size + MAX_DIST, then read what fits. */
        do {
          let more = WINDOW_SIZE - (read_pos - strstart) - (strstart - base);
          if (strstart - base >= W_SIZE + MAX_DIST) {
            base += W_SIZE;
            more += W_SIZE;
          }
          if (read_pos == n) break;
          const k = n - read_pos;
          read_pos += k < more ? k : more;
        } while (read_pos - strstart < MIN_LOOKAHEAD && read_pos != n);
        if (read_pos == strstart) break; /* flush the current block */
      }
    } else {
      if (mode == WHOLE && match_available && match_length < MIN_MATCH) {
        /* Fast path for a run of positions without a usable chain head and no pending match:
         * each one just emits the previous byte as a literal (the else-if branch below) and
         * leaves the state as it was (match_length stays MIN_MATCH - 1). */
        while (strstart < n) {
          const hh = strstart <= last_insert ? ld(link, strstart) : 0;
          if (hh > base && strstart - hh <= MAX_DIST) break;
          tally_lit(byte(win, strstart - 1));
          if (++sym_count == SYM_LIMIT) {
            T.sym_count = sym_count;
            _tr_flush_block(strstart - block_start, block_start - base >= 0, false);
            sym_count = 0;
            block_start = strstart;
          }
          strstart++;
        }
      }
      if (strstart == n) break; /* lookahead == 0: flush the current block */
      if (mode == OWN) {
        /* the loop-top state (TOP_SEARCH: a pair would search here) */
        st(
          tops,
          slot + strstart,
          top_word(match_available, match_length, match_start, sym_count) |
            (strstart <= last_insert && match_length < MAX_LAZY_MATCH ? TOP_SEARCH : 0),
        );
      }
      if (mode == CODED && strstart >= m) {
        /* Replay the own parse from here if the pair is at one of its loop tops, in its state, and
         * x's side has no candidate here: up to its next loop top where x's side has one. */
        const top = ld(tops, slot + strstart);
        /* the pair's state as a tops[] word: a match start in P (negative relative to y) sets
         * the sign bit, which a loop top of the own parse never has (nor does -1 match: its
         * length field, 511, is no match length) */
        const state = top_word(match_available, match_length, match_start - m, 0);
        if (((top ^ state) & TOP_STATE_MASK) == 0 && !x_candidate(xb, sh, slot + strstart)) {
          let p = strstart + 1;
          while (!x_candidate(xb, sh, slot + p)) p++; /* (it stops at n: sh holds SH_END there) */
          const next = ld(tops, slot + p); /* (p = n: the end of the own parse) */
          const k0 = (top >>> TOP_SYMS_SHIFT) & 1023;
          const k1 = (next >>> TOP_SYMS_SHIFT) & 1023;
          for (let k = slot + m + k0, kend = slot + m + k1; k < kend; k++) {
            const sym = <i32>load<i16>(syms + ((<usize>k) << 1));
            tally_lit(sym & 511);
            const dc = (sym >>> SYM_DIST_SHIFT) - 1;
            if (dc >= 0) tally_dcode(dc);
          }
          sym_count += k1 - k0;
          strstart = p;
          match_available = (next & 1) == 1;
          match_length = (next >>> TOP_LEN_SHIFT) & 511;
          if (match_length >= MIN_MATCH) match_start = m + ((next >>> TOP_START_SHIFT) & 1023);
          continue;
        }
      }
    }
    const lookahead = n - strstart;

    /* Find the longest match, discarding those <= prev_length. */
    prev_length = match_length;
    prev_match = match_start;
    match_length = MIN_MATCH - 1;

    if (mode == CODED || mode == OWN) {
      if (strstart > last_insert || prev_length >= MAX_LAZY_MATCH) {
        /* no search */
      } else if (mode == CODED && strstart < m) {
        /* the end of P and the junction: S.link's chain (n <= SMALL_INPUT: no MAX_DIST, no TOO_FAR) */
        const hash_head = ld(link, strstart);
        if (hash_head > 0) {
          const r = longest_match_whole(win, link, hash_head, strstart, match_start, prev_length, lookahead, 0);
          match_length = lm_len(r);
          match_start = lm_start(r);
        }
      } else {
        /* longest_match: y's own candidates first (the code), then the junction and P (OWN: none). */
        const c = ld(codes, slot + strstart);
        const own = (c >>> CODE_LEN_SHIFT) & CODE_LEN_MASK;
        const cur = mode == CODED ? ld(hx, c & CODE_HASH_MASK) : 0;
        if (own != 0 || cur > 0) {
          let best = prev_length;
          if (own > best) {
            best = own;
            match_start = m + (c >>> CODE_START_SHIFT);
          }
          if (cur > 0 && best < (lookahead < NICE_MATCH ? lookahead : NICE_MATCH)) {
            const r = longest_match(CODED, win, link, cur, strstart, match_start, best, lookahead, 0, 0);
            best = lm_len(r);
            match_start = lm_start(r);
          }
          match_length = best <= lookahead ? best : lookahead;
        }
      }
    } else {
      /* hash_head: the head of strstart's hash chain before strstart was inserted. */
      const hash_head = strstart <= last_insert ? ld(link, strstart) : 0;
      if (hash_head > base && prev_length < MAX_LAZY_MATCH && strstart - hash_head <= MAX_DIST) {
        const r =
          mode == PREFIX
            ? longest_match(PREFIX, win, link, hash_head, strstart, match_start, prev_length, lookahead, base, m)
            : longest_match_whole(win, link, hash_head, strstart, match_start, prev_length, lookahead, base);
        if (mode == PREFIX && r < 0) {
          /* this decision depends on the bytes after m: stop before it (the loop top as it was) */
          match_length = prev_length;
          match_start = prev_match;
          break;
        }
        match_length = lm_len(r);
        match_start = lm_start(r);
        if (match_length == MIN_MATCH && strstart - match_start > TOO_FAR) {
          /* (match_length <= 5 && (strategy == Z_FILTERED || (match_length == MIN_MATCH &&
           * strstart - match_start > TOO_FAR))): drop far matches of length 3. */
          match_length = MIN_MATCH - 1;
        }
      }
    }

    /* If there was a match at the previous step and the current match is not better, output
     * the previous match: */
    if (prev_length >= MIN_MATCH && match_length <= prev_length) {
      if (mode == OWN) {
        const sym = <i32>load<u16>(LEN_SYMBOL + ((<usize>(prev_length - MIN_MATCH)) << 1));
        const dc = d_code(strstart - 1 - prev_match - 1);
        store<i16>(syms + ((<usize>(slot + sym_count)) << 1), <i16>(sym | ((dc + 1) << SYM_DIST_SHIFT)));
      } else {
        tally_dist(strstart - 1 - prev_match, prev_length - MIN_MATCH);
      }

      /* The strings up to the end of the match are already in the hash table (insert_all). */
      strstart += prev_length - 1;
      match_available = false;
      match_length = MIN_MATCH - 1;

      /* (CODED: n <= SMALL_INPUT bytes make fewer than SYM_LIMIT symbols, one block: no check) */
      if (++sym_count == SYM_LIMIT && mode != OWN && mode != CODED) {
        /* FLUSH_BLOCK(s, 0) */
        T.sym_count = sym_count;
        _tr_flush_block(strstart - block_start, block_start - base >= 0, false);
        sym_count = 0;
        block_start = strstart;
      }
    } else if (match_available) {
      /* If there was no match at the previous position, output a single literal. If there was
       * a match but the current match is longer, truncate the previous match to a single
       * literal. */
      if (mode == OWN) {
        store<i16>(syms + ((<usize>(slot + sym_count)) << 1), <i16>(strstart == 0 ? SPACE : byte(win, strstart - 1)));
      } else {
        tally_lit(byte(win, strstart - 1));
      }
      if (++sym_count == SYM_LIMIT && mode != OWN && mode != CODED) {
        /* FLUSH_BLOCK_ONLY(s, 0) */
        T.sym_count = sym_count;
        _tr_flush_block(strstart - block_start, block_start - base >= 0, false);
        sym_count = 0;
        block_start = strstart;
      }
      strstart++;
    } else {
      /* There is no previous match to compare with, wait for the next step to decide. */
      match_available = true;
      strstart++;
    }
  }

  if (mode == OWN) {
    /* its end (t = |y|): the state a replay reaching it takes */
    st(tops, slot + n, top_word(match_available, match_length, match_start, sym_count));
    return;
  }
  if (mode == PREFIX) {
    /* the loop top where the run stopped: deflate_slow(n) goes on from here */
    T.sym_count = sym_count;
    S.strstart = strstart;
    S.block_start = block_start;
    S.match_length = match_length;
    S.match_start = match_start;
    S.match_available = match_available ? 1 : 0;
    S.base = 0;
    S.read_pos = 0;
    return;
  }
  if (match_available) {
    /* _tr_tally_lit(s, window[strstart-1]); bflush is ignored here, as in zlib. */
    tally_lit(byte(win, strstart - 1));
    sym_count++;
  }
  /* FLUSH_BLOCK(s, 1) */
  T.sym_count = sym_count;
  if (mode == CODED) block_start = S.block_start;
  _tr_flush_block(strstart - block_start, block_start - base >= 0, true);
  S.strstart = strstart;
  S.block_start = strstart;
  S.match_start = match_start;
  S.match_length = MIN_MATCH - 1;
  S.match_available = 0;
  S.base = base;
  S.read_pos = read_pos;
}

/** deflate_slow (mode WHOLE) from the loop-top state in S to the end of window[0..n). */
export function deflate_slow(n: i32): void {
  lazy_loop(WHOLE, n, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/**
 * The part of deflate_slow() that depends only on window[0..m) (mode PREFIX): runs loop tops from
 * lm_init while their decisions can't depend on what follows (strstart <= m - 3, so the chain head
 * is known, and longest_match didn't touch window[m..]), and leaves the loop-top state in S.
 * Continuing with deflate_slow(n) after filling window[m..n) and link[m-2..n-3] gives what
 * deflate_slow gives from the start, for any n with m <= n <= NO_SLIDE_MAX (no window slide, so
 * base = 0). S.link[0..m-3] must hold zlib-hash chains (exact for every n).
 */
export function deflate_slow_prefix(m: i32): void {
  lm_init();
  lazy_loop(PREFIX, m, m, 0, 0, 0, 0, 0, 0, 0, 0);
}

/** Full reset of the head tables (after an interrupted call). */
export function reset_heads(): void {
  memory.fill(HEAD, 0, HASH_SIZE * 4);
  memory.fill(SMALL_HEAD, 0, SMALL_HASH_SIZE * 4);
  S.epoch = 0;
}
