/**
 * Few-shot training sets (the paper's 5-shot etc. experiments): T independent draws of N training rows
 * per class, and the mean and spread of the scores over the draws.
 *
 * Draws are seeded with mulberry32 (app/sampling.ts): one generator for the whole run, trials in
 * order, classes in label order (numbers ascending, then strings, as LabelEncoder sorts them), each
 * class by a partial Fisher–Yates shuffle of its rows. So `--shots N --trials T --seed S` gives the same
 * rows everywhere, and the first T trials are the same whatever the total number of trials.
 */
import { UsageError } from '../errors.js';
import type { TieRule } from '../model/tie-rules.js';
import {
  computeNeighbors,
  type EvalData,
  type Interruption,
  type LabelMatch,
  neighborsNeeded,
  requireSharedLabel,
  type RowSelection,
  selectRows,
  type SelectionShortfall,
} from './evaluate.js';
import { RowScorer, type Scores } from './row-scorer.js';
import { checkKsFit, openSearcher, type WorkerFactory } from './training.js';
import type { Label } from '../model/labels.js';
import { compareLabels } from '../model/labels.js';
import { mulberry32 } from '../model/random.js';
import { drawRows, rowsByLabel } from './sampling.js';

/** Describes a label for a message: strings quoted (JSON), numbers as they are. */
function showLabel(label: Label): string {
  return typeof label === 'string' ? JSON.stringify(label) : String(label);
}

/**
 * `trials` draws of `shots` training rows per class, without replacement within a draw; each draw's
 * row indices are returned in ascending order. A class with fewer than `shots` rows is a UsageError
 * naming the class.
 */
export function fewShotSplits(labels: readonly Label[], shots: number, trials: number, seed: number): number[][] {
  if (!Number.isInteger(shots) || shots < 1) throw new RangeError(`shots must be a positive integer, got ${shots}`);
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`trials must be a positive integer, got ${trials}`);
  const groups = rowsByLabel(labels);
  const classes = [...groups.keys()].sort(compareLabels);
  const small = classes.filter((label) => groups.get(label)!.length < shots);
  if (small.length) {
    const list = small.map((label) => `${showLabel(label)} has ${groups.get(label)!.length}`).join(', ');
    throw new UsageError(`${shots}-shot draws need ${shots} training rows in every class, but class ${list}`);
  }
  const random = mulberry32(seed);
  const splits: number[][] = [];
  for (let t = 0; t < trials; t++) {
    const picked: number[] = [];
    for (const label of classes) picked.push(...drawRows(groups.get(label)!, shots, random));
    splits.push(picked.sort((a, b) => a - b));
  }
  return splits;
}

export interface MeanStd {
  n: number;
  mean: number;
  /** Sample standard deviation (divides by n − 1, like numpy's std(ddof=1)); 0 for a single value. */
  std: number;
}

/** Mean and sample standard deviation (n − 1 in the denominator; 0 when there is one value). */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) throw new RangeError('meanStd needs at least one value');
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  if (n === 1) return { n, mean, std: 0 };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { n, mean, std: Math.sqrt(ss / (n - 1)) };
}

/** The few-shot experiment's options (see `fewShot`). */
export interface FewShotOptions {
  /** Training rows per class in each draw. */
  shots: number;
  /** Draws. */
  trials: number;
  seed: number;
  ks: number[];
  tie: TieRule;
  neighbors?: number;
  jobs: number;
  /** How worker threads are started (default: the built worker.js). */
  createWorker?: WorkerFactory;
  interruption?: Interruption;
}

/** Mean and sample standard deviation over the trials, for every k. */
export interface FewShotResult {
  shots: number;
  /** Trials completed (fewer than asked when interrupted). */
  trials: number;
  seed: number;
  /** Test rows evaluated in each trial. */
  n: number;
  tie: TieRule;
  ks: { k: number; strict: MeanStd; lenient: MeanStd }[];
  interrupted: boolean;
  /** Test labels taken for the training label of the same text (EvalData.matchedByText). */
  labelsMatchedByText?: LabelMatch[];
  /** --sample or --limit beyond the test rows. */
  shortfall?: SelectionShortfall;
}

/** The paper's few-shot setting: `trials` draws of `shots` training rows per class, scored on the same test rows. */
export async function fewShot(data: EvalData, selection: RowSelection, options: FewShotOptions): Promise<FewShotResult> {
  const { train, test } = data;
  requireSharedLabel(data);
  const { rows, shortfall } = selectRows(test, selection);
  const stopped = (): boolean => options.interruption?.stopped === true;
  const draws = fewShotSplits(
    train.records.map((r) => r.label as Label),
    options.shots,
    options.trials,
    options.seed,
  );
  const classes = draws[0].length / options.shots;
  checkKsFit(
    options.ks,
    draws[0].length,
    `each few-shot draw (${options.shots} per class × ${classes} ${classes === 1 ? 'class' : 'classes'})`,
  );
  const perTrial: Scores[] = [];
  for (const draw of draws) {
    if (stopped()) break;
    const searcher = await openSearcher(
      draw.map((i) => train.records[i]),
      options.jobs,
      { createWorker: options.createWorker },
    );
    const trainSize = searcher.index.size;
    const scorer = new RowScorer(searcher.index.encoder, searcher.index.labelIds, {
      ks: options.ks,
      tie: options.tie,
      seed: options.seed,
      trainSize,
    });
    try {
      await computeNeighbors(searcher, test.records, rows, neighborsNeeded(options.ks, options.neighbors, trainSize), {
        onRow: (testRow, indices, distances) => void scorer.add(testRow, test.records[testRow].label as Label, indices, distances),
        shouldStop: stopped,
      });
    } finally {
      await searcher.close();
    }
    perTrial.push(scorer.scores());
  }
  const ks = options.ks.map((k, i) => ({
    k,
    strict: meanStd(perTrial.map((s) => s.result.ks[i].rules.find((r) => r.rule === options.tie)!.accuracy)),
    lenient: meanStd(perTrial.map((s) => s.result.ks[i].lenient.accuracy)),
  }));
  return {
    shots: options.shots,
    trials: perTrial.length,
    seed: options.seed,
    n: rows.length,
    tie: options.tie,
    ks,
    interrupted: stopped(),
    ...(data.matchedByText ? { labelsMatchedByText: data.matchedByText } : {}),
    ...(shortfall ? { shortfall } : {}),
  };
}
