/**
 * Evaluation metrics computed from precomputed neighbour lists: accuracy under every tie rule with
 * Wilson 95% intervals, the paper's lenient score, per-class precision / recall / F1, macro-F1, a
 * confusion matrix and the tie-order envelopes, all collected in one pass by `EvalAccumulator`.
 *
 * Conventions (documented once, here):
 * - Labels are handled as dense ids. Training classes are the ids of the `LabelEncoder` (0..C−1); test
 *   labels that no training row has get extra ids C, C+1, ... in order of first appearance
 *   (`TestLabelIds`). Labels themselves are never used as keys of plain objects.
 * - Confusion matrix: `counts[trueId][predictedId]`, rows for every class id plus the test-only labels,
 *   columns for the training classes only (npc can only predict those).
 * - Precision, recall and F1 follow scikit-learn (`precision_recall_fscore_support`, and
 *   `f1_score(average='macro')`): the classes averaged are those present in the truth or the
 *   predictions; a class never predicted has precision 0 and a class absent from the truth recall 0
 *   (scikit-learn's default `zero_division="warn"` also yields 0, with a warning); F1 is
 *   2·TP / (2·TP + FP + FN), which is 0 when TP = 0. Macro values are unweighted means over those classes.
 * - The `random` tie rule is scored by its exact expectation: a tie among m labels puts 1/m of the row
 *   on each of them, so its confusion counts are fractional and its precision/recall are ratios of
 *   expected counts.
 */
import type { Label } from '../model/labels.js';
import type { LabelEncoder } from '../model/labels.js';
import { EnvelopeAccumulator, type EnvelopeSummary, envelopeRow, envelopeRowAll } from '../model/envelope.js';
import { creditWithRule, lenientCorrect, predictionWeights, type TieRule } from '../model/tie-rules.js';

/** The two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a proportion `successes / n` (successes may be fractional, e.g. the
 * expected count of the random tie rule: the formula only uses the proportion and n). For n = 0
 * nothing is known and the interval is [0, 1].
 */
export function wilsonInterval(successes: number, n: number, z: number = Z95): Interval {
  if (!(n >= 0) || !(successes >= 0) || successes > n) throw new RangeError(`invalid proportion ${successes}/${n}`);
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // At p = 0 (p = 1) the lower (upper) end is exactly 0 (1); rounding would leave it a hair off.
  return { low: successes === 0 ? 0 : Math.max(0, center - half), high: successes === n ? 1 : Math.min(1, center + half) };
}

/**
 * Ids for test labels: the encoder's id for a training class, else a new id after the classes
 * (C, C+1, ... in order of first appearance). Labels are kept exactly as given (Map keys).
 */
export class TestLabelIds {
  private readonly extra = new Map<Label, number>();
  private readonly extraLabels: Label[] = [];

  constructor(private readonly encoder: LabelEncoder) {}

  get numClasses(): number {
    return this.encoder.classes.length;
  }

  /** Training classes plus the test-only labels seen so far. */
  get size(): number {
    return this.numClasses + this.extraLabels.length;
  }

  idOf(label: Label): number {
    const id = this.encoder.idOf(label);
    if (id >= 0) return id;
    let extra = this.extra.get(label);
    if (extra === undefined) {
      extra = this.size;
      this.extra.set(label, extra);
      this.extraLabels.push(label);
    }
    return extra;
  }

  labelOf(id: number): Label {
    return id < this.numClasses ? this.encoder.labelOf(id) : this.extraLabels[id - this.numClasses];
  }
}

export interface ConfusionMatrix {
  /** Rows: true ids 0..rows−1 (training classes, then test-only labels). */
  rows: number;
  /** Columns: predicted ids 0..columns−1 (the training classes). */
  columns: number;
  /** counts[trueId][predictedId]; fractional only for the random tie rule. */
  counts: number[][];
}

/** Builds a confusion matrix row by row; rows for test-only labels are added as they appear. */
export class ConfusionAccumulator {
  private readonly counts: number[][] = [];

  constructor(readonly numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`numClasses must be a positive integer, got ${numClasses}`);
    for (let i = 0; i < numClasses; i++) this.counts.push(new Array<number>(numClasses).fill(0));
  }

  add(trueId: number, predictedId: number, weight = 1): void {
    if (!Number.isInteger(trueId) || trueId < 0) throw new RangeError(`true label id must be a non-negative integer, got ${trueId}`);
    if (!Number.isInteger(predictedId) || predictedId < 0 || predictedId >= this.numClasses) {
      throw new RangeError(`predicted label id ${predictedId} is not a training class`);
    }
    while (this.counts.length <= trueId) this.counts.push(new Array<number>(this.numClasses).fill(0));
    this.counts[trueId][predictedId] += weight;
  }

  matrix(): ConfusionMatrix {
    return { rows: this.counts.length, columns: this.numClasses, counts: this.counts.map((row) => row.slice()) };
  }
}

export function confusionMatrix(trueIds: ArrayLike<number>, predictedIds: ArrayLike<number>, numClasses: number): ConfusionMatrix {
  if (trueIds.length !== predictedIds.length) throw new RangeError(`${trueIds.length} true ids but ${predictedIds.length} predictions`);
  const acc = new ConfusionAccumulator(numClasses);
  for (let i = 0; i < trueIds.length; i++) acc.add(trueIds[i], predictedIds[i]);
  return acc.matrix();
}

export interface ClassMetrics {
  /** Label id (a training class, or a test-only label ≥ numClasses). */
  id: number;
  /** True rows of this class. */
  support: number;
  /** Rows predicted as this class. */
  predicted: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassificationMetrics {
  /** Classes present in the truth or the predictions, by id. */
  perClass: ClassMetrics[];
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
}

/** Per-class precision/recall/F1 and their macro means (scikit-learn conventions, see the header). */
export function classificationMetrics(matrix: ConfusionMatrix): ClassificationMetrics {
  const { rows, columns, counts } = matrix;
  const size = Math.max(rows, columns);
  const perClass: ClassMetrics[] = [];
  for (let id = 0; id < size; id++) {
    let support = 0;
    if (id < rows) for (let p = 0; p < columns; p++) support += counts[id][p];
    let predicted = 0;
    if (id < columns) for (let t = 0; t < rows; t++) predicted += counts[t][id];
    if (support === 0 && predicted === 0) continue;
    const tp = id < rows && id < columns ? counts[id][id] : 0;
    const fp = predicted - tp;
    const fn = support - tp;
    perClass.push({
      id,
      support,
      predicted,
      truePositives: tp,
      precision: predicted > 0 ? tp / predicted : 0,
      recall: support > 0 ? tp / support : 0,
      f1: tp > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0,
    });
  }
  const mean = (pick: (c: ClassMetrics) => number): number =>
    perClass.length ? perClass.reduce((sum, c) => sum + pick(c), 0) / perClass.length : 0;
  return { perClass, macroPrecision: mean((c) => c.precision), macroRecall: mean((c) => c.recall), macroF1: mean((c) => c.f1) };
}

export interface Score extends Interval {
  /** Correct rows (an expected, possibly fractional, count for the random rule). */
  correct: number;
  n: number;
  /** correct / n (0 when n = 0); low/high: its Wilson 95% interval. */
  accuracy: number;
}

export interface RuleScore extends Score {
  rule: TieRule;
}

export interface HeadlineMetrics extends ClassificationMetrics {
  rule: TieRule;
  confusion: ConfusionMatrix;
}

export interface KEnvelopes {
  /** Strict vote with the nearest tie rule. */
  nearest: EnvelopeSummary;
  /** Strict vote with the decrement tie rule. */
  decrement: EnvelopeSummary;
  /** The paper's lenient score. */
  lenient: EnvelopeSummary;
}

export interface KResult {
  /** k as requested. */
  k: number;
  /** k actually used: min(k, training set size) when the size is known. */
  effectiveK: number;
  rules: RuleScore[];
  lenient: Score;
  headline: HeadlineMetrics;
  /** Tie-order envelopes at this k (absent when disabled). */
  envelopes?: KEnvelopes;
}

export interface EvalResult {
  n: number;
  numClasses: number;
  ks: KResult[];
  /** Strict top-1 (k = 1) and lenient top-2 (k = 2, either neighbour) envelopes, always computed. */
  envelopes: { top1: EnvelopeSummary; lenientTop2: EnvelopeSummary };
}

export interface EvalAccumulatorOptions {
  /** Distinct positive ks, in the order results are wanted. */
  ks: readonly number[];
  /** Tie rules to score (at least one). */
  rules: readonly TieRule[];
  /** Training classes (ids 0..numClasses−1); larger true ids are test-only labels. */
  numClasses: number;
  /** Rule for per-class metrics and the confusion matrix (default: the first of `rules`). */
  headline?: TieRule;
  /**
   * Training set size. When given, every list must hold at least min(max k, trainSize) neighbours,
   * and a list of trainSize rows is known to be complete (no unseen ties for the envelopes).
   */
  trainSize?: number;
  /** Envelopes for every k in `ks` (default true; top-1 and lenient top-2 are always computed). */
  envelopes?: boolean;
}

interface KState {
  k: number;
  credits: number[];
  lenient: number;
  confusion: ConfusionAccumulator;
  envelopes?: { nearest: EnvelopeAccumulator; decrement: EnvelopeAccumulator; lenient: EnvelopeAccumulator };
}

/** Collects everything `npc eval` / `npc score` report, per k and tie rule, in one pass over the rows. */
export class EvalAccumulator {
  readonly ks: readonly number[];
  readonly rules: readonly TieRule[];
  readonly headline: TieRule;
  readonly numClasses: number;
  private readonly trainSize: number | undefined;
  private readonly states: KState[];
  private readonly top1 = new EnvelopeAccumulator();
  private readonly lenientTop2 = new EnvelopeAccumulator();
  private readonly needed: number;
  private n = 0;

  constructor(options: EvalAccumulatorOptions) {
    const { ks, rules, numClasses, trainSize } = options;
    if (ks.length === 0) throw new RangeError('at least one k is needed');
    for (const k of ks) if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    if (new Set(ks).size !== ks.length) throw new RangeError(`duplicate k in ${ks.join(',')}`);
    if (rules.length === 0) throw new RangeError('at least one tie rule is needed');
    if (new Set(rules).size !== rules.length) throw new RangeError(`duplicate tie rule in ${rules.join(',')}`);
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`numClasses must be a positive integer, got ${numClasses}`);
    if (trainSize !== undefined && (!Number.isInteger(trainSize) || trainSize < 1))
      throw new RangeError(`invalid training set size ${trainSize}`);
    this.ks = [...ks];
    this.rules = [...rules];
    this.headline = options.headline ?? rules[0];
    if (!this.rules.includes(this.headline)) throw new RangeError(`headline rule ${this.headline} is not among the scored rules`);
    this.numClasses = numClasses;
    this.trainSize = trainSize;
    const maxK = Math.max(...ks);
    this.needed = trainSize === undefined ? 1 : Math.min(maxK, trainSize);
    const withEnvelopes = options.envelopes !== false;
    this.states = this.ks.map((k) => ({
      k,
      credits: this.rules.map(() => 0),
      lenient: 0,
      confusion: new ConfusionAccumulator(numClasses),
      envelopes: withEnvelopes
        ? { nearest: new EnvelopeAccumulator(), decrement: new EnvelopeAccumulator(), lenient: new EnvelopeAccumulator() }
        : undefined,
    }));
  }

  /**
   * Adds one test row: its true label id (≥ numClasses for a label no training row has) and its
   * neighbours' label ids and distances, nearest first.
   */
  add(trueId: number, labels: ArrayLike<number>, distances: ArrayLike<number>): void {
    if (!Number.isInteger(trueId) || trueId < 0) {
      throw new RangeError(`true label id must be a non-negative integer, got ${trueId} (use TestLabelIds for labels unseen in training)`);
    }
    if (labels.length < this.needed) throw new RangeError(`${labels.length} neighbours given, ${this.needed} needed`);
    if (distances.length < labels.length) throw new RangeError(`${labels.length} labels but ${distances.length} distances`);
    const known = trueId < this.numClasses ? trueId : -1;
    const complete = this.trainSize !== undefined && labels.length >= this.trainSize;
    for (const state of this.states) {
      const k = state.k;
      this.rules.forEach((rule, i) => {
        state.credits[i] += creditWithRule(rule, labels, distances, k, trueId);
      });
      if (lenientCorrect(labels, k, trueId)) state.lenient++;
      for (const { label, weight } of predictionWeights(this.headline, labels, distances, k)) state.confusion.add(trueId, label, weight);
      if (state.envelopes) {
        const rows = envelopeRowAll(labels, distances, k, known, { complete });
        state.envelopes.nearest.add(rows.nearest);
        state.envelopes.decrement.add(rows.decrement);
        state.envelopes.lenient.add(rows.lenient);
      }
    }
    this.top1.add(envelopeRow(labels, distances, 1, 'nearest', known, { complete }));
    this.lenientTop2.add(envelopeRow(labels, distances, 2, 'lenient', known, { complete }));
    this.n++;
  }

  /** Rows added so far. */
  get count(): number {
    return this.n;
  }

  result(): EvalResult {
    const n = this.n;
    const score = (correct: number): Score => ({ correct, n, accuracy: n ? correct / n : 0, ...wilsonInterval(correct, n) });
    const ks = this.states.map((state): KResult => {
      const confusion = state.confusion.matrix();
      const result: KResult = {
        k: state.k,
        effectiveK: this.trainSize === undefined ? state.k : Math.min(state.k, this.trainSize),
        rules: this.rules.map((rule, i) => ({ rule, ...score(clampCount(state.credits[i], n)) })),
        lenient: score(state.lenient),
        headline: { rule: this.headline, ...classificationMetrics(confusion), confusion },
      };
      if (state.envelopes) {
        result.envelopes = {
          nearest: state.envelopes.nearest.summary(),
          decrement: state.envelopes.decrement.summary(),
          lenient: state.envelopes.lenient.summary(),
        };
      }
      return result;
    });
    return { n, numClasses: this.numClasses, ks, envelopes: { top1: this.top1.summary(), lenientTop2: this.lenientTop2.summary() } };
  }
}

/** Sums of fractions (random rule) can exceed n by rounding; keep them inside [0, n]. */
function clampCount(value: number, n: number): number {
  return Math.min(n, Math.max(0, value));
}
