/**
 * The compressed-length seam. Everything above this module asks for C(s) through a `Compressor`, so
 * the engine behind it (the exact length-only engine of src/deflate by default, pako as the reference)
 * can be swapped without touching the model, the app or the CLI.
 */
import { createRequire } from 'node:module';
import { DeflateLengthEngine } from '../deflate/index.js';

/** The identity of the exact engine (the sha256 of its engine.wasm): see src/deflate. */
export { engineIdentity } from '../deflate/index.js';

export interface Compressor {
  /** Recorded in saved results so numbers from different engines are never mixed silently. */
  readonly name: string;
  /** Byte length of gzip level 9 of `bytes[0..length)`, header and trailer included. */
  gzipLength(bytes: Uint8Array, length?: number): number;
  /** A scanner for many pairs sharing one query; compressors that can reuse work across pairs provide one. */
  createPairScanner?(): PairScanner;
}

/**
 * Computes C(x + " " + y) for one query x against many y. Implementations may keep state between calls
 * (that is the point), so one scanner serves one thread.
 */
export interface PairScanner {
  /** Sets the query x (UTF-8 bytes) for the following pairLength calls and returns C(x). */
  setQuery(x: Uint8Array): number;
  /** C(x + " " + y) where y = data[start..end). */
  pairLength(data: Uint8Array, start: number, end: number): number;
  /**
   * pairLength(data, start, end) when it is below `limit`; otherwise it may return, instead, any lower
   * bound on it that is >= limit (a scanner can then skip work for pairs it proves too long). So a
   * result below limit is exact, and a result >= limit proves pairLength(data, start, end) >= limit.
   */
  pairLengthBounded?(data: Uint8Array, start: number, end: number, limit: number): number;
  /**
   * A hint that rows [from, to) of `data` (row i = data[offsets[i] .. offsets[i+1])) will be paired
   * with the following queries; a scanner may precompute what depends on the rows alone. Returns
   * true when it has: pairLengthOfRow(i) may then be used for those rows.
   */
  prepare?(data: Uint8Array, offsets: Int32Array, from: number, to: number): boolean;
  /** pairLength of row i of the rows prepare() last accepted. */
  pairLengthOfRow?(row: number): number;
  /**
   * pairLengthOfRow(row) when it is below `limit`; otherwise it may return, instead, any lower bound
   * on it that is >= limit (a scanner can then skip work for pairs it proves too long). So a result
   * below limit is exact, and a result >= limit proves pairLengthOfRow(row) >= limit.
   */
  pairLengthOfRowBounded?(row: number, limit: number): number;
}

/** The plain scanner for any compressor: assembles x + " " + y in one buffer, copying only y per pair. */
export class CopyingPairScanner implements PairScanner {
  private readonly compressor: Compressor;
  private pair = new Uint8Array(1024);
  private yStart = 1;

  constructor(compressor: Compressor) {
    this.compressor = compressor;
  }

  setQuery(x: Uint8Array): number {
    this.yStart = x.length + 1;
    if (this.pair.length < this.yStart + 1024) this.pair = new Uint8Array(2 * (this.yStart + 1024));
    this.pair.set(x, 0);
    this.pair[x.length] = 0x20;
    return this.compressor.gzipLength(x);
  }

  pairLength(data: Uint8Array, start: number, end: number): number {
    const total = this.yStart + (end - start);
    if (total > this.pair.length) {
      const grown = new Uint8Array(2 * total);
      grown.set(this.pair.subarray(0, this.yStart));
      this.pair = grown;
    }
    this.pair.set(data.subarray(start, end), this.yStart);
    return this.compressor.gzipLength(this.pair, total);
  }
}

export function createPairScanner(compressor: Compressor): PairScanner {
  return compressor.createPairScanner ? compressor.createPairScanner() : new CopyingPairScanner(compressor);
}

const GZIP_LEVEL_9 = { level: 9 as const };

/* pako is the reference, not the default: loaded on first use (it costs ~7 ms of every start-up and of
 * every worker thread's). Synchronous, because gzipLength is. */
let pakoModule: typeof import('pako') | undefined;
function pako(): typeof import('pako') {
  pakoModule ??= createRequire(import.meta.url)('pako') as typeof import('pako');
  return pakoModule;
}

/**
 * pako 2.1.0 is a faithful port of zlib 1.2.x deflate: at level 9 its output is byte-for-byte what
 * CPython's gzip.compress produces, header (10 bytes, no name) and trailer (8 bytes) included.
 * The version is pinned exactly in package.json; test/unit/compress.test.ts holds it to reference lengths.
 */
export const pakoCompressor: Compressor = {
  name: 'pako-2.1.0-gzip-9',
  gzipLength(bytes: Uint8Array, length = bytes.length): number {
    const input = length === bytes.length ? bytes : bytes.subarray(0, length);
    return pako().gzip(input, GZIP_LEVEL_9).length;
  },
};

const utf8 = new TextEncoder();

/** UTF-8 bytes of a well-formed string (check library input with `checkUnicode` first: lone surrogates become U+FFFD here). */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Throws unless `text` is a string of valid Unicode. A lone surrogate (`'\ud800'`) has no UTF-8 bytes:
 * Python's `s.encode()` raises UnicodeEncodeError, and TextEncoder would silently write U+FFFD
 * instead, so C() of it is undefined and npc refuses it (RangeError) rather than measure other bytes.
 */
export function checkUnicode(text: unknown, what: string): string {
  if (typeof text !== 'string') throw new TypeError(`${what} must be a string, got ${describeValue(text)}`);
  const bad = LONE_SURROGATE.exec(text);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase();
    throw new RangeError(
      `${what} holds a lone surrogate (U+${code} at index ${bad.index}): not valid Unicode, it has no UTF-8 bytes (Python's encode() raises UnicodeEncodeError)`,
    );
  }
  return text;
}

/** `null`, `an array`, `a number (NaN)`: for TypeError messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return `a number (${value})`;
  return `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`;
}

/**
 * C(s): gzip level 9 length of the UTF-8 bytes of `text` (= Python's len(gzip.compress(s.encode()))).
 * @param text any string of valid Unicode ('' included: C('') = 20); a lone surrogate is a RangeError, as in Python.
 * @param compressor default: the exact engine.
 * @returns the length in bytes, header and trailer included.
 */
export function compressedLength(text: string, compressor: Compressor = defaultCompressor()): number {
  return compressor.gzipLength(utf8Bytes(checkUnicode(text, 'text')));
}

/** The engine's name, recorded in saved neighbours files. */
const ENGINE_NAME = 'npc-deflate-1.2.x-gzip-9';

/**
 * The exact length-only engine (src/deflate, WebAssembly): the same numbers as pako and CPython,
 * without writing a single output bit. Each compressor value owns one WebAssembly instance, shared
 * by the scanners it creates; use one per thread.
 */
export function createEngineCompressor(): Compressor {
  const engine = new DeflateLengthEngine();
  return {
    name: ENGINE_NAME,
    gzipLength: (bytes, length = bytes.length) => engine.gzipLength(bytes, length),
    createPairScanner: () => new EnginePairScanner(engine),
  };
}

/**
 * The engine's pair path: the work that depends on the query alone (its hash chains and the part of
 * its parse nothing after it can change) is done once in setQuery and reused for every training text.
 * From the PREPARE_AFTER_QUERIES-th query on, the training rows are copied into the engine's memory
 * once and what depends on each row alone is precomputed there (prepare), so a pair costs one call into
 * WebAssembly and no copy from JavaScript. Before that (a one-off classify), each pair copies its y in.
 *
 * Scanners of one compressor share its engine: each remembers its query and rows and puts them back
 * if another scanner has replaced them since (a few identity comparisons per pair).
 */
class EnginePairScanner implements PairScanner {
  private readonly engine: DeflateLengthEngine;
  private queries = 0;
  private query: Uint8Array | null = null;
  /* The rows last prepared (prepare()). */
  private data: Uint8Array | null = null;
  private offsets: Int32Array | null = null;
  private from = 0;
  private to = 0;

  constructor(engine: DeflateLengthEngine) {
    this.engine = engine;
  }

  setQuery(x: Uint8Array): number {
    this.query = x;
    this.queries++;
    return this.engine.setQuery(x, this);
  }

  private ownQuery(): void {
    if (this.query === null) throw new Error('PairScanner: setQuery() first');
    this.engine.setQuery(this.query, this);
  }

  pairLength(data: Uint8Array, start: number, end: number): number {
    if (!this.engine.holdsQueryOf(this)) this.ownQuery();
    return this.engine.pairLength(data, start, end);
  }

  pairLengthBounded(data: Uint8Array, start: number, end: number, limit: number): number {
    if (!this.engine.holdsQueryOf(this)) this.ownQuery();
    return this.engine.pairLengthBounded(data, start, end, limit);
  }

  pairLengthOfRow(row: number): number {
    this.ownQueryAndRows();
    return this.engine.pairLengthOfRow(row);
  }

  pairLengthOfRowBounded(row: number, limit: number): number {
    this.ownQueryAndRows();
    return this.engine.pairLengthOfRowBounded(row, limit);
  }

  /** Makes this scanner's query and prepared rows the engine's, if another scanner of it changed them. */
  private ownQueryAndRows(): void {
    if (!this.engine.holdsQueryOf(this)) this.ownQuery();
    const r = this.engine.loadedRows;
    if (r === null || r.data !== this.data || r.offsets !== this.offsets || r.from !== this.from || r.to !== this.to) this.ownRows();
  }

  private ownRows(): void {
    if (this.data === null || this.offsets === null) throw new RangeError('PairScanner: prepare() first');
    this.engine.loadRows(this.data, this.offsets, this.from, this.to);
    this.engine.prepareRows();
  }

  /**
   * From the PREPARE_AFTER_QUERIES-th query on: loads rows [from, to) into the engine (a memory copy,
   * once per training set) and prepares them (about a pair's time per row: a one-off classify doesn't
   * pay it, an evaluation pays it once for thousands of queries), and returns true.
   */
  prepare(data: Uint8Array, offsets: Int32Array, from: number, to: number): boolean {
    if (this.queries < PREPARE_AFTER_QUERIES) return false;
    this.data = data;
    this.offsets = offsets;
    this.from = from;
    this.to = to;
    this.ownRows();
    return true;
  }
}

/** Queries a scanner sees before it prepares the training rows (see EnginePairScanner.prepare). */
export const PREPARE_AFTER_QUERIES = 3;

let engineCompressor: Compressor | undefined;

/** The compressor npc uses unless told otherwise: the exact engine. */
export function defaultCompressor(): Compressor {
  engineCompressor ??= createEngineCompressor();
  return engineCompressor;
}

/**
 * A fresh compressor of the kind `name` names (`Compressor.name`), for a thread that must compute what
 * another thread's compressor computes (a search worker, from the index's compressor). Only the two
 * built-in compressors have names npc can rebuild from; anything else is a RangeError.
 */
export function compressorNamed(name: string): Compressor {
  if (name === ENGINE_NAME) return createEngineCompressor();
  if (name === pakoCompressor.name) return pakoCompressor;
  throw new RangeError(`no built-in compressor is named ${JSON.stringify(name)} (known: ${ENGINE_NAME}, ${pakoCompressor.name})`);
}
