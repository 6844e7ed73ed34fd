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
import type { Label } from '../io/records.js';
import { compareLabels } from '../model/labels.js';
import { mulberry32 } from './sampling.js';

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
  if (!Number.isInteger(shots) || shots < 1) throw new UsageError(`--shots must be a positive integer, got ${shots}`);
  if (!Number.isInteger(trials) || trials < 1) throw new UsageError(`--trials must be a positive integer, got ${trials}`);
  const groups = new Map<Label, number[]>();
  labels.forEach((label, i) => {
    const rows = groups.get(label);
    if (rows) rows.push(i);
    else groups.set(label, [i]);
  });
  const classes = [...groups.keys()].sort(compareLabels);
  const small = classes.filter((label) => (groups.get(label) as number[]).length < shots);
  if (small.length) {
    const list = small.map((label) => `${showLabel(label)} has ${(groups.get(label) as number[]).length}`).join(', ');
    throw new UsageError(`--shots ${shots} needs ${shots} training rows per class, but class ${list}`);
  }
  const random = mulberry32(seed);
  const splits: number[][] = [];
  for (let t = 0; t < trials; t++) {
    const picked: number[] = [];
    for (const label of classes) {
      const pool = (groups.get(label) as number[]).slice();
      for (let i = 0; i < shots; i++) {
        const j = i + Math.floor(random() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j], pool[i]];
        picked.push(pool[i]);
      }
    }
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
