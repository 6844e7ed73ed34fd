/**
 * Length-only port of zlib's deflate.c at level 9 (deflate_slow, windowBits 15, memLevel 8,
 * Z_DEFAULT_STRATEGY), one-shot with Z_FINISH, as zlib 1.2.x / pako 2.1.0 / CPython's
 * gzip.compress run it. Match finding, lazy evaluation, block splitting and the block type choice
 * are zlib's; nothing is written, the result is the bit length of the deflate stream.
 *
 * Coordinates. zlib keeps a 64 KB window and slides it down by 32 KB (fill_window + slide_hash),
 * storing window offsets in head[] / prev[] with 0 meaning NIL. Here the whole input sits in one
 * buffer and positions are absolute; the slides are still simulated (`base` = bytes slid so far,
 * `read_pos` = bytes zlib has read into its window), because they decide what zlib sees:
 *  - an entry is NIL iff its position is <= base (zlib: window offset 0 after slide_hash clamps);
 *  - longest_match's limit is max(base, strstart - MAX_DIST);
 *  - a block whose start has slid out of the window (block_start < 0 in zlib) can't be stored.
 * Hash entries are stored as `epoch + position`, where the epoch grows with every call, so entries
 * of earlier calls are <= epoch + base, i.e. NIL: the 128 KB of head/prev are never cleared
 * between calls (only when the epoch would overflow an int32).
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
  W_MASK,
  W_SIZE,
  LEN_SYMBOL,
  _dist_code,
} from './constants.js';
import { TreesState, _tr_flush_block, clear_all, DMAP_WORD } from './trees.js';

/** Slack after the input: longest_match may read up to strstart + MAX_MATCH. */
const WINDOW_SLACK = MAX_MATCH + 8;
const INITIAL_WINDOW = 1 << 16;
/** Largest epoch + position kept in the int32 hash tables. */
const EPOCH_LIMIT = 0x7fff0000;

/** zlib's deflate_state: the LZ77 half (this class) and the trees half (TreesState). */
export class DeflateState extends TreesState {
  /** The input bytes (zlib: window), followed by WINDOW_SLACK bytes of don't-care. */
  window: Uint8Array;
  /** Heads of the hash chains: epoch + position, NIL when <= epoch + base. */
  readonly head: Int32Array;
  /** Link to older string with same hash index, indexed by (epoch + position) & W_MASK. */
  readonly prev: Int32Array;
  /** Offset added to positions stored in head/prev for the current call. */
  epoch = 0;
  /** True while a call is running; if still set at the next call, the state is reset in full. */
  busy = false;

  /* LZ77 state, absolute positions (zlib names). Only meaningful during a call. */
  strstart = 0;
  block_start = 0;
  match_start = 0;
  /** Bytes zlib's window has slid so far (multiple of W_SIZE). */
  base = 0;
  /** Bytes zlib has read into its window so far (strstart + zlib's lookahead). */
  read_pos = 0;

  constructor() {
    super();
    this.window = new Uint8Array(INITIAL_WINDOW + WINDOW_SLACK);
    this.head = new Int32Array(HASH_SIZE);
    this.prev = new Int32Array(W_SIZE);
  }
}

/**
 * Gzip level-9 length of s.window[0..n): runs deflate_slow to the end and returns the bytes of
 * the deflate stream (after the final bi_windup). The caller has put the input in s.window.
 */
export function deflate_length(s: DeflateState, n: number): number {
  if (s.busy) {
    /* A previous call was interrupted (exception): forget everything. */
    clear_all(s);
    s.head.fill(0);
    s.prev.fill(0);
    s.epoch = 0;
  }
  s.busy = true;
  /* New epoch: every stored entry of earlier calls becomes <= epoch, i.e. NIL. */
  let epoch = s.epoch;
  if (epoch + n + 1 > EPOCH_LIMIT) {
    s.head.fill(0);
    s.prev.fill(0);
    epoch = 0;
  }
  s.epoch = epoch;
  s.bits = 0;
  deflate_slow(s, n);
  s.epoch = epoch + n + 1;
  s.busy = false;
  return s.bits >>> 3;
}

/** Make sure s.window can hold n input bytes plus the slack. */
export function ensure_window(s: DeflateState, n: number): Uint8Array {
  if (s.window.length < n + WINDOW_SLACK) {
    let size = s.window.length;
    while (size < n + WINDOW_SLACK) size *= 2;
    s.window = new Uint8Array(size);
  }
  return s.window;
}

/**
 * longest_match(): set s.match_start to the longest match starting at strstart and return its
 * length (clamped to the lookahead). Matches shorter or equal to prev_length are discarded.
 * cur_match is an epoch-encoded position; limit too.
 */
function longest_match(
  s: DeflateState,
  cur_match: number,
  strstart: number,
  prev_length: number,
  lookahead: number,
): number {
  const win = s.window;
  const prev = s.prev;
  const epoch = s.epoch;
  let chain_length = MAX_CHAIN;
  let best_len = prev_length;
  let nice_match = NICE_MATCH;
  const scan = strstart;
  /* zlib: limit = strstart > MAX_DIST ? strstart - MAX_DIST : NIL, in window offsets. */
  const limit = epoch + (strstart - s.base > MAX_DIST ? strstart - MAX_DIST : s.base);
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
    const match = cur_match - epoch;
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
    /* scan[2] and match[2] are equal because the hash keys are equal (HASH_BITS >= 8).
     * Compare from offset 3 up to MAX_MATCH (zlib's unrolled loop gives the same length). */
    let p = scan + 3;
    let q = match + 3;
    while (p < strend && win[p] === win[q]) {
      p++;
      q++;
    }
    const len = p - scan;
    if (len > best_len) {
      s.match_start = match;
      best_len = len;
      if (len >= nice_match) break;
      scan_end1 = win[scan + best_len - 1];
      scan_end = win[scan + best_len];
    }
  } while ((cur_match = prev[cur_match & W_MASK]) > limit && --chain_length !== 0);

  return best_len <= lookahead ? best_len : lookahead;
}

/**
 * deflate_slow() with flush = Z_FINISH over the whole input: lazy match evaluation, tallies,
 * block flushes when the symbol buffer is full, and the final block.
 */
function deflate_slow(s: DeflateState, n: number): void {
  const win = s.window;
  const head = s.head;
  const prev = s.prev;
  const epoch = s.epoch;
  const lfreq = s.l_desc.freq;
  const dfreq = s.d_desc.freq;
  const used = s.used;

  let strstart = 0;
  let block_start = 0;
  let base = 0;
  let read_pos = 0;
  let match_length = MIN_MATCH - 1;
  let prev_length = MIN_MATCH - 1;
  let match_available = false;
  let match_start = 0;
  let prev_match = 0;
  let sym_count = s.sym_count; /* 0: init_block ran at the end of the previous call */

  s.match_start = 0;

  for (;;) {
    /* Make sure that we always have enough lookahead, except at the end of the input file. */
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
    const lookahead = n - strstart;

    /* Insert the string window[strstart .. strstart+2] in the dictionary, and set hash_head to
     * the head of the hash chain: */
    let hash_head = 0;
    if (lookahead >= MIN_MATCH) {
      const h = ((win[strstart] << 10) ^ (win[strstart + 1] << 5) ^ win[strstart + 2]) & HASH_MASK;
      hash_head = head[h];
      prev[(epoch + strstart) & W_MASK] = hash_head;
      head[h] = epoch + strstart;
    }

    /* Find the longest match, discarding those <= prev_length. */
    prev_length = match_length;
    prev_match = match_start;
    match_length = MIN_MATCH - 1;

    if (
      hash_head > epoch + base &&
      prev_length < MAX_LAZY_MATCH &&
      strstart - (hash_head - epoch) <= MAX_DIST
    ) {
      s.base = base;
      match_length = longest_match(s, hash_head, strstart, prev_length, lookahead);
      match_start = s.match_start;
      if (match_length <= 5 && match_length === MIN_MATCH && strstart - match_start > TOO_FAR) {
        /* If prev_match is also MIN_MATCH, match_start is garbage but we will ignore the
         * current match anyway. */
        match_length = MIN_MATCH - 1;
      }
    }

    /* If there was a match at the previous step and the current match is not better, output
     * the previous match: */
    if (prev_length >= MIN_MATCH && match_length <= prev_length) {
      const max_insert = strstart + lookahead - MIN_MATCH;
      /* Do not insert strings in hash table beyond this. */

      /* _tr_tally_dist(s, strstart - 1 - prev_match, prev_length - MIN_MATCH) */
      const sym = LEN_SYMBOL[prev_length - MIN_MATCH];
      lfreq[sym]++;
      used[sym >> 5] |= 1 << (sym & 31);
      const dist = strstart - 1 - prev_match - 1;
      const dc = dist < 256 ? _dist_code[dist] : _dist_code[256 + (dist >>> 7)];
      dfreq[dc]++;
      used[DMAP_WORD] |= 1 << dc;

      /* Insert in hash table all strings up to the end of the match. strstart-1 and strstart
       * are already inserted. If there is not enough lookahead, the last two strings are not
       * inserted in the hash table. */
      let k = prev_length - 2;
      do {
        if (++strstart <= max_insert) {
          const h = ((win[strstart] << 10) ^ (win[strstart + 1] << 5) ^ win[strstart + 2]) & HASH_MASK;
          prev[(epoch + strstart) & W_MASK] = head[h];
          head[h] = epoch + strstart;
        }
      } while (--k !== 0);
      match_available = false;
      match_length = MIN_MATCH - 1;
      strstart++;

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
      lfreq[c]++;
      used[c >> 5] |= 1 << (c & 31);
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
    lfreq[c]++;
    used[c >> 5] |= 1 << (c & 31);
    sym_count++;
  }
  /* FLUSH_BLOCK(s, 1) */
  s.sym_count = sym_count;
  _tr_flush_block(s, strstart - block_start, block_start - base >= 0, true);
  s.strstart = strstart;
  s.block_start = strstart;
  s.base = base;
  s.read_pos = read_pos;
}
