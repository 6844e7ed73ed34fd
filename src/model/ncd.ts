import { checkUnicode, type Compressor, defaultCompressor, utf8Bytes } from '../compress/index.js';

/**
 * NCD from the three compressed lengths. Integer subtraction then one division, exactly as
 * Python's `(C12 - min(C1, C2)) / max(C1, C2)`, so the doubles match the reference bit for bit.
 */
export function ncdFromLengths(cx: number, cy: number, cxy: number): number {
  return (cxy - Math.min(cx, cy)) / Math.max(cx, cy);
}

/**
 * NCD(x, y) = (C(x + " " + y) − min(C(x), C(y))) / max(C(x), C(y)); x is the query, y the training text.
 * Strings of valid Unicode only (a lone surrogate is a RangeError, see checkUnicode). Three compressions.
 */
export function ncd(x: string, y: string, compressor: Compressor = defaultCompressor()): number {
  checkUnicode(x, 'x');
  checkUnicode(y, 'y');
  const cx = compressor.gzipLength(utf8Bytes(x));
  const cy = compressor.gzipLength(utf8Bytes(y));
  const cxy = compressor.gzipLength(utf8Bytes(`${x} ${y}`));
  return ncdFromLengths(cx, cy, cxy);
}
