import { type Compressor, utf8Bytes } from '../compress/index.js';
import type { Label } from '../io/records.js';
import { LabelEncoder } from './labels.js';
import { NearestNeighbors } from './neighbors.js';
import { ncdFromLengths } from './ncd.js';

/**
 * A fitted training set: the UTF-8 bytes of every text, its compressed length C(y) (computed once per
 * row, never per pair) and its label id. Search scans it in row order, which is what makes the
 * (NCD, index) order of NearestNeighbors come out stable.
 */
export class TrainingIndex {
  readonly size: number;
  readonly texts: Uint8Array[];
  readonly compressedLengths: Int32Array;
  readonly labelIds: Int32Array;
  readonly encoder: LabelEncoder;
  readonly compressor: Compressor;
  readonly maxTextBytes: number;

  constructor(texts: readonly string[], labels: readonly Label[], compressor: Compressor) {
    if (texts.length !== labels.length) {
      throw new RangeError(`texts and labels differ in length (${texts.length} vs ${labels.length})`);
    }
    if (texts.length === 0) throw new RangeError('the training set is empty');
    this.size = texts.length;
    this.compressor = compressor;
    this.encoder = new LabelEncoder(labels);
    this.texts = texts.map(utf8Bytes);
    this.compressedLengths = new Int32Array(this.size);
    this.labelIds = new Int32Array(this.size);
    let maxBytes = 0;
    for (let i = 0; i < this.size; i++) {
      this.compressedLengths[i] = compressor.gzipLength(this.texts[i]);
      this.labelIds[i] = this.encoder.idOf(labels[i]);
      if (this.texts[i].length > maxBytes) maxBytes = this.texts[i].length;
    }
    this.maxTextBytes = maxBytes;
  }

  /**
   * Fills `out` with the nearest training rows of one query (UTF-8 bytes), ordered by (NCD, index).
   * The pair x + " " + y is assembled in one buffer per query; only y's bytes are copied per pair.
   */
  search(query: Uint8Array, out: NearestNeighbors): NearestNeighbors {
    out.reset();
    const { compressor, texts, compressedLengths } = this;
    const cx = compressor.gzipLength(query);
    const pair = new Uint8Array(query.length + 1 + this.maxTextBytes);
    pair.set(query, 0);
    pair[query.length] = 0x20;
    const yStart = query.length + 1;
    for (let i = 0; i < this.size; i++) {
      const y = texts[i];
      pair.set(y, yStart);
      const cxy = compressor.gzipLength(pair, yStart + y.length);
      out.offer(ncdFromLengths(cx, compressedLengths[i], cxy), i);
    }
    return out;
  }
}
