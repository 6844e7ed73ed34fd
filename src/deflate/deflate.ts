/**
 * Length-only port of zlib's deflate.c at level 9 (deflate_slow, windowBits 15, memLevel 8,
 * Z_DEFAULT_STRATEGY), one-shot with Z_FINISH, as zlib 1.2.x / pako 2.1.0 / CPython's
 * gzip.compress run it. Match finding, lazy evaluation, block splitting and the block type choice
 * are zlib's; nothing is written, the result is the bit length of the deflate stream.
 *
 * How this differs from deflate.c in form (never in result):
 *
 * 1. Hash chains are built up front. With the whole input present and flush = Z_FINISH, zlib
 *    inserts every position p <= n - 3 exactly once, in increasing order, and searches from p
 *    right after inserting p (strings inside a match are inserted as strstart walks over them;
 *    max_insert only excludes p > n - 3). So the chain seen from p is always "all earlier
 *    positions with the same hash", and prev[] can be filled in one tight pass (`link[p]`) before
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
 *    and the hash equal imply b2 equal, and we compare b2 anyway). A chain has fewer entries than
 *    the input has positions, so for n <= SMALL_INPUT (1024) chain_length can never run out and
 *    any hash gives zlib's result: small inputs use a 4096-entry multiplicative hash that stays in
 *    L1 cache; larger ones use zlib's own 32768-entry hash. Like zlib's, the small hash never maps
 *    two strings with equal bytes 0 and 1 together (t * 0x9e3779b1 mod 2^32 is at least 2^20 away
 *    from 0 for t = 1..255; a test checks all 2^24 strings), so longest_match may skip byte 2 as
 *    zlib does.
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
  _dist_code,
} from './constants.js';
import { DMAP_WORD, TreesState, _tr_flush_block, clear_all } from './trees.js';

/** Slack after the input: longest_match may read up to strstart + MAX_MATCH. */
export const WINDOW_SLACK = MAX_MATCH + 8;
const INITIAL_WINDOW = 1 << 16;
/** Largest epoch + position kept in the int32 hash tables. */
const EPOCH_LIMIT = 0x7fff0000;
/** Inputs up to this size can't exhaust chain_length (>= 1024), so any hash is exact. */
export const SMALL_INPUT = 1024;
const SMALL_HASH_BITS = 12;
export const SMALL_HASH_SIZE = 1 << SMALL_HASH_BITS;
const SMALL_HASH_MUL = 0x9e3779b1;

/** The small-input hash of the string b0 b1 b2. */
export function small_hash(b0: number, b1: number, b2: number): number {
  return Math.imul((b0 << 16) | (b1 << 8) | b2, SMALL_HASH_MUL) >>> (32 - SMALL_HASH_BITS);
}

/** The small-input hash of w = b0 << 16 | b1 << 8 | b2. */
export function small_hash_w(w: number): number {
  return Math.imul(w, SMALL_HASH_MUL) >>> (32 - SMALL_HASH_BITS);
}
/** Inputs above this size make zlib slide its window (strstart >= w_size + MAX_DIST). */
export const NO_SLIDE_MAX = W_SIZE + MAX_DIST;

/** zlib's deflate_state: the LZ77 half (this class) and the trees half (TreesState). */
export class DeflateState extends TreesState {
  /** The input bytes (zlib: window), followed by WINDOW_SLACK bytes of don't-care. */
  window: Uint8Array;
  /** zlib's prev[], by absolute position: link[p] = previous position with p's hash, <= 0: NIL. */
  link: Int32Array;
  /** Heads of zlib's hash chains (inputs over SMALL_INPUT): epoch + position. */
  readonly head: Int32Array;
  /** Heads of the small-input hash chains: epoch + position. */
  readonly small_head: Int32Array;
  /** Offset added to positions stored in head / small_head for the current call. */
  epoch = 0;
  /** True while a call is running; if still set at the next call, the state is reset in full. */
  busy = false;

  /* LZ77 state at a loop top of deflate_slow (zlib names, absolute positions): where a run
   * starts (lm_init, or a snapshot for PairLengthEngine) and where it stopped. */
  strstart = 0;
  block_start = 0;
  match_start = 0;
  match_length = MIN_MATCH - 1;
  match_available = false;
  /** Bytes zlib's window has slid so far (multiple of W_SIZE). */
  base = 0;
  /** Bytes zlib has read into its window so far (strstart + zlib's lookahead). */
  read_pos = 0;

  constructor() {
    super();
    this.window = new Uint8Array(INITIAL_WINDOW + WINDOW_SLACK);
    this.link = new Int32Array(INITIAL_WINDOW + WINDOW_SLACK);
    this.head = new Int32Array(HASH_SIZE);
    this.small_head = new Int32Array(1 << SMALL_HASH_BITS);
  }
}

/** Make sure s.window (and s.link) can hold n input bytes plus the slack; returns s.window. */
export function ensure_window(s: DeflateState, n: number): Uint8Array {
  if (s.window.length < n + WINDOW_SLACK) {
    let size = s.window.length;
    while (size < n + WINDOW_SLACK) size *= 2;
    s.window = new Uint8Array(size);
    s.link = new Int32Array(size);
  }
  return s.window;
}

/**
 * Gzip level-9 deflate length of s.window[0..n): runs deflate_slow to the end and returns the
 * bytes of the deflate stream (after the final bi_windup). The caller has put the input in
 * s.window (ensure_window first).
 */
export function deflate_length(s: DeflateState, n: number): number {
  if (s.busy) {
    /* A previous call was interrupted (exception): forget everything. */
    clear_all(s);
    s.head.fill(0);
    s.small_head.fill(0);
    s.epoch = 0;
  }
  s.busy = true;
  if (s.epoch + n + 1 > EPOCH_LIMIT) {
    s.head.fill(0);
    s.small_head.fill(0);
    s.epoch = 0;
  }
  s.bits = 0;
  insert_all(s, n);
  lm_init(s);
  deflate_slow(s, n);
  s.epoch += n + 1;
  s.busy = false;
  return s.bits / 8; /* s.bits is a multiple of 8 after the last block (bi_windup); may exceed 2^32 */
}

/** lm_init(): the LZ77 state of a new stream. */
export function lm_init(s: DeflateState): void {
  s.strstart = 0;
  s.block_start = 0;
  s.match_start = 0;
  s.match_length = MIN_MATCH - 1;
  s.match_available = false;
  s.base = 0;
  s.read_pos = 0;
}

/**
 * INSERT_STRING for every position p <= n - 3, in order: link[p] = the previous head of p's hash
 * chain, as an absolute position (<= 0 when NIL: empty, from an earlier call, or position 0).
 */
function insert_all(s: DeflateState, n: number): void {
  const win = s.window;
  const link = s.link;
  const epoch = s.epoch;
  const end = n - 2;
  if (end <= 0) return;
  if (n <= SMALL_INPUT) {
    const head = s.small_head;
    let w = (win[0] << 8) | win[1];
    for (let p = 0; p < end; p++) {
      w = ((w << 8) | win[p + 2]) & 0xffffff;
      const h = Math.imul(w, SMALL_HASH_MUL) >>> (32 - SMALL_HASH_BITS);
      link[p] = head[h] - epoch;
      head[h] = epoch + p;
    }
  } else {
    const head = s.head;
    /* UPDATE_HASH: ins_h = ((ins_h << hash_shift) ^ c) & hash_mask, hash_shift = 5 */
    let h = ((win[0] << 5) ^ win[1]) & HASH_MASK;
    for (let p = 0; p < end; p++) {
      h = ((h << 5) ^ win[p + 2]) & HASH_MASK;
      link[p] = head[h] - epoch;
      head[h] = epoch + p;
    }
  }
}

/**
 * longest_match(): set s.match_start to the longest match starting at strstart and return its
 * length (clamped to the lookahead). Matches shorter or equal to prev_length are discarded.
 */
export function longest_match(
  s: DeflateState,
  cur_match: number,
  strstart: number,
  prev_length: number,
  lookahead: number,
  base: number,
): number {
  const win = s.window;
  const link = s.link;
  let chain_length = MAX_CHAIN;
  let best_len = prev_length;
  let nice_match = NICE_MATCH;
  const scan = strstart;
  /* zlib: limit = strstart > MAX_DIST ? strstart - MAX_DIST : NIL, in window offsets. */
  const limit = strstart - base > MAX_DIST ? strstart - MAX_DIST : base;
  const strend = scan + MAX_MATCH;
  let scan_end1 = win[scan + best_len - 1];
  let scan_end = win[scan + best_len];
  const scan0 = win[scan];
  const scan1 = win[scan + 1];

  /* Do not waste too much time if we already have a good match: */
  if (prev_length >= GOOD_MATCH) chain_length >>= 2;
  /* Do not look for matches beyond the end of the input. */
  if (nice_match > lookahead) nice_match = lookahead;

  do {
    const match = cur_match;
    /* Skip to next match if the match length cannot increase or if the match length is less
     * than 2. */
    if (
      win[match + best_len] !== scan_end ||
      win[match + best_len - 1] !== scan_end1 ||
      win[match] !== scan0 ||
      win[match + 1] !== scan1
    ) {
      continue;
    }
    /* It is not necessary to compare scan[2] and match[2] since they are always equal when the
     * other bytes match, given that the hash keys are equal (true of both hashes, see above).
     * zlib's loop: 8 comparisons per round, the end tested every 8th; it stops at strend. */
    let p = scan + 2;
    let q = match + 2;
    while (
      win[++p] === win[++q] &&
      win[++p] === win[++q] &&
      win[++p] === win[++q] &&
      win[++p] === win[++q] &&
      win[++p] === win[++q] &&
      win[++p] === win[++q] &&
      win[++p] === win[++q] &&
      win[++p] === win[++q] &&
      p < strend
    ) {
      /* empty */
    }
    const len = MAX_MATCH - (strend - p);
    if (len > best_len) {
      s.match_start = match;
      best_len = len;
      if (len >= nice_match) break;
      scan_end1 = win[scan + best_len - 1];
      scan_end = win[scan + best_len];
    }
  } while ((cur_match = link[cur_match]) > limit && --chain_length !== 0);

  return best_len <= lookahead ? best_len : lookahead;
}

/**
 * deflate_slow() with flush = Z_FINISH over the whole input: lazy match evaluation, tallies,
 * block flushes when the symbol buffer is full, and the final block. Starts from the loop-top
 * state in s (lm_init, or a PairLengthEngine snapshot) and s.link filled for all p <= n - 3.
 */
export function deflate_slow(s: DeflateState, n: number): void {
  const win = s.window;
  const link = s.link;
  const lfreq = s.l_desc.freq;
  const dfreq = s.d_desc.freq;
  const used = s.used;
  const last_insert = n - MIN_MATCH; /* positions with a hash chain entry */
  const emulate_window = n > NO_SLIDE_MAX;

  let strstart = s.strstart;
  let block_start = s.block_start;
  let base = s.base;
  let read_pos = emulate_window ? s.read_pos : n;
  let match_length = s.match_length;
  let prev_length = MIN_MATCH - 1;
  let match_available = s.match_available;
  let match_start = s.match_start;
  let prev_match = 0;
  let sym_count = s.sym_count;

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
          if (read_pos === n) break;
          const k = n - read_pos;
          read_pos += k < more ? k : more;
        } while (read_pos - strstart < MIN_LOOKAHEAD && read_pos !== n);
        if (read_pos === strstart) break; /* flush the current block */
      }
    } else {
      if (match_available && match_length < MIN_MATCH) {
        /* Fast path for a run of positions without a usable chain head and no pending match:
         * each one just emits the previous byte as a literal (the else-if branch below) and
         * leaves the state as it was (match_length stays MIN_MATCH - 1). */
        while (strstart < n) {
          const hh = strstart <= last_insert ? link[strstart] : 0;
          if (hh > base && strstart - hh <= MAX_DIST) break;
          const c = win[strstart - 1];
          if (lfreq[c]++ === 0) used[c >> 5] |= 1 << (c & 31);
          if (++sym_count === SYM_LIMIT) {
            s.sym_count = sym_count;
            _tr_flush_block(s, strstart - block_start, block_start - base >= 0, false);
            sym_count = 0;
            block_start = strstart;
          }
          strstart++;
        }
      }
      if (strstart === n) break; /* lookahead == 0: flush the current block */
    }
    const lookahead = n - strstart;

    /* hash_head: the head of strstart's hash chain before strstart was inserted. */
    const hash_head = strstart <= last_insert ? link[strstart] : 0;

    /* Find the longest match, discarding those <= prev_length. */
    prev_length = match_length;
    prev_match = match_start;
    match_length = MIN_MATCH - 1;

    if (hash_head > base && prev_length < MAX_LAZY_MATCH && strstart - hash_head <= MAX_DIST) {
      match_length = longest_match(s, hash_head, strstart, prev_length, lookahead, base);
      match_start = s.match_start;
      if (match_length === MIN_MATCH && strstart - match_start > TOO_FAR) {
        /* (match_length <= 5 && (strategy == Z_FILTERED || (match_length == MIN_MATCH &&
         * strstart - match_start > TOO_FAR))): drop far matches of length 3. */
        match_length = MIN_MATCH - 1;
      }
    }

    /* If there was a match at the previous step and the current match is not better, output
     * the previous match: */
    if (prev_length >= MIN_MATCH && match_length <= prev_length) {
      /* _tr_tally_dist(s, strstart - 1 - prev_match, prev_length - MIN_MATCH) */
      const sym = LEN_SYMBOL[prev_length - MIN_MATCH];
      if (lfreq[sym]++ === 0) used[sym >> 5] |= 1 << (sym & 31);
      const dist = strstart - 1 - prev_match - 1;
      const dc = dist < 256 ? _dist_code[dist] : _dist_code[256 + (dist >>> 7)];
      if (dfreq[dc]++ === 0) used[DMAP_WORD] |= 1 << dc;

      /* The strings up to the end of the match are already in the hash table (insert_all). */
      strstart += prev_length - 1;
      match_available = false;
      match_length = MIN_MATCH - 1;

      if (++sym_count === SYM_LIMIT) {
        /* FLUSH_BLOCK(s, 0) */
        s.sym_count = sym_count;
        _tr_flush_block(s, strstart - block_start, block_start - base >= 0, false);
        sym_count = 0;
        block_start = strstart;
      }
    } else if (match_available) {
      /* If there was no match at the previous position, output a single literal. If there was
       * a match but the current match is longer, truncate the previous match to a single
       * literal. */
      const c = win[strstart - 1];
      if (lfreq[c]++ === 0) used[c >> 5] |= 1 << (c & 31);
      if (++sym_count === SYM_LIMIT) {
        /* FLUSH_BLOCK_ONLY(s, 0) */
        s.sym_count = sym_count;
        _tr_flush_block(s, strstart - block_start, block_start - base >= 0, false);
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
    const c = win[strstart - 1];
    if (lfreq[c]++ === 0) used[c >> 5] |= 1 << (c & 31);
    sym_count++;
  }
  /* FLUSH_BLOCK(s, 1) */
  s.sym_count = sym_count;
  _tr_flush_block(s, strstart - block_start, block_start - base >= 0, true);
  s.strstart = strstart;
  s.block_start = strstart;
  s.match_start = match_start;
  s.match_length = MIN_MATCH - 1;
  s.match_available = false;
  s.base = base;
  s.read_pos = read_pos;
}

/**
 * longest_match() for deflate_slow_prefix(): the same search with nice_match = MAX_MATCH and no
 * clamp, returning -1 as soon as the result could depend on a byte at or after m (a read of
 * window[m..]). When it returns >= 0, the real longest_match gives the same length and
 * match_start for every input that starts with window[0..m), whatever its length n >= m: every
 * comparison stopped before m, so each candidate's length is < m - strstart <= n - strstart (or
 * is MAX_MATCH with strstart + MAX_MATCH <= m), so neither nice_match nor the clamp binds.
 */
function longest_match_prefix(s: DeflateState, cur_match: number, strstart: number, prev_length: number, m: number): number {
  const win = s.window;
  const link = s.link;
  let chain_length = MAX_CHAIN;
  let best_len = prev_length;
  const scan = strstart;
  const limit = strstart > MAX_DIST ? strstart - MAX_DIST : 0;
  const strend = scan + MAX_MATCH;
  if (scan + best_len >= m) return -1;
  let scan_end1 = win[scan + best_len - 1];
  let scan_end = win[scan + best_len];
  const scan0 = win[scan];
  const scan1 = win[scan + 1];
  if (prev_length >= GOOD_MATCH) chain_length >>= 2;

  do {
    const match = cur_match;
    if (
      win[match + best_len] !== scan_end ||
      win[match + best_len - 1] !== scan_end1 ||
      win[match] !== scan0 ||
      win[match + 1] !== scan1
    ) {
      continue;
    }
    let p = scan + 2;
    let q = match + 2;
    while (p < strend && p < m && win[p] === win[q]) {
      p++;
      q++;
    }
    if (p >= m) return -1; /* the next comparison would read window[m..] */
    const len = p - scan;
    if (len > best_len) {
      s.match_start = match;
      best_len = len;
      if (len >= NICE_MATCH) break;
      if (scan + best_len >= m) return -1;
      scan_end1 = win[scan + best_len - 1];
      scan_end = win[scan + best_len];
    }
  } while ((cur_match = link[cur_match]) > limit && --chain_length !== 0);

  return best_len;
}

/**
 * The part of deflate_slow() that depends only on window[0..m): runs loop tops from lm_init
 * while their decisions can't depend on what follows (strstart <= m - 3, so the chain head is
 * known, and longest_match_prefix() didn't touch window[m..]), and leaves the loop-top state in
 * s. Continuing with deflate_slow(s, n) after filling window[m..n) and link[m-2..n-3] gives what
 * deflate_slow gives from the start, for any n with m <= n <= NO_SLIDE_MAX (no window slide, so
 * base = 0). s.link[0..m-3] must hold zlib-hash chains (exact for every n).
 */
export function deflate_slow_prefix(s: DeflateState, m: number): void {
  const win = s.window;
  const link = s.link;
  const lfreq = s.l_desc.freq;
  const dfreq = s.d_desc.freq;
  const used = s.used;
  let strstart = 0;
  let block_start = 0;
  let match_length = MIN_MATCH - 1;
  let match_available = false;
  let match_start = 0;
  let sym_count = s.sym_count;

  while (strstart <= m - MIN_MATCH) {
    const hash_head = link[strstart];
    const prev_length = match_length;
    const prev_match = match_start;
    let new_length = MIN_MATCH - 1;
    let new_start = match_start;
    if (hash_head > 0 && prev_length < MAX_LAZY_MATCH && strstart - hash_head <= MAX_DIST) {
      const r = longest_match_prefix(s, hash_head, strstart, prev_length, m);
      if (r < 0) break; /* this decision depends on the bytes after m: stop before it */
      new_length = r;
      if (r > prev_length) new_start = s.match_start;
      if (new_length === MIN_MATCH && strstart - new_start > TOO_FAR) new_length = MIN_MATCH - 1;
    }
    /* commit the loop top */
    match_length = new_length;
    match_start = new_start;

    if (prev_length >= MIN_MATCH && match_length <= prev_length) {
      const sym = LEN_SYMBOL[prev_length - MIN_MATCH];
      if (lfreq[sym]++ === 0) used[sym >> 5] |= 1 << (sym & 31);
      const dist = strstart - 1 - prev_match - 1;
      const dc = dist < 256 ? _dist_code[dist] : _dist_code[256 + (dist >>> 7)];
      if (dfreq[dc]++ === 0) used[DMAP_WORD] |= 1 << dc;
      strstart += prev_length - 1;
      match_available = false;
      match_length = MIN_MATCH - 1;
      if (++sym_count === SYM_LIMIT) {
        s.sym_count = sym_count;
        _tr_flush_block(s, strstart - block_start, true, false);
        sym_count = 0;
        block_start = strstart;
      }
    } else if (match_available) {
      const c = win[strstart - 1];
      if (lfreq[c]++ === 0) used[c >> 5] |= 1 << (c & 31);
      if (++sym_count === SYM_LIMIT) {
        s.sym_count = sym_count;
        _tr_flush_block(s, strstart - block_start, true, false);
        sym_count = 0;
        block_start = strstart;
      }
      strstart++;
    } else {
      match_available = true;
      strstart++;
    }
  }
  s.sym_count = sym_count;
  s.strstart = strstart;
  s.block_start = block_start;
  s.match_length = match_length;
  s.match_start = match_start;
  s.match_available = match_available;
  s.base = 0;
  s.read_pos = 0;
}
