/**
 * Scoring neighbour lists row by row (`RowScorer`): accuracy for each k and tie rule with Wilson
 * intervals, the paper's lenient score, tie-order envelopes, per-class precision/recall/F1, the
 * confusion matrix, and the test labels no training row has. `npc eval` feeds it freshly computed
 * neighbours, `npc score` saved ones, so both give exactly the same numbers.
 */
import type { Label, LabelEncoder } from '../model/labels.js';
import { lenientCorrect, voteShare } from '../model/vote.js';
import { creditWithRule, predictWithRule, TIE_RULES, type TieRule } from '../model/tie-rules.js';
import { EvalAccumulator, type EvalResult, TestLabelIds } from './classification-metrics.js';
import { type RiskCoverage, RiskCoverageAccumulator } from './risk-coverage.js';
import { mulberry32 } from '../model/random.js';
import { toJson } from '../json-text.js';

/** The tie rules a scoring job takes (`ScoringOptions.tie`), for the flags that name one. */
export { isTieRule, TIE_RULES } from '../model/tie-rules.js';

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
  /** The share of the k nearest that voted for the prediction. */
  confidence: number;
  /** NCD to the nearest training row. */
  distance: number;
  /** [training row, NCD] of the saved neighbours, nearest first. */
  neighbors: [number, number][];
}

/**
 * One line of `--predictions` (eval and score alike): the row's result with its `listed` nearest
 * neighbours.
 */
export function predictionLine(row: RowResult, listed: number): string {
  return toJson({ ...row, neighbors: row.neighbors.slice(0, listed) }) + '\n';
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
}

export interface Scores {
  result: EvalResult;
  /** Accuracy against the share of rows kept by a threshold on the nearest distance (app/risk-coverage.ts). */
  riskCoverage: RiskCoverage;
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
  private readonly riskCoverage = new RiskCoverageAccumulator();
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
    this.riskCoverage.add(distances[0], creditWithRule(this.options.tie, ids, distances, k, trueId));
    const neighbors: [number, number][] = [];
    for (let i = 0; i < indices.length; i++) neighbors.push([indices[i], distances[i]]);
    const confidence = voteShare(ids, k, predicted);
    return { index: testRow, label, prediction, correct: predicted === trueId, lenient, confidence, distance: distances[0], neighbors };
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
    const unseen = [...this.unseenRows].map(([id, count]) => ({ label: this.testIds.labelOf(id), rows: count }));
    return {
      result,
      riskCoverage: this.riskCoverage.result(),
      unseen,
      perClass,
      confusionLabels: { rows, columns: [...this.encoder.classes] },
    };
  }
}
