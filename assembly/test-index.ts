/*
 * The test engine (test/helpers/engine-test.wasm, built by `npm run build:wasm` with asconfig.test.json):
 * the shipped engine's calls (index.ts), and the hooks only tests, scripts and benches use: block
 * statistics, the bound's mode and counters, the trees on their own, and the recovery paths. The
 * indices of the counters are in counters.ts, the one definition the JavaScript side reads too
 * (test/helpers/test-engine.ts).
 */
import {
  BOUND_CALLS,
  BOUND_CHECK,
  BOUND_EARLY,
  BOUND_EARLY2,
  BOUND_NOT_INVARIANT,
  BOUND_OFF,
  BOUND_OVERFLOW,
  BOUND_POOLED,
  FLUSH_AT_LIMIT,
  FLUSH_BY_BOUND,
  FLUSH_BY_TREES,
  FLUSH_CHECK_BOUND,
  FLUSH_CHECK_EXACT,
  FLUSH_CHECK_FAILED,
  FLUSH_CHECK_OPT,
} from './counters';
import { S, small_hash_w } from './deflate';
import { memory_in_use } from './engine';
import { pair_set_busy, pair_set_epoch } from './pair';
import { FL, STATS, T, _tr_flush_block, _tr_tally_dist, _tr_tally_lit, clear_all } from './trees';
import { B } from './bound';

export * from './index';

/** Block statistics (STAT_* of counters.ts), cumulative. */
export function stat(i: i32): i32 {
  return load<i32>(STATS + ((<usize>i) << 2));
}

/** Bytes zlib's window had slid at the end of the last from-scratch input. */
export function last_base(): i32 {
  return S.base;
}

/** The small-input hash of b0 << 16 | b1 << 8 | b2. */
export function small_hash(w: i32): i32 {
  return small_hash_w(w);
}

/** Force the epoch of the from-scratch head tables (to test the wrap-around). */
export function set_epoch(e: i32): void {
  S.epoch = e;
}

/** Pretend the previous from-scratch call trapped (to test the recovery). */
export function set_busy(): void {
  S.busy = 1;
}

/** The same for the pair engine's calls. */
export function set_pair_busy(): void {
  pair_set_busy();
}
export function set_pair_epoch(e: i32): void {
  pair_set_epoch(e);
}

/** trees.ts on its own: start a stream, tally symbols, flush blocks, read the bit count. */
export function trees_reset(): void {
  clear_all();
}
export function tally_lit(c: i32): i32 {
  return _tr_tally_lit(c) ? 1 : 0;
}
export function tally_dist(dist: i32, lc: i32): i32 {
  return _tr_tally_dist(dist, lc) ? 1 : 0;
}
export function flush_block(stored_len: i32, buf_ok: i32, last: i32): void {
  FL.limit = 0;
  _tr_flush_block(stored_len, buf_ok != 0, last != 0);
}
export function trees_bits(): f64 {
  return <f64>T.bits;
}

/** BOUND_OFF, BOUND_ON (the default) or BOUND_CHECK (counters.ts): how _tr_flush_block gets opt_len. */
export function set_bound_mode(mode: i32): void {
  if (mode < BOUND_OFF || mode > BOUND_CHECK) unreachable();
  FL.mode = mode;
}

/** The counters of the flushes and the bound (FLUSH_* and BOUND_* of counters.ts); -1 for another index. */
export function flush_stat(i: i32): f64 {
  switch (i) {
    case FLUSH_BY_BOUND:
      return <f64>FL.by_bound;
    case FLUSH_BY_TREES:
      return <f64>FL.by_trees;
    case FLUSH_AT_LIMIT:
      return <f64>FL.by_limit;
    case FLUSH_CHECK_FAILED:
      return <f64>FL.check_fail;
    case FLUSH_CHECK_BOUND:
      return <f64>FL.check_bound;
    case FLUSH_CHECK_EXACT:
      return <f64>FL.check_exact;
    case FLUSH_CHECK_OPT:
      return <f64>FL.check_opt;
    case BOUND_CALLS:
      return <f64>B.calls;
    case BOUND_EARLY:
      return <f64>B.early;
    case BOUND_OVERFLOW:
      return <f64>B.overflow;
    case BOUND_NOT_INVARIANT:
      return <f64>B.not_invariant;
    case BOUND_POOLED:
      return <f64>B.with_pooled;
    case BOUND_EARLY2:
      return <f64>B.early2;
    default:
      return -1;
  }
}

/** Linear memory in use (bytes), for the memory measurements. */
export function memory_top(): f64 {
  return <f64>memory_in_use();
}
