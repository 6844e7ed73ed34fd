/**
 * PairLengthEngine: gzip level-9 length of x ++ [0x20] ++ y for one fixed x and many y, reusing
 * the work that depends on x only. Exact: pairLength(y) === gzipLength(concat(x, [0x20], y)).
 *
 * What is reused (P = x ++ " ", m = |P|, n = m + |y|):
 *  - the hash chains of every position p <= m - 3 (their strings lie inside P). They are built
 *    with zlib's own hash, which is exact for every n, and with the small-input hash, which is
 *    exact for n <= SMALL_INPUT (see deflate.ts); each pair extends the one it needs.
 *  - the lazy-evaluation loop of deflate_slow over the loop tops whose decisions can't see past P
 *    (deflate_slow_prefix: the chain head is inside P and longest_match read nothing at or after
 *    m), with the symbol tallies and any block already flushed. Each pair restores that
 *    snapshot and runs deflate_slow from there to the end, then the final block(s).
 * Pairs with n > NO_SLIDE_MAX (zlib would slide its window) are computed from scratch.
 */
import {
  D_CODES,
  GZIP_HEADER_BYTES,
  GZIP_TRAILER_BYTES,
  HASH_MASK,
  HASH_SIZE,
  LEN_SYMBOL,
  L_CODES,
  MAX_LAZY_MATCH,
  MAX_MATCH,
  MIN_MATCH,
  NICE_MATCH,
  _dist_code,
} from './constants.js';
import {
  DeflateState,
  NO_SLIDE_MAX,
  SMALL_HASH_SIZE,
  SMALL_INPUT,
  deflate_length,
  deflate_slow,
  deflate_slow_prefix,
  ensure_window,
  lm_init,
  longest_match,
  small_hash,
  small_hash_w,
} from './deflate.js';
import { DMAP_WORD, _tr_flush_block, clear_all } from './trees.js';

const EPOCH_LIMIT = 0x7fff0000;
const SPACE = 0x20;

/**
 * Texts y of at most PREPARED_MAX bytes can be prepared (longer ones make pairs over SMALL_INPUT,
 * which take the pairLength path).
 */
export const PREPARED_MAX = SMALL_INPUT - 1;
/* Fields of PreparedRows.code. */
const CODE_HASH_MASK = SMALL_HASH_SIZE - 1; /* bits 0..11 */
const CODE_LEN_SHIFT = 12; /* bits 12..20: best match inside y, 0 or 3..258 */
const CODE_LEN_MASK = 511;
const CODE_START_SHIFT = 21; /* bits 21..30: its start in y (< 1024) */

const prepHead = new Int32Array(SMALL_HASH_SIZE).fill(-1);
const prepLink = new Int32Array(SMALL_INPUT);

/**
 * What every pair's parse can take from y alone (|y| <= PREPARED_MAX), for many texts: text y
 * prepared at slot `at` owns slots [at, at + |y| + 1) of the three arrays.
 *
 *  - code[at + t], t <= |y| - 3: hash(y[t..t+2]) | ownLen << 12 | ownStart << 21: the longest
 *    match of y[t..] with an earlier position of y (clamped to min(MAX_MATCH, |y| - t); 0 if the
 *    trigram does not occur earlier in y), the latest of equally long ones.
 *  - the "own parse": deflate_slow's lazy evaluation over y with those matches only, as it runs
 *    inside a pair, entered at y's first byte with the pair's space pending as a literal.
 *    tops[at + t] is its loop-top state at t (match_available | match_length << 1 |
 *    match_start << 10 | symbols so far << 20 | TOP_SEARCH where a pair would search there), or -1
 *    where it has no loop top; t = |y| is its end. syms[at + k] are the symbols it tallies (code | (distance code + 1) << 9), without the
 *    last pending literal.
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
export class PreparedRows {
  readonly code: Int32Array;
  readonly tops: Int32Array;
  readonly syms: Int16Array;
  /** Room for texts of `bytes` bytes in all (plus one slot per text). */
  constructor(slots: number) {
    this.code = new Int32Array(slots);
    this.tops = new Int32Array(slots);
    this.syms = new Int16Array(slots);
  }
}

const TOP_LEN_SHIFT = 1;
const TOP_START_SHIFT = 10;
const TOP_SYMS_SHIFT = 20;
/** Set on the loop tops where the pair would search (t <= |y| - 3, match length < MAX_LAZY_MATCH). */
const TOP_SEARCH = 1 << 30;
const SYM_DIST_SHIFT = 9;

/** Prepare y = buf[start..end) (|y| <= PREPARED_MAX) into rows at slot `at`. */
export function prepareRow(buf: Uint8Array, start: number, end: number, rows: PreparedRows, at: number): void {
  const len = end - start;
  if (len > PREPARED_MAX) throw new RangeError(`prepareRow: text of ${len} bytes > ${PREPARED_MAX}`);
  if (at < 0 || at + len + 1 > rows.tops.length) throw new RangeError(`prepareRow: slots ${at}..${at + len} outside the rows`);
  own_matches(buf, start, len, rows.code, at);
  own_parse(buf, start, len, rows, at);
}

function own_matches(buf: Uint8Array, start: number, len: number, out: Int32Array, at: number): void {
  if (len < MIN_MATCH) return;
  const head = prepHead;
  const link = prepLink;
  let w = (buf[start] << 8) | buf[start + 1];
  for (let t = 0; t + 2 < len; t++) {
    const a = start + t;
    w = ((w << 8) | buf[a + 2]) & 0xffffff;
    const h = small_hash_w(w);
    const lim = len - t < MAX_MATCH ? len - t : MAX_MATCH;
    let best = 0;
    let bestStart = 0;
    const b0 = buf[a];
    const b1 = buf[a + 1];
    const b2 = buf[a + 2];
    for (let j = head[h]; j >= 0; j = link[j]) {
      const c = start + j;
      if (buf[c] !== b0 || buf[c + 1] !== b1 || buf[c + 2] !== b2) continue;
      if (best >= MIN_MATCH && buf[c + best] !== buf[a + best]) continue; /* can't be longer */
      let k = MIN_MATCH;
      while (k < lim && buf[c + k] === buf[a + k]) k++;
      if (k > best) {
        best = k;
        bestStart = j;
        if (k >= lim) break;
      }
    }
    out[at + t] = h | (best << CODE_LEN_SHIFT) | (bestStart << CODE_START_SHIFT);
    link[t] = head[h];
    head[h] = t;
  }
  /* reset the scratch heads */
  for (let t = 0; t + 2 < len; t++) head[out[at + t] & CODE_HASH_MASK] = -1;
}

/** deflate_slow_coded's loop over y alone with y's own matches (see PreparedRows). */
function own_parse(buf: Uint8Array, start: number, len: number, rows: PreparedRows, at: number): void {
  const code = rows.code;
  const tops = rows.tops;
  const syms = rows.syms;
  const last_insert = len - MIN_MATCH;
  for (let t = 0; t <= len; t++) tops[at + t] = -1;
  let t = 0;
  let match_length = MIN_MATCH - 1;
  let match_available = true; /* the pair's space, pending as a literal */
  let match_start = 0;
  let k = 0;
  while (t < len) {
    tops[at + t] =
      (match_available ? 1 : 0) |
      (match_length << TOP_LEN_SHIFT) |
      ((match_length >= MIN_MATCH ? match_start : 0) << TOP_START_SHIFT) |
      (k << TOP_SYMS_SHIFT) |
      (t <= last_insert && match_length < MAX_LAZY_MATCH ? TOP_SEARCH : 0);
    const lookahead = len - t;
    const prev_length = match_length;
    const prev_match = match_start;
    match_length = MIN_MATCH - 1;
    if (t <= last_insert && prev_length < MAX_LAZY_MATCH) {
      const c = code[at + t];
      const own = (c >>> CODE_LEN_SHIFT) & CODE_LEN_MASK;
      if (own !== 0) {
        let best = prev_length;
        if (own > best) {
          best = own;
          match_start = c >>> CODE_START_SHIFT;
        }
        match_length = best <= lookahead ? best : lookahead;
      }
    }
    if (prev_length >= MIN_MATCH && match_length <= prev_length) {
      const dist = t - 1 - prev_match - 1;
      const dc = dist < 256 ? _dist_code[dist] : _dist_code[256 + (dist >>> 7)];
      syms[at + k++] = LEN_SYMBOL[prev_length - MIN_MATCH] | ((dc + 1) << SYM_DIST_SHIFT);
      t += prev_length - 1;
      match_available = false;
      match_length = MIN_MATCH - 1;
    } else if (match_available) {
      syms[at + k++] = t === 0 ? SPACE : buf[start + t - 1];
      t++;
    } else {
      match_available = true;
      t++;
    }
  }
  tops[at + len] = (match_available ? 1 : 0) | (match_length << TOP_LEN_SHIFT) | ((match_length >= MIN_MATCH ? match_start : 0) << TOP_START_SHIFT) | (k << TOP_SYMS_SHIFT);
}

/** A text y with prepareRow() done, for PairLengthEngine.pairLengthPrepared(). */
export class PreparedText {
  readonly bytes: Uint8Array;
  /** prepareRow() of bytes at slot 0, or null when y is too long to be prepared. */
  readonly rows: PreparedRows | null;
  constructor(bytes: Uint8Array, rows: PreparedRows | null) {
    this.bytes = bytes;
    this.rows = rows;
  }
}

/** Prepare y (kept by reference: don't modify it afterwards) for pairLengthPrepared(). */
export function prepareText(y: Uint8Array): PreparedText {
  if (y.length > PREPARED_MAX) return new PreparedText(y, null);
  const rows = new PreparedRows(y.length + 1);
  prepareRow(y, 0, y.length, rows, 0);
  return new PreparedText(y, rows);
}

export class PairLengthEngine {
  /** State for the pairs: window = P ++ y, link = chains. */
  private readonly s = new DeflateState();
  /** State for pairs computed from scratch (too long for the snapshot). */
  private readonly full = new DeflateState();

  /** |P| = |x| + 1, or -1 before setQuery. */
  private m = -1;
  /** Chains of P's positions with zlib's hash and with the small-input hash. */
  private linkZ = new Int32Array(1024);
  private linkS = new Int32Array(1024);
  /** Heads after inserting P's positions 0..m-3, absolute positions (<= 0: NIL). */
  private readonly headXZ = new Int32Array(HASH_SIZE);
  private readonly headXS = new Int32Array(SMALL_HASH_SIZE);
  /** Heads of y's positions in the current pair: epoch + position. */
  private readonly headYZ = new Int32Array(HASH_SIZE);
  private readonly headYS = new Int32Array(SMALL_HASH_SIZE);
  private epoch = 1;
  private busy = false;
  /* copyY's views of the last source and window arrays. */
  private fromBytes: Uint8Array | null = null;
  private fromView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private toBytes: Uint8Array | null = null;
  private toView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  /* Snapshot after deflate_slow_prefix over P. */
  private snapStrstart = 0;
  private snapBlockStart = 0;
  private snapMatchStart = 0;
  private snapMatchLength = MIN_MATCH - 1;
  private snapMatchAvailable = false;
  private snapSymCount = 0;
  private snapBits = 0;
  private readonly snapLFreq = new Int32Array(L_CODES);
  private readonly snapDFreq = new Int32Array(D_CODES);
  private readonly snapUsed = new Int32Array(10);
  private readonly snapLSyms = new Int32Array(L_CODES);
  private snapLCount = 0;
  private readonly snapDSyms = new Int32Array(D_CODES);
  private snapDCount = 0;

  /** Fix x (the query). Work that depends only on x is done here. */
  setQuery(x: Uint8Array): void {
    const m = x.length + 1;
    const s = this.s;
    this.m = -1;
    const win = ensure_window(s, m);
    win.set(x);
    win[m - 1] = SPACE;
    if (this.linkZ.length < s.window.length) {
      this.linkZ = new Int32Array(s.window.length);
      this.linkS = new Int32Array(s.window.length);
    }
    /* Chains of P's positions 0..m-3, both hashes. */
    const hz = this.headXZ;
    const hs = this.headXS;
    hz.fill(0);
    hs.fill(0);
    const lz = this.linkZ;
    const ls = this.linkS;
    for (let p = 0; p + 2 < m; p++) {
      const h = ((win[p] << 10) ^ (win[p + 1] << 5) ^ win[p + 2]) & HASH_MASK;
      lz[p] = hz[h];
      hz[h] = p;
      const g = small_hash(win[p], win[p + 1], win[p + 2]);
      ls[p] = hs[g];
      hs[g] = p;
    }
    /* The loop tops that only depend on P, with a clean tally (none when every pair will be
     * computed from scratch). */
    clear_all(s);
    s.link = lz;
    if (m <= NO_SLIDE_MAX) deflate_slow_prefix(s, m);
    else lm_init(s);
    this.snapStrstart = s.strstart;
    this.snapBlockStart = s.block_start;
    this.snapMatchStart = s.match_start;
    this.snapMatchLength = s.match_length;
    this.snapMatchAvailable = s.match_available;
    this.snapSymCount = s.sym_count;
    this.snapBits = s.bits;
    this.snapUsed.set(s.used);
    const lf = s.l_desc.freq;
    const df = s.d_desc.freq;
    this.snapLCount = 0;
    for (let k = 0; k < L_CODES; k++) {
      this.snapLFreq[k] = lf[k];
      if (lf[k] !== 0) this.snapLSyms[this.snapLCount++] = k;
    }
    this.snapDCount = 0;
    for (let k = 0; k < D_CODES; k++) {
      this.snapDFreq[k] = df[k];
      if (df[k] !== 0) this.snapDSyms[this.snapDCount++] = k;
    }
    /* Leave s clean: every frequency zero, tallies reset. */
    clear_all(s);
    this.m = m;
  }

  /**
   * gzip level-9 length of x ++ " " ++ y, header and trailer included, where y = bytes[start..end)
   * (default: all of bytes; a range avoids a subarray per pair when y lives in a larger buffer).
   */
  pairLength(bytes: Uint8Array, start = 0, end: number = bytes.length): number {
    const m = this.m;
    if (m < 0) throw new Error('PairLengthEngine: setQuery() first');
    if (!(start >= 0 && end <= bytes.length && start <= end) || start !== Math.floor(start) || end !== Math.floor(end)) {
      throw new RangeError(`pairLength: range ${start}..${end} outside 0..${bytes.length}`);
    }
    const ylen = end - start;
    const n = m + ylen;
    if (n > NO_SLIDE_MAX) return this.fromScratch(bytes, start, end, n);

    const s = this.s;
    if (this.busy) {
      clear_all(s);
      this.headYZ.fill(0);
      this.headYS.fill(0);
      this.epoch = 1;
    }
    this.busy = true;
    if (this.epoch + n + 1 > EPOCH_LIMIT) {
      this.headYZ.fill(0);
      this.headYS.fill(0);
      this.epoch = 1;
    }
    const old = s.window;
    const win = ensure_window(s, n);
    if (win !== old) {
      /* grown: put P and its chains back */
      win.set(old.subarray(0, m));
      const lz = new Int32Array(win.length);
      const ls = new Int32Array(win.length);
      lz.set(this.linkZ.subarray(0, m));
      ls.set(this.linkS.subarray(0, m));
      this.linkZ = lz;
      this.linkS = ls;
    }
    this.copyY(bytes, start, ylen, win, m);

    /* Chains of positions m-2..n-3 (their strings reach into y). */
    const epoch = this.epoch;
    const from = m - 2 > 0 ? m - 2 : 0;
    const stop = n - 2;
    if (n <= SMALL_INPUT) {
      const link = this.linkS;
      const hx = this.headXS;
      const hy = this.headYS;
      let w = ((win[from] << 8) | win[from + 1]) & 0xffff;
      for (let p = from; p < stop; p++) {
        w = ((w << 8) | win[p + 2]) & 0xffffff;
        const h = small_hash_w(w);
        /* link = y's own previous position if any (v > epoch), else P's head; no branch */
        const v = hy[h] - epoch;
        const mask = -v >> 31;
        link[p] = (v & mask) | (hx[h] & ~mask);
        hy[h] = epoch + p;
      }
      s.link = link;
    } else {
      const link = this.linkZ;
      const hx = this.headXZ;
      const hy = this.headYZ;
      let h = ((win[from] << 5) ^ win[from + 1]) & HASH_MASK;
      for (let p = from; p < stop; p++) {
        h = ((h << 5) ^ win[p + 2]) & HASH_MASK;
        const v = hy[h] - epoch;
        const mask = -v >> 31;
        link[p] = (v & mask) | (hx[h] & ~mask);
        hy[h] = epoch + p;
      }
      s.link = link;
    }
    this.epoch = epoch + n + 1;
    this.restoreSnapshot();
    deflate_slow(s, n);
    this.busy = false;
    return s.bits / 8 + GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES;
  }

  /** pairLength(t.bytes), with what depends on y alone from prepareText(). */
  pairLengthPrepared(t: PreparedText): number {
    if (t.rows === null) return this.pairLength(t.bytes);
    return this.pairLengthCoded(t.bytes, 0, t.bytes.length, t.rows, 0);
  }

  /**
   * pairLength(bytes, start, end) for y = bytes[start..end) prepared in rows at slot `at`
   * (prepareRow). Pairs over SMALL_INPUT bytes take the pairLength path.
   */
  pairLengthCoded(bytes: Uint8Array, start: number, end: number, rows: PreparedRows, at: number): number {
    const m = this.m;
    if (m < 0) throw new Error('PairLengthEngine: setQuery() first');
    const ylen = end - start;
    const n = m + ylen;
    if (n > SMALL_INPUT) return this.pairLength(bytes, start, end);
    if (!(start >= 0 && end <= bytes.length && start <= end && at >= 0 && at + ylen + 1 <= rows.tops.length)) {
      throw new RangeError(`pairLengthCoded: range ${start}..${end} / slot ${at} outside the arrays`);
    }

    const s = this.s;
    if (this.busy) {
      clear_all(s);
      this.headYZ.fill(0);
      this.headYS.fill(0);
      this.epoch = 1;
    }
    this.busy = true;
    const win = s.window; /* never grows: n <= SMALL_INPUT < the initial window */
    this.copyY(bytes, start, ylen, win, m);
    const link = this.linkS;
    const hx = this.headXS;
    /* The junction positions m-2, m-1 (strings spanning P and y): linked to P's heads, and made
     * the heads of their hashes while y is parsed (restored after). */
    const from = m - 2 > 0 ? m - 2 : 0;
    const jend = m < n - 2 ? m : n - 2;
    let h0 = -1;
    let h1 = -1;
    let old0 = 0;
    let old1 = 0;
    for (let p = from; p < jend; p++) {
      const h = small_hash(win[p], win[p + 1], win[p + 2]);
      link[p] = hx[h];
      if (h0 < 0) {
        h0 = h;
        old0 = hx[h];
      } else {
        h1 = h;
        old1 = hx[h];
      }
      hx[h] = p;
    }
    s.link = link;
    this.restoreSnapshot();
    deflate_slow_coded(s, n, m, rows, at - m, hx);
    if (h1 >= 0) hx[h1] = old1;
    if (h0 >= 0) hx[h0] = old0;
    this.busy = false;
    return s.bits / 8 + GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES;
  }

  /**
   * win[m..m+ylen) = bytes[start..start+ylen), four bytes at a time through DataViews cached per
   * array: nothing allocated per pair (a subarray would be), and about a quarter of a byte loop's time.
   */
  private copyY(bytes: Uint8Array, start: number, ylen: number, win: Uint8Array, m: number): void {
    if (bytes !== this.fromBytes) {
      this.fromBytes = bytes;
      this.fromView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    if (win !== this.toBytes) {
      this.toBytes = win;
      this.toView = new DataView(win.buffer, win.byteOffset, win.byteLength);
    }
    const from = this.fromView;
    const to = this.toView;
    let i = 0;
    for (; i + 4 <= ylen; i += 4) to.setInt32(m + i, from.getInt32(start + i));
    for (; i < ylen; i++) win[m + i] = bytes[start + i];
  }

  /** Put the state after deflate_slow_prefix over P back into s (whose frequencies are all zero). */
  private restoreSnapshot(): void {
    const s = this.s;
    const lf = s.l_desc.freq;
    const df = s.d_desc.freq;
    for (let i = 0; i < this.snapLCount; i++) {
      const k = this.snapLSyms[i];
      lf[k] = this.snapLFreq[k];
    }
    for (let i = 0; i < this.snapDCount; i++) {
      const k = this.snapDSyms[i];
      df[k] = this.snapDFreq[k];
    }
    s.used.set(this.snapUsed);
    s.sym_count = this.snapSymCount;
    s.bits = this.snapBits;
    s.strstart = this.snapStrstart;
    s.block_start = this.snapBlockStart;
    s.match_start = this.snapMatchStart;
    s.match_length = this.snapMatchLength;
    s.match_available = this.snapMatchAvailable;
    s.base = 0;
    s.read_pos = 0;
  }

  private fromScratch(bytes: Uint8Array, start: number, end: number, n: number): number {
    const f = this.full;
    const win = ensure_window(f, n);
    win.set(this.s.window.subarray(0, this.m));
    win.set(bytes.subarray(start, end), this.m);
    return deflate_length(f, n) + GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES;
  }
}

/**
 * deflate_slow() from the restored snapshot to the end of a pair of n <= SMALL_INPUT bytes whose
 * y part (window[m..n)) is prepared in rows: slot base + p for y's position p (absolute, p >= m).
 * Positions before m (the end of P and the junction) search s.link's chains with longest_match;
 * y's positions take y's own best match from the code and then walk only the chain of the junction
 * and P (head hx[hash], then s.link), exactly as longest_match would continue after y's own
 * candidates, or replay the own parse (see PreparedRows). n <= SMALL_INPUT also means: no window slide
 * (base 0, limit NIL), chain_length never runs out, no TOO_FAR match (distances < 4096), and
 * fewer than SYM_LIMIT symbols (one block, flushed at the end).
 */
function deflate_slow_coded(s: DeflateState, n: number, m: number, rows: PreparedRows, base: number, hx: Int32Array): void {
  const win = s.window;
  const link = s.link;
  const lfreq = s.l_desc.freq;
  const dfreq = s.d_desc.freq;
  const used = s.used;
  const codes = rows.code;
  const tops = rows.tops;
  const syms = rows.syms;
  const last_insert = n - MIN_MATCH;

  let strstart = s.strstart;
  let match_length = s.match_length;
  let prev_length = MIN_MATCH - 1;
  let match_available = s.match_available;
  let match_start = s.match_start;
  let prev_match = 0;
  let sym_count = s.sym_count;

  while (strstart < n) {
    if (strstart >= m) {
      /* Replay the own parse from here if the pair is at one of its loop tops, in its state, and
       * x's side has no candidate here: up to its next loop top where x's side has one. */
      const top = tops[base + strstart];
      if (
        top >= 0 &&
        (top & 1) === (match_available ? 1 : 0) &&
        ((top >>> TOP_LEN_SHIFT) & 511) === match_length &&
        (match_length < MIN_MATCH || ((top >>> TOP_START_SHIFT) & 1023) === match_start - m) &&
        !(top >= TOP_SEARCH && hx[codes[base + strstart] & CODE_HASH_MASK] > 0)
      ) {
        let p = strstart + 1;
        let next = 0;
        for (; p < n; p++) {
          next = tops[base + p];
          if (next >= TOP_SEARCH && hx[codes[base + p] & CODE_HASH_MASK] > 0) break;
        }
        if (p >= n) {
          p = n;
          next = tops[base + n];
        }
        const k0 = (top >>> TOP_SYMS_SHIFT) & 1023;
        const k1 = (next >>> TOP_SYMS_SHIFT) & 1023;
        for (let k = base + m + k0, kend = base + m + k1; k < kend; k++) {
          const sym = syms[k];
          const lc = sym & 511;
          if (lfreq[lc]++ === 0) used[lc >> 5] |= 1 << (lc & 31);
          const dc = (sym >>> SYM_DIST_SHIFT) - 1;
          if (dc >= 0 && dfreq[dc]++ === 0) used[DMAP_WORD] |= 1 << dc;
        }
        sym_count += k1 - k0;
        strstart = p;
        match_available = (next & 1) === 1;
        match_length = (next >>> TOP_LEN_SHIFT) & 511;
        if (match_length >= MIN_MATCH) match_start = m + ((next >>> TOP_START_SHIFT) & 1023);
        continue;
      }
    }
    const lookahead = n - strstart;
    prev_length = match_length;
    prev_match = match_start;
    match_length = MIN_MATCH - 1;

    if (strstart <= last_insert && prev_length < MAX_LAZY_MATCH) {
      if (strstart < m) {
        const hash_head = link[strstart];
        if (hash_head > 0) {
          match_length = longest_match(s, hash_head, strstart, prev_length, lookahead, 0);
          match_start = s.match_start;
        }
      } else {
        const c = codes[base + strstart];
        const own = (c >>> CODE_LEN_SHIFT) & CODE_LEN_MASK;
        let cur = hx[c & CODE_HASH_MASK];
        if (own !== 0 || cur > 0) {
          /* longest_match: y's own candidates first (the code), then the junction and P. */
          let best = prev_length;
          if (own > best) {
            best = own;
            match_start = m + (c >>> CODE_START_SHIFT);
          }
          const nice = lookahead < NICE_MATCH ? lookahead : NICE_MATCH;
          if (cur > 0 && best < nice) {
            const scan = strstart;
            const stop = scan + nice;
            let scan_end1 = win[scan + best - 1];
            let scan_end = win[scan + best];
            const scan0 = win[scan];
            const scan1 = win[scan + 1];
            do {
              if (win[cur + best] !== scan_end || win[cur + best - 1] !== scan_end1 || win[cur] !== scan0 || win[cur + 1] !== scan1) {
                continue;
              }
              /* byte 2 is equal (same hash, bytes 0 and 1 equal); compare up to nice_match */
              let p = scan + 3;
              let q = cur + 3;
              while (p < stop && win[p] === win[q]) {
                p++;
                q++;
              }
              const len = p - scan;
              if (len > best) {
                match_start = cur;
                best = len;
                if (len >= nice) break;
                scan_end1 = win[scan + best - 1];
                scan_end = win[scan + best];
              }
            } while ((cur = link[cur]) > 0);
          }
          match_length = best <= lookahead ? best : lookahead;
        }
      }
    }

    if (prev_length >= MIN_MATCH && match_length <= prev_length) {
      /* _tr_tally_dist(s, strstart - 1 - prev_match, prev_length - MIN_MATCH) */
      const sym = LEN_SYMBOL[prev_length - MIN_MATCH];
      if (lfreq[sym]++ === 0) used[sym >> 5] |= 1 << (sym & 31);
      const dist = strstart - 1 - prev_match - 1;
      const dc = dist < 256 ? _dist_code[dist] : _dist_code[256 + (dist >>> 7)];
      if (dfreq[dc]++ === 0) used[DMAP_WORD] |= 1 << dc;
      strstart += prev_length - 1;
      match_available = false;
      match_length = MIN_MATCH - 1;
      sym_count++;
    } else if (match_available) {
      const c = win[strstart - 1];
      if (lfreq[c]++ === 0) used[c >> 5] |= 1 << (c & 31);
      sym_count++;
      strstart++;
    } else {
      match_available = true;
      strstart++;
    }
  }

  if (match_available) {
    const c = win[strstart - 1];
    if (lfreq[c]++ === 0) used[c >> 5] |= 1 << (c & 31);
    sym_count++;
  }
  /* FLUSH_BLOCK(s, 1) */
  s.sym_count = sym_count;
  _tr_flush_block(s, strstart - s.block_start, true, true);
  s.strstart = strstart;
  s.block_start = strstart;
  s.match_start = match_start;
  s.match_length = MIN_MATCH - 1;
  s.match_available = false;
}
