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
import { D_CODES, GZIP_HEADER_BYTES, GZIP_TRAILER_BYTES, HASH_MASK, HASH_SIZE, L_CODES, MIN_MATCH } from './constants.js';
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
  small_hash,
  small_hash_w,
} from './deflate.js';
import { clear_all } from './trees.js';

const EPOCH_LIMIT = 0x7fff0000;
const SPACE = 0x20;

/**
 * A text y with the part of its hash chains that does not depend on the query, for
 * PairLengthEngine.pairLengthPrepared(). For each position i <= |y| - 3, code[i] is the previous
 * position j < i of y whose string y[j..j+2] has the same small-input hash (j >= 0), or ~hash
 * (< 0) when i is the first of its hash in y. Used for pairs of at most SMALL_INPUT bytes (longer
 * pairs fall back to pairLength).
 */
export class PreparedText {
  readonly bytes: Uint8Array;
  readonly code: Int32Array;
  constructor(bytes: Uint8Array, code: Int32Array) {
    this.bytes = bytes;
    this.code = code;
  }
}

const prepHead = new Int32Array(SMALL_HASH_SIZE).fill(-1);

/** Prepare y (kept by reference: don't modify it afterwards) for pairLengthPrepared(). */
export function prepareText(y: Uint8Array): PreparedText {
  const len = y.length;
  /* (empty code when every pair with y would exceed SMALL_INPUT: pairLengthPrepared falls back) */
  const code = new Int32Array(len > 2 && len + 1 <= SMALL_INPUT ? len - 2 : 0);
  if (len + 1 <= SMALL_INPUT) {
    let w = len > 1 ? (y[0] << 8) | y[1] : 0;
    for (let i = 0; i + 2 < len; i++) {
      w = ((w << 8) | y[i + 2]) & 0xffffff;
      const h = small_hash_w(w);
      const j = prepHead[h];
      code[i] = j >= 0 ? j : ~h;
      prepHead[h] = i;
    }
    /* reset the scratch heads */
    for (let i = 0; i + 2 < len; i++) {
      const c = code[i];
      if (c < 0) prepHead[~c] = -1;
    }
  }
  return new PreparedText(y, code);
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
    if (start === 0 && end === bytes.length) win.set(bytes, m);
    else for (let i = 0; i < ylen; i++) win[m + i] = bytes[start + i];

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
    return this.finish(n);
  }

  /**
   * pairLength(t.bytes), faster: y's own hash links come from prepareText(). Pairs over
   * SMALL_INPUT bytes take the pairLength path.
   */
  pairLengthPrepared(t: PreparedText): number {
    const m = this.m;
    if (m < 0) throw new Error('PairLengthEngine: setQuery() first');
    const y = t.bytes;
    const ylen = y.length;
    const n = m + ylen;
    if (n > SMALL_INPUT || t.code.length !== (ylen > 2 ? ylen - 2 : 0)) return this.pairLength(y);

    const s = this.s;
    if (this.busy) {
      clear_all(s);
      this.headYZ.fill(0);
      this.headYS.fill(0);
      this.epoch = 1;
    }
    this.busy = true;
    const win = ensure_window(s, n); /* never grows: n <= SMALL_INPUT < the initial window */
    win.set(y, m);
    const link = this.linkS;
    const hx = this.headXS;
    /* The junction positions m-2, m-1 (strings spanning P and y): linked to P's heads, and made
     * the heads of their hashes while y's first positions are linked (restored after). */
    const from = m - 2 > 0 ? m - 2 : 0;
    const stop = n - 2;
    const jend = m < stop ? m : stop;
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
    /* y's positions: y's own previous position, else the current head of P (or the junction). */
    const code = t.code;
    for (let i = 0, k = code.length; i < k; i++) {
      const c = code[i];
      const mask = c >> 31;
      link[m + i] = ((m + c) & ~mask) | (hx[~c & (SMALL_HASH_SIZE - 1)] & mask);
    }
    if (h1 >= 0) hx[h1] = old1;
    if (h0 >= 0) hx[h0] = old0;
    s.link = link;
    return this.finish(n);
  }

  /** Restore the snapshot and run deflate_slow over the pair of n bytes whose chains are set. */
  private finish(n: number): number {
    const s = this.s;
    /* Restore the snapshot (s's frequencies are all zero here). */
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

    deflate_slow(s, n);

    this.busy = false;
    return s.bits / 8 + GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES;
  }

  private fromScratch(bytes: Uint8Array, start: number, end: number, n: number): number {
    const f = this.full;
    const win = ensure_window(f, n);
    win.set(this.s.window.subarray(0, this.m));
    win.set(bytes.subarray(start, end), this.m);
    return deflate_length(f, n) + GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES;
  }
}
