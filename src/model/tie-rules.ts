/**
 * Tie rules for the strict k-nearest-neighbour vote, all working on a precomputed neighbour list: label
 * ids `labels` (nearest first, ordered by NCD ascending then training index ascending) and their
 * `distances`. Only the first k count (all of them when fewer are given). When one label has the most
 * votes every rule predicts it; the rules differ only when several labels tie for the most votes:
 *
 * - `nearest`: the tied label whose nearest neighbour is nearest (the label of the first tied row in
 *   the list): `strictVote` in vote.ts, npc's default.
 * - `decrement` (Ken Schutte's rule): drop the farthest of the k neighbours and vote again among k − 1,
 *   then k − 2, ..., until one label has the most votes (k = 1 never ties). Equivalently: among the
 *   tied labels, the one whose farthest neighbour within the k is nearest.
 * - `random`: a uniform pick among the tied labels. For scoring no random number is drawn: the credit of
 *   a row is its exact expected accuracy, 1/|tied| when the true label is among the tied labels and 0
 *   otherwise, so a score under this rule is an expectation, not one draw. `pickRandom` makes a
 *   concrete, seeded pick when a single prediction is needed (e.g. for a predictions file).
 * - `weighted`: among the tied labels, the one with the lowest total distance (the sum of the NCDs of
 *   its neighbours among the k, added nearest first); if that still ties, the nearest rule among those.
 *
 * The paper's lenient scoring (correct when the true label is among the tied labels) is not a tie rule
 * but a scoring rule; `lenientCorrect` is re-exported here so callers find every rule in one place.
 */
import { lenientCorrect, strictVote, topLabels, voteCounts } from './vote.js';

export { lenientCorrect };

export type TieRule = 'nearest' | 'decrement' | 'random' | 'weighted';

/** Every tie rule, in the order they are documented (the first is the default). */
export const TIE_RULES: readonly TieRule[] = ['nearest', 'decrement', 'random', 'weighted'];

export function isTieRule(value: string): value is TieRule {
  return (TIE_RULES as readonly string[]).includes(value);
}

function checkList(labels: ArrayLike<number>, k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (labels.length === 0) throw new RangeError('a vote needs at least one neighbour');
  return Math.min(k, labels.length);
}

/** Ken Schutte's rule: while the top labels tie, vote again without the farthest neighbour. */
export function decrementVote(labels: ArrayLike<number>, k: number): number {
  for (let kk = checkList(labels, k); kk >= 1; kk--) {
    const tied = topLabels(labels, kk);
    if (tied.length === 1) return tied[0];
  }
  throw new Error('unreachable: a single neighbour never ties');
}

/** Among the tied labels, the lowest sum of distances of its neighbours among the k; then nearest. */
export function weightedVote(labels: ArrayLike<number>, distances: ArrayLike<number>, k: number): number {
  const n = checkList(labels, k);
  if (distances.length < n) throw new RangeError(`weighted vote needs ${n} distances, got ${distances.length}`);
  const tied = topLabels(labels, n);
  if (tied.length === 1) return tied[0];
  const sums = new Map<number, number>(tied.map((label) => [label, 0]));
  for (let i = 0; i < n; i++) {
    const sum = sums.get(labels[i]);
    if (sum !== undefined) sums.set(labels[i], sum + distances[i]);
  }
  let best = tied[0];
  let bestSum = sums.get(best) as number;
  for (const label of tied) {
    const sum = sums.get(label) as number;
    if (sum < bestSum) {
      best = label;
      bestSum = sum;
    }
  }
  return best; // `tied` is in nearest-first order, so an exact tie of sums keeps the nearest label
}

/**
 * A uniform pick among the tied labels using `random` (`mulberry32(seed)` or `textRandom(seed, text)`, model/random.ts).
 * A random number is consumed only when there is a tie, exactly one per tie.
 */
export function pickRandom(labels: ArrayLike<number>, k: number, random: () => number): number {
  const tied = topLabels(labels, checkList(labels, k));
  if (tied.length === 1) return tied[0];
  return tied[Math.min(tied.length - 1, Math.floor(random() * tied.length))];
}

/**
 * The prediction of `rule` among the first k neighbours. `random` is required for the `random` rule
 * (and ignored by the others).
 */
export function predictWithRule(
  rule: TieRule,
  labels: ArrayLike<number>,
  distances: ArrayLike<number>,
  k: number,
  random?: () => number,
): number {
  switch (rule) {
    case 'nearest':
      return strictVote(labels, k);
    case 'decrement':
      return decrementVote(labels, k);
    case 'weighted':
      return weightedVote(labels, distances, k);
    case 'random':
      if (!random) throw new RangeError('the random tie rule needs a random source to make a prediction');
      return pickRandom(labels, k, random);
  }
}

/** The labels `rule` can predict with their probabilities (one label with weight 1 except for `random`). */
export function predictionWeights(
  rule: TieRule,
  labels: ArrayLike<number>,
  distances: ArrayLike<number>,
  k: number,
): { label: number; weight: number }[] {
  if (rule !== 'random') return [{ label: predictWithRule(rule, labels, distances, k), weight: 1 }];
  const tied = topLabels(labels, checkList(labels, k));
  return tied.map((label) => ({ label, weight: 1 / tied.length }));
}

/**
 * The credit of one row under `rule`: 1 when the prediction is `trueLabel`, else 0; for `random` the
 * exact expected value, 1/|tied| when `trueLabel` is tied for the most votes, else 0.
 */
export function creditWithRule(
  rule: TieRule,
  labels: ArrayLike<number>,
  distances: ArrayLike<number>,
  k: number,
  trueLabel: number,
): number {
  if (rule === 'random') {
    const tied = topLabels(labels, checkList(labels, k));
    return tied.includes(trueLabel) ? 1 / tied.length : 0;
  }
  return predictWithRule(rule, labels, distances, k) === trueLabel ? 1 : 0;
}

// Re-exported from vote.ts for callers of this module: `topLabels` (the labels tied for the most votes among
// the first k) and `voteCounts`.
export { topLabels, voteCounts };
