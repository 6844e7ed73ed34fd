/**
 * Exact gzip level-9 compressed length without compressing: a length-only port of zlib 1.2.x
 * deflate (as in pako 2.1.0 and CPython's gzip.compress). See README.md in this folder.
 */
import { GZIP_HEADER_BYTES, GZIP_TRAILER_BYTES } from './constants.js';
import { DeflateState, deflate_length, ensure_window } from './deflate.js';

/** Inputs are limited so that epoch-encoded positions fit the int32 hash tables. */
const MAX_INPUT = 1 << 30;

/** Reusable engine: allocate once, call many times. Not thread-safe (one per worker). */
export class DeflateLengthEngine {
  private readonly s: DeflateState;

  constructor() {
    this.s = new DeflateState();
  }

  /** gzip level-9 byte length of bytes[0..length) (default whole array), header and trailer included. */
  gzipLength(bytes: Uint8Array, length: number = bytes.length): number {
    if (!(length >= 0 && length <= bytes.length) || length !== Math.floor(length)) {
      throw new RangeError(`gzipLength: length ${length} outside 0..${bytes.length}`);
    }
    if (length > MAX_INPUT) throw new RangeError(`gzipLength: inputs over ${MAX_INPUT} bytes are not supported`);
    const win = ensure_window(this.s, length);
    if (length === bytes.length) {
      win.set(bytes);
    } else {
      for (let i = 0; i < length; i++) win[i] = bytes[i];
    }
    return deflate_length(this.s, length) + GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES;
  }
}

let shared: DeflateLengthEngine | null = null;

/** Convenience: a module-level engine. */
export function gzipLength(bytes: Uint8Array, length?: number): number {
  if (shared === null) shared = new DeflateLengthEngine();
  return shared.gzipLength(bytes, length);
}
