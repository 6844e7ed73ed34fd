/*
 * The calls the WebAssembly engine exports: exact gzip level-9 lengths (zlib 1.2.x / pako 2.1.0 /
 * CPython gzip.compress) without compressing. The shipped engine's entry, index.ts, exports them;
 * the test engine's, test-index.ts, those and the test hooks. Not a port of zlib code (the ported
 * files are constants.ts, trees.ts, deflate.ts and pair.ts, each under zlib's licence); this file
 * only places inputs in linear memory and calls them. src/deflate/engine.ts is the JavaScript side.
 *
 * Memory: every table and all engine state are fixed (memory.data), so nothing is allocated per
 * call. Inputs too large for the fixed windows, a query too long for the pair window, and the
 * training rows (their bytes and what is prepared from them) live in four regions above the
 * static data, grown with memory.grow when a larger one is needed. A region that must grow and is
 * not the topmost one is abandoned and placed anew at the top; the two scratch regions (INPUT,
 * QUERY) at least double when they grow, so inputs of ever larger sizes abandon at most about as
 * much as the region finally holds, and the rows' regions take exactly what a training set needs
 * (they grow only for a larger training set). Addresses handed to JavaScript are valid until the
 * next call that takes a size (JavaScript must re-read memory.buffer after such calls: a grow
 * detaches it).
 *
 * A call that traps (out of memory) leaves a busy flag set; the next call resets the engine's
 * tables before it runs (deflate.ts, pair.ts).
 */
import { GZIP_WRAPPER_BYTES, tr_static_init } from './constants';
import { NO_SLIDE_MAX, SMALL_INPUT, WINDOW_SLACK, deflate_length } from './deflate';
import {
  PREPARED_MAX,
  PWIN,
  pair_deflate_length,
  pair_deflate_length_coded,
  pair_forget,
  pair_init,
  pair_set_query,
  prepare_row,
} from './pair';
import { FL, _tr_init } from './trees';
import { bound_setup } from './bound';

const PAGE: usize = 65536;

/** A block of linear memory above the static data. */
@unmanaged
class Region {
  ptr: usize;
  cap: usize;
}

/** Window + chains for inputs over FIXED_INPUT bytes. */
const INPUT = changetype<Region>(memory.data(offsetof<Region>(), 16));
/** P of a query over NO_SLIDE_MAX - 1 bytes (every pair of it is computed from scratch). */
const QUERY = changetype<Region>(memory.data(offsetof<Region>(), 16));
/** The training rows: their bytes, then their offsets (i32[count + 1], relative to the first byte). */
const ROWS = changetype<Region>(memory.data(offsetof<Region>(), 16));
/** What prepare_row computes for the rows: code (i32), tops (i32), syms (i16), sh (u16), one slot per byte and one per row. */
const PREP = changetype<Region>(memory.data(offsetof<Region>(), 16));

/** Inputs up to this size use the fixed window and chains below. */
const FIXED_INPUT: i32 = 65536;
const FIXED_WIN: usize = memory.data(FIXED_INPUT + WINDOW_SLACK + 16, 16);
const FIXED_LINK: usize = memory.data((FIXED_INPUT + WINDOW_SLACK) * 4, 16);

/** First free byte above the static data (and the regions placed so far). */
let top: usize = 0;

/** The window and chains of the current from-scratch input (set by input_buffer). */
let in_win: usize = 0;
let in_link: usize = 0;

/* The rows: count, where their bytes and offsets are, whether they are prepared. */
let rows_count: i32 = 0;
let rows_data: usize = 0;
let rows_offs: usize = 0;
let rows_ready: bool = false;
let prep_code: usize = 0;
let prep_tops: usize = 0;
let prep_syms: usize = 0;
let prep_sh: usize = 0;

/* The query: |P|, and where P is (the pair window, or the QUERY region for long queries). */
let query_len: i32 = -1;
let query_ptr: usize = 0;

tr_static_init();
bound_setup();
_tr_init();
pair_init();
top = (__heap_base + 15) & ~15;

/**
 * r holds at least size bytes (its old contents are not kept); returns its address. With
 * `double`, a region that grows takes twice its old capacity if that is more (and memory allows).
 */
function reserve(r: Region, size: usize, double: bool): usize {
  if (size <= r.cap) return r.ptr;
  /* the topmost region grows in place; another one is placed at the top (nothing changes on a trap) */
  const ptr = r.cap != 0 && r.ptr + r.cap == top ? r.ptr : top;
  if (double && size < r.cap << 1 && place(ptr, r.cap << 1)) {
    size = r.cap << 1;
  } else if (!place(ptr, size)) {
    unreachable(); /* out of memory: a trap JavaScript reports */
  }
  const want = (size + PAGE - 1) & ~(PAGE - 1);
  r.ptr = ptr;
  r.cap = want;
  top = ptr + want;
  return ptr;
}

/** Make memory reach ptr + size (rounded up to a page); false if it can't (over 4 GiB). */
function place(ptr: usize, size: usize): bool {
  const want = (size + PAGE - 1) & ~(PAGE - 1);
  const end = ptr + want;
  if (want < size || end < ptr) return false; /* over 4 GiB */
  const have = <usize>memory.size() * PAGE;
  if (end > have) {
    const pages = <i32>((end - have + PAGE - 1) / PAGE);
    if (memory.grow(pages) < 0) return false;
  }
  return true;
}

/** Place a from-scratch input of n bytes: sets in_win / in_link, returns in_win. */
function input_place(n: i32): usize {
  if (n <= FIXED_INPUT) {
    in_win = FIXED_WIN;
    in_link = FIXED_LINK;
  } else {
    const slots = <usize>n + <usize>WINDOW_SLACK;
    const winBytes = (slots + 15) & ~15;
    const p = reserve(INPUT, winBytes + slots * 4, true);
    in_win = p;
    in_link = p + winBytes;
  }
  return in_win;
}

/* ---- single inputs ------------------------------------------------------------------------- */

/** Where to write an input of n bytes for gzip_length(n). */
export function input_buffer(n: i32): usize {
  if (n < 0 || n > 0x3fffffff) unreachable();
  return input_place(n);
}

/** gzip level-9 length (header and trailer included) of the n bytes written at input_buffer(n). */
export function gzip_length(n: i32): f64 {
  FL.limit = 0;
  return <f64>(deflate_length(in_win, in_link, n) + GZIP_WRAPPER_BYTES);
}

/* ---- pairs --------------------------------------------------------------------------------- */

/** Where to write x (xlen bytes) for set_query(xlen). */
export function query_buffer(xlen: i32): usize {
  if (xlen < 0 || xlen > 0x3fffffff) unreachable();
  pair_forget();
  query_len = -1;
  const m = xlen + 1;
  if (m <= NO_SLIDE_MAX) return PWIN;
  return reserve(QUERY, <usize>m + 16, true);
}

/**
 * Fix the query x written at query_buffer(xlen): the pairs that follow are x ++ " " ++ y. Returns
 * gzip length of x alone.
 */
export function set_query(xlen: i32): f64 {
  FL.limit = 0;
  const m = xlen + 1;
  const x = m <= NO_SLIDE_MAX ? PWIN : QUERY.ptr;
  /* C(x), from scratch */
  const win = input_place(xlen);
  memory.copy(win, x, <usize>xlen);
  const cx = <f64>(deflate_length(in_win, in_link, xlen) + GZIP_WRAPPER_BYTES);
  if (m <= NO_SLIDE_MAX) {
    pair_set_query(m);
  } else {
    store<u8>(x + <usize>xlen, 0x20);
  }
  query_ptr = x;
  query_len = m;
  return cx;
}

/**
 * Where to write y (ylen bytes) for pair_length(ylen). For a pair too long for the pair path,
 * P is copied into the from-scratch window here.
 */
export function pair_y_buffer(ylen: i32): usize {
  const m = query_len;
  if (m < 0 || ylen < 0 || ylen > 0x3fffffff - m) unreachable();
  const n = m + ylen;
  if (n <= NO_SLIDE_MAX) return PWIN + <usize>m;
  const win = input_place(n);
  memory.copy(win, query_ptr, <usize>m);
  return win + <usize>m;
}

/** gzip length of x ++ " " ++ y, y written at pair_y_buffer(ylen) just before. */
export function pair_length(ylen: i32): f64 {
  FL.limit = 0;
  return pair_length_of(ylen);
}

/**
 * pair_length(ylen) if it is below `limit`; otherwise possibly a lower bound on it that is >= limit
 * (see _tr_flush_block in trees.ts: the trees of a one-block pair that provably reaches the limit
 * are not built). limit <= 18: the exact length.
 */
export function pair_length_limited(ylen: i32, limit: i32): f64 {
  FL.limit = limit > GZIP_WRAPPER_BYTES ? limit - GZIP_WRAPPER_BYTES : 0;
  const r = pair_length_of(ylen);
  FL.limit = 0;
  return r;
}

function pair_length_of(ylen: i32): f64 {
  const m = query_len;
  const n = m + ylen;
  if (n <= NO_SLIDE_MAX) return <f64>(pair_deflate_length(ylen) + GZIP_WRAPPER_BYTES);
  return <f64>(deflate_length(in_win, in_link, n) + GZIP_WRAPPER_BYTES);
}

/* ---- training rows ------------------------------------------------------------------------- */

/**
 * Room for `count` rows of `bytes` bytes in all: returns where to write the bytes; the offsets
 * (i32[count + 1], row i = bytes[off[i] .. off[i+1])) go at rows_offsets(). Forgets any preparation.
 */
export function rows_buffer(bytes: i32, count: i32): usize {
  if (bytes < 0 || count < 0 || bytes > 0x7fff0000 - count) unreachable();
  rows_count = 0;
  rows_ready = false;
  const dataBytes = (<usize>bytes + 15) & ~15;
  const p = reserve(ROWS, dataBytes + (<usize>count + 1) * 4, false);
  rows_data = p;
  rows_offs = p + dataBytes;
  rows_count = count;
  return p;
}

export function rows_offsets(): usize {
  return rows_offs;
}

// @ts-ignore: decorator
@inline function row_off(i: i32): i32 {
  return load<i32>(rows_offs + ((<usize>i) << 2));
}

/** Prepare every row of at most PREPARED_MAX bytes (y's own matches and own parse, see pair.ts). */
export function rows_prepare(): void {
  const count = rows_count;
  const slots = <usize>row_off(count) + <usize>count + 8;
  const p = reserve(PREP, slots * 12 + 64, false);
  prep_code = p;
  prep_tops = p + ((slots * 4 + 15) & ~15);
  prep_syms = prep_tops + ((slots * 4 + 15) & ~15);
  prep_sh = prep_syms + ((slots * 2 + 15) & ~15);
  for (let i = 0; i < count; i++) {
    const a = row_off(i);
    const len = row_off(i + 1) - a;
    if (len <= PREPARED_MAX) prepare_row(rows_data + <usize>a, len, prep_code, prep_tops, prep_syms, prep_sh, a + i);
  }
  rows_ready = true;
}

/**
 * gzip length of x ++ " " ++ row i if it is below `limit`; otherwise possibly a lower bound on it
 * that is >= limit (the trees of a one-block pair that provably reaches the limit are not built).
 * limit <= 18: the exact length.
 */
export function pair_row_limited(i: i32, limit: i32): f64 {
  FL.limit = limit > GZIP_WRAPPER_BYTES ? limit - GZIP_WRAPPER_BYTES : 0;
  const r = pair_row_of(i);
  FL.limit = 0;
  return r;
}

/** gzip length of x ++ " " ++ row i. */
export function pair_row(i: i32): f64 {
  FL.limit = 0;
  return pair_row_of(i);
}

function pair_row_of(i: i32): f64 {
  const m = query_len;
  if (m < 0 || i < 0 || i >= rows_count) unreachable();
  const a = row_off(i);
  const ylen = row_off(i + 1) - a;
  const y = rows_data + <usize>a;
  const n = m + ylen;
  if (n <= NO_SLIDE_MAX) {
    memory.copy(PWIN + <usize>m, y, <usize>ylen);
    if (rows_ready && n <= SMALL_INPUT) {
      return <f64>(pair_deflate_length_coded(ylen, prep_code, prep_tops, prep_syms, prep_sh, a + i) + GZIP_WRAPPER_BYTES);
    }
    return <f64>(pair_deflate_length(ylen) + GZIP_WRAPPER_BYTES);
  }
  const win = input_place(n);
  memory.copy(win, query_ptr, <usize>m);
  memory.copy(win + <usize>m, y, <usize>ylen);
  return <f64>(deflate_length(in_win, in_link, n) + GZIP_WRAPPER_BYTES);
}

/** Linear memory in use (bytes): the static data and the regions placed so far. */
export function memory_in_use(): usize {
  return top;
}
