/**
 * `npc drift`: has the input changed since the training set was built? Every row of a reference set R
 * (what the input looked like when things were fine) and of a current set C is classified against the
 * training set; then three questions, each a test (app/drift-stats.ts):
 *
 * 1. Are the current rows as near the training set as the reference rows? Two-sample KS on the nearest
 *    distances (and, for information, the PSI over the reference deciles).
 * 2. Are the predicted labels as frequent? Chi-square test of homogeneity (and the total variation distance).
 * 3. Is there as much empty or whitespace-only input? Chi-square test on the 2 × 2 table of counts: an
 *    upstream bug that sends blank text is the silent failure of a classifier in production.
 *
 * Drift is detected when any test's p-value is below α/3 (Bonferroni: the chance of a false alarm over the
 * three tests is at most α). Very short texts are counted and shown, not tested.
 */
import { toJson } from '../json-text.js';
import type { LabeledRecord } from '../io/records.js';
import type { Label } from '../model/labels.js';
import type { Searcher } from '../parallel/searcher.js';
import { classifyRecords } from './classify.js';
import { pythonStrip } from './training.js';
import type { TieRule } from '../model/tie-rules.js';
import type { CardReference } from '../model/card.js';
import { labelFromJson } from '../model/labels.js';
import { type KsResult, ks2, type LabelShiftResult, labelShift, psi, type PsiResult, quantile } from './drift-stats.js';

export interface DriftOptions {
  k: number;
  /** The tie rule of the predicted labels (default nearest) and its seed (random). */
  tie?: TieRule;
  seed?: number;
  /** Search each text stripped as Python's str.strip() does (a model built with --strip). */
  strip?: boolean;
  /** A text shorter than this many characters (after trimming) counts as very short. */
  short: number;
  /** Rows of the current set listed as the farthest from the training set. */
  farthest: number;
  /** Told the rows read so far, after each classified row. */
  onRow?: (rows: number) => void;
}

/** One set (reference or current) as drift sees it. */
export interface DriftSet {
  source: string;
  rows: number;
  /** Nearest distance of every classified row (empty and whitespace-only rows are not classified). */
  distances: number[];
  /** Predicted labels and their counts, keyed by the label's JSON (1 and "1" stay apart). */
  labels: Map<string, number>;
  /** Line numbers of the empty, whitespace-only and very short texts. */
  empty: number[];
  whitespace: number[];
  short: number[];
  /** The rows farthest from the training set (current set only), farthest first. */
  farthest: { line: number; distance: number; prediction: Label; text: string }[];
}

/** Classifies every row of a set and collects what drift compares. */
export async function measureSet(
  searcher: Searcher,
  source: string,
  records: AsyncIterable<LabeledRecord> | Iterable<LabeledRecord>,
  options: DriftOptions,
): Promise<DriftSet> {
  const set: DriftSet = { source, rows: 0, distances: [], labels: new Map(), empty: [], whitespace: [], short: [], farthest: [] };
  async function* classifiable(): AsyncGenerator<LabeledRecord> {
    for await (const record of records) {
      set.rows++;
      const trimmed = record.text.trim();
      if (record.text === '') set.empty.push(record.line);
      else if (trimmed === '' || (options.strip && pythonStrip(record.text) === '')) set.whitespace.push(record.line);
      else {
        if ([...trimmed].length < options.short) set.short.push(record.line);
        yield record;
      }
    }
  }
  for await (const p of classifyRecords(searcher, classifiable(), {
    k: options.k,
    tie: options.tie,
    seed: options.seed,
    strip: options.strip,
    neighbors: 0,
  })) {
    const distance = p.distance!;
    set.distances.push(distance);
    const key = toJson(p.prediction);
    set.labels.set(key, (set.labels.get(key) ?? 0) + 1);
    if (options.farthest > 0)
      keepFarthest(set.farthest, { line: p.record.line, distance, prediction: p.prediction!, text: p.record.text }, options.farthest);
    options.onRow?.(set.rows);
  }
  return set;
}

/** Keeps the `max` largest distances, farthest first (earlier lines first among equals). */
function keepFarthest(list: DriftSet['farthest'], row: DriftSet['farthest'][number], max: number): void {
  if (list.length === max && row.distance <= list[list.length - 1].distance) return;
  let at = list.length;
  while (at > 0 && list[at - 1].distance < row.distance) at--;
  list.splice(at, 0, row);
  if (list.length > max) list.pop();
}

export interface DriftReport {
  alpha: number;
  /** Each test's level: α / 3. */
  level: number;
  reference: DriftSummary;
  current: DriftSummary;
  ks: KsResult;
  psi: PsiResult;
  labels: LabelShiftResult;
  blank: LabelShiftResult;
  drift: boolean;
  /** Which tests crossed the level. */
  reasons: string[];
  farthest: DriftSet['farthest'];
}

export interface DriftSummary {
  source: string;
  rows: number;
  classified: number;
  median: number;
  quartiles: [number, number];
  empty: number;
  whitespace: number;
  short: number;
  /** The first (up to 5) line numbers of each kind. */
  firstLines: { empty: number[]; whitespace: number[]; short: number[] };
}

function summary(set: DriftSet): DriftSummary {
  const sorted = [...set.distances].sort((a, b) => a - b);
  const q = (p: number): number => (sorted.length ? quantile(sorted, p) : Number.NaN);
  return {
    source: set.source,
    rows: set.rows,
    classified: set.distances.length,
    median: q(0.5),
    quartiles: [q(0.25), q(0.75)],
    empty: set.empty.length,
    whitespace: set.whitespace.length,
    short: set.short.length,
    firstLines: { empty: set.empty.slice(0, 5), whitespace: set.whitespace.slice(0, 5), short: set.short.slice(0, 5) },
  };
}

/** The three tests, and whether any crossed α/3. */
export function compareSets(reference: DriftSet, current: DriftSet, alpha: number): DriftReport {
  const level = alpha / 3;
  const ks = ks2(reference.distances, current.distances);
  const labels = labelShift(reference.labels, current.labels);
  const blanks = (s: DriftSet): Map<string, number> =>
    new Map([
      ['blank', s.empty.length + s.whitespace.length],
      ['text', s.rows - s.empty.length - s.whitespace.length],
    ]);
  const blank = labelShift(blanks(reference), blanks(current));
  const reasons: string[] = [];
  if (ks.pValue < level) reasons.push('nearest distances');
  if (labels.pValue < level) reasons.push('predicted labels');
  if (blank.pValue < level) reasons.push('empty or whitespace-only texts');
  return {
    alpha,
    level,
    reference: summary(reference),
    current: summary(current),
    ks,
    psi: psi(reference.distances, current.distances),
    labels,
    blank,
    drift: reasons.length > 0,
    reasons,
    farthest: current.farthest,
  };
}

/** The rows in consecutive windows of `size` (the last may be smaller), each measured as a set: a streaming monitor. */
export async function* measureWindows(
  searcher: Searcher,
  records: AsyncIterable<LabeledRecord>,
  size: number,
  options: DriftOptions,
): AsyncGenerator<{ set: DriftSet; firstLine: number; lastLine: number }> {
  let batch: LabeledRecord[] = [];
  async function* flush(): AsyncGenerator<{ set: DriftSet; firstLine: number; lastLine: number }> {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const set = await measureSet(searcher, '<stdin>', rows, options);
    yield { set, firstLine: rows[0].line, lastLine: rows[rows.length - 1].line };
  }
  for await (const record of records) {
    batch.push(record);
    if (batch.length === size) yield* flush();
  }
  yield* flush();
}

/**
 * The reference set a model's card carries (`card.reference`): the nearest distances and predicted labels
 * of its reference rows, searched with the card's default k and tie rule. Those rows are training rows
 * or held-out rows, none empty, so its blank counts are 0.
 */
export function cardReferenceSet(reference: CardReference, source: string): DriftSet {
  const labels = new Map<string, number>();
  for (const { label, count } of reference.labels) {
    const key = toJson(labelFromJson(label));
    labels.set(key, (labels.get(key) ?? 0) + count);
  }
  return {
    source,
    rows: reference.distances.length,
    distances: [...reference.distances],
    labels,
    empty: [],
    whitespace: [],
    short: [],
    farthest: [],
  };
}
