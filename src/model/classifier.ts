/**
 * The library face of npc, in scikit-learn's KNeighborsClassifier vocabulary:
 * fit / predict / predictProba / kneighbors / score.
 *
 * Ties, documented openly: neighbours are ordered by (NCD, training index); among labels tied for the
 * most votes, `predict` returns the label of the nearest neighbour. `score` is strict accuracy; the
 * paper's lenient top-k rule is available as `lenientScore`.
 */
import { type Compressor, defaultCompressor, utf8Bytes } from '../compress/index.js';
import type { Label } from '../io/records.js';
import { NearestNeighbors } from './neighbors.js';
import { TrainingIndex } from './training-index.js';
import { lenientCorrect, strictVote, voteCounts } from './vote.js';

export interface ClassifierOptions {
  /** Neighbours that vote. Default 2, as in the paper. */
  k?: number;
  /** Source of C(s); default: the exact gzip-9 length. */
  compressor?: Compressor;
}

export interface KNeighborsResult {
  /** indices[q] = training rows nearest to query q, nearest first. */
  indices: number[][];
  /** distances[q][j] = NCD of query q to training row indices[q][j]. */
  distances: number[][];
}

export class GzipKnnClassifier {
  readonly k: number;
  readonly compressor: Compressor;
  private index: TrainingIndex | undefined;

  constructor(options: ClassifierOptions = {}) {
    const k = options.k ?? 2;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    this.k = k;
    this.compressor = options.compressor ?? defaultCompressor();
  }

  fit(texts: readonly string[], labels: readonly Label[]): this {
    this.index = TrainingIndex.fromTexts(texts, labels, this.compressor);
    return this;
  }

  /** The distinct training labels, sorted (numbers first, then strings); predictProba's column order. */
  get classes(): readonly Label[] {
    return this.fitted().encoder.classes;
  }

  get trainingIndex(): TrainingIndex {
    return this.fitted();
  }

  kneighbors(texts: readonly string[], nNeighbors: number = this.k): KNeighborsResult {
    const index = this.fitted();
    const m = this.checkNeighbors(nNeighbors);
    const nearest = new NearestNeighbors(m);
    const indices: number[][] = [];
    const distances: number[][] = [];
    for (const text of texts) {
      index.search(utf8Bytes(text), nearest);
      indices.push(Array.from(nearest.indices.subarray(0, nearest.size)));
      distances.push(Array.from(nearest.distances.subarray(0, nearest.size)));
    }
    return { indices, distances };
  }

  predict(texts: readonly string[]): Label[] {
    const index = this.fitted();
    return this.neighborLabelIds(texts).map((ids) => index.encoder.labelOf(strictVote(ids, this.k)));
  }

  /** Vote fractions among the k nearest, one row per text, columns in `classes` order. */
  predictProba(texts: readonly string[]): number[][] {
    const index = this.fitted();
    const k = Math.min(this.k, index.size);
    return this.neighborLabelIds(texts).map((ids) => {
      const row = new Array<number>(index.encoder.classes.length).fill(0);
      for (const [id, count] of voteCounts(ids, k)) row[id] = count / k;
      return row;
    });
  }

  /** Strict accuracy of `predict` against `labels`. */
  score(texts: readonly string[], labels: readonly Label[]): number {
    this.checkSameLength(texts, labels);
    const predictions = this.predict(texts);
    let correct = 0;
    for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
    return labels.length === 0 ? 0 : correct / labels.length;
  }

  /** The paper's lenient accuracy: correct when the true label is among the labels tied for most votes. */
  lenientScore(texts: readonly string[], labels: readonly Label[]): number {
    this.checkSameLength(texts, labels);
    const index = this.fitted();
    const all = this.neighborLabelIds(texts);
    let correct = 0;
    for (let i = 0; i < labels.length; i++) if (lenientCorrect(all[i], this.k, index.encoder.idOf(labels[i]))) correct++;
    return labels.length === 0 ? 0 : correct / labels.length;
  }

  private neighborLabelIds(texts: readonly string[]): number[][] {
    const index = this.fitted();
    const nearest = new NearestNeighbors(Math.min(this.k, index.size));
    return texts.map((text) => {
      index.search(utf8Bytes(text), nearest);
      return Array.from(nearest.indices.subarray(0, nearest.size), (row) => index.labelIds[row]);
    });
  }

  private checkNeighbors(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`nNeighbors must be a positive integer, got ${n}`);
    return Math.min(n, this.fitted().size);
  }

  private checkSameLength(texts: readonly string[], labels: readonly Label[]): void {
    if (texts.length !== labels.length) {
      throw new RangeError(`texts and labels differ in length (${texts.length} vs ${labels.length})`);
    }
  }

  private fitted(): TrainingIndex {
    if (!this.index) throw new Error('GzipKnnClassifier is not fitted: call fit(texts, labels) first');
    return this.index;
  }
}
