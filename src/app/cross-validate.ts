/**
 * `npc eval --data FILE`: one labelled file, evaluated against itself, as scikit-learn users do it.
 *
 * - `holdout` (fraction p): the test rows are a stratified sample of round(p·n) rows (app/sampling.ts,
 *   seeded); the rest is the training set.
 * - `folds` (K): stratified K-fold. The fold of each row: classes in label order (numbers ascending, then
 *   strings); within a class, its rows (ascending) in a seeded random order (mulberry32(seed), one generator
 *   for all classes in turn, a full Fisher–Yates shuffle of each); the j-th row of that order goes to fold
 *   (s + j) mod K, where s is the number of rows of the classes before it, mod K. So every fold holds
 *   ⌊n_c/K⌋ or ⌈n_c/K⌉ rows of each class c, and the folds' sizes differ by at most one.
 * - `loo`: every row against all the others. One index of all rows (C(y) once); each row's search returns
 *   M + 1 neighbours and drops exactly the row itself (an exact duplicate of its text elsewhere stays).
 *
 * C(y) of every row is computed once, whatever the mode. Duplicates inflate kNN accuracy, so each fold counts
 * its test rows whose exact text (after --strip) is also on its training side. Every row is scored once in
 * a pooled RowScorer (the report's per-class table, confusion matrix and risk–coverage), and per fold.
 */
import { fileHashes } from '../io/file-hash.js';
import { toJson } from '../json-text.js';
import { createNeighborsFileWriter, type NeighborsFileWriter } from '../io/neighbors-file.js';
import { compareLabels, encodeLabels, type Label } from '../model/labels.js';
import { mulberry32 } from '../model/random.js';
import { createSearcher, type Searcher } from '../parallel/searcher.js';
import { computeNeighbors, type EvaluationReport, type EvaluationRunOptions, neighborsNeeded } from './evaluate.js';
import { drawRows, rowsByLabel, stratifiedSample } from './sampling.js';
import { RowScorer, type Scores } from './row-scorer.js';
import { checkKsFit, fitIndex, type LoadedData } from './training.js';

export type CrossValidationMode = { kind: 'holdout'; fraction: number } | { kind: 'folds'; k: number } | { kind: 'loo' };

export interface CrossValidateOptions extends EvaluationRunOptions {
  mode: CrossValidationMode;
  seed: number;
  onProgress?: (done: number, total: number) => void;
}

export interface FoldResult {
  fold: number;
  trainRows: number;
  testRows: number;
  /** Test rows whose exact text is also on the training side. */
  duplicates: number;
  scores: Scores;
  /** Classes of the data with no row on this fold's training side (never predicted there), in label order. */
  absentFromTraining: Label[];
  /** Classes of the data with no row on this fold's test side, in label order. */
  absentFromTest: Label[];
}

export interface CrossValidationResult {
  mode: CrossValidationMode;
  /** The fold rule in words, as recorded in a neighbours file. */
  evaluated: string;
  rows: number;
  /** Rows of every class of the data, in label order. */
  classes: { label: Label; rows: number }[];
  folds: FoldResult[];
  /** Every evaluated row scored once (the training side of its own fold). */
  report: EvaluationReport;
  duplicates: number;
  interrupted: boolean;
}

/** The fold of every row (see the file comment); -1 for a training-only row (holdout). */
export function assignFolds(labels: readonly Label[], mode: CrossValidationMode, seed: number): Int32Array {
  const n = labels.length;
  const fold = new Int32Array(n).fill(-1);
  if (mode.kind === 'loo') {
    for (let i = 0; i < n; i++) fold[i] = i;
  } else if (mode.kind === 'holdout') {
    for (const row of stratifiedSample(labels, Math.round(mode.fraction * n), seed)) fold[row] = 0;
  } else {
    const groups = rowsByLabel(labels);
    const random = mulberry32(seed);
    let start = 0;
    for (const label of [...groups.keys()].sort(compareLabels)) {
      const rows = groups.get(label)!;
      drawRows(rows, rows.length, random).forEach((row, j) => (fold[row] = (start + j) % mode.k));
      start = (start + rows.length) % mode.k;
    }
  }
  return fold;
}

export function describeMode(mode: CrossValidationMode, seed: number): string {
  if (mode.kind === 'loo') return 'leave-one-out';
  if (mode.kind === 'holdout') return `stratified holdout of ${mode.fraction}, seed ${seed}`;
  return `stratified ${mode.k}-fold cross-validation, seed ${seed}`;
}

export async function crossValidate(data: LoadedData, options: CrossValidateOptions): Promise<CrossValidationResult> {
  const records = data.records;
  const n = records.length;
  const labels = records.map((r) => r.label as Label);
  const { encoder, labelIds } = encodeLabels(labels);
  const fold = assignFolds(labels, options.mode, options.seed);
  const folds = options.mode.kind === 'loo' ? 1 : options.mode.kind === 'holdout' ? 1 : options.mode.k;
  const evaluated = describeMode(options.mode, options.seed);
  const stopped = (): boolean => options.interruption?.stopped === true;
  const wait = <T>(p: Promise<T>): Promise<T | undefined> => (options.interruption ? options.interruption.orStop(p) : p);
  // Exact duplicates: rows grouped by text.
  const byText = new Map<string, number[]>();
  records.forEach((r, i) => {
    const group = byText.get(r.text);
    if (group) group.push(i);
    else byText.set(r.text, [i]);
  });
  const hasDuplicateIn = (row: number, training: (other: number) => boolean): boolean =>
    byText.get(records[row].text)!.some((o) => o !== row && training(o));

  const classes = [...rowsByLabel(labels)]
    .map(([label, rows]) => ({ label, rows: rows.length }))
    .sort((a, b) => compareLabels(a.label, b.label));
  /** The classes of the data that no row of `rows` has. */
  const absentFrom = (rows: readonly number[]): Label[] => {
    const present = new Set(rows.map((i) => labels[i]));
    return classes.filter((c) => !present.has(c.label)).map((c) => c.label);
  };
  const trainingRowsOf = (f: number): number[] =>
    options.mode.kind === 'loo' ? [] : records.map((_, i) => i).filter((i) => fold[i] !== f);
  const trainSizes = options.mode.kind === 'loo' ? [n - 1] : Array.from({ length: folds }, (_, f) => trainingRowsOf(f).length);
  const minTrain = Math.min(...trainSizes);
  checkKsFit(
    options.ks,
    minTrain,
    options.mode.kind === 'loo'
      ? 'the training side of leave-one-out (every row but the one evaluated)'
      : options.mode.kind === 'holdout'
        ? "the holdout's training side"
        : `the smallest fold's training side (fold ${trainSizes.indexOf(minTrain)})`,
  );
  const m = neighborsNeeded(options.ks, options.neighbors, minTrain);
  const pooled = new RowScorer(encoder, labelIds, { ks: options.ks, tie: options.tie, seed: options.seed, trainSize: minTrain });
  const results: FoldResult[] = [];
  let neighborsFile: NeighborsFileWriter | undefined;
  const started = process.hrtime.bigint();
  let done = 0;
  let pairs = 0;
  const total = options.mode.kind === 'holdout' ? fold.filter((f) => f === 0).length : n;
  try {
    // C(y) of every row, once: an index of all rows (its workers compute them).
    const all = await createSearcher(fitIndex(records, undefined, { deferLengths: options.jobs > 1 && n > 1 }), options.jobs, {
      createWorker: options.createWorker,
    });
    const lengths = all.index.compressedLengths;
    if (options.neighborsOut) {
      const hashes = await fileHashes(data.path!);
      const identity = { sha256: hashes.sha256, content_sha256: hashes.contentSha256, rows: n, source: data.source };
      neighborsFile = createNeighborsFileWriter(options.neighborsOut, {
        npc_version: options.npcVersion,
        compressor: all.index.compressor.name,
        train: identity,
        test: identity,
        m,
        strip: options.strip,
        evaluated,
        train_side_rows: minTrain,
      });
    }
    const write = async (
      testRow: number,
      row: ReturnType<RowScorer['add']>,
      indices: ArrayLike<number>,
      distances: ArrayLike<number>,
      f: number,
    ): Promise<void> => {
      if (stopped()) return;
      const listed = Math.min(indices.length, options.neighbors ?? options.ks[0]);
      if (options.predictions)
        await wait(options.predictions.write(toJson({ ...row, fold: f, neighbors: row.neighbors.slice(0, listed) }) + '\n'));
      if (neighborsFile && !stopped()) await wait(neighborsFile.write(testRow, indices, distances));
    };
    try {
      if (options.mode.kind === 'loo') {
        const scorer = new RowScorer(encoder, labelIds, { ks: options.ks, tie: options.tie, seed: options.seed, trainSize: n - 1 });
        const kept = new Int32Array(m);
        const keptD = new Float64Array(m);
        const rows = records.map((_, i) => i);
        let duplicates = 0;
        await computeNeighbors(all, records, rows, Math.min(n, m + 1), {
          onRow: async (testRow, indices, distances) => {
            // Exactly the row itself leaves its list: the m nearest of all the others remain.
            let c = 0;
            for (let i = 0; i < indices.length && c < m; i++) {
              if (indices[i] === testRow) continue;
              kept[c] = indices[i];
              keptD[c++] = distances[i];
            }
            const ids = kept.subarray(0, c);
            const ds = keptD.subarray(0, c);
            if (hasDuplicateIn(testRow, () => true)) duplicates++;
            scorer.add(testRow, labels[testRow], ids, ds);
            const row = pooled.add(testRow, labels[testRow], ids, ds);
            await write(testRow, row, ids, ds, testRow);
            done++;
          },
          onProgress: (d) => options.onProgress?.(d, total),
          shouldStop: stopped,
        });
        pairs += done * n;
        results.push({
          fold: 0,
          trainRows: n - 1,
          testRows: done,
          duplicates,
          scores: scorer.scores(),
          absentFromTraining: [],
          absentFromTest: [],
        });
      } else {
        await all.close();
        for (let f = 0; f < folds && !stopped(); f++) {
          const trainRows = trainingRowsOf(f);
          const testRows = records.map((_, i) => i).filter((i) => fold[i] === f);
          const index = fitIndex(
            trainRows.map((i) => records[i]),
            undefined,
            { deferLengths: true },
          );
          trainRows.forEach((row, i) => (index.compressedLengths[i] = lengths[row]));
          index.lengthsReady = true;
          const searcher: Searcher = await createSearcher(index, options.jobs, { createWorker: options.createWorker });
          const scorer = new RowScorer(encoder, labelIds, {
            ks: options.ks,
            tie: options.tie,
            seed: options.seed,
            trainSize: trainRows.length,
          });
          const global = new Int32Array(m);
          let duplicates = 0;
          try {
            await computeNeighbors(searcher, records, testRows, Math.min(m, trainRows.length), {
              onRow: async (testRow, indices, distances) => {
                for (let i = 0; i < indices.length; i++) global[i] = trainRows[indices[i]];
                const ids = global.subarray(0, indices.length);
                if (hasDuplicateIn(testRow, (o) => fold[o] !== f)) duplicates++;
                scorer.add(testRow, labels[testRow], ids, distances);
                const row = pooled.add(testRow, labels[testRow], ids, distances);
                await write(testRow, row, ids, distances, f);
                done++;
              },
              onProgress: () => options.onProgress?.(done, total),
              shouldStop: stopped,
            });
          } finally {
            await searcher.close();
          }
          pairs += testRows.length * trainRows.length;
          results.push({
            fold: f,
            trainRows: trainRows.length,
            testRows: testRows.length,
            duplicates,
            scores: scorer.scores(),
            absentFromTraining: absentFrom(trainRows),
            absentFromTest: absentFrom(testRows),
          });
        }
      }
    } finally {
      await all.close();
    }
    if (!stopped()) await wait(Promise.all([options.predictions?.commit(), neighborsFile?.commit()]));
    if (stopped()) {
      await options.predictions?.abort();
      await neighborsFile?.abort();
    }
  } catch (err) {
    await options.predictions?.abort();
    await neighborsFile?.abort();
    await options.neighborsOut?.abort();
    throw err;
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const report: EvaluationReport = {
    scores: pooled.scores(),
    trainSource: data.source,
    testSource: data.source,
    trainSize: minTrain,
    testSize: n,
    m,
    tie: options.tie,
    strip: options.strip,
    timing: { done, elapsed_s: elapsed, pairs, pairs_per_second: elapsed > 0 ? pairs / elapsed : 0, complete: !stopped() },
    evaluated,
  };
  return {
    mode: options.mode,
    evaluated,
    rows: n,
    classes,
    folds: results,
    report,
    duplicates: results.reduce((s, r) => s + r.duplicates, 0),
    interrupted: stopped(),
  };
}
