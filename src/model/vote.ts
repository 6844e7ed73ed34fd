/**
 * Voting among the k nearest neighbours, on label ids (small integers, see labels.ts).
 *
 * Strict: the most frequent label among the k nearest; a tie between labels goes to the label of the
 * nearest neighbour among the tied labels. Lenient (the paper's scoring): a prediction counts as correct
 * when the true label is among the labels tied for most votes — for k = 2, when either neighbour is right.
 */

/** Vote counts per label id among the first k of `neighborLabels` (fewer when fewer are given). */
export function voteCounts(neighborLabels: ArrayLike<number>, k: number): Map<number, number> {
  const counts = new Map<number, number>();
  const n = Math.min(k, neighborLabels.length);
  for (let i = 0; i < n; i++) {
    const label = neighborLabels[i];
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return counts;
}

/** Label ids tied for the most votes among the k nearest, in order of their nearest neighbour. */
export function topLabels(neighborLabels: ArrayLike<number>, k: number): number[] {
  const counts = voteCounts(neighborLabels, k);
  let best = 0;
  for (const c of counts.values()) if (c > best) best = c;
  const tied: number[] = [];
  const n = Math.min(k, neighborLabels.length);
  for (let i = 0; i < n; i++) {
    const label = neighborLabels[i];
    if (counts.get(label) === best && !tied.includes(label)) tied.push(label);
  }
  return tied;
}

/**
 * Strict prediction (the `nearest` tie rule, npc's default): the most frequent label among the first k
 * (all when fewer are given); among labels tied for the most votes, the one whose nearest neighbour is
 * nearest. A k that is not a positive integer, or no neighbour at all, is a RangeError.
 */
export function strictVote(neighborLabels: ArrayLike<number>, k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (neighborLabels.length === 0) throw new RangeError('a vote needs at least one neighbour');
  return topLabels(neighborLabels, k)[0];
}

/** The paper's lenient rule: correct if the true label is among those tied for most votes. */
export function lenientCorrect(neighborLabels: ArrayLike<number>, k: number, trueLabel: number): boolean {
  return topLabels(neighborLabels, k).includes(trueLabel);
}

/**
 * How sure a strict vote is: the share of the k nearest that voted for `label` (predictProba's value for
 * it), in (0, 1]. It says how the k neighbours agree, not how likely the label is to be right.
 */
export function voteShare(neighborLabels: ArrayLike<number>, k: number, label: number): number {
  const n = Math.min(k, neighborLabels.length);
  let votes = 0;
  for (let i = 0; i < n; i++) if (neighborLabels[i] === label) votes++;
  return n === 0 ? 0 : votes / n;
}
