import { type Compressor, createPairScanner, type PairScanner, utf8Bytes } from '../compress/index.js';
import type { Label } from './labels.js';
import { encodeLabels, LabelEncoder } from './labels.js';
import { NearestNeighbors } from './neighbors.js';
import { ncdFromLengths } from './ncd.js';

/**
 * The flat arrays a search needs: every training text's UTF-8 bytes back to back (row i is
 * data[offsets[i] .. offsets[i+1])), C(y) of every row (computed once per row, never per pair), and
 * label ids. Plain typed arrays, so they can live in SharedArrayBuffers and be read by worker threads.
 */
export interface TrainingArrays {
  data: Uint8Array;
  offsets: Int32Array;
  compressedLengths: Int32Array;
  labelIds: Int32Array;
}

/**
 * What the other threads searching the same query over other rows already know (the row split of a
 * search pool): `bound()` is an NCD that the merged list proves out of reach, so that a row of this
 * range whose NCD is >= it cannot be among the merged list's nearest (Infinity while nothing is
 * known); `publish(worst)` tells them this range's list is full and its worst NCD is `worst`.
 */
export interface SharedLimit {
  bound(): number;
  publish(worst: number): void;
}

export interface RangeOptions {
  /**
   * Rows to prepare (scanner.prepare), a range holding [from, to); default [from, to). A thread that
   * searches different ranges of one training set prepares their union once instead of each range.
   */
  prepareFrom?: number;
  prepareTo?: number;
  /** The other threads' lists of the same query (see SharedLimit). */
  shared?: SharedLimit;
}

/**
 * Fills `out` with the nearest rows in [from, to) of a training set for one query, ordered by
 * (NCD, index). Rows are scanned in index order, which is what makes the tie order stable. With
 * `options.shared`, rows the shared bound puts out of reach are left out of `out` (they are in no
 * merged list), so `out` then holds the nearest rows of [from, to) among those that can still matter.
 */
export function searchRange(
  arrays: TrainingArrays,
  scanner: PairScanner,
  query: Uint8Array,
  from: number,
  to: number,
  out: NearestNeighbors,
  options: RangeOptions = {},
): NearestNeighbors {
  out.reset();
  const { data, offsets, compressedLengths } = arrays;
  const { shared } = options;
  const cx = scanner.setQuery(query);
  const prepared = scanner.prepare?.(data, offsets, options.prepareFrom ?? from, options.prepareTo ?? to) === true;
  /* Once the list is full (or the shared bound is known), a pair matters only if its NCD is below
   * the current worst (or the bound): the scanner is told the smallest C(xy) that cannot (lengthLimit)
   * and may answer any lower bound >= it instead of the exact length. Such a pair's NCD is >= the
   * limit's NCD, so offer() (or the shared bound's test) rejects it, as it would the exact one (NCD is
   * nondecreasing in C(xy), and an equal NCD loses to the earlier row): the list is the same. */
  const capacity = out.capacity;
  const bounded = prepared ? scanner.pairLengthOfRowBounded !== undefined : scanner.pairLengthBounded !== undefined;
  let published = Infinity;
  for (let i = from; i < to; i++) {
    const cy = compressedLengths[i];
    const outside = shared ? shared.bound() : Infinity;
    const worst = out.size === capacity ? Math.min(out.distances[capacity - 1], outside) : outside;
    let cxy: number;
    if (bounded && worst !== Infinity) {
      const limit = lengthLimit(cx, cy, worst);
      cxy = prepared ? scanner.pairLengthOfRowBounded!(i, limit) : scanner.pairLengthBounded!(data, offsets[i], offsets[i + 1], limit);
    } else {
      cxy = prepared ? scanner.pairLengthOfRow!(i) : scanner.pairLength(data, offsets[i], offsets[i + 1]);
    }
    const distance = ncdFromLengths(cx, cy, cxy);
    if (!(distance < outside)) continue;
    out.offer(distance, i);
    if (shared && out.size === capacity && out.distances[capacity - 1] < published) {
      published = out.distances[capacity - 1];
      shared.publish(published);
    }
  }
  return out;
}

/**
 * The smallest integer c with ncdFromLengths(cx, cy, c) >= worst, computed with the same floating
 * point expression (which is nondecreasing in c): a pair with C(xy) >= c cannot displace `worst`.
 */
export function lengthLimit(cx: number, cy: number, worst: number): number {
  const lo = Math.min(cx, cy);
  const hi = Math.max(cx, cy);
  let c = Math.ceil(worst * hi + lo);
  /* (0: no limit, the exact length; NaN and tiny limits land here too) */
  if (!(c >= 1)) return 0;
  if (!(c < 0x7fffffff)) return 0x7fffffff;
  while (c > 1 && ncdFromLengths(cx, cy, c - 1) >= worst) c--;
  while (ncdFromLengths(cx, cy, c) < worst) c++;
  return c;
}

/** A fitted training set: the arrays above plus the label encoder, searched on this thread. */
export class TrainingIndex implements TrainingArrays {
  readonly size: number;
  readonly data: Uint8Array;
  readonly offsets: Int32Array;
  readonly compressedLengths: Int32Array;
  readonly labelIds: Int32Array;
  readonly encoder: LabelEncoder;
  readonly compressor: Compressor;
  private readonly scanner: PairScanner;

  /** False until C(y) of every row is known (a search pool computes them in its workers). */
  lengthsReady: boolean;

  /** From arrays already built (a prepared-index file, or `fromTexts`); labelIds index `encoder.classes`. */
  constructor(arrays: TrainingArrays, encoder: LabelEncoder, compressor: Compressor, lengthsReady: boolean) {
    this.size = arrays.labelIds.length;
    if (this.size === 0) throw new RangeError('the training set is empty');
    this.data = arrays.data;
    this.offsets = arrays.offsets;
    this.compressedLengths = arrays.compressedLengths;
    this.labelIds = arrays.labelIds;
    this.encoder = encoder;
    this.compressor = compressor;
    this.scanner = createPairScanner(compressor);
    this.lengthsReady = lengthsReady;
  }

  /**
   * Fits texts and labels. With `deferLengths`, C(y) is left for the caller to fill (in parallel);
   * `lengthsReady` says when it is done. Otherwise every C(y) is computed here, on this thread.
   */
  static fromTexts(
    texts: readonly string[],
    labels: readonly Label[],
    compressor: Compressor,
    options: { deferLengths?: boolean } = {},
  ): TrainingIndex {
    if (texts.length !== labels.length) {
      throw new RangeError(`texts and labels differ in length (${texts.length} vs ${labels.length})`);
    }
    if (texts.length === 0) throw new RangeError('the training set is empty');
    const size = texts.length;
    const { encoder, labelIds: ids } = encodeLabels(labels);
    const encoded = texts.map(utf8Bytes);
    const offsets = new Int32Array(new SharedArrayBuffer(4 * (size + 1)));
    let total = 0;
    for (let i = 0; i < size; i++) {
      total += encoded[i].length;
      if (total > 0x7fffffff) throw new RangeError('the training texts exceed 2 GiB');
      offsets[i + 1] = total;
    }
    const data = new Uint8Array(new SharedArrayBuffer(Math.max(total, 1)), 0, total);
    const compressedLengths = new Int32Array(new SharedArrayBuffer(4 * size));
    const labelIds = new Int32Array(new SharedArrayBuffer(4 * size));
    labelIds.set(ids);
    for (let i = 0; i < size; i++) {
      data.set(encoded[i], offsets[i]);
      if (!options.deferLengths) compressedLengths[i] = compressor.gzipLength(encoded[i]);
    }
    return new TrainingIndex({ data, offsets, compressedLengths, labelIds }, encoder, compressor, !options.deferLengths);
  }

  /** The arrays alone, for posting to workers (the SharedArrayBuffers are shared, not copied). */
  arrays(): TrainingArrays {
    return { data: this.data, offsets: this.offsets, compressedLengths: this.compressedLengths, labelIds: this.labelIds };
  }

  /** Fills `out` with the nearest training rows of one query (UTF-8 bytes), ordered by (NCD, index). */
  search(query: Uint8Array, out: NearestNeighbors): NearestNeighbors {
    if (!this.lengthsReady) throw new Error('TrainingIndex: compressed lengths have not been computed yet');
    return searchRange(this, this.scanner, query, 0, this.size, out);
  }
}
