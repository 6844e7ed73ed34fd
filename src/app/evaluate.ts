/**
 * `npc eval` as a job: the M nearest neighbours of every evaluated test row are computed once
 * (`computeNeighbors`), every question is answered from them (app/row-scorer.ts), and the predictions and
 * the neighbours themselves go to the outputs the caller opened. The CLI maps flags to these options
 * and prints the report (cli/report.ts); nothing here prints or knows about flags.
 */
import { utf8Bytes } from '../compress/index.js';
import { fileHashes } from '../io/file-hash.js';
import { createNeighborsFileWriter, type DataIdentity, type NeighborsFileWriter, sliceOf } from '../io/neighbors-file.js';
import type { OutputSink } from '../io/output-sink.js';
import type { LabeledRecord } from '../io/records.js';
import { InputError } from '../errors.js';
import { compareLabels, type Label, labelsMatchedByText } from '../model/labels.js';
import type { TieRule } from '../model/tie-rules.js';
import { queriesPerBatch } from '../parallel/batch.js';
import { createSearcher, type NeighborLists, type Searcher, type WorkerFactory } from '../parallel/searcher.js';
import type { TrainingIndex } from '../model/training-index.js';
import { stratifiedSample } from './sampling.js';
import { predictionLine, RowScorer, type Scores } from './row-scorer.js';
import { checkKsFit, type DataSpec, type LoadedData, loadSplit, openSearcher } from './training.js';

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
  /** Test rows it was to compute (this run's selection or shard). */
  total?: number;
  elapsed_s: number;
  pairs: number;
  pairs_per_second: number;
  /** False when stopped early. */
  complete: boolean;
}

/**
 * Computes the m nearest training rows of `test[rows[i]]` for every i, in that order.
 *
 * With worker threads, the next batch is handed to the pool before the current one's rows are
 * reported, so two batches are in flight: a worker that ends its share of a batch starts on the next
 * one instead of waiting for the slowest worker (each worker runs its requests in order, so results
 * still come back batch by batch). A stop discards the batch in flight.
 */
export async function computeNeighbors(
  searcher: Searcher,
  test: readonly LabeledRecord[],
  rows: readonly number[],
  m: number,
  options: ComputeOptions,
): Promise<Timing> {
  const size = searcher.index.size;
  const batchSize = queriesPerBatch(size);
  const ahead = searcher.jobs > 1;
  const launch = (start: number): Promise<NeighborLists> => {
    const lists = searcher.search(
      rows.slice(start, start + batchSize).map((row) => utf8Bytes(test[row].text)),
      m,
    );
    // A batch launched ahead may never be awaited (a stop, or the batch before it failing): its
    // rejection is handled where it is awaited, not reported as unhandled.
    lists.catch(() => {});
    return lists;
  };
  let done = 0;
  const started = process.hrtime.bigint();
  let next: Promise<NeighborLists> | undefined;
  for (let start = 0; start < rows.length; start += batchSize) {
    if (options.shouldStop?.()) break;
    const current = next ?? launch(start);
    next = ahead && start + batchSize < rows.length ? launch(start + batchSize) : undefined;
    const lists = await current;
    const count = Math.min(batchSize, rows.length - start);
    for (let q = 0; q < count; q++) {
      const from = q * lists.m;
      const to = from + lists.sizes[q];
      await options.onRow(rows[start + q], lists.indices.subarray(from, to), lists.distances.subarray(from, to));
      done++;
    }
    options.onProgress?.(done, rows.length);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const pairs = done * size;
  const pairsPerSecond = elapsed > 0 ? pairs / elapsed : 0;
  return { done, total: rows.length, elapsed_s: elapsed, pairs, pairs_per_second: pairsPerSecond, complete: done === rows.length };
}

/** Neighbours to compute per row: at least largest k + ENVELOPE_MARGIN (or --neighbors), at most the training set. */
export function neighborsNeeded(ks: readonly number[], requested: number | undefined, trainSize: number): number {
  return Math.min(trainSize, Math.max(requested ?? 0, Math.max(...ks) + ENVELOPE_MARGIN));
}

/**
 * Stops a job early (a signal): `stopped` is checked between batches, and `orStop` races a wait that
 * might never end (a write to an output nobody reads) with the stop.
 */
export interface Interruption {
  readonly stopped: boolean;
  orStop<T>(promise: Promise<T>): Promise<T | undefined>;
}

/** The training and test splits of an evaluation. */
export interface EvalData {
  train: LoadedData;
  test: LoadedData;
  /** Test labels taken for the training label of the same text (see `matchTestLabels`), with their rows. */
  matchedByText?: LabelMatch[];
}

/** A test label that is a training label of another type with the same text (`"1"` and `1`). */
export interface LabelMatch {
  test: Label;
  train: Label;
  rows: number;
}

/** Reads both splits and matches their labels (`matchTestLabels`). */
export async function loadEvalData(train: DataSpec, test: DataSpec): Promise<EvalData> {
  return matchTestLabels({ train: await loadSplit(train, 'train'), test: await loadSplit(test, 'test') });
}

/**
 * A CSV or TSV carries no types, so its labels are strings: a test label that is no training label but
 * has the text of one (`"1"` against `1`) is taken for that training label, in the test rows returned,
 * and listed in `matchedByText` (in label order).
 */
export function matchTestLabels(data: EvalData): EvalData {
  const matched = labelsMatchedByText(
    data.train.records.map((r) => r.label as Label),
    data.test.records.map((r) => r.label as Label),
  );
  if (matched.size === 0) return data;
  const rows = new Map<Label, number>();
  const records = data.test.records.map((r) => {
    const train = matched.get(r.label as Label);
    if (train === undefined) return r;
    rows.set(r.label as Label, (rows.get(r.label as Label) ?? 0) + 1);
    return { ...r, label: train };
  });
  return {
    ...data,
    test: { ...data.test, records },
    matchedByText: [...matched]
      .map(([test, train]) => ({ test, train, rows: rows.get(test)! }))
      .sort((a, b) => compareLabels(a.test, b.test)),
  };
}

/** How a neighbours file names a data file: the sha256 of its bytes and of its content, its rows. */
async function dataIdentity(data: LoadedData): Promise<DataIdentity> {
  const { sha256, contentSha256 } = await fileHashes(data.path!);
  return { sha256, content_sha256: contentSha256, rows: data.records.length, source: data.source };
}

/** Which test rows are evaluated: all, the first `limit`, or a stratified sample of `sample` (seeded). */
export interface RowSelection {
  limit?: number;
  sample?: number;
  seed: number;
}

/**
 * When no test label (after `matchTestLabels`) is a training label, no row can be predicted right: an
 * InputError naming the test source and both sets of labels, instead of a report of 0.
 */
export function requireSharedLabel(data: EvalData): void {
  const trainLabels = new Set(data.train.records.map((r) => r.label as Label));
  const testLabels = new Set(data.test.records.map((r) => r.label as Label));
  for (const label of testLabels) if (trainLabels.has(label)) return;
  const list = (labels: Set<Label>): string => {
    const sorted = [...labels].sort(compareLabels);
    const shown = sorted.slice(0, 5).map((l) => (typeof l === 'string' ? JSON.stringify(l) : String(l)));
    return shown.join(', ') + (sorted.length > 5 ? `, … (${sorted.length} in all)` : '');
  };
  throw new InputError(
    `no test label is a training label, so no row can be predicted right (test labels ${list(testLabels)}; training labels ${list(trainLabels)})`,
    data.test.source,
  );
}

/** `--sample N` or `--limit N` asked for more rows than the test set has: all of them are evaluated. */
export interface SelectionShortfall {
  flag: '--sample' | '--limit';
  asked: number;
  available: number;
}

export function selectRows(
  test: LoadedData,
  selection: RowSelection,
): { rows: number[]; evaluated: string; shortfall?: SelectionShortfall } {
  const all = test.records.map((_, i) => i);
  const asked = selection.sample ?? selection.limit;
  if (asked !== undefined && asked > all.length) {
    const flag = selection.sample !== undefined ? '--sample' : '--limit';
    return { rows: all, evaluated: 'all', shortfall: { flag, asked, available: all.length } };
  }
  if (selection.sample !== undefined && selection.sample < test.records.length) {
    const rows = stratifiedSample(
      test.records.map((r) => r.label as Label),
      selection.sample,
      selection.seed,
    );
    return { rows, evaluated: `stratified sample of ${rows.length}, seed ${selection.seed}` };
  }
  if (selection.limit !== undefined && selection.limit < test.records.length) {
    return { rows: all.slice(0, selection.limit), evaluated: `first ${selection.limit}` };
  }
  return { rows: all, evaluated: 'all' };
}

/** Everything a report says about an evaluation (eval and score alike). */
export interface EvaluationReport {
  scores: Scores;
  trainSource: string;
  testSource: string;
  trainSize: number;
  testSize: number;
  /** Neighbours per row the scores were computed from. */
  m: number;
  tie: TieRule;
  strip: boolean;
  /** Present for `eval` (absent for `score`, which compresses nothing). */
  timing?: Timing;
  /** Which test rows, in words: `all`, `first 500`, `stratified sample of 1000, seed 7`. */
  evaluated: string;
  /** Test labels taken for the training label of the same text (EvalData.matchedByText). */
  labelsMatchedByText?: LabelMatch[];
  /** --sample or --limit beyond the test rows. */
  shortfall?: SelectionShortfall;
  /** The model artifact that was the training side (`eval --model`), and where each setting came from. */
  model?: ModelInReport;
}

/** A model as a report names it: its file, its card's name, its sha256, and the settings used with their source. */
export interface ModelInReport {
  file: string;
  name: string;
  sha256: string;
  settings: Record<string, { value: unknown; from: string }>;
}

/** What every evaluation run takes (evaluate, crossValidate): the ks, the rule, the outputs. */
export interface EvaluationRunOptions {
  /** The ks to report, headline first. */
  ks: number[];
  /** Tie rule of the headline and of the predictions. */
  tie: TieRule;
  /** Neighbours to compute and save per row (default: largest k + ENVELOPE_MARGIN). */
  neighbors?: number;
  strip: boolean;
  jobs: number;
  /** How worker threads are started (default: the built worker.js). */
  createWorker?: WorkerFactory;
  /** One JSONL line per evaluated row: the headline prediction and its nearest rows. */
  predictions?: OutputSink;
  /** The neighbours of every evaluated row, for `npc score` (io/neighbors-file.ts). */
  neighborsOut?: OutputSink;
  /** The version recorded in a neighbours file. */
  npcVersion: string;
  interruption?: Interruption;
}

export interface EvaluateOptions extends RowSelection, EvaluationRunOptions {
  onProgress?: (done: number, total: number, pairsPerRow: number) => void;
  /**
   * Only part of the work, for `npc merge` to join: slice `test.index` of `test.count` contiguous
   * slices of the selected test rows, with neighbours among slice `train.index` of `train.count` of
   * the training rows (global indices in the neighbours file). Default: all of it.
   */
  shard?: { test: ShardSpec; train: ShardSpec };
  /** The training side already prepared (a model's index, rows in `data.train`'s order): searched as it is. */
  index?: TrainingIndex;
}

/** Slice `index` (0-based) of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

export interface EvaluateResult {
  report: EvaluationReport;
  /** True when stopped early: the report covers `report.timing.done` rows and the outputs were discarded. */
  interrupted: boolean;
}

/**
 * Runs an evaluation. The outputs are committed when it completes, and aborted (a regular file's
 * temporary file removed) when it is interrupted or fails.
 */
export async function evaluate(data: EvalData, options: EvaluateOptions): Promise<EvaluateResult> {
  const { train, test } = data;
  const { predictions, interruption } = options;
  const stopped = (): boolean => interruption?.stopped === true;
  const wait = <T>(promise: Promise<T>): Promise<T | undefined> => (interruption ? interruption.orStop(promise) : promise);
  requireSharedLabel(data);
  const selection = selectRows(test, options);
  const { evaluated, shortfall } = selection;
  // A training shard is checked against the whole training set: its neighbours are merged with the others'.
  checkKsFit(options.ks, train.records.length, 'the training set');
  // M is the whole run's (min(training rows, largest k + margin)), so every shard's file agrees with
  // the unsharded one; a training slice smaller than M keeps all of its rows.
  const m = neighborsNeeded(options.ks, options.neighbors, train.records.length);
  const shard = options.shard;
  const testSlice = shard ? sliceOf(selection.rows.length, shard.test.index, shard.test.count) : { from: 0, to: selection.rows.length };
  const trainSlice = shard ? sliceOf(train.records.length, shard.train.index, shard.train.count) : { from: 0, to: train.records.length };
  const rows = selection.rows.slice(testSlice.from, testSlice.to);
  const trainRecords = shard ? train.records.slice(trainSlice.from, trainSlice.to) : train.records;
  const trainSize = trainRecords.length;
  if (trainSize === 0)
    throw new RangeError(`training shard ${shard!.train.index}/${shard!.train.count} holds no rows: use fewer training shards`);
  const searchM = Math.min(m, trainSize);
  let neighborsFile: NeighborsFileWriter | undefined;
  try {
    const searcher =
      options.index && !shard
        ? await createSearcher(options.index, options.jobs, { createWorker: options.createWorker })
        : await openSearcher(trainRecords, options.jobs, { createWorker: options.createWorker });
    try {
      if (options.neighborsOut) {
        neighborsFile = createNeighborsFileWriter(options.neighborsOut, {
          npc_version: options.npcVersion,
          compressor: searcher.index.compressor.name,
          train: await dataIdentity(train),
          test: await dataIdentity(test),
          m,
          strip: options.strip,
          evaluated,
          ...(shard
            ? {
                shard: {
                  test: { ...shard.test, ...testSlice, selected: selection.rows.length },
                  train: { ...shard.train, ...trainSlice },
                },
              }
            : {}),
        });
      }
      const scorer = new RowScorer(searcher.index.encoder, searcher.index.labelIds, {
        ks: options.ks,
        tie: options.tie,
        seed: options.seed,
        trainSize,
      });
      const listed = Math.min(searchM, options.neighbors ?? Math.min(options.ks[0], trainSize));
      // Indices in the file are global: a training slice's row i is row from + i of the training set.
      const global = trainSlice.from === 0 ? undefined : new Int32Array(searchM);
      const timing = await computeNeighbors(searcher, test.records, rows, searchM, {
        onRow: async (testRow, indices, distances) => {
          const row = scorer.add(testRow, test.records[testRow].label as Label, indices, distances);
          // A write that waits on a slow reader ends at a stop; the rest of the batch writes nothing
          // (the outputs are discarded anyway), and the computation stops after it.
          if (stopped()) return;
          if (predictions) await wait(predictions.write(predictionLine(row, listed)));
          if (neighborsFile && !stopped()) {
            let saved: ArrayLike<number> = indices;
            if (global) {
              for (let i = 0; i < indices.length; i++) global[i] = indices[i] + trainSlice.from;
              saved = global.subarray(0, indices.length);
            }
            await wait(neighborsFile.write(testRow, saved, distances));
          }
        },
        onProgress: (done, total) => options.onProgress?.(done, total, trainSize),
        shouldStop: stopped,
      });
      const report: EvaluationReport = {
        scores: scorer.scores(),
        trainSource: train.source,
        testSource: test.source,
        trainSize,
        testSize: test.records.length,
        m: searchM,
        tie: options.tie,
        strip: options.strip,
        timing,
        evaluated: shard
          ? `test shard ${shard.test.index}/${shard.test.count}${shard.train.count > 1 ? ` × training shard ${shard.train.index}/${shard.train.count}` : ''} of: ${evaluated}`
          : evaluated,
        ...(data.matchedByText ? { labelsMatchedByText: data.matchedByText } : {}),
        ...(shortfall ? { shortfall } : {}),
      };
      if (!stopped()) {
        // Finishing waits for a FIFO's reader to take the rest: a stop ends that wait too.
        await wait(Promise.all([predictions?.commit(), neighborsFile?.commit()]));
      }
      if (stopped()) {
        await predictions?.abort();
        await neighborsFile?.abort();
        return { report, interrupted: true };
      }
      return { report, interrupted: false };
    } finally {
      await searcher.close();
    }
  } catch (err) {
    await predictions?.abort();
    await neighborsFile?.abort();
    await options.neighborsOut?.abort();
    throw err;
  }
}
