/**
 * Evaluation of a test split against a training set: strict top-1 accuracy (the headline), the paper's
 * lenient score beside it, per-class accuracy, and throughput. Takes data and callbacks, returns numbers;
 * printing and files belong to the CLI.
 */
import { utf8Bytes } from '../compress/index.js';
import type { Label, LabeledRecord } from '../io/records.js';
import { compareLabels } from '../model/labels.js';
import { lenientCorrect, strictVote } from '../model/vote.js';
import type { Searcher } from '../parallel/searcher.js';

/**
 * Pairs per search batch: large enough to keep every worker busy, small enough that an interrupt or a
 * progress update never waits long (about a second of work on one core).
 */
export const BATCH_PAIRS = 100_000;

export interface EvaluateOptions {
  k: number;
  /** Neighbours recorded per row in predictions (default k). */
  neighbors?: number;
  /** Called after each test row with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Receives each evaluated row, in test order. */
  onPrediction?: (row: RowResult) => void | Promise<void>;
  /** Checked between rows; when it returns true the evaluation stops and reports what it has. */
  shouldStop?: () => boolean;
}

export interface RowResult {
  /** 0-based row of the test split. */
  index: number;
  label: Label;
  prediction: Label;
  correct: boolean;
  lenient: boolean;
  /** [training row, NCD] of the nearest, nearest first. */
  neighbors: [number, number][];
}

export interface ClassResult {
  label: Label;
  n: number;
  strict: number;
  lenient: number;
}

export interface EvaluationSummary {
  n: number;
  k: number;
  train_size: number;
  strict: number;
  lenient: number;
  strict_correct: number;
  lenient_correct: number;
  per_class: ClassResult[];
  elapsed_s: number;
  pairs: number;
  pairs_per_second: number;
  /** False when stopped early (interrupt); n then counts the rows actually evaluated. */
  complete: boolean;
}

/**
 * Evaluates `test[rows[i]]` for every i (all rows when `rows` is undefined), in that order.
 * Yields to the event loop between rows so progress, signals and output streams keep moving.
 */
export async function evaluate(
  searcher: Searcher,
  test: readonly LabeledRecord[],
  rows: readonly number[] | undefined,
  options: EvaluateOptions,
): Promise<EvaluationSummary> {
  const { index } = searcher;
  const order = rows ?? test.map((_, i) => i);
  const k = Math.min(options.k, index.size);
  const m = Math.min(index.size, Math.max(k, options.neighbors ?? k));
  const batchSize = Math.max(1, Math.min(1024, Math.floor(BATCH_PAIRS / index.size)));
  const labelIds = new Int32Array(m);
  const perClass = new Map<Label, { n: number; strict: number; lenient: number }>();
  let strictCorrect = 0;
  let lenientCount = 0;
  let done = 0;
  const started = process.hrtime.bigint();
  for (let start = 0; start < order.length; start += batchSize) {
    if (options.shouldStop?.()) break;
    const batch = order.slice(start, start + batchSize);
    const lists = await searcher.search(batch.map((row) => utf8Bytes(test[row].text)), m);
    for (let q = 0; q < batch.length; q++) {
      const row = batch[q];
      const label = test[row].label as Label;
      const size = lists.sizes[q];
      for (let i = 0; i < size; i++) labelIds[i] = index.labelIds[lists.indices[q * m + i]];
      const ids = labelIds.subarray(0, size);
      const prediction = index.encoder.labelOf(strictVote(ids, k));
      const trueId = index.encoder.idOf(label);
      const correct = prediction === label;
      const lenient = trueId >= 0 && lenientCorrect(ids, k, trueId);
      if (correct) strictCorrect++;
      if (lenient) lenientCount++;
      const stats = perClass.get(label) ?? { n: 0, strict: 0, lenient: 0 };
      stats.n++;
      if (correct) stats.strict++;
      if (lenient) stats.lenient++;
      perClass.set(label, stats);
      done++;
      if (options.onPrediction) {
        const neighbors: [number, number][] = [];
        for (let i = 0; i < size; i++) neighbors.push([lists.indices[q * m + i], lists.distances[q * m + i]]);
        await options.onPrediction({ index: row, label, prediction, correct, lenient, neighbors });
      }
    }
    options.onProgress?.(done, order.length);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const pairs = done * index.size;
  return {
    n: done,
    k,
    train_size: index.size,
    strict: done ? strictCorrect / done : 0,
    lenient: done ? lenientCount / done : 0,
    strict_correct: strictCorrect,
    lenient_correct: lenientCount,
    per_class: [...perClass.entries()]
      .sort((a, b) => compareLabels(a[0], b[0]))
      .map(([label, s]) => ({ label, n: s.n, strict: s.strict / s.n, lenient: s.lenient / s.n })),
    elapsed_s: elapsed,
    pairs,
    pairs_per_second: elapsed > 0 ? pairs / elapsed : 0,
    complete: done === order.length,
  };
}
