/**
 * The JavaScript side of the WebAssembly engine (engine.wasm, built from ../../assembly/ by
 * AssemblyScript; see README.md): exact gzip level-9 lengths, one WebAssembly instance per
 * DeflateLengthEngine. Everything the engine computes lives in the instance's linear memory; this
 * class only copies inputs in and numbers out.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/* The few WebAssembly types used here (@types/node 20 does not declare the WebAssembly global). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

/**
 * The exports of engine.wasm (assembly/index.ts): exactly the calls this file makes (a test checks it).
 * Addresses are byte offsets in memory.
 */
export interface EngineExports {
  memory: WasmMemory;
  input_buffer(n: number): number;
  gzip_length(n: number): number;
  query_buffer(xlen: number): number;
  set_query(xlen: number): number;
  pair_y_buffer(ylen: number): number;
  pair_length(ylen: number): number;
  pair_length_limited(ylen: number, limit: number): number;
  rows_buffer(bytes: number, count: number): number;
  rows_offsets(): number;
  rows_prepare(): void;
  pair_row(i: number): number;
  pair_row_limited(i: number, limit: number): number;
}

/**
 * Inputs up to 768 MiB: the engine keeps 5 bytes of linear memory per byte of an input over 64 KB (the
 * window and its chains, by absolute position) and a WebAssembly memory holds at most 4 GiB. Beyond
 * what memory allows, a call throws a RangeError (the engine traps and recovers on the next call).
 */
export const MAX_INPUT = 0x30000000;
/** Texts y of at most this many bytes are prepared by prepareRows() (longer ones make pairs over 1,024 bytes). */
export const PREPARED_MAX = 1023;

/** A length limit as the engine takes it (an i32; 0: none). */
function engineLimit(limit: number): number {
  return limit >= 1 && limit <= 0x7fffffff ? Math.floor(limit) : 0;
}

let loaded: { module: object; identity: string } | undefined;

/**
 * engine.wasm, read and compiled once per thread (it is next to this file in src/ and in dist/), and
 * the sha256 of the very bytes compiled.
 */
function loadEngine(): { module: object; identity: string } {
  if (loaded === undefined) {
    const bytes = readFileSync(new URL('./engine.wasm', import.meta.url));
    loaded = { module: new WebAssembly.Module(bytes), identity: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
  }
  return loaded;
}

/** The compiled module, once per thread. */
function engineModule(): object {
  return loadEngine().module;
}

/**
 * The identity of the engine that computes lengths: `sha256:` and the hex sha256 of the engine.wasm
 * this module loads (as shipped). Anything derived from its lengths and kept across runs records it,
 * so that a changed engine never reuses what another engine computed.
 */
export function engineIdentity(): string {
  return loadEngine().identity;
}

/** What a trap inside the engine becomes: the only one it raises on purpose is "out of memory". */
function engineError(err: unknown, what: string): Error {
  if (err instanceof Error && err.name === 'RuntimeError') {
    return new RangeError(`${what}: the engine ran out of memory (${err.message})`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** One set of training rows loaded into an engine (identity of the caller's arrays). */
interface RowsKey {
  data: Uint8Array;
  offsets: Int32Array;
  from: number;
  to: number;
}

/**
 * One WebAssembly instance: gzip lengths of single inputs, of pairs x ++ " " ++ y for one query x,
 * and of pairs with training rows held in the instance's memory. Not thread-safe (one per thread).
 */
export class DeflateLengthEngine {
  /** The instance's exports (a subclass may run another build of the engine with more of them). */
  protected readonly ex: EngineExports;
  private u8: Uint8Array;
  /** Length of the current query x, or -1. */
  private queryLength = -1;
  /** Whose query the engine holds: the `owner` given to the last setQuery that succeeded, null otherwise. */
  private queryOwner: object | null = null;
  private rows: RowsKey | null = null;
  private rowsPrepared = false;

  /** `wasm`: another build of engine.wasm (to compare builds in one process); default: the one next to this file. */
  constructor(wasm?: Uint8Array) {
    const instance = new WebAssembly.Instance(wasm === undefined ? engineModule() : new WebAssembly.Module(wasm), {});
    this.ex = instance.exports as EngineExports;
    this.u8 = new Uint8Array(this.ex.memory.buffer);
  }

  /** The memory as bytes; re-made after a call that may have grown it (a grow detaches the old buffer). */
  private bytes(): Uint8Array {
    if (this.u8.byteLength === 0) this.u8 = new Uint8Array(this.ex.memory.buffer);
    return this.u8;
  }

  /** gzip level-9 byte length of bytes[0..length) (default whole array), header and trailer included. */
  gzipLength(bytes: Uint8Array, length: number = bytes.length): number {
    if (!(length >= 0 && length <= bytes.length) || length !== Math.floor(length)) {
      throw new RangeError(`gzipLength: length ${length} outside 0..${bytes.length}`);
    }
    if (length > MAX_INPUT) throw new RangeError(`gzipLength: inputs over ${MAX_INPUT} bytes are not supported`);
    let at: number;
    try {
      at = this.ex.input_buffer(length);
    } catch (err) {
      throw engineError(err, 'gzipLength');
    }
    this.bytes().set(length === bytes.length ? bytes : bytes.subarray(0, length), at);
    return this.ex.gzip_length(length);
  }

  /**
   * Fix the query x for the pairs that follow; returns C(x). `owner` (e.g. a pair scanner sharing this
   * engine with others) can ask later whether the engine still holds its query (`holdsQueryOf`).
   */
  setQuery(x: Uint8Array, owner: object | null = null): number {
    if (x.length > MAX_INPUT - 1) throw new RangeError(`setQuery: queries over ${MAX_INPUT - 1} bytes are not supported`);
    this.queryLength = -1;
    this.queryOwner = null;
    let at: number;
    try {
      at = this.ex.query_buffer(x.length);
    } catch (err) {
      throw engineError(err, 'setQuery');
    }
    this.bytes().set(x, at);
    let cx: number;
    try {
      cx = this.ex.set_query(x.length);
    } catch (err) {
      throw engineError(err, 'setQuery');
    }
    this.queryLength = x.length;
    this.queryOwner = owner;
    return cx;
  }

  /** True when the current query was set by `owner` (no setQuery since, by anyone else): it need not be set again. */
  holdsQueryOf(owner: object): boolean {
    return this.queryOwner === owner && this.queryLength >= 0;
  }

  /** True after setQuery. */
  get hasQuery(): boolean {
    return this.queryLength >= 0;
  }

  /** C(x ++ " " ++ y), y = bytes[start..end) (default: all of bytes). */
  pairLength(bytes: Uint8Array, start = 0, end: number = bytes.length): number {
    return this.ex.pair_length(this.copyY(bytes, start, end));
  }

  /**
   * pairLength(bytes, start, end) if it is below `limit`; otherwise possibly a lower bound on it that
   * is >= limit (the engine skips the Huffman trees of a pair it proves that long). A result below
   * limit is exact; a result >= limit proves the exact length >= limit.
   */
  pairLengthBounded(bytes: Uint8Array, start: number, end: number, limit: number): number {
    return this.ex.pair_length_limited(this.copyY(bytes, start, end), engineLimit(limit));
  }

  /** Checks a pair's y = bytes[start..end) and copies it into the engine's y buffer; returns its length. */
  private copyY(bytes: Uint8Array, start: number, end: number): number {
    if (this.queryLength < 0) throw new Error('DeflateLengthEngine: setQuery() first');
    if (!(start >= 0 && end <= bytes.length && start <= end) || start !== Math.floor(start) || end !== Math.floor(end)) {
      throw new RangeError(`pairLength: range ${start}..${end} outside 0..${bytes.length}`);
    }
    const ylen = end - start;
    if (ylen > MAX_INPUT - 1 - this.queryLength) throw new RangeError(`pairLength: pairs over ${MAX_INPUT} bytes are not supported`);
    let at: number;
    try {
      at = this.ex.pair_y_buffer(ylen);
    } catch (err) {
      throw engineError(err, 'pairLength');
    }
    this.bytes().set(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), at);
    return ylen;
  }

  /**
   * Copy rows [from, to) of a training set (row i = data[offsets[i] .. offsets[i+1])) into the
   * engine's memory, once: nothing is copied again while the same arrays and range are given.
   */
  loadRows(data: Uint8Array, offsets: Int32Array, from: number, to: number): void {
    const r = this.rows;
    if (r !== null && r.data === data && r.offsets === offsets && r.from === from && r.to === to) return;
    if (!(from >= 0 && from <= to && to < offsets.length)) throw new RangeError(`loadRows: rows ${from}..${to} outside the offsets`);
    this.rows = null;
    this.rowsPrepared = false;
    const start = offsets[from];
    const bytes = offsets[to] - start;
    const count = to - from;
    if (!(start >= 0 && bytes >= 0 && offsets[to] <= data.length)) throw new RangeError('loadRows: offsets outside the data');
    let at: number;
    try {
      at = this.ex.rows_buffer(bytes, count);
    } catch (err) {
      throw engineError(err, 'loadRows');
    }
    const mem = this.bytes();
    mem.set(data.subarray(start, start + bytes), at);
    const off = new Int32Array(mem.buffer, this.ex.rows_offsets(), count + 1);
    for (let i = 0; i <= count; i++) {
      const o = offsets[from + i] - start;
      if (!(o >= 0 && o <= bytes && (i === 0 || o >= off[i - 1]))) throw new RangeError('loadRows: offsets not increasing');
      off[i] = o;
    }
    this.rows = { data, offsets, from, to };
  }

  /** The rows last loaded (compare with ===), or null. */
  get loadedRows(): Readonly<RowsKey> | null {
    return this.rows;
  }

  /** Precompute what depends on each loaded row alone (about one pair's time per row; 12 bytes of memory per byte of text). */
  prepareRows(): void {
    if (this.rows === null) throw new Error('prepareRows: loadRows() first');
    if (this.rowsPrepared) return;
    try {
      this.ex.rows_prepare();
    } catch (err) {
      throw engineError(err, 'prepareRows');
    }
    this.rowsPrepared = true;
  }

  /** True once prepareRows() has run on the loaded rows. */
  get prepared(): boolean {
    return this.rowsPrepared;
  }

  /** C(x ++ " " ++ row), row an index of the loaded range [from, to). */
  pairLengthOfRow(row: number): number {
    return this.rowPair(row, 0, 'pairLengthOfRow');
  }

  /**
   * C(x ++ " " ++ row) if it is below `limit`; otherwise possibly a lower bound on it that is >= limit
   * (the engine then skips the Huffman trees of a pair it proves long enough). So a result below limit
   * is always exact, and a result >= limit means C(x ++ " " ++ row) >= limit.
   */
  pairLengthOfRowBounded(row: number, limit: number): number {
    return this.rowPair(row, engineLimit(limit), 'pairLengthOfRowBounded');
  }

  /** The pair of the query and loaded row `row`, with an engine limit (0: none, the exact length). */
  private rowPair(row: number, limit: number, method: string): number {
    const r = this.rows;
    if (r === null || !(row >= r.from && row < r.to)) throw new RangeError(`row ${row} is not loaded`);
    if (this.queryLength < 0) throw new Error('DeflateLengthEngine: setQuery() first');
    try {
      return limit === 0 ? this.ex.pair_row(row - r.from) : this.ex.pair_row_limited(row - r.from, limit);
    } catch (err) {
      throw engineError(err, method);
    }
  }
}

let shared: DeflateLengthEngine | null = null;

/** Convenience: gzipLength on a module-level engine. */
export function gzipLength(bytes: Uint8Array, length?: number): number {
  shared ??= new DeflateLengthEngine();
  return shared.gzipLength(bytes, length);
}
