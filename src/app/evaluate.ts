/**
 * Evaluation in one pass: the M nearest neighbours of every evaluated test row are computed once
 * (`computeNeighbors`), and every question is answered from them (`RowScorer`): accuracy for each k
 * and tie rule with Wilson intervals, the paper's lenient score, tie-order envelopes, per-class
 * precision/recall/F1 and the confusion matrix. `npc score` feeds saved neighbours through the same
 * RowScorer, so it reproduces `npc eval`'s numbers exactly. Printing and files belong to the CLI.
 */
import { utf8Bytes } from '../compress/index.js';
import type { Label, LabeledRecord } from '../io/records.js';
import type { LabelEncoder } from '../model/labels.js';
import { lenientCorrect } from '../model/vote.js';
import { predictWithRule, TIE_RULES, type TieRule } from '../model/tie-rules.js';
import type { Searcher } from '../parallel/searcher.js';
import { EvalAccumulator, type EvalResult, TestLabelIds } from './metrics.js';
import { mulberry32 } from './sampling.js';

/**
 * Pairs per search batch: enough to keep every worker busy for many milliseconds per message, few
 * enough that an interrupt or a progress update never waits long (a fraction of a second on one core;
 * a batch always holds at least one query, so a large training set means one query per batch).
 */
export const BATCH_PAIRS = 10_000;

/** Extra neighbours kept beyond the largest k so tie groups at the k-th distance are seen whole (envelopes). */
export const ENVELOPE_MARGIN = 10;

export interface ComputeOptions {
  /** Called for each test row, in order, with its nearest rows (views valid during the call). */
  onRow: (testRow: number, indices: Int32Array, distances: Float64Array) => void | Promise<void>;
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches; when it returns true the computation stops and reports what it has. */
  shouldStop?: () => boolean;
}

export interface Timing {
  /** Test rows whose neighbours were computed. */
  done: number;
  elapsed_s: number;
  pairs: number;
  pairs_per_second: number;
  /** False when stopped early. */
  complete: boolean;
}

/** Computes the m nearest training rows of `test[rows[i]]` for every i, in that order. */
export async function computeNeighbors(
  searcher: Searcher,
  test: readonly LabeledRecord[],
  rows: readonly number[],
  m: number,
  options: ComputeOptions,
): Promise<Timing> {
  const size = searcher.index.size;
  const batchSize = Math.max(1, Math.min(1024, Math.floor(BATCH_PAIRS / size)));
  let done = 0;
  const started = process.hrtime.bigint();
  for (let start = 0; start < rows.length; start += batchSize) {
    if (options.shouldStop?.()) break;
    const batch = rows.slice(start, start + batchSize);
    const lists = await searcher.search(batch.map((row) => utf8Bytes(test[row].text)), m);
    for (let q = 0; q < batch.length; q++) {
      const from = q * lists.m;
      const to = from + lists.sizes[q];
      await options.onRow(batch[q], lists.indices.subarray(from, to), lists.distances.subarray(from, to));
      done++;
    }
    options.onProgress?.(done, rows.length);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const pairs = done * size;
  return { done, elapsed_s: elapsed, pairs, pairs_per_second: elapsed > 0 ? pairs / elapsed : 0, complete: done === rows.length };
}

export interface ScoringOptions {
  /** The ks to report, headline first. */
  ks: readonly number[];
  /** Tie rule of the headline and of predictions. */
  tie: TieRule;
  /** Seed of the concrete picks of the `random` rule in predictions. */
  seed: number;
  trainSize: number;
}

export interface RowResult {
  /** 0-based row of the test split. */
  index: number;
  label: Label;
  /** Headline k and tie rule. */
  prediction: Label;
  correct: boolean;
  /** The paper's rule at the headline k. */
  lenient: boolean;
  /** [training row, NCD] of the saved neighbours, nearest first. */
  neighbors: [number, number][];
}

export interface ClassResult {
  label: Label;
  n: number;
  precision: number;
  recall: number;
  f1: number;
  /** Strict accuracy within the class (= recall), headline k and rule. */
  strict: number;
  /** Lenient accuracy within the class, headline k. */
  lenient: number;
}

/** A test label no training row has: no row of it can ever be predicted right. */
export interface UnseenLabel {
  label: Label;
  /** Evaluated test rows with this label. */
  rows: number;
  /** A training label that is spelt the same but has another type (1 and "1"), if there is one. */
  sameTextAs?: Label;
}

export interface Scores {
  result: EvalResult;
  /** Test labels absent from the training set, in order of first appearance. */
  unseen: UnseenLabel[];
  /** Per-class detail at the headline k and rule, in label order (training classes, then test-only). */
  perClass: ClassResult[];
  /** Labels of the confusion matrix rows (true) and columns (predicted, the training classes). */
  confusionLabels: { rows: Label[]; columns: Label[] };
}

/** Scores neighbour lists row by row; the same object serves `eval` and `score`. */
export class RowScorer {
  readonly options: ScoringOptions;
  private readonly encoder: LabelEncoder;
  private readonly trainLabelIds: Int32Array;
  private readonly testIds: TestLabelIds;
  private readonly accumulator: EvalAccumulator;
  private readonly random: () => number;
  private readonly lenientByClass = new Map<number, number>();
  /** Rows per test-only label id. */
  private readonly unseenRows = new Map<number, number>();
  private labelIds = new Int32Array(16);

  constructor(encoder: LabelEncoder, trainLabelIds: Int32Array, options: ScoringOptions) {
    this.options = options;
    this.encoder = encoder;
    this.trainLabelIds = trainLabelIds;
    this.testIds = new TestLabelIds(encoder);
    this.random = mulberry32(options.seed);
    this.accumulator = new EvalAccumulator({
      ks: options.ks,
      rules: TIE_RULES,
      headline: options.tie,
      numClasses: encoder.classes.length,
      trainSize: options.trainSize,
    });
  }

  /** Adds one test row (its neighbours nearest first) and returns its headline prediction. */
  add(testRow: number, label: Label, indices: ArrayLike<number>, distances: ArrayLike<number>): RowResult {
    if (this.labelIds.length < indices.length) this.labelIds = new Int32Array(2 * indices.length);
    const ids = this.labelIds.subarray(0, indices.length);
    for (let i = 0; i < indices.length; i++) ids[i] = this.trainLabelIds[indices[i]];
    const trueId = this.testIds.idOf(label);
    if (trueId >= this.encoder.classes.length) this.unseenRows.set(trueId, (this.unseenRows.get(trueId) ?? 0) + 1);
    this.accumulator.add(trueId, ids, distances);
    const k = Math.min(this.options.ks[0], this.options.trainSize);
    const predicted = predictWithRule(this.options.tie, ids, distances, k, this.random);
    const prediction = this.encoder.labelOf(predicted);
    const lenient = lenientCorrect(ids, k, trueId);
    if (lenient) this.lenientByClass.set(trueId, (this.lenientByClass.get(trueId) ?? 0) + 1);
    const neighbors: [number, number][] = [];
    for (let i = 0; i < indices.length; i++) neighbors.push([indices[i], distances[i]]);
    return { index: testRow, label, prediction, correct: predicted === trueId, lenient, neighbors };
  }

  scores(): Scores {
    const result = this.accumulator.result();
    const headline = result.ks[0].headline;
    // Every class averaged by macro-F1 is listed, as scikit-learn's classification_report does: those
    // in the truth, and those only predicted (n = 0, recall 0), so the rows reconcile with macro-F1.
    const perClass: ClassResult[] = headline.perClass.map((c) => ({
      label: this.testIds.labelOf(c.id),
      n: c.support,
      precision: c.precision,
      recall: c.recall,
      f1: c.f1,
      strict: c.recall,
      lenient: c.support > 0 ? (this.lenientByClass.get(c.id) ?? 0) / c.support : 0,
    }));
    const rows = Array.from({ length: headline.confusion.rows }, (_, id) => this.testIds.labelOf(id));
    const unseen = [...this.unseenRows].map(([id, count]) => {
      const label = this.testIds.labelOf(id);
      const sameTextAs = this.encoder.classes.find((c) => String(c) === String(label));
      return { label, rows: count, ...(sameTextAs !== undefined ? { sameTextAs } : {}) };
    });
    return { result, unseen, perClass, confusionLabels: { rows, columns: [...this.encoder.classes] } };
  }
}

/** Neighbours to compute per row: at least largest k + ENVELOPE_MARGIN (or --neighbors), at most the training set. */
export function neighborsNeeded(ks: readonly number[], requested: number | undefined, trainSize: number): number {
  return Math.min(trainSize, Math.max(requested ?? 0, Math.max(...ks) + ENVELOPE_MARGIN));
}

