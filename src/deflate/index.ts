/**
 * Exact gzip level-9 compressed length without compressing: a length-only port of zlib 1.2.x deflate
 * (as in pako 2.1.0 and CPython's gzip.compress) to WebAssembly (AssemblyScript sources in
 * ../../assembly/, the compiled engine.wasm next to this file). See README.md in this folder.
 */
export {
  BOUND_CALLS,
  BOUND_CHECK,
  BOUND_EARLY,
  BOUND_OFF,
  BOUND_ON,
  DeflateLengthEngine,
  FLUSH_AT_LIMIT,
  FLUSH_BY_BOUND,
  FLUSH_BY_TREES,
  FLUSH_CHECK_BOUND,
  FLUSH_CHECK_EXACT,
  FLUSH_CHECK_FAILED,
  FLUSH_CHECK_OPT,
  MAX_INPUT,
  PREPARED_MAX,
  STAT_DYNAMIC,
  STAT_FIXED,
  STAT_FIXED_TIE,
  STAT_OVERFLOW_BL,
  STAT_OVERFLOW_D,
  STAT_OVERFLOW_L,
  STAT_STORED,
  engineIdentity,
  gzipLength,
} from './engine.js';
