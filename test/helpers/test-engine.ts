/**
 * The test engine: the same AssemblyScript sources as the shipped engine.wasm, built from
 * assembly/test-index.ts into engine-test.wasm next to this file (`npm run build:wasm`; checked
 * byte-identical by test/differential/wasm-build.test.ts). It exports the shipped engine's calls and the
 * hooks only tests, scripts and benches use: block statistics, the bound's mode and counters, the
 * trees on their own, the recovery paths. The counters' indices come from assembly/counters.ts, the
 * one definition the engine compiles too.
 */
import { readFileSync } from 'node:fs';
import { DeflateLengthEngine, type EngineExports } from '../../src/deflate/engine.js';

export {
  BOUND_CALLS,
  BOUND_CHECK,
  BOUND_EARLY,
  BOUND_EARLY2,
  BOUND_NOT_INVARIANT,
  BOUND_OFF,
  BOUND_ON,
  BOUND_OVERFLOW,
  BOUND_POOLED,
  FLUSH_AT_LIMIT,
  FLUSH_BY_BOUND,
  FLUSH_BY_TREES,
  FLUSH_CHECK_BOUND,
  FLUSH_CHECK_EXACT,
  FLUSH_CHECK_FAILED,
  FLUSH_CHECK_OPT,
  STAT_DYNAMIC,
  STAT_FIXED,
  STAT_FIXED_TIE,
  STAT_OVERFLOW_BL,
  STAT_OVERFLOW_D,
  STAT_OVERFLOW_L,
  STAT_STORED,
} from '../../assembly/counters.js';

/** The exports of engine-test.wasm (assembly/test-index.ts). */
export interface TestEngineExports extends EngineExports {
  stat(i: number): number;
  last_base(): number;
  small_hash(w: number): number;
  set_epoch(e: number): void;
  set_busy(): void;
  set_pair_busy(): void;
  set_pair_epoch(e: number): void;
  trees_reset(): void;
  tally_lit(c: number): number;
  tally_dist(dist: number, lc: number): number;
  flush_block(stored_len: number, buf_ok: number, last: number): void;
  trees_bits(): number;
  set_bound_mode(mode: number): void;
  flush_stat(i: number): number;
  memory_top(): number;
}

/** The test engine's binary. */
export const TEST_ENGINE_WASM = new URL('./engine-test.wasm', import.meta.url);

let bytes: Uint8Array | undefined;

/** A DeflateLengthEngine running engine-test.wasm, with the test hooks. */
export class TestEngine extends DeflateLengthEngine {
  constructor() {
    bytes ??= new Uint8Array(readFileSync(TEST_ENGINE_WASM));
    super(bytes);
  }

  /** The raw exports (tests of the trees and of the recovery paths). */
  get raw(): TestEngineExports {
    return this.ex as TestEngineExports;
  }

  /** BOUND_OFF, BOUND_ON (the default) or BOUND_CHECK. */
  setBoundMode(mode: number): void {
    this.raw.set_bound_mode(mode);
  }

  /** Counters of the bound and the trees (FLUSH_*, BOUND_*), cumulative. */
  flushStat(i: number): number {
    return this.raw.flush_stat(i);
  }

  /** Block statistics, cumulative (STAT_*). */
  stat(i: number): number {
    return this.raw.stat(i);
  }

  /** Bytes zlib's window had slid at the end of the last from-scratch input. */
  lastBase(): number {
    return this.raw.last_base();
  }

  /** Bytes of linear memory in use (static data and regions). */
  memoryBytes(): number {
    return this.raw.memory_top();
  }
}
