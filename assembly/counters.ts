/*
 * The indices of the engine's counters and the bound's modes: the one definition, read by the engine
 * (AssemblyScript) and by the test engine's JavaScript side (test/helpers/test-engine.ts imports this
 * file as TypeScript). Plain integer constants only, so that both compilers take it as it is.
 * Only the test engine (assembly/test-index.ts) exports the calls that read or set them.
 */

/** Block statistics, cumulative (stat(i); updated once per block, never read by the engine). */
export const STAT_STORED = 0;
export const STAT_FIXED = 1;
export const STAT_DYNAMIC = 2;
/** Fixed blocks chosen on a byte tie with the dynamic cost. */
export const STAT_FIXED_TIE = 3;
/** zlib's code-length overflow fix-ups: literal/length tree (15 bits), distance tree, bit-length tree (7 bits). */
export const STAT_OVERFLOW_L = 4;
export const STAT_OVERFLOW_D = 5;
export const STAT_OVERFLOW_BL = 6;

/**
 * How _tr_flush_block (trees.ts) gets a block's dynamic cost (set_bound_mode): BOUND_OFF zlib's trees
 * only; BOUND_ON (the default, the only mode of the shipped engine) for a pair with a length limit
 * the lower bound of bound.ts first: a one-block pair it proves at least the limit long builds no
 * tree, one it proves exact neither; BOUND_CHECK (tests) the bound of every block, then the trees,
 * compared.
 */
export const BOUND_OFF = 0;
export const BOUND_ON = 1;
export const BOUND_CHECK = 2;

/* Counters of the flushes and of the bound (flush_stat(i)), cumulative unless said otherwise. */
/** Blocks whose opt_len the bound proved exact (no trees built). */
export const FLUSH_BY_BOUND = 0;
/** Blocks whose opt_len came from zlib's trees. */
export const FLUSH_BY_TREES = 1;
/** Pairs stopped at their limit (no trees built). */
export const FLUSH_AT_LIMIT = 2;
/** BOUND_CHECK: checks failed (a bound above zlib's opt_len, a wrong exact claim or static_len). */
export const FLUSH_CHECK_FAILED = 3;
/** BOUND_CHECK, the last block: the bound (-1: none), its exact flag, zlib's opt_len. */
export const FLUSH_CHECK_BOUND = 4;
export const FLUSH_CHECK_EXACT = 5;
export const FLUSH_CHECK_OPT = 6;
/** Calls of the bound; of them ended by the first partial bound. */
export const BOUND_CALLS = 7;
export const BOUND_EARLY = 8;
/** Trees over 15 bits; trees with a leaf class not invariant; calls with pooled items. */
export const BOUND_OVERFLOW = 9;
export const BOUND_NOT_INVARIANT = 10;
export const BOUND_POOLED = 11;
/** Calls ended by the second partial bound. */
export const BOUND_EARLY2 = 12;
