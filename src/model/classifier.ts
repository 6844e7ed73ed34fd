/**
 * The library face of npc, in scikit-learn's KNeighborsClassifier vocabulary:
 * fit / predict / predictProba / kneighbors / score.
 *
 * Ties, documented openly: neighbours are ordered by (NCD, training index); among labels tied for the
 * most votes, `predict` returns the label of the nearest neighbour. `score` is strict accuracy; the
 * paper's lenient top-k rule is available as `lenientScore`.
 *
 * Input is checked as the CLI checks it: texts must be arrays of non-empty strings of valid Unicode,
 * labels non-empty strings, finite numbers or bigints. Wrong types are TypeErrors, wrong values
 * RangeErrors, each naming the argument and the position.
 */
import { checkUnicode, type Compressor, defaultCompressor, describeValue, utf8Bytes } from '../compress/index.js';
import type { Label } from './labels.js';
import { NearestNeighbors } from './neighbors.js';
import { decide } from './prediction.js';
import { TrainingIndex } from './training-index.js';
import { isTieRule, TIE_RULES, type TieRule } from './tie-rules.js';
import { lenientCorrect, voteCounts } from './vote.js';

export interface ClassifierOptions {
  /** Neighbours that vote. Default 2, as in the paper. More than the training rows is a RangeError at predict time. */
  k?: number;
  /**
   * How `predict` breaks a tie between labels with the most votes (`npc eval --tie`), default
   * 'nearest': the label of the nearest neighbour among them. 'decrement': drop the farthest of the k
   * and vote again. 'weighted': the tied label with the lowest total distance (then the nearest).
   * 'random': a uniform pick among them, drawn from `seed` and the text itself (model/random.ts
   * `textRandom`), so a text gets the same label wherever it is in `texts`, as from
   * `npc classify --tie random --seed S`.
   */
  tie?: TieRule;
  /** Seed (0 .. 2^32 − 1) of the random tie rule. Default 0. */
  seed?: number;
  /** `predict` abstains (returns null) when the nearest training row is farther than this NCD. Default: never. */
  abstainAbove?: number;
  /** `predict` abstains (returns null) when the predicted label has less than this share (0..1) of the k votes. Default: never. */
  minConfidence?: number;
  /** Source of C(s); default: the exact gzip-9 length. */
  compressor?: Compressor;
}

const OPTION_NAMES: readonly string[] = ['k', 'tie', 'seed', 'abstainAbove', 'minConfidence', 'compressor'];
/** scikit-learn's names for our options, to point people the right way. */
const SKLEARN_NAMES: Record<string, string> = { n_neighbors: 'k', nNeighbors: 'k' };

/** One prediction with what it rests on (`predictDetails`). */
export interface PredictionDetails {
  /** The predicted label; null when abstained. */
  label: Label | null;
  /** The share of the k nearest that voted for the strict vote's label: how the neighbours agree, not a probability of being right. */
  confidence: number;
  /** NCD to the nearest training row: how far the text is from anything npc has seen. */
  distance: number;
  /** True when abstainAbove or minConfidence said not to answer. */
  abstained: boolean;
}

export interface KNeighborsResult {
  /** indices[q] = training rows nearest to query q, nearest first. */
  indices: number[][];
  /** distances[q][j] = NCD of query q to training row indices[q][j]. */
  distances: number[][];
}

export class GzipKnnClassifier {
  readonly #k: number;
  readonly #tie: TieRule;
  readonly #seed: number;
  readonly #abstainAbove: number | undefined;
  readonly #minConfidence: number | undefined;
  readonly #compressor: Compressor;
  #index: TrainingIndex | undefined;

  /**
   * Uses an index already fitted (an artifact's rows and their C(y)) as the training set, for a subclass
   * that reads one (the library's `load`, src/app/model-library.ts) without compressing every row again.
   */
  protected useIndex(index: TrainingIndex): void {
    this.#index = index;
  }

  /**
   * @param options `k` (default 2) and `compressor` (default: the exact engine). Unknown keys are a
   *   TypeError (`n_neighbors` is `k` here), never silently ignored.
   */
  constructor(options: ClassifierOptions = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TypeError(`options must be an object, got ${describeValue(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (OPTION_NAMES.includes(key)) continue;
      const hint = SKLEARN_NAMES[key] ? ` (did you mean ${SKLEARN_NAMES[key]}?)` : '';
      throw new TypeError(`unknown option ${JSON.stringify(key)}${hint}; the options are ${OPTION_NAMES.join(', ')}`);
    }
    const k = options.k ?? 2;
    if (typeof k !== 'number') throw new TypeError(`k must be a number, got ${describeValue(k)}`);
    if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    this.#k = k;
    const tie = options.tie ?? 'nearest';
    if (typeof tie !== 'string' || !isTieRule(tie))
      throw new RangeError(`tie must be one of ${TIE_RULES.join(', ')}, got ${JSON.stringify(tie)}`);
    this.#tie = tie;
    const seed = options.seed ?? 0;
    if (typeof seed !== 'number') throw new TypeError(`seed must be a number, got ${describeValue(seed)}`);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
    this.#seed = seed;
    this.#abstainAbove = checkThreshold(options.abstainAbove, 'abstainAbove', Infinity);
    this.#minConfidence = checkThreshold(options.minConfidence, 'minConfidence', 1);
    const compressor = options.compressor ?? defaultCompressor();
    if (compressor === null || typeof compressor !== 'object' || typeof compressor.gzipLength !== 'function') {
      throw new TypeError('compressor must be a Compressor (an object with gzipLength(bytes))');
    }
    this.#compressor = compressor;
  }

  /** Neighbours that vote (fixed at construction; read-only). */
  get k(): number {
    return this.#k;
  }

  /** The tie rule of `predict` (fixed at construction; read-only). */
  get tie(): TieRule {
    return this.#tie;
  }

  /** The random tie rule's seed (fixed at construction; read-only). */
  get seed(): number {
    return this.#seed;
  }

  /** The nearest distance above which `predict` abstains, or undefined: never (fixed at construction; read-only). */
  get abstainAbove(): number | undefined {
    return this.#abstainAbove;
  }

  /** The vote share below which `predict` abstains, or undefined: never (fixed at construction; read-only). */
  get minConfidence(): number | undefined {
    return this.#minConfidence;
  }

  /** The source of C(s) (fixed at construction; read-only). */
  get compressor(): Compressor {
    return this.#compressor;
  }

  /**
   * Remembers the training set and computes C(y) of every text (one compression per text).
   * @param texts non-empty strings; @param labels one per text: non-empty strings, finite numbers or bigints.
   * @returns this.
   */
  fit(texts: readonly string[], labels: readonly Label[]): this {
    checkTexts(texts, 'texts');
    checkLabels(labels, texts.length);
    if (texts.length === 0) throw new RangeError('fit needs at least one training text');
    this.#index = TrainingIndex.fromTexts(texts, labels, this.#compressor);
    return this;
  }

  /** The distinct training labels, sorted (numbers first, then strings); predictProba's column order. */
  get classes(): readonly Label[] {
    return this.fitted().encoder.classes;
  }

  get trainingIndex(): TrainingIndex {
    return this.fitted();
  }

  /**
   * The nearest training rows of each text, ordered by (NCD, training index).
   * @param texts an array of non-empty strings (a lone string is a TypeError, not its characters).
   * @param nNeighbors default `k`; more than the training rows is a RangeError (as scikit-learn's
   *   n_neighbors ≤ n_samples_fit).
   * @returns indices and NCDs, one row per text. Cost: one compression per text and training row.
   */
  kneighbors(texts: readonly string[], nNeighbors: number = this.#k): KNeighborsResult {
    checkTexts(texts, 'texts');
    const found = this.nearest(texts, this.checkNeighbors(nNeighbors));
    return { indices: found.map((n) => n.rows), distances: found.map((n) => n.distances) };
  }

  /**
   * The strict prediction for each text: the label with the most votes among the k nearest, a tie
   * broken by the `tie` rule (default: the nearest neighbour's label among the tied ones).
   * @returns one label per text. Cost: one compression per text and training row.
   */
  predict(texts: readonly string[]): (Label | null)[] {
    return this.predictDetails(texts).map((p) => p.label);
  }

  /**
   * `predict`, with what each prediction rests on: the vote share of the label (`confidence`), the NCD
   * to the nearest training row (`distance`), and whether the abstention thresholds held it back.
   */
  predictDetails(texts: readonly string[]): PredictionDetails[] {
    checkTexts(texts, 'texts');
    const index = this.fitted();
    const rule = {
      k: this.voters(),
      tie: this.#tie,
      seed: this.#seed,
      abstainAbove: this.#abstainAbove,
      minConfidence: this.#minConfidence,
    };
    return this.nearest(texts, rule.k).map(({ query, rows, distances }) => {
      const { label, confidence, distance, abstained } = decide(this.labelIdsOf(rows), distances, query, rule);
      return { label: abstained ? null : index.encoder.labelOf(label), confidence, distance, abstained };
    });
  }

  /** Vote fractions among the k nearest, one row per text, columns in `classes` order. */
  predictProba(texts: readonly string[]): number[][] {
    checkTexts(texts, 'texts');
    const index = this.fitted();
    const k = this.voters();
    return this.neighborLabelIds(texts).map((ids) => {
      const row = new Array<number>(index.encoder.classes.length).fill(0);
      for (const [id, count] of voteCounts(ids, k)) row[id] = count / k;
      return row;
    });
  }

  /** Strict accuracy of `predict` against `labels` (0 for no texts). */
  score(texts: readonly string[], labels: readonly Label[]): number {
    checkTexts(texts, 'texts');
    checkLabels(labels, texts.length);
    const predictions = this.predict(texts);
    let correct = 0;
    for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
    return labels.length === 0 ? 0 : correct / labels.length;
  }

  /** The paper's lenient accuracy: correct when the true label is among the labels tied for most votes. */
  lenientScore(texts: readonly string[], labels: readonly Label[]): number {
    checkTexts(texts, 'texts');
    checkLabels(labels, texts.length);
    const index = this.fitted();
    const all = this.neighborLabelIds(texts);
    let correct = 0;
    for (let i = 0; i < labels.length; i++) if (lenientCorrect(all[i], this.#k, index.encoder.idOf(labels[i]))) correct++;
    return labels.length === 0 ? 0 : correct / labels.length;
  }

  private neighborLabelIds(texts: readonly string[]): number[][] {
    return this.nearest(texts, this.voters()).map((n) => this.labelIdsOf(n.rows));
  }

  /** k, once it is known to fit the training set: more voters than rows is a RangeError, as in scikit-learn. */
  private voters(): number {
    const size = this.fitted().size;
    if (this.#k > size)
      throw new RangeError(`k is ${this.#k}, more than the ${size} training ${size === 1 ? 'row' : 'rows'}: k can be at most ${size}`);
    return this.#k;
  }

  /**
   * The search every method runs: the m nearest training rows of each text (m at most the training
   * rows), with their NCDs, ordered by (NCD, training index), and the text's UTF-8 bytes.
   */
  private nearest(texts: readonly string[], m: number): { query: Uint8Array; rows: number[]; distances: number[] }[] {
    const index = this.fitted();
    const found = new NearestNeighbors(m);
    return texts.map((text) => {
      const query = utf8Bytes(text);
      index.search(query, found);
      return {
        query,
        rows: Array.from(found.indices.subarray(0, found.size)),
        distances: Array.from(found.distances.subarray(0, found.size)),
      };
    });
  }

  private labelIdsOf(rows: readonly number[]): number[] {
    const { labelIds } = this.fitted();
    return rows.map((row) => labelIds[row]);
  }

  private checkNeighbors(n: number): number {
    if (typeof n !== 'number') throw new TypeError(`nNeighbors must be a number, got ${describeValue(n)}`);
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`nNeighbors must be a positive integer, got ${n}`);
    const size = this.fitted().size;
    if (n > size)
      throw new RangeError(`nNeighbors is ${n}, more than the ${size} training ${size === 1 ? 'row' : 'rows'}: it can be at most ${size}`);
    return n;
  }

  private fitted(): TrainingIndex {
    if (!this.#index) throw new Error('GzipKnnClassifier is not fitted: call fit(texts, labels) first');
    return this.#index;
  }
}

function checkThreshold(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describeValue(value)}`);
  if (!(value >= 0 && value <= max))
    throw new RangeError(`${name} must be from 0 to ${max === Infinity ? 'any finite NCD' : max}, got ${value}`);
  return value;
}

/** An array of non-empty strings of valid Unicode (a string is not an array of its characters). */
function checkTexts(texts: unknown, what: string): void {
  if (!Array.isArray(texts)) {
    const hint = typeof texts === 'string' ? ' (wrap a single text in an array: [text])' : '';
    throw new TypeError(`${what} must be an array of strings, got ${describeValue(texts)}${hint}`);
  }
  texts.forEach((text, i) => {
    checkUnicode(text, `${what}[${i}]`);
    if (text === '') throw new RangeError(`${what}[${i}] is empty: there is nothing to compress`);
  });
}

/** One label per text: a non-empty string, a finite number or a bigint. */
function checkLabels(labels: unknown, count: number): void {
  if (!Array.isArray(labels)) throw new TypeError(`labels must be an array, got ${describeValue(labels)}`);
  if (labels.length !== count) throw new RangeError(`texts and labels differ in length (${count} vs ${labels.length})`);
  labels.forEach((label, i) => {
    if (typeof label === 'string') {
      if (label === '') throw new RangeError(`labels[${i}] is an empty string`);
    } else if (typeof label === 'number') {
      if (!Number.isFinite(label)) throw new RangeError(`labels[${i}] is ${label}: labels must be finite numbers, strings or bigints`);
    } else if (typeof label !== 'bigint') {
      throw new TypeError(`labels[${i}] must be a string, a number or a bigint, got ${describeValue(label)}`);
    }
  });
}
