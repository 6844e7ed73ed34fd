/**
 * One prediction from a text's nearest neighbours: the vote under a tie rule, how the k agree on it
 * (confidence), and whether the abstention thresholds hold it back. The one path of the library's
 * `predict` / `predictDetails` and of `npc classify`, so the two give the same answer for the same text.
 *
 * The random tie rule draws from `textRandom(seed, text)`: a text's answer does not depend on where it
 * sits in the input or in a batch. (`npc eval` and `npc score` instead draw from one generator over the
 * rows in order, their documented sequence; the rules without draws agree everywhere.)
 */
import { textRandom } from './random.js';
import { predictWithRule, type TieRule } from './tie-rules.js';
import { voteShare } from './vote.js';

export interface PredictionRule {
  /** Neighbours that vote (at most the neighbours given). */
  k: number;
  tie: TieRule;
  /** Seed (0 .. 2^32 − 1) of the random tie rule. */
  seed: number;
  /** Abstain when the nearest training row is farther than this NCD. */
  abstainAbove?: number;
  /** Abstain when the predicted label has less than this share of the k votes. */
  minConfidence?: number;
}

export interface Decision {
  /** The label id the rule predicts (also when abstained: `abstained` says whether to give it). */
  label: number;
  /** The share of the k nearest that voted for `label`. */
  confidence: number;
  /** NCD to the nearest training row. */
  distance: number;
  abstained: boolean;
}

/**
 * The prediction for one text (its UTF-8 bytes, `text`) from the label ids and NCDs of its nearest
 * training rows, nearest first (ordered by NCD, then training index).
 */
export function decide(labelIds: ArrayLike<number>, distances: ArrayLike<number>, text: Uint8Array, rule: PredictionRule): Decision {
  let random: (() => number) | undefined;
  // The text is hashed only when the random rule meets a tie (a draw is made only then).
  const draw = (): number => (random ??= textRandom(rule.seed, text))();
  const label = predictWithRule(rule.tie, labelIds, distances, rule.k, draw);
  const confidence = voteShare(labelIds, rule.k, label);
  const distance = distances[0];
  const abstained =
    (rule.abstainAbove !== undefined && distance > rule.abstainAbove) ||
    (rule.minConfidence !== undefined && confidence < rule.minConfidence);
  return { label, confidence, distance, abstained };
}
