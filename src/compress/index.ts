/**
 * The compressed-length seam. Everything above this module asks for C(s) through a `Compressor`,
 * so the engine behind it (pako today, the exact length-only engine in src/deflate later) can be
 * swapped without touching the model, the app or the CLI.
 */
import pako from 'pako';

export interface Compressor {
  /** Recorded in saved results so numbers from different engines are never mixed silently. */
  readonly name: string;
  /** Byte length of gzip level 9 of `bytes[0..length)`, header and trailer included. */
  gzipLength(bytes: Uint8Array, length?: number): number;
}

const GZIP_LEVEL_9 = { level: 9 as const };

/**
 * pako 2.1.0 is a faithful port of zlib 1.2.x deflate: at level 9 its output is byte-for-byte what
 * CPython's gzip.compress produces, header (10 bytes, no name) and trailer (8 bytes) included.
 * The version is pinned exactly in package.json; test/compress.test.ts holds it to reference lengths.
 */
export const pakoCompressor: Compressor = {
  name: 'pako-2.1.0-gzip-9',
  gzipLength(bytes: Uint8Array, length = bytes.length): number {
    const input = length === bytes.length ? bytes : bytes.subarray(0, length);
    return pako.gzip(input, GZIP_LEVEL_9).length;
  },
};

const utf8 = new TextEncoder();

export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** C(s): gzip level 9 length of the UTF-8 bytes of `text` (= Python's len(gzip.compress(s.encode()))). */
export function compressedLength(text: string, compressor: Compressor = pakoCompressor): number {
  return compressor.gzipLength(utf8Bytes(text));
}

/** The compressor npc uses unless told otherwise. */
export function defaultCompressor(): Compressor {
  return pakoCompressor;
}
