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

/**
 * longest_match(): set S.match_start to the longest match starting at strstart and return its
 * length (clamped to the lookahead). Matches shorter or equal to prev_length are discarded.
 */
export function longest_match(win: usize, link: usize, cur_match: i32, strstart: i32, prev_length: i32, lookahead: i32, base: i32): i32 {
  let chain_length = MAX_CHAIN;
  let best_len = prev_length;
  let nice_match = NICE_MATCH;
  const scan = strstart;
  /* zlib: limit = strstart > MAX_DIST ? strstart - MAX_DIST : NIL, in window offsets. */
  const limit = strstart - base > MAX_DIST ? strstart - MAX_DIST : base;
  let scan_end1 = byte(win, scan + best_len - 1);
  let scan_end = byte(win, scan + best_len);
  const scan0 = byte(win, scan);
  const scan1 = byte(win, scan + 1);
  let match_start = S.match_start;

  /* Do not waste too much time if we already have a good match: */
  if (prev_length >= GOOD_MATCH) chain_length >>= 2;
  /* Do not look for matches beyond the end of the input. */
  if (nice_match > lookahead) nice_match = lookahead;

  do {
    const match = cur_match;
    /* Skip to next match if the match length cannot increase or if the match length is less
     * than 2. */
    if (
      byte(win, match + best_len) != scan_end ||
      byte(win, match + best_len - 1) != scan_end1 ||
      byte(win, match) != scan0 ||
      byte(win, match + 1) != scan1
    ) {
      continue;
    }
    /* It is not necessary to compare scan[2] and match[2] since they are always equal when the
     * other bytes match, given that the hash keys are equal (true of both hashes, see above).
     * zlib's loop gives len = the first offset >= 3 where the strings differ, or MAX_MATCH if
     * none below it; here 8 bytes at a time (the lowest differing byte of the XOR). It reads up
     * to scan + MAX_MATCH, inside the slack. */
    const len = match_len(win, scan, match, MAX_MATCH);
    if (len > best_len) {
      match_start = match;
      best_len = len;
      if (len >= nice_match) break;
      scan_end1 = byte(win, scan + best_len - 1);
      scan_end = byte(win, scan + best_len);
    }
  } while ((cur_match = ld(link, cur_match)) > limit && --chain_length != 0);

  S.match_start = match_start;
  return best_len <= lookahead ? best_len : lookahead;
}

// @ts-ignore: decorator
@inline function tally_lit(c: i32): void {
  const f = ld(LFREQ, c);
  if (f == 0) st(USED, c >> 5, ld(USED, c >> 5) | (1 << (c & 31)));
  st(LFREQ, c, f + 1);
}

// @ts-ignore: decorator
@inline function tally_dist(dist: i32, lc: i32): void {
  const sym = <i32>load<u16>(LEN_SYMBOL + ((<usize>lc) << 1));
  const f = ld(LFREQ, sym);
  if (f == 0) st(USED, sym >> 5, ld(USED, sym >> 5) | (1 << (sym & 31)));
  st(LFREQ, sym, f + 1);
  const dc = d_code(dist - 1);
  const g = ld(DFREQ, dc);
  if (g == 0) st(USED, DMAP_WORD, ld(USED, DMAP_WORD) | (1 << dc));
  st(DFREQ, dc, g + 1);
}

/**
 * deflate_slow() with flush = Z_FINISH over the whole input: lazy match evaluation, tallies,
 * block flushes when the symbol buffer is full, and the final block. Starts from the loop-top
 * state in S (lm_init, or a PairLengthEngine snapshot), with S.link filled for all p <= n - 3.
 */
export function deflate_slow(n: i32): void {
  const win = S.win;
  const link = S.link;
  const last_insert = n - MIN_MATCH; /* positions with a hash chain entry */
  const emulate_window = n > NO_SLIDE_MAX;

  let strstart = S.strstart;
  let block_start = S.block_start;
  let base = S.base;
  let read_pos = emulate_window ? S.read_pos : n;
  let match_length = S.match_length;
  let prev_length: i32; /* set at each loop top */
  let match_available = S.match_available != 0;
  let match_start = S.match_start;
  let prev_match: i32;
  let sym_count = T.sym_count;

  for (;;) {
    /* Make sure that we always have enough lookahead, except at the end of the input file. */
    if (emulate_window) {
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
      if (match_available && match_length < MIN_MATCH) {
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
    }
    const lookahead = n - strstart;

    /* hash_head: the head of strstart's hash chain before strstart was inserted. */
    const hash_head = strstart <= last_insert ? ld(link, strstart) : 0;

    /* Find the longest match, discarding those <= prev_length. */
    prev_length = match_length;
    prev_match = match_start;
    match_length = MIN_MATCH - 1;

    if (hash_head > base && prev_length < MAX_LAZY_MATCH && strstart - hash_head <= MAX_DIST) {
      S.match_start = match_start;
      match_length = longest_match(win, link, hash_head, strstart, prev_length, lookahead, base);
      match_start = S.match_start;
      if (match_length == MIN_MATCH && strstart - match_start > TOO_FAR) {
        /* (match_length <= 5 && (strategy == Z_FILTERED || (match_length == MIN_MATCH &&
         * strstart - match_start > TOO_FAR))): drop far matches of length 3. */
        match_length = MIN_MATCH - 1;
      }
    }

    /* If there was a match at the previous step and the current match is not better, output
     * the previous match: */
    if (prev_length >= MIN_MATCH && match_length <= prev_length) {
      tally_dist(strstart - 1 - prev_match, prev_length - MIN_MATCH);

      /* The strings up to the end of the match are already in the hash table (insert_all). */
      strstart += prev_length - 1;
      match_available = false;
      match_length = MIN_MATCH - 1;

      if (++sym_count == SYM_LIMIT) {
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
      tally_lit(byte(win, strstart - 1));
      if (++sym_count == SYM_LIMIT) {
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

  if (match_available) {
    /* _tr_tally_lit(s, window[strstart-1]); bflush is ignored here, as in zlib. */
    tally_lit(byte(win, strstart - 1));
    sym_count++;
  }
  /* FLUSH_BLOCK(s, 1) */
  T.sym_count = sym_count;
  _tr_flush_block(strstart - block_start, block_start - base >= 0, true);
  S.strstart = strstart;
  S.block_start = strstart;
  S.match_start = match_start;
  S.match_length = MIN_MATCH - 1;
  S.match_available = 0;
  S.base = base;
  S.read_pos = read_pos;
}

/**
 * longest_match() for deflate_slow_prefix(): the same search with nice_match = MAX_MATCH and no
 * clamp, returning -1 as soon as the result could depend on a byte at or after m (a read of
 * window[m..]). When it returns >= 0, the real longest_match gives the same length and
 * match_start for every input that starts with window[0..m), whatever its length n >= m: every
 * comparison stopped before m, so each candidate's length is < m - strstart <= n - strstart (or
 * is MAX_MATCH with strstart + MAX_MATCH <= m), so neither nice_match nor the clamp binds.
 */
function longest_match_prefix(win: usize, link: usize, cur_match: i32, strstart: i32, prev_length: i32, m: i32): i32 {
  let chain_length = MAX_CHAIN;
  let best_len = prev_length;
  const scan = strstart;
  const limit = strstart > MAX_DIST ? strstart - MAX_DIST : 0;
  const strend = scan + MAX_MATCH;
  if (scan + best_len >= m) return -1;
  let scan_end1 = byte(win, scan + best_len - 1);
  let scan_end = byte(win, scan + best_len);
  const scan0 = byte(win, scan);
  const scan1 = byte(win, scan + 1);
  if (prev_length >= GOOD_MATCH) chain_length >>= 2;

  do {
    const match = cur_match;
    if (
      byte(win, match + best_len) != scan_end ||
      byte(win, match + best_len - 1) != scan_end1 ||
      byte(win, match) != scan0 ||
      byte(win, match + 1) != scan1
    ) {
      continue;
    }
    let p = scan + 2;
    let q = match + 2;
    while (p < strend && p < m && byte(win, p) == byte(win, q)) {
      p++;
      q++;
    }
    if (p >= m) return -1; /* the next comparison would read window[m..] */
    const len = p - scan;
    if (len > best_len) {
      S.match_start = match;
      best_len = len;
      if (len >= NICE_MATCH) break;
      if (scan + best_len >= m) return -1;
      scan_end1 = byte(win, scan + best_len - 1);
      scan_end = byte(win, scan + best_len);
    }
  } while ((cur_match = ld(link, cur_match)) > limit && --chain_length != 0);

  return best_len;
}

/**
 * The part of deflate_slow() that depends only on window[0..m): runs loop tops from lm_init
 * while their decisions can't depend on what follows (strstart <= m - 3, so the chain head is
 * known, and longest_match_prefix() didn't touch window[m..]), and leaves the loop-top state in
 * S. Continuing with deflate_slow(n) after filling window[m..n) and link[m-2..n-3] gives what
 * deflate_slow gives from the start, for any n with m <= n <= NO_SLIDE_MAX (no window slide, so
 * base = 0). S.link[0..m-3] must hold zlib-hash chains (exact for every n).
 */
export function deflate_slow_prefix(m: i32): void {
  const win = S.win;
  const link = S.link;
  let strstart = 0;
  let block_start = 0;
  let match_length = MIN_MATCH - 1;
  let match_available = false;
  let match_start = 0;
  let sym_count = T.sym_count;

  while (strstart <= m - MIN_MATCH) {
    const hash_head = ld(link, strstart);
    const prev_length = match_length;
    const prev_match = match_start;
    let new_length = MIN_MATCH - 1;
    let new_start = match_start;
    if (hash_head > 0 && prev_length < MAX_LAZY_MATCH && strstart - hash_head <= MAX_DIST) {
      const r = longest_match_prefix(win, link, hash_head, strstart, prev_length, m);
      if (r < 0) break; /* this decision depends on the bytes after m: stop before it */
      new_length = r;
      if (r > prev_length) new_start = S.match_start;
      if (new_length == MIN_MATCH && strstart - new_start > TOO_FAR) new_length = MIN_MATCH - 1;
    }
    /* commit the loop top */
    match_length = new_length;
    match_start = new_start;

    if (prev_length >= MIN_MATCH && match_length <= prev_length) {
      tally_dist(strstart - 1 - prev_match, prev_length - MIN_MATCH);
      strstart += prev_length - 1;
      match_available = false;
      match_length = MIN_MATCH - 1;
      if (++sym_count == SYM_LIMIT) {
        T.sym_count = sym_count;
        _tr_flush_block(strstart - block_start, true, false);
        sym_count = 0;
        block_start = strstart;
      }
    } else if (match_available) {
      tally_lit(byte(win, strstart - 1));
      if (++sym_count == SYM_LIMIT) {
        T.sym_count = sym_count;
        _tr_flush_block(strstart - block_start, true, false);
        sym_count = 0;
        block_start = strstart;
      }
      strstart++;
    } else {
      match_available = true;
      strstart++;
    }
  }
  T.sym_count = sym_count;
  S.strstart = strstart;
  S.block_start = block_start;
  S.match_length = match_length;
  S.match_start = match_start;
  S.match_available = match_available ? 1 : 0;
  S.base = 0;
  S.read_pos = 0;
}

/** Full reset of the head tables (after an interrupted call). */
export function reset_heads(): void {
  memory.fill(HEAD, 0, HASH_SIZE * 4);
  memory.fill(SMALL_HEAD, 0, SMALL_HASH_SIZE * 4);
  S.epoch = 0;
}
